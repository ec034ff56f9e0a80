"""A 1.2.1 bundle's validation report: every problem at once, with file, line and column, and nothing written.

Each case breaks one row of the bundle of bundle12.py (a new file's row, a 1.2 column, a 1.2
token) and expects exactly the problems reported for it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from openroster.cli import app
from openroster.ingest.problems import Problem
from openroster.store.dialects import create_engine
from tests.conftest import BACKENDS, new_database
from tests.ingest.bundle12 import bundle12, rows12
from tests.ingest.bundles import Rows, csv_text, header_for, manifest_rows
from tests.ingest.test_bundle12 import snapshot
from tests.ingest.test_problems import problems

runner = CliRunner()


def changed(entity: str, sourced_id: str, **cells: str) -> Rows:
    """The bundle's rows with some cells of one row changed ('' blanks a cell)."""
    rows = rows12()
    row = next(r for r in rows[entity] if r["sourcedId"] == sourced_id)
    row.update(cells)
    return rows


def without(entity: str, sourced_id: str) -> Rows:
    rows = rows12()
    rows[entity] = [r for r in rows[entity] if r["sourcedId"] != sourced_id]
    return rows


ROLE_TOKENS = (
    "aide, counselor, districtAdministrator, guardian, parent, principal, proctor, relative, "
    "siteAdministrator, student, systemAdministrator, teacher or an extension token ext:<name>"
)

