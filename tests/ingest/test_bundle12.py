"""OneRoster 1.2.1 bundles: import with every file, `export --version 1.2` and back, and how 1.1 bundles meet them.

Everything goes through the `openroster` command against a real store; what is stored is read
back as rows of its tables (documents, dates, content hashes), so "unchanged" means unchanged.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import orjson
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from openroster.cli import app
from openroster.store.dialects import create_engine
from openroster.store.schema import TABLES
from tests.conftest import BACKENDS, client_for, load, new_database
from tests.district import district
from tests.ingest.bundle12 import bundle12, rows12
from tests.ingest.bundles import make_bundle

runner = CliRunner()
GRADEBOOK = "/ims/oneroster/gradebook/v1p2"
Snapshot = dict[str, list[tuple[Any, ...]]]


def _url(engine: sa.Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def _run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def snapshot(engine: sa.Engine) -> Snapshot:
    """Every stored record of every table: sourcedId, status, dateLastModified, hash, both documents."""
    out: Snapshot = {}
    with engine.connect() as conn:
        for tables in TABLES.values():
            t = tables.main
            query = sa.select(
                t.c.sourced_id, t.c.status, t.c.date_last_modified, t.c.content_hash, t.c.doc, t.c.doc_v12
            ).order_by(t.c.sourced_id)
            out[t.name] = [tuple(row) for row in conn.execute(query)]
    return out


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _rows(folder: Path, name: str) -> dict[str, dict[str, str]]:
    text = (folder / name).read_text(encoding="utf-8")
    return {row["sourcedId"]: row for row in csv.DictReader(io.StringIO(text))}


def imported12(tmp_path: Path, backend: str) -> sa.Engine:
    url = new_database(backend, tmp_path)
    _run("import", str(bundle12(tmp_path / "in")), "--database", url)
    return create_engine(url)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_bundle_with_every_file_imports_and_exports_back_identically(tmp_path: Path, backend: str) -> None:
    url = new_database(backend, tmp_path)
    summary = _run("import", str(bundle12(tmp_path / "in")), "--database", url)
    assert [
        line.split()[:3] for line in summary.splitlines() if line.startswith(("role ", "userProfile "))
    ] == [
        ["userProfile", "1", "1"],
        ["role", "9", "9"],
    ]
    _run("export", str(tmp_path / "first"), "--version", "1.2", "--database", url)
    (tmp_path / "copy").mkdir()
    copy_url = new_database(backend, tmp_path / "copy")
    _run("import", str(tmp_path / "first"), "--database", copy_url)
    _run("export", str(tmp_path / "second"), "--version", "1.2", "--database", copy_url)

    assert _files(tmp_path / "second") == _files(tmp_path / "first")
    first = tmp_path / "first"
    assert sorted(p.name for p in first.iterdir()) == sorted(
        [
            "manifest.csv",
            "academicSessions.csv",
            "categories.csv",
            "classes.csv",
            "classResources.csv",
            "courses.csv",
            "courseResources.csv",
            "demographics.csv",
            "enrollments.csv",
            "lineItemLearningObjectiveIds.csv",
            "lineItems.csv",
            "lineItemScoreScales.csv",
            "orgs.csv",
            "resources.csv",
            "resultLearningObjectiveIds.csv",
            "results.csv",
            "resultScoreScales.csv",
            "roles.csv",
            "scoreScales.csv",
            "userProfiles.csv",
            "userResources.csv",
            "users.csv",
        ]
    )
    assert len(list(first.iterdir())) == 22  # the manifest and the 21 data files of 1.2.1
    manifest = (first / "manifest.csv").read_text().splitlines()
    assert manifest[:3] == ["propertyName,value", "manifest.version,1.0", "oneroster.version,1.2"]
    assert {"file.roles,bulk", "file.userProfiles,bulk", "file.userResources,bulk"} <= set(manifest)
    assert {
        "file.scoreScales,bulk",
        "file.lineItemScoreScales,bulk",
        "file.resultScoreScales,bulk",
        "file.lineItemLearningObjectiveIds,bulk",
        "file.resultLearningObjectiveIds,bulk",
    } <= set(manifest)
    assert len([line for line in manifest if line.startswith("file.")]) == 21
    assert (first / "scoreScales.csv").read_text().splitlines()[:2] == [
        "sourcedId,status,dateLastModified,title,type,orgSourcedId,courseSourcedId,classSourcedId,"
        "scoreScaleValue",
        'ss-1,active,2025-06-01T10:00:00.000Z,Letter grades,letter,sch-1,crs-1,cls-1,"{A:90},{B:80},{C:70}"',
    ]
    assert _rows(first, "scoreScales.csv")["ss-2"]["orgSourcedId"] == "sch-1"  # its class's school
    assert (first / "lineItemScoreScales.csv").read_text().splitlines() == [
        "sourcedId,status,dateLastModified,title,lineItemSourcedId,scoreScaleSourcedId",
        "lss-1,active,2025-06-01T10:00:00.000Z,Mastery,li-1,ss-2",
        "lss-2,active,2025-06-01T10:00:00.000Z,,li-1,ss-1",
    ]
    assert (first / "resultScoreScales.csv").read_text().splitlines() == [
        "sourcedId,status,dateLastModified,title,resultSourcedId,scoreScaleSourcedId",
        "rss-1,active,2025-06-01T10:00:00.000Z,Letter,res-1,ss-1",
    ]
    assert (first / "lineItemLearningObjectiveIds.csv").read_text().splitlines() == [
        "sourcedId,status,dateLastModified,lineItemSourcedId,source,learningObjectiveId",
        "llo-1,active,2025-06-01T10:00:00.000Z,li-1,case,CASE-1",
        "llo-2,active,2025-06-01T10:00:00.000Z,li-1,unknown,U-7",
        "llo-3,active,2025-06-01T10:00:00.000Z,li-1,case,CASE-2",
    ]
    assert (first / "resultLearningObjectiveIds.csv").read_text().splitlines() == [
        "sourcedId,status,dateLastModified,resultSourcedId,source,learningObjectiveId,score,textScore",
        "rlo-1,active,2025-06-01T10:00:00.000Z,res-1,case,CASE-1,3,Proficient",
        "rlo-2,active,2025-06-01T10:00:00.000Z,res-1,ext:district,D-4,,",
    ]
    assert _rows(first, "userResources.csv")["ur-1"] == {
        "sourcedId": "ur-1",
        "status": "active",
        "dateLastModified": "2025-06-01T10:00:00.000Z",
        "userSourcedId": "stu-1",
        "orgSourcedId": "",
        "classSourcedId": "cls-1",
        "resourceSourcedId": "rsc-1",
    }
    users = _rows(first, "users.csv")
    assert "role" not in users["tch-1"] and "orgSourcedIds" not in users["tch-1"]
    assert {
        k: users["tch-1"][k] for k in ("userMasterIdentifier", "preferredGivenName", "preferredFamilyName")
    } == {
        "userMasterIdentifier": "P-0001",
        "preferredGivenName": "Janie",
        "preferredFamilyName": "Doe-Ray",
    }
    assert (
        users["tch-1"]["primaryOrgSourcedId"],
        users["tch-1"]["pronouns"],
        users["tch-1"]["password"],
    ) == (
        "sch-1",
        "she/her",
        "",
    )
    assert users["stu-1"]["primaryOrgSourcedId"] == ""  # none given: 1.2 derives it, the bundle does not
    roles = _rows(first, "roles.csv")
    assert list(roles) == sorted(roles)
    assert roles["rol-tch-1-a"] == {
        "sourcedId": "rol-tch-1-a",
        "status": "active",
        "dateLastModified": "2025-06-01T10:00:00.000Z",
        "userSourcedId": "tch-1",
        "roleType": "primary",
        "role": "teacher",
        "beginDate": "2025-08-01",
        "endDate": "",
        "orgSourcedId": "sch-1",
        "userProfileSourcedId": "prof-1",
    }
    assert roles["rol-aid-1"]["role"] == "ext:intern"
    assert _rows(first, "userProfiles.csv")["prof-1"]["password"] == ""
    assert _rows(first, "enrollments.csv")["enr-3"]["role"] == "ext:aide"
    assert _rows(first, "demographics.csv")["stu-1"]["sex"] == "other"
    assert _rows(first, "lineItems.csv")["li-1"]["academicSessionSourcedId"] == "gp-1"
    assert "gradingPeriodSourcedId" not in _rows(first, "lineItems.csv")["li-1"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_importing_its_own_export_again_changes_no_record(tmp_path: Path, backend: str) -> None:
    engine = imported12(tmp_path, backend)
    before = snapshot(engine)
    _run("export", str(tmp_path / "out"), "--version", "1.2", "--with-passwords", "--database", _url(engine))
    summary = _run("import", str(tmp_path / "out"), "--database", _url(engine))
    assert snapshot(engine) == before
    changed = [
        line.split() for line in summary.splitlines() if line[:1].isalpha() and line.split()[-1].isdigit()
    ]
    assert changed and all(numbers[2:5] == ["0", "0", "0"] for numbers in changed), summary
    engine.dispose()


def test_passwords_are_exported_only_when_asked(tmp_path: Path) -> None:
    engine = imported12(tmp_path, "sqlite")
    _run("export", str(tmp_path / "out"), "--version", "1.2", "--with-passwords", "--database", _url(engine))
    assert _rows(tmp_path / "out", "users.csv")["tch-1"]["password"] == "t0ps3cret"
    assert _rows(tmp_path / "out", "userProfiles.csv")["prof-1"]["password"] == "lms-pass"
    engine.dispose()


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_1_1_store_exports_as_1_2_with_the_roles_its_users_derive(tmp_path: Path, backend: str) -> None:
    source = load(tmp_path, district(), backend=backend)
    _run("export", str(tmp_path / "out"), "--version", "1.2", "--database", _url(source))
    roles = _rows(tmp_path / "out", "roles.csv")
    users = {u["sourcedId"]: u for u in district()["user"]}
    expected = {
        f"{sid}-role-{position}": (sid, org, user["role"])
        for sid, user in users.items()
        for position, org in enumerate(user["orgs"])
    }
    assert {rid: (r["userSourcedId"], r["orgSourcedId"], r["role"]) for rid, r in roles.items()} == {
        rid: (sid, org, _as_1_2(role, org)) for rid, (sid, org, role) in expected.items()
    }
    assert {r["roleType"] for r in roles.values()} == {"primary"}

    (tmp_path / "copy").mkdir()
    copy = create_engine(new_database(backend, tmp_path / "copy"))
    _run("import", str(tmp_path / "out"), "--database", _url(copy))
    users_only = ("roles", "user_profiles")
    served, again = snapshot(source), snapshot(copy)
    assert {k: v for k, v in again.items() if k not in users_only} == {
        k: v for k, v in served.items() if k not in users_only
    }
    _run("export", str(tmp_path / "again"), "--version", "1.2", "--database", _url(copy))
    assert _files(tmp_path / "again") == _files(tmp_path / "out")
    source.dispose()
    copy.dispose()


def _as_1_2(role: str, org: str) -> str:
    """The demo district's orgs: dist-* are districts, the others schools or departments."""
    if role != "administrator":
        return role
    return "districtAdministrator" if org.startswith("dist") else "siteAdministrator"


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_1_2_store_exports_as_1_1_with_each_users_primary_role_and_orgs(
    tmp_path: Path, backend: str
) -> None:
    engine = imported12(tmp_path, backend)
    _run("export", str(tmp_path / "out"), "--database", _url(engine))
    manifest = (tmp_path / "out" / "manifest.csv").read_text()
    assert "oneroster.version,1.1" in manifest and "roles" not in manifest
    assert not (tmp_path / "out" / "roles.csv").exists()
    users = _rows(tmp_path / "out", "users.csv")
    assert {sid: (u["role"], u["orgSourcedIds"]) for sid, u in users.items()} == {
        "tch-1": ("teacher", "sch-1,sch-2"),  # its primary role; the counselor role is secondary
        "stu-1": ("student", "sch-1"),
        "par-1": ("parent", "sch-1"),
        "adm-1": ("administrator", "sch-2,dst-1"),  # districtAdministrator in its primaryOrg
        "aid-1": ("aide", "sch-1"),  # ext:intern has no 1.1 token
    }
    assert "preferredGivenName" not in users["tch-1"] and "pronouns" not in users["tch-1"]
    assert _rows(tmp_path / "out", "enrollments.csv")["enr-3"]["role"] == "aide"
    assert _rows(tmp_path / "out", "demographics.csv")["stu-1"]["sex"] == ""  # 1.2's `other`: none in 1.1
    assert _rows(tmp_path / "out", "lineItems.csv")["li-1"]["gradingPeriodSourcedId"] == "gp-1"
    engine.dispose()


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_1_1_users_file_replaces_the_1_2_roles_of_its_users(tmp_path: Path, backend: str) -> None:
    engine = imported12(tmp_path, backend)
    _run("export", str(tmp_path / "out11"), "--database", _url(engine))
    summary = _run("import", str(tmp_path / "out11"), "--database", _url(engine))
    after = snapshot(engine)
    assert {row[0]: row[1] for row in after["roles"]} == {sid: "tobedeleted" for sid, *_ in after["roles"]}
    assert [row[1] for row in after["user_profiles"]] == ["tobedeleted"]
    assert [line.split() for line in summary.splitlines() if line.startswith(("role ", "userProfile "))] == [
        ["role", "0", "0", "9", "0"],  # not in the bundle: no count of rows in a file
        ["userProfile", "0", "0", "1", "0"],
    ]
    teacher = orjson.loads(next(row[5] for row in after["users"] if row[0] == "tch-1"))
    assert [(r["roleType"], r["role"], r["org"]["sourcedId"]) for r in teacher["roles"]] == [
        ("primary", "teacher", "sch-1"),
        ("primary", "teacher", "sch-2"),
    ]
    assert "userProfiles" not in teacher

    # Later 1.1 bundles are read as they are: the tombstoned roles play no part.
    (tmp_path / "again").mkdir()
    user = {"sourcedId": "tch-1", "enabledUser": "true", "orgSourcedIds": "sch-2", "role": "aide"}
    user |= {"username": "jdoe", "givenName": "Jane", "familyName": "Doe"}
    _run("import", str(make_bundle(tmp_path / "again", {"user": [user]})), "--database", _url(engine))
    teacher11 = orjson.loads(_row(snapshot(engine)["users"], "tch-1")[4])
    assert (teacher11["role"], [o["sourcedId"] for o in teacher11["orgs"]]) == ("aide", ["sch-2"])
    engine.dispose()


def test_a_1_1_bundle_exports_and_imports_byte_identically_as_before(tmp_path: Path) -> None:
    source = load(tmp_path, district())
    _run("export", str(tmp_path / "out"), "--database", _url(source))
    (tmp_path / "copy").mkdir()
    copy = create_engine(new_database("sqlite", tmp_path / "copy"))
    _run("import", str(tmp_path / "out"), "--database", _url(copy))
    _run("export", str(tmp_path / "again"), "--database", _url(copy))
    assert _files(tmp_path / "again") == _files(tmp_path / "out")
    assert (tmp_path / "out" / "manifest.csv").read_text().count("\n") == 17  # 13 files, as before
    assert snapshot(copy) == snapshot(source)
    source.dispose()
    copy.dispose()


def test_export_refuses_a_version_it_does_not_write(tmp_path: Path) -> None:
    engine = imported12(tmp_path, "sqlite")
    result = runner.invoke(
        app, ["export", str(tmp_path / "out"), "--version", "2.0", "--database", _url(engine)]
    )
    assert result.exit_code == 1
    assert "--version 2.0 is not a bundle version this server writes; give 1.1 or 1.2." in result.output
    assert not (tmp_path / "out").exists()
    engine.dispose()


def _row(rows: list[tuple[Any, ...]], sourced_id: str) -> tuple[Any, ...]:
    return next(row for row in rows if row[0] == sourced_id)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_delta_roles_file_changes_the_users_whose_roles_it_changes(tmp_path: Path, backend: str) -> None:
    engine = imported12(tmp_path, backend)
    before = snapshot(engine)
    rows = rows12()
    gone = dict(next(r for r in rows["role"] if r["sourcedId"] == "rol-tch-1-b"), status="tobedeleted")
    bundle = bundle12(tmp_path / "delta", {"role": [gone]}, modes={"role": "delta"})
    _run("import", str(bundle), "--database", _url(engine))
    after = snapshot(engine)

    assert _row(after["roles"], "rol-tch-1-b")[1] == "tobedeleted"
    teacher = _row(after["users"], "tch-1")
    assert teacher[2] > _row(before["users"], "tch-1")[2]  # its dateLastModified moved
    assert [o["sourcedId"] for o in orjson.loads(teacher[4])["orgs"]] == ["sch-1"]
    assert [r["org"]["sourcedId"] for r in orjson.loads(teacher[5])["roles"]] == ["sch-1", "sch-1"]
    assert [row for row in after["users"] if row[0] != "tch-1"] == [
        row for row in before["users"] if row[0] != "tch-1"
    ]
    engine.dispose()


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_delta_users_file_keeps_the_users_roles(tmp_path: Path, backend: str) -> None:
    engine = imported12(tmp_path, backend)
    before = snapshot(engine)
    student = dict(next(r for r in rows12()["user"] if r["sourcedId"] == "stu-1"), phone="555-0101")
    bundle = bundle12(tmp_path / "delta", {"user": [student]}, modes={"user": "delta"})
    _run("import", str(bundle), "--database", _url(engine))
    after = snapshot(engine)

    doc11, doc12 = (orjson.loads(document) for document in _row(after["users"], "stu-1")[4:6])
    assert (doc11["phone"], doc11["role"], [o["sourcedId"] for o in doc11["orgs"]]) == (
        "555-0101",
        "student",
        ["sch-1"],
    )
    assert [(r["role"], r["org"]["sourcedId"]) for r in doc12["roles"]] == [("student", "sch-1")]
    assert after["roles"] == before["roles"]
    engine.dispose()


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_1_1_delta_users_file_replaces_the_1_2_roles_of_those_users_only(
    tmp_path: Path, backend: str
) -> None:
    engine = imported12(tmp_path, backend)
    user = {
        "sourcedId": "stu-1",
        "status": "active",
        "dateLastModified": "2025-07-01T00:00:00.000Z",
        "enabledUser": "true",
        "orgSourcedIds": "sch-2",
        "role": "student",
        "username": "asmith",
        "givenName": "Alex",
        "familyName": "Smith",
    }
    (tmp_path / "d11").mkdir()
    bundle = make_bundle(tmp_path / "d11", {"user": [user]}, modes={"user": "delta"})
    _run("import", str(bundle), "--database", _url(engine))
    after = snapshot(engine)
    assert {row[0]: row[1] for row in after["roles"] if row[1] == "tobedeleted"} == {
        "rol-stu-1": "tobedeleted"
    }
    doc12 = orjson.loads(_row(after["users"], "stu-1")[5])
    assert [(r["role"], r["org"]["sourcedId"]) for r in doc12["roles"]] == [("student", "sch-2")]
    assert "preferredMiddleName" not in doc12
    engine.dispose()


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_1_1_user_changed_by_a_1_2_delta_users_file_keeps_its_1_1_role_and_orgs(
    tmp_path: Path, backend: str
) -> None:
    engine = load(tmp_path, district(), backend=backend)
    user = next(u for u in district()["user"] if len(u["orgs"]) > 1)
    row = {
        "sourcedId": user["sourcedId"],
        "status": "active",
        "dateLastModified": "2025-09-02T00:00:00.000Z",
        "enabledUser": "true",
        "username": user["username"],
        "givenName": user["givenName"],
        "familyName": user["familyName"],
        "pronouns": "they/them",
    }
    bundle = bundle12(tmp_path / "delta", {"user": [row]}, modes={"user": "delta"})
    _run("import", str(bundle), "--database", _url(engine))
    doc11, doc12 = (orjson.loads(d) for d in _row(snapshot(engine)["users"], user["sourcedId"])[4:6])
    assert (doc11["role"], [o["sourcedId"] for o in doc11["orgs"]]) == (user["role"], user["orgs"])
    assert [r["org"]["sourcedId"] for r in doc12["roles"]] == user["orgs"]
    assert doc12["pronouns"] == "they/them" and "pronouns" not in doc11
    engine.dispose()