CASES: dict[str, tuple[Rows, list[Problem]]] = {
    "a role token that is not 1.2's": (
        changed("role", "rol-stu-1", role="pupil"),
        [Problem("roles.csv", 5, "role", f"'pupil' is not one of {ROLE_TOKENS}.")],
    ),
    "an administrator, which 1.2 users cannot be": (
        changed("role", "rol-adm-1-a", role="administrator"),
        [Problem("roles.csv", 7, "role", f"'administrator' is not one of {ROLE_TOKENS}.")],
    ),
    "a roleType that is neither primary nor secondary": (
        changed("role", "rol-par-1", roleType="main"),
        [Problem("roles.csv", 6, "roleType", "'main' is not one of primary, secondary.")],
    ),
    "a role in an org not in the bundle": (
        changed("role", "rol-par-1", orgSourcedId="sch-9"),
        [
            Problem(
                "roles.csv",
                6,
                "orgSourcedId",
                "There is no org with sourcedId 'sch-9' in orgs.csv; add it to orgs.csv or correct the id.",
            )
        ],
    ),
    "a role of a user not in the bundle": (
        changed("role", "rol-par-1", userSourcedId="par-9"),
        [
            Problem(
                "users.csv",
                4,
                "sourcedId",
                "The user 'par-1' has no role. A 1.2 bundle gives each user's roles in roles.csv: add a row "
                "there with userSourcedId par-1, its orgSourcedId, its role and roleType primary.",
            ),
            Problem(
                "roles.csv",
                6,
                "userSourcedId",
                "There is no user with sourcedId 'par-9' in users.csv; add it to users.csv or correct the id.",
            ),
        ],
    ),
    "a role without its required cells": (
        changed("role", "rol-stu-1", userSourcedId="", roleType=""),
        [
            Problem(
                "users.csv",
                3,
                "sourcedId",
                "The user 'stu-1' has no role. A 1.2 bundle gives each user's roles in roles.csv: add a row "
                "there with userSourcedId stu-1, its orgSourcedId, its role and roleType primary.",
            ),
            Problem("roles.csv", 5, "userSourcedId", "userSourcedId is required but blank; fill it in."),
            Problem("roles.csv", 5, "roleType", "roleType is required but blank; fill it in."),
        ],
    ),
    "two primary roles in one org": (
        changed("role", "rol-tch-1-c", roleType="primary"),
        [
            Problem(
                "roles.csv",
                4,
                "roleType",
                "The user 'tch-1' has a primary role in org 'sch-1' already (line 2); a user has exactly "
                "one primary role in each org, so make this one secondary.",
            )
        ],
    ),
    "no primary role in an org": (
        changed("role", "rol-tch-1-b", roleType="secondary"),
        [
            Problem(
                "roles.csv",
                3,
                "roleType",
                "The user 'tch-1' has roles in org 'sch-2' but none is primary; a user has exactly one "
                "primary role in each org, so make one of them primary.",
            )
        ],
    ),
    "a role naming another user's profile": (
        changed("role", "rol-stu-1", userProfileSourcedId="prof-1"),
        [
            Problem(
                "roles.csv",
                5,
                "userProfileSourcedId",
                "The profile 'prof-1' is the user 'tch-1''s, not 'stu-1''s; a role names a profile of its "
                "own user, so correct the id.",
            )
        ],
    ),
    "a role naming a profile not in the bundle": (
        changed("role", "rol-tch-1-a", userProfileSourcedId="prof-9"),
        [
            Problem(
                "roles.csv",
                2,
                "userProfileSourcedId",
                "There is no userProfile with sourcedId 'prof-9' in userProfiles.csv; add it to "
                "userProfiles.csv or correct the id.",
            )
        ],
    ),
    "a user with no role": (
        without("role", "rol-aid-1"),
        [
            Problem(
                "users.csv",
                6,
                "sourcedId",
                "The user 'aid-1' has no role. A 1.2 bundle gives each user's roles in roles.csv: add a row "
                "there with userSourcedId aid-1, its orgSourcedId, its role and roleType primary.",
            )
        ],
    ),
    "a profile without a vendor, and of a missing user": (
        changed("userProfile", "prof-1", vendorId="", userSourcedId="tch-9"),
        [
            Problem("userProfiles.csv", 2, "vendorId", "vendorId is required but blank; fill it in."),
            Problem(
                "userProfiles.csv",
                2,
                "userSourcedId",
                "There is no user with sourcedId 'tch-9' in users.csv; add it to users.csv or correct the id.",
            ),
        ],
    ),
    "a user resource naming a resource and a class not in the bundle": (
        changed("userResource", "ur-1", resourceSourcedId="rsc-9", classSourcedId="cls-9"),
        [
            Problem(
                "userResources.csv",
                2,
                "classSourcedId",
                "There is no class with sourcedId 'cls-9' in classes.csv; add it to classes.csv or correct the id.",
            ),
            Problem(
                "userResources.csv",
                2,
                "resourceSourcedId",
                "There is no resource with sourcedId 'rsc-9' in resources.csv; add it to resources.csv or "
                "correct the id.",
            ),
        ],
    ),
    "a user's primaryOrg not in the bundle": (
        changed("user", "adm-1", primaryOrgSourcedId="dst-9"),
        [
            Problem(
                "users.csv",
                5,
                "primaryOrgSourcedId",
                "There is no org with sourcedId 'dst-9' in orgs.csv; add it to orgs.csv or correct the id.",
            )
        ],
    ),
    "a 1.1 enrollment role, which 1.2 writes as an extension token": (
        changed("enrollment", "enr-3", role="aide"),
        [
            Problem(
                "enrollments.csv",
                4,
                "role",
                "'aide' is not one of administrator, proctor, student, teacher, ext:aide, ext:guardian, "
                "ext:parent, ext:relative.",
            )
        ],
    ),
    "an enrollment extension token 1.1 cannot show": (
        changed("enrollment", "enr-3", role="ext:observer"),
        [
            Problem(
                "enrollments.csv",
                4,
                "role",
                "'ext:observer' is not one of administrator, proctor, student, teacher, ext:aide, "
                "ext:guardian, ext:parent, ext:relative.",
            )
        ],
    ),
    "a sex token neither version has": (
        changed("demographics", "stu-1", sex="nonbinary"),
        [
            Problem(
                "demographics.csv", 2, "sex", "'nonbinary' is not one of male, female, unspecified, other."
            )
        ],
    ),
    "a lineItem's score scale link to a lineItem not in the bundle": (
        changed("lineItemScoreScale", "lss-1", lineItemSourcedId="li-9"),
        [
            Problem(
                "lineItemScoreScales.csv",
                2,
                "lineItemSourcedId",
                "There is no lineItem with sourcedId 'li-9' in lineItems.csv; add it to lineItems.csv or "
                "correct the id.",
            )
        ],
    ),
    "a lineItem's score scale link to a score scale not in the bundle": (
        changed("lineItemScoreScale", "lss-2", scoreScaleSourcedId="ss-9"),
        [
            Problem(
                "lineItemScoreScales.csv",
                3,
                "scoreScaleSourcedId",
                "There is no scoreScale with sourcedId 'ss-9' in scoreScales.csv; add it to scoreScales.csv "
                "or correct the id.",
            )
        ],
    ),
    "a result's score scale link to a result not in the bundle": (
        changed("resultScoreScale", "rss-1", resultSourcedId="res-9"),
        [
            Problem(
                "resultScoreScales.csv",
                2,
                "resultSourcedId",
                "There is no result with sourcedId 'res-9' in results.csv; add it to results.csv or correct "
                "the id.",
            )
        ],
    ),
    "a learning objective of a result not in the bundle": (
        changed("resultLearningObjectiveId", "rlo-2", resultSourcedId="res-9"),
        [
            Problem(
                "resultLearningObjectiveIds.csv",
                3,
                "resultSourcedId",
                "There is no result with sourcedId 'res-9' in results.csv; add it to results.csv or correct "
                "the id.",
            )
        ],
    ),
    "a score scale value cell that is not a list of {LHS:RHS}": (
        changed("scoreScale", "ss-1", scoreScaleValue="A:90,B"),
        [
            Problem(
                "scoreScales.csv",
                2,
                "scoreScaleValue",
                "'A:90,B' is not a list of score scale values; write each as {LHS:RHS}, separated by commas, "
                "for example {A:90},{B:80}.",
            )
        ],
    ),
    "a score scale of an org, a course and a class not in the bundle": (
        changed("scoreScale", "ss-1", orgSourcedId="sch-9", courseSourcedId="crs-9", classSourcedId="cls-9"),
        [
            Problem(
                "scoreScales.csv",
                2,
                column,
                f"There is no {target} with sourcedId '{sid}' in {file}; add it to {file} or correct the id.",
            )
            for column, target, sid, file in (
                ("orgSourcedId", "org", "sch-9", "orgs.csv"),
                ("courseSourcedId", "course", "crs-9", "courses.csv"),
                ("classSourcedId", "class", "cls-9", "classes.csv"),
            )
        ],
    ),
    "a score scale without its title and values": (
        changed("scoreScale", "ss-2", title="", scoreScaleValue=""),
        [
            Problem("scoreScales.csv", 3, "title", "title is required but blank; fill it in."),
            Problem(
                "scoreScales.csv", 3, "scoreScaleValue", "scoreScaleValue is required but blank; fill it in."
            ),
        ],
    ),
    "a learning objective source that is not a token": (
        changed("lineItemLearningObjectiveId", "llo-2", source="CASE"),
        [
            Problem(
                "lineItemLearningObjectiveIds.csv",
                3,
                "source",
                "'CASE' is not one of case, unknown or an extension token ext:<name>. Values are "
                "case-sensitive: write 'case'.",
            )
        ],
    ),
    "a learning objective result without its id and with a score that is not a number": (
        changed("resultLearningObjectiveId", "rlo-1", score="high", learningObjectiveId=""),
        [
            Problem(
                "resultLearningObjectiveIds.csv",
                2,
                "learningObjectiveId",
                "learningObjectiveId is required but blank; fill it in.",
            ),
            Problem(
                "resultLearningObjectiveIds.csv",
                2,
                "score",
                "'high' is not a number; write it with digits and an optional decimal point, for example 85 "
                "or 92.5.",
            ),
        ],
    ),
    "a link's sourcedId used twice": (
        {
            **rows12(),
            "lineItemScoreScale": [*rows12()["lineItemScoreScale"], rows12()["lineItemScoreScale"][0]],
        },
        [
            Problem(
                "lineItemScoreScales.csv",
                4,
                "sourcedId",
                "The sourcedId 'lss-1' is used again; it was first used on line 2. Give every record its own "
                "sourcedId.",
            )
        ],
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_each_problem_is_reported_with_file_line_and_column(tmp_path: Path, case: str) -> None:
    rows, expected = CASES[case]
    assert problems(bundle12(tmp_path, rows)) == expected


def test_1_1_columns_in_a_1_2_users_file_and_the_withdrawn_resourceSourcedIds(tmp_path: Path) -> None:
    rows = changed("user", "stu-1", role="student", orgSourcedIds="sch-1", resourceSourcedIds="rsc-1")
    assert problems(bundle12(tmp_path, rows)) == [
        Problem(
            "users.csv",
            1,
            column,
            f"{column} is not a column of users.csv. Rename it to a column of users.csv, remove it, or "
            f"name it metadata.{column} to keep it as extra data.",
        )
        for column in ("role", "orgSourcedIds", "resourceSourcedIds")
    ]


def test_a_1_2_lineitems_file_names_the_academic_session(tmp_path: Path) -> None:
    rows = rows12()
    rows["lineItem"][0]["gradingPeriodSourcedId"] = rows["lineItem"][0].pop("academicSessionSourcedId")
    header = [c for c in header_for("lineItem", rows["lineItem"], "1.2") if c != "academicSessionSourcedId"]
    assert problems(bundle12(tmp_path, rows, headers={"lineItem": header})) == [
        Problem(
            "lineItems.csv",
            1,
            "gradingPeriodSourcedId",
            "gradingPeriodSourcedId is not a column of lineItems.csv. Rename it to a column of lineItems.csv, "
            "remove it, or name it metadata.gradingPeriodSourcedId to keep it as extra data.",
        ),
        Problem(
            "lineItems.csv",
            1,
            "academicSessionSourcedId",
            "The header has no academicSessionSourcedId column, which lineItems.csv requires; add it "
            "(column names are case-sensitive).",
        ),
    ]


@pytest.mark.parametrize(("entity", "name"), [("role", "roles"), ("scoreScale", "scoreScales")])
def test_a_1_1_bundle_has_no_file_only_1_2_has(tmp_path: Path, entity: str, name: str) -> None:
    rows = rows12()
    lines = manifest_rows({}, version="1.1") + [[f"file.{name}", "bulk"]]
    files = {f"{name}.csv": csv_text(header_for(entity, rows[entity], "1.2"), rows[entity])}
    assert problems(bundle12(tmp_path, {}, manifest=lines, files=files)) == [
        Problem(
            "manifest.csv",
            18,
            "propertyName",
            f"file.{name} is not a OneRoster 1.1 file. It belongs to OneRoster 1.2 bundles: remove the row, "
            "or set oneroster.version to 1.2.",
        ),
        Problem(
            f"{name}.csv",
            None,
            None,
            f"{name}.csv is not a OneRoster 1.1 file; it belongs to OneRoster 1.2 bundles: remove it, or set "
            "oneroster.version to 1.2.",
        ),
    ]


def test_a_delta_users_file_may_keep_the_roles_stored(tmp_path: Path) -> None:
    """A stored user changed by a delta users.csv keeps its roles; a new one still needs a role."""
    rows = rows12()
    stored = {name: {r["sourcedId"] for r in entity_rows} for name, entity_rows in rows.items()}
    delta = {"user": [dict(rows["user"][1], phone="555-0101"), dict(rows["user"][0], sourcedId="tch-2")]}
    bundle = bundle12(tmp_path, delta, modes={"user": "delta"})
    assert problems(bundle, stored_ids=lambda name: stored.get(name, set())) == [
        Problem(
            "users.csv",
            3,
            "sourcedId",
            "The user 'tch-2' has no role. A 1.2 bundle gives each user's roles in roles.csv: add a row "
            "there with userSourcedId tch-2, its orgSourcedId, its role and roleType primary.",
        ),
    ]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_bad_bundle_writes_nothing_and_the_command_shows_every_problem(
    tmp_path: Path, backend: str
) -> None:
    url = new_database(backend, tmp_path)
    assert runner.invoke(app, ["import", str(bundle12(tmp_path / "good")), "--database", url]).exit_code == 0
    engine = create_engine(url)
    before = snapshot(engine)
    rows = changed("role", "rol-stu-1", role="pupil", userProfileSourcedId="prof-1")
    rows["userProfile"][0]["vendorId"] = ""
    rows["user"][0]["givenName"] = "Janet"  # a good change, which must not be written either
    rows["lineItemScoreScale"][0]["scoreScaleSourcedId"] = "ss-9"
    rows["scoreScale"][1]["scoreScaleValue"] = "{A}"
    result = runner.invoke(app, ["import", str(bundle12(tmp_path / "bad", rows)), "--database", url])
    assert result.exit_code == 1
    assert result.output.splitlines()[-6:] == [
        "userProfiles.csv, line 2, column vendorId: vendorId is required but blank; fill it in.",
        f"roles.csv, line 5, column role: 'pupil' is not one of {ROLE_TOKENS}.",
        "roles.csv, line 5, column userProfileSourcedId: The profile 'prof-1' is the user 'tch-1''s, not "
        "'stu-1''s; a role names a profile of its own user, so correct the id.",
        "scoreScales.csv, line 3, column scoreScaleValue: '{A}' in '{A}' is not a score scale value; write "
        "each as {LHS:RHS}, separated by commas, for example {A:90},{B:80}.",
        "lineItemScoreScales.csv, line 2, column scoreScaleSourcedId: There is no scoreScale with sourcedId "
        "'ss-9' in scoreScales.csv; add it to scoreScales.csv or correct the id.",
        f"error: 5 problem(s) in {tmp_path / 'bad' / 'bundle'}; nothing was imported.",
    ]
    assert snapshot(engine) == before
    engine.dispose()


def test_a_link_file_without_a_required_column(tmp_path: Path) -> None:
    rows = rows12()
    header = [
        c
        for c in header_for("lineItemScoreScale", rows["lineItemScoreScale"], "1.2")
        if c != "scoreScaleSourcedId"
    ]
    assert problems(bundle12(tmp_path, rows, headers={"lineItemScoreScale": header})) == [
        Problem(
            "lineItemScoreScales.csv",
            1,
            "scoreScaleSourcedId",
            "The header has no scoreScaleSourcedId column, which lineItemScoreScales.csv requires; add it "
            "(column names are case-sensitive).",
        ),
    ]