def _doc12(rows: list[tuple[Any, ...]], sourced_id: str) -> dict[str, Any]:
    return dict(orjson.loads(_row(rows, sourced_id)[5]))


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_delta_tombstoning_one_link_changes_the_line_items_score_scale(
    tmp_path: Path, backend: str
) -> None:
    engine = imported12(tmp_path, backend)
    before = snapshot(engine)
    assert _doc12(before["line_items"], "li-1")["scoreScale"]["sourcedId"] == "ss-2"
    rows = rows12()
    gone = dict(rows["lineItemScoreScale"][0], status="tobedeleted")  # lss-1, the first: ss-2
    objective = dict(rows["lineItemLearningObjectiveId"][1], status="tobedeleted")  # llo-2: unknown U-7
    bundle = bundle12(
        tmp_path / "delta",
        {"lineItemScoreScale": [gone], "lineItemLearningObjectiveId": [objective]},
        modes={"lineItemScoreScale": "delta", "lineItemLearningObjectiveId": "delta"},
    )
    _run("import", str(bundle), "--database", _url(engine))
    after = snapshot(engine)

    assert _row(after["line_item_score_scales"], "lss-1")[1] == "tobedeleted"
    line_item = _doc12(after["line_items"], "li-1")
    assert line_item["scoreScale"]["sourcedId"] == "ss-1"  # lss-2, now its first active link
    assert line_item["learningObjectiveSet"] == [
        {"source": "case", "learningObjectiveIds": ["CASE-1", "CASE-2"]}
    ]
    assert (
        _row(after["line_items"], "li-1")[2] > _row(before["line_items"], "li-1")[2]
    )  # dateLastModified moved
    doc11_before, doc11_after = (
        orjson.loads(_row(rows["line_items"], "li-1")[4]) for rows in (before, after)
    )
    assert doc11_after == doc11_before | {"dateLastModified": doc11_after["dateLastModified"]}  # nothing else
    assert after["results"] == before["results"]

    # A bulk file without any link of the lineItem leaves it without a scale.
    bulk = bundle12(tmp_path / "bulk", {"lineItemScoreScale": []}, modes={"lineItemScoreScale": "bulk"})
    _run("import", str(bulk), "--database", _url(engine))
    assert "scoreScale" not in _doc12(snapshot(engine)["line_items"], "li-1")
    engine.dispose()


@pytest.mark.parametrize("backend", BACKENDS)
def test_what_a_rest_put_wrote_exports_as_generated_links_and_imports_back(
    tmp_path: Path, backend: str
) -> None:
    engine = imported12(tmp_path, backend)
    with client_for(engine) as client:
        line_item = orjson.loads(_row(snapshot(engine)["line_items"], "li-1")[5])
        for key in ("sourcedId", "status", "dateLastModified"):
            del line_item[key]
        line_item["scoreScale"] = {"sourcedId": "ss-1"}  # its links say ss-2
        line_item["learningObjectiveSet"] = [{"source": "unknown", "learningObjectiveIds": ["U-1", "U-2"]}]
        assert client.put(f"{GRADEBOOK}/lineItems/li-1", json={"lineItem": line_item}).status_code == 200
        result = {
            "lineItem": {"sourcedId": "li-1"},
            "student": {"sourcedId": "stu-1"},
            "scoreStatus": "submitted",
            "scoreDate": "2025-09-10T00:00:00.000Z",
            "scoreScale": {"sourcedId": "ss-2"},
        }
        assert client.put(f"{GRADEBOOK}/results/res-2", json={"result": result}).status_code == 201
    # A 1.2.1 results.csv changing res-2, no link of which is stored, keeps the scale the PUT gave it.
    changed = dict(rows12()["result"][0], sourcedId="res-2", comment="late work")
    delta = bundle12(tmp_path / "delta", {"result": [changed]}, modes={"result": "delta"})
    _run("import", str(delta), "--database", _url(engine))
    kept = _doc12(snapshot(engine)["results"], "res-2")
    assert (kept["comment"], kept["scoreScale"]["sourcedId"]) == ("late work", "ss-2")
    with client_for(engine) as client:  # its tombstone keeps the scale too
        assert client.delete(f"{GRADEBOOK}/results/res-2").status_code == 204
    assert _row(snapshot(engine)["results"], "res-2")[1] == "tobedeleted"

    _run("export", str(tmp_path / "first"), "--version", "1.2", "--database", _url(engine))
    first = tmp_path / "first"
    # li-1's own links no longer give its value: its generated rows stand in for them.
    assert {
        sid: (r["lineItemSourcedId"], r["scoreScaleSourcedId"])
        for sid, r in _rows(first, "lineItemScoreScales.csv").items()
    } == {"li-1-scoreScale": ("li-1", "ss-1")}
    assert {
        sid: (r["source"], r["learningObjectiveId"])
        for sid, r in _rows(first, "lineItemLearningObjectiveIds.csv").items()
    } == {"li-1-objective-0": ("unknown", "U-1"), "li-1-objective-1": ("unknown", "U-2")}
    assert {
        sid: (r["status"], r["scoreScaleSourcedId"])
        for sid, r in _rows(first, "resultScoreScales.csv").items()
    } == {"res-2-scoreScale": ("active", "ss-2"), "rss-1": ("active", "ss-1")}  # active: what res-2 shows

    (tmp_path / "copy").mkdir()
    copy = create_engine(new_database(backend, tmp_path / "copy"))
    _run("import", str(first), "--database", _url(copy))
    gradebook = ("line_items", "results", "score_scales")
    assert {t: snapshot(copy)[t] for t in gradebook} == {t: snapshot(engine)[t] for t in gradebook}
    _run("export", str(tmp_path / "second"), "--version", "1.2", "--database", _url(copy))
    assert _files(tmp_path / "second") == _files(first)
    engine.dispose()
    copy.dispose()
