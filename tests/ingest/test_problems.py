"""read_bundle on broken bundles: every kind of problem, located by file, line and column."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import pytest

from openroster.ingest import BundleInvalid, Problem, read_bundle
from openroster.model.catalogue import ENTITIES

from .bundles import Rows, csv_text, expected_records, make_bundle, manifest_rows, valid_rows

ROLES = "administrator, aide, guardian, parent, proctor, relative, student, teacher"


def problems(path: Path, **options: Any) -> list[Problem]:
    with pytest.raises(BundleInvalid) as caught:
        read_bundle(path, **options)
    assert caught.value.total == len(caught.value.problems)
    return caught.value.problems


def with_cell(entity: str, position: int, column: str, text: str) -> Rows:
    rows = valid_rows()
    rows[entity][position][column] = text
    return rows


# --- header ---------------------------------------------------------------------------------


def test_missing_required_column(tmp_path: Path) -> None:
    rows = valid_rows()
    for user in rows["user"]:
        del user["role"]
    header = [
        c
        for c in [
            "sourcedId",
            "enabledUser",
            "orgSourcedIds",
            "username",
            "givenName",
            "familyName",
            "agentSourcedIds",
        ]
    ]

    assert problems(make_bundle(tmp_path, rows, headers={"user": header})) == [
        Problem(
            "users.csv",
            1,
            "role",
            "The header has no role column, which users.csv requires; add it "
            "(column names are case-sensitive).",
        ),
    ]


def test_unknown_and_duplicate_columns(tmp_path: Path) -> None:
    rows = {"category": [{"sourcedId": "cat-1", "title": "Homework", "colour": "red"}]}
    header = ["sourcedId", "title", "colour", "Title", "title", "metadata.colour"]
    path = make_bundle(tmp_path, rows, headers={"category": header})

    assert problems(path) == [
        Problem(
            "categories.csv",
            1,
            "colour",
            "colour is not a column of categories.csv. Rename it to a "
            "column of categories.csv, remove it, or name it metadata.colour to keep it as extra data.",
        ),
        Problem(
            "categories.csv",
            1,
            "Title",
            "Title is not a column of categories.csv. Column names are case-sensitive: write title.",
        ),
        Problem(
            "categories.csv",
            1,
            "title",
            "The column title appears more than once (columns 2 and 5); keep only one of them.",
        ),
    ]


def test_wrong_header_of_another_file(tmp_path: Path) -> None:
    rows = {"category": [{"sourcedId": "cat-1", "name": "Homework"}]}
    path = make_bundle(tmp_path, rows, headers={"category": ["sourcedId", "name"]})

    assert problems(path) == [
        Problem(
            "categories.csv",
            1,
            "name",
            "name is not a column of categories.csv. Rename it to a column "
            "of categories.csv, remove it, or name it metadata.name to keep it as extra data.",
        ),
        Problem(
            "categories.csv",
            1,
            "title",
            "The header has no title column, which categories.csv "
            "requires; add it (column names are case-sensitive).",
        ),
    ]


def test_delta_files_need_status_and_date_last_modified(tmp_path: Path) -> None:
    rows = {
        "category": [
            {"sourcedId": "cat-1", "status": "active", "title": "Homework"},
            {"sourcedId": "cat-2", "dateLastModified": "2025-06-01T00:00:00Z", "title": "Quiz"},
        ]
    }
    no_columns = make_bundle(
        tmp_path, rows, modes={"category": "delta"}, headers={"category": ["sourcedId", "title"]}
    )
    (tmp_path / "blank").mkdir()
    blank_cells = make_bundle(tmp_path / "blank", rows, modes={"category": "delta"})

    assert [(p.line, p.column) for p in problems(no_columns)] == [(1, "status"), (1, "dateLastModified")]
    assert problems(no_columns)[0].message == (
        "The header has no status column, which delta files require; "
        "add it (column names are case-sensitive)."
    )
    assert problems(blank_cells) == [
        Problem(
            "categories.csv",
            2,
            "dateLastModified",
            "dateLastModified must be filled in a delta file; "
            "write when the record last changed, for example 2024-08-15T13:05:22.000Z.",
        ),
        Problem(
            "categories.csv",
            3,
            "status",
            "status must be filled in a delta file; write active or tobedeleted.",
        ),
    ]


# --- rows and cells ------------------------------------------------------------------------


def test_wrong_number_of_cells(tmp_path: Path) -> None:
    text = csv_text(["sourcedId", "title"], [["cat-1", "Home", "work"], ["cat-2"], ["cat-3", "Quiz", "", ""]])
    path = make_bundle(tmp_path, {"category": []}, files={"categories.csv": text})

    assert problems(path) == [
        Problem(
            "categories.csv",
            2,
            None,
            "This line has 3 values but the header has 2 columns; quote "
            "values that contain commas, and give every column a value (blank is fine).",
        ),
        Problem(
            "categories.csv",
            3,
            None,
            "This line has 1 value but the header has 2 columns; quote "
            "values that contain commas, and give every column a value (blank is fine).",
        ),
    ]


def test_blank_required_values(tmp_path: Path) -> None:
    rows = with_cell("user", 1, "givenName", "  ")
    rows["category"].append({"sourcedId": "", "title": "Quiz"})

    assert problems(make_bundle(tmp_path, rows)) == [
        Problem("users.csv", 3, "givenName", "givenName is required but blank; fill it in."),
        Problem(
            "categories.csv", 3, "sourcedId", "sourcedId is blank; every record needs its own sourcedId."
        ),
    ]


def test_bad_enum(tmp_path: Path) -> None:
    rows = with_cell("user", 2, "role", "pupil")
    rows["enrollment"][1]["role"] = "Student"

    found = problems(make_bundle(tmp_path, rows))

    assert found == [
        Problem("users.csv", 4, "role", f"'pupil' is not one of {ROLES}."),
        Problem(
            "enrollments.csv",
            3,
            "role",
            f"'Student' is not one of {ROLES}. Values are case-sensitive: write 'student'.",
        ),
    ]
    assert str(found[0]) == f"users.csv, line 4, column role: 'pupil' is not one of {ROLES}."


def test_bad_enum_in_a_list(tmp_path: Path) -> None:
    rows = with_cell("resource", 0, "roles", "teacher,pupil")

    assert problems(make_bundle(tmp_path, rows)) == [
        Problem("resources.csv", 2, "roles", f"'pupil' is not one of {ROLES}."),
    ]


def test_bad_dates(tmp_path: Path) -> None:
    rows = with_cell("enrollment", 0, "beginDate", "08/20/2025")
    rows["academicSession"][2]["endDate"] = "2025-02-30"
    rows["result"][0]["scoreDate"] = "last tuesday"

    assert problems(make_bundle(tmp_path, rows)) == [
        Problem(
            "academicSessions.csv",
            4,
            "endDate",
            "'2025-02-30' is not a real calendar date; check the "
            "month and day (dates are written YYYY-MM-DD).",
        ),
        Problem(
            "enrollments.csv",
            2,
            "beginDate",
            "'08/20/2025' is not a date; write dates as YYYY-MM-DD, for example 2024-08-15.",
        ),
        Problem(
            "results.csv",
            2,
            "scoreDate",
            "'last tuesday' is not a date-time; write it in ISO 8601 "
            "form, for example 2024-08-15T13:05:22.000Z.",
        ),
    ]


def test_a_date_column_refuses_a_date_time(tmp_path: Path) -> None:
    rows = with_cell("demographics", 0, "birthDate", "2010-04-02T00:00:00Z")

    assert [(p.file, p.line, p.column) for p in problems(make_bundle(tmp_path, rows))] == [
        ("demographics.csv", 2, "birthDate")
    ]


def test_bad_datetime(tmp_path: Path) -> None:
    rows = with_cell("lineItem", 0, "assignDate", "2025-09-01 8am")
    rows["org"][0]["dateLastModified"] = "2025-13-01T00:00:00Z"

    assert problems(make_bundle(tmp_path, rows)) == [
        Problem(
            "orgs.csv",
            2,
            "dateLastModified",
            "'2025-13-01T00:00:00Z' is not a date-time; write it in "
            "ISO 8601 form, for example 2024-08-15T13:05:22.000Z.",
        ),
        Problem(
            "lineItems.csv",
            2,
            "assignDate",
            "'2025-09-01 8am' is not a date-time; write it in ISO 8601 "
            "form, for example 2024-08-15T13:05:22.000Z.",
        ),
    ]


def test_a_date_time_outside_years_1_to_9999_in_utc_is_a_problem_with_its_column(tmp_path: Path) -> None:
    rows = with_cell("lineItem", 0, "assignDate", "0001-01-01T00:00:00.000+00:01")
    rows["org"][0]["dateLastModified"] = "9999-12-31T23:59:59.999-23:59"

    assert problems(make_bundle(tmp_path, rows)) == [
        Problem(
            "orgs.csv",
            2,
            "dateLastModified",
            "'9999-12-31T23:59:59.999-23:59' is outside the years 1-9999 once converted to UTC",
        ),
        Problem(
            "lineItems.csv",
            2,
            "assignDate",
            "'0001-01-01T00:00:00.000+00:01' is outside the years 1-9999 once converted to UTC",
        ),
    ]


def test_bad_boolean(tmp_path: Path) -> None:
    rows = with_cell("user", 0, "enabledUser", "yes")
    rows["demographics"][0]["white"] = "1"

    assert problems(make_bundle(tmp_path, rows)) == [
        Problem("users.csv", 2, "enabledUser", "'yes' is not a boolean; write true or false."),
        Problem("demographics.csv", 2, "white", "'1' is not a boolean; write true or false."),
    ]


def test_bad_float(tmp_path: Path) -> None:
    rows = with_cell("result", 1, "score", "ninety")
    rows["lineItem"][0]["resultValueMax"] = "1_000"

    assert problems(make_bundle(tmp_path, rows)) == [
        Problem(
            "lineItems.csv",
            2,
            "resultValueMax",
            "'1_000' is not a number; write it with digits and an "
            "optional decimal point, for example 85 or 92.5.",
        ),
        Problem(
            "results.csv",
            3,
            "score",
            "'ninety' is not a number; write it with digits and an optional "
            "decimal point, for example 85 or 92.5.",
        ),
    ]


def test_bad_year_and_bad_user_ids(tmp_path: Path) -> None:
    rows = with_cell("academicSession", 0, "schoolYear", "2025-2026")
    rows["user"][0]["userIds"] = "LDAP:jdoe"

    assert problems(make_bundle(tmp_path, rows)) == [
        Problem(
            "academicSessions.csv",
            2,
            "schoolYear",
            "'2025-2026' is not a year; write the 4-digit year "
            "in which the school year ends, for example 2026.",
        ),
        Problem(
            "users.csv",
            2,
            "userIds",
            "'LDAP:jdoe' is not a list of user ids; write each as "
            "{type:identifier}, separated by commas, for example {LDAP:jsmith},{LTI:abc123}.",
        ),
    ]


def test_duplicate_sourced_id(tmp_path: Path) -> None:
    rows = valid_rows()
    rows["category"] += [{"sourcedId": "cat-2", "title": "Quiz"}, {"sourcedId": "cat-1", "title": "Again"}]

    assert problems(make_bundle(tmp_path, rows)) == [
        Problem(
            "categories.csv",
            4,
            "sourcedId",
            "The sourcedId 'cat-1' is used again; it was first used on "
            "line 2. Give every record its own sourcedId.",
        ),
    ]


@pytest.mark.parametrize("as_zip", [False, True])
def test_every_reuse_of_a_sourced_id_names_the_line_of_its_first_use(tmp_path: Path, as_zip: bool) -> None:
    text = (
        "sourcedId,title\r\ncat-1,a\r\ncat-2,b\r\ncat-1,c\r\ncat-3,d,extra\r\ncat-3,e\r\ncat-4,f\r\n"
        "cat-4,g\r\ncat-2,h\r\n"
    )

    def reuse(line: int, sourced_id: str, first: int) -> Problem:
        return Problem(
            "categories.csv",
            line,
            "sourcedId",
            f"The sourcedId '{sourced_id}' is used again; it "
            f"was first used on line {first}. Give every record its own sourcedId.",
        )

    path = make_bundle(tmp_path, {"category": []}, files={"categories.csv": text}, as_zip=as_zip)
    assert problems(path) == [
        reuse(4, "cat-1", 2),
        Problem(
            "categories.csv",
            5,
            None,
            "This line has 3 values but the header has 2 columns; quote values "
            "that contain commas, and give every column a value (blank is fine).",
        ),
        reuse(6, "cat-3", 5),
        reuse(8, "cat-4", 7),
        reuse(9, "cat-2", 3),
    ]


def test_line_numbers_count_physical_lines(tmp_path: Path) -> None:
    rows = {"category": [{"sourcedId": "cat-1", "title": "two\nlines"}, {"sourcedId": "cat-1", "title": "x"}]}

    assert [(p.line, p.column) for p in problems(make_bundle(tmp_path, rows))] == [(4, "sourcedId")]


# --- references -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("entity", "position", "column", "cell", "line", "target", "target_file"),
    [
        ("enrollment", 1, "classSourcedId", "nowhere", 3, "class", "classes.csv"),
        ("user", 0, "orgSourcedIds", "sch-1, nowhere", 2, "org", "orgs.csv"),
        ("class", 0, "termSourcedIds", "nowhere", 2, "academicSession", "academicSessions.csv"),
    ],
)
def test_dangling_reference(
    tmp_path: Path,
    entity: str,
    position: int,
    column: str,
    cell: str,
    line: int,
    target: str,
    target_file: str,
) -> None:
    rows = with_cell(entity, position, column, cell)

    assert problems(make_bundle(tmp_path, rows)) == [
        Problem(
            ENTITIES[entity].csv_file,
            line,
            column,
            f"There is no {target} with sourcedId 'nowhere' in "
            f"{target_file}; add it to {target_file} or correct the id.",
        ),
    ]


def test_demographics_must_describe_a_user(tmp_path: Path) -> None:
    rows = with_cell("demographics", 0, "sourcedId", "stu-9")

    assert problems(make_bundle(tmp_path, rows)) == [
        Problem(
            "demographics.csv",
            2,
            "sourcedId",
            "A demographics record's sourcedId must be that of the "
            "user it describes. There is no user with sourcedId 'stu-9' in users.csv; add it to users.csv "
            "or correct the id.",
        ),
    ]


@pytest.mark.parametrize(
    ("referencing", "absent", "column", "bad"),
    [
        ("enrollment", "class", "classSourcedId", "cls-1"),
        ("user", "org", "orgSourcedIds", "sch-1"),
        ("class", "academicSession", "termSourcedIds", "term-1"),
        ("demographics", "user", "sourcedId", "stu-1"),
    ],
)
def test_references_into_an_absent_file_are_checked_against_stored_ids(
    tmp_path: Path, referencing: str, absent: str, column: str, bad: str
) -> None:
    """Only the referencing file is sent; what it names must already be stored."""
    rows = {referencing: valid_rows()[referencing][:1]}
    path = make_bundle(tmp_path, rows)
    stored = {name: {r["sourcedId"] for r in records} for name, records in valid_rows().items()}
    calls: list[str] = []

    def stored_but_one(name: str) -> set[str]:
        calls.append(name)
        return stored[name] - {bad} if name == absent else stored[name]

    found = problems(path, stored_ids=stored_but_one)

    target = ENTITIES[absent]
    prefix = (
        "A demographics record's sourcedId must be that of the user it describes. "
        if referencing == "demographics"
        else ""
    )
    assert found == [
        Problem(
            ENTITIES[referencing].csv_file,
            2,
            column,
            f"{prefix}There is no {absent} with "
            f"sourcedId '{bad}' among the {target.collection_key} already loaded, and "
            f"{target.csv_file} is not part of this bundle; include {target.csv_file} or "
            "correct the id.",
        )
    ]
    assert calls.count(absent) == 1
    assert read_bundle(path, stored_ids=lambda name: stored[name]).records == {
        referencing: expected_records()[referencing][:1]
    }


def test_no_follow_on_reference_problems_when_the_target_file_is_broken(tmp_path: Path) -> None:
    rows = valid_rows()
    path = make_bundle(tmp_path, rows, files={"classes.csv": "sourcedId,title\r\ncls-1\r\n"})

    assert {p.file for p in problems(path)} == {"classes.csv"}


# --- manifest and files ---------------------------------------------------------------------


def test_missing_manifest_is_the_one_problem_reported(tmp_path: Path) -> None:
    # Without the manifest no file's mode is known, so the files are not checked at all.
    rows = with_cell("user", 0, "role", "pupil")

    assert problems(make_bundle(tmp_path, rows, manifest=False)) == [
        Problem(
            "manifest.csv",
            None,
            None,
            "The bundle has no manifest.csv. Add one at the top of the bundle "
            "with the header propertyName,value and the rows oneroster.version,1.1 and one "
            "file.<name>,bulk|delta|absent row per file (for example file.users,bulk).",
        ),
    ]


def test_bad_manifest_mode_and_unknown_property(tmp_path: Path) -> None:
    rows = valid_rows()
    lines = manifest_rows(rows)
    lines[2] = ["file.academicSessions", "full"]
    lines.append(["file.students", "bulk"])
    lines.append(["file.Users", "bulk"])
    found = problems(make_bundle(tmp_path, rows, manifest=lines))

    assert found == [
        Problem(
            "manifest.csv",
            4,
            "value",
            "'full' is not a processing mode for academicSessions.csv; write bulk, delta or absent.",
        ),
        Problem(
            "manifest.csv",
            18,
            "propertyName",
            "file.students is not a OneRoster 1.1 file. Use one of "
            "file.academicSessions, file.categories, file.classes, file.classResources, file.courses, "
            "file.courseResources, file.demographics, file.enrollments, file.lineItems, file.orgs, "
            "file.resources, file.results, file.users.",
        ),
        Problem(
            "manifest.csv",
            19,
            "propertyName",
            "file.Users is not a OneRoster 1.1 file. Property names are case-sensitive: write file.users.",
        ),
    ]


def test_manifest_version_and_header(tmp_path: Path) -> None:
    rows = {"category": valid_rows()["category"]}
    lines = [line for line in manifest_rows(rows) if line[0] != "oneroster.version"]
    wrong = [
        line if line[0] != "oneroster.version" else ["oneroster.version", "1.0"]
        for line in manifest_rows(rows)
    ]
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "c").mkdir()

    assert problems(make_bundle(tmp_path / "a", rows, manifest=lines)) == [
        Problem(
            "manifest.csv",
            None,
            None,
            "The manifest has no oneroster.version row; add the row oneroster.version,1.1.",
        ),
    ]
    assert problems(make_bundle(tmp_path / "b", rows, manifest=wrong)) == [
        Problem(
            "manifest.csv",
            3,
            "value",
            "oneroster.version is '1.0', but this server reads OneRoster 1.1 and 1.2 "
            "bundles; export the data as OneRoster 1.1 or 1.2 and set the value to 1.1 or 1.2.",
        ),
    ]
    bad_header = csv_text(["property", "value"], manifest_rows(rows))
    assert problems(make_bundle(tmp_path / "c", rows, files={"manifest.csv": bad_header})) == [
        Problem(
            "manifest.csv",
            1,
            None,
            "The header must be propertyName,value but it is property,value; correct the first line.",
        ),
    ]


def test_declared_file_missing(tmp_path: Path) -> None:
    rows = valid_rows()
    lines = manifest_rows(rows)
    del rows["lineItem"], rows["result"]

    assert problems(make_bundle(tmp_path, rows, manifest=lines)) == [
        Problem(
            "manifest.csv",
            12,
            "value",
            "The manifest declares lineItems.csv as bulk, but the bundle has "
            "no lineItems.csv; add the file or change the row to file.lineItems,absent.",
        ),
        Problem(
            "manifest.csv",
            15,
            "value",
            "The manifest declares results.csv as bulk, but the bundle has no "
            "results.csv; add the file or change the row to file.results,absent.",
        ),
    ]


def test_undeclared_absent_and_unknown_files(tmp_path: Path) -> None:
    rows = valid_rows()
    lines = [line for line in manifest_rows(rows) if line[0] != "file.categories"]
    lines = [line if line[0] != "file.results" else ["file.results", "absent"] for line in lines]
    path = make_bundle(
        tmp_path,
        rows,
        manifest=lines,
        files={"students.csv": "id\r\n", "Users.csv": "x\r\n", "notes.txt": "hello"},
    )

    assert problems(path) == [
        Problem(
            "manifest.csv",
            None,
            None,
            "categories.csv is in the bundle but the manifest does not "
            "declare it; add the row file.categories,bulk (or file.categories,delta).",
        ),
        Problem(
            "manifest.csv",
            14,
            "value",
            "results.csv is in the bundle but the manifest declares it "
            "absent; change the row to file.results,bulk (or file.results,delta), or remove the file.",
        ),
        Problem(
            "Users.csv",
            None,
            None,
            "Users.csv is not a OneRoster 1.1 file; file names are "
            "case-sensitive, so rename it to users.csv.",
        ),
        Problem(
            "students.csv",
            None,
            None,
            "students.csv is not a OneRoster 1.1 file; remove it from the "
            "bundle, or rename it to one of academicSessions.csv, categories.csv, classes.csv, "
            "classResources.csv, courses.csv, courseResources.csv, demographics.csv, enrollments.csv, "
            "lineItems.csv, orgs.csv, resources.csv, results.csv, users.csv.",
        ),
    ]


def test_not_a_bundle(tmp_path: Path) -> None:
    (tmp_path / "roster.zip").write_text("not a zip")

    assert problems(tmp_path / "roster.zip") == [
        Problem(
            "roster.zip",
            None,
            None,
            f"The bundle {tmp_path / 'roster.zip'} cannot be read: it is neither "
            "a .zip file nor a folder. Give a .zip file or a folder holding manifest.csv.",
        ),
    ]
    assert problems(tmp_path / "nowhere")[0].message.startswith(
        f"The bundle {tmp_path / 'nowhere'} cannot be read: there is no such file or folder."
    )


def test_text_that_is_not_utf8(tmp_path: Path) -> None:
    path = make_bundle(tmp_path, {"category": []})
    (path / "categories.csv").write_bytes("sourcedId,title\r\ncat-1,Caf\u00e9\r\n".encode("latin-1"))

    assert problems(path) == [
        Problem(
            "categories.csv",
            2,
            None,
            "This line is not UTF-8 text, so categories.csv cannot be read; "
            "save the file as CSV UTF-8 and try again.",
        ),
    ]


# --- collection -----------------------------------------------------------------------------


def test_problems_in_several_files_are_reported_together_in_file_order(tmp_path: Path) -> None:
    rows = with_cell("result", 0, "score", "A+")
    rows["org"][1]["type"] = "campus"
    rows["enrollment"][0]["userSourcedId"] = "tch-404"
    rows["user"][2]["enabledUser"] = "no"
    lines = manifest_rows(rows) + [["file.teachers", "bulk"]]

    with pytest.raises(BundleInvalid) as caught:
        read_bundle(make_bundle(tmp_path, rows, manifest=lines))

    assert [(p.file, p.line, p.column) for p in caught.value.problems] == [
        ("manifest.csv", 18, "propertyName"),
        ("orgs.csv", 3, "type"),
        ("users.csv", 4, "enabledUser"),
        ("enrollments.csv", 2, "userSourcedId"),
        ("results.csv", 2, "score"),
    ]
    assert caught.value.total == 5
    summary = str(caught.value)
    assert summary.startswith(
        "The bundle has 5 problems (in manifest.csv, orgs.csv, users.csv, "
        "enrollments.csv, results.csv):\n  manifest.csv, line 18, column propertyName: "
    )
    assert "  results.csv, line 2, column score: 'A+' is not a number" in summary


def test_many_problems_are_counted_but_only_the_first_thousand_kept(tmp_path: Path) -> None:
    rows = {"category": [{"sourcedId": f"cat-{i}", "title": "", "status": "gone"} for i in range(1200)]}

    with pytest.raises(BundleInvalid) as caught:
        read_bundle(make_bundle(tmp_path, rows))

    kept = caught.value.problems
    assert caught.value.total == 2400
    assert len(kept) == 1000
    assert [(p.line, p.column) for p in kept[:3]] == [(2, "status"), (2, "title"), (3, "status")]
    assert kept[-1].line == 501
    assert str(caught.value).endswith("  ... and 2390 more.")


def test_problem_and_error_text() -> None:
    whole_file = Problem("manifest.csv", None, None, "The bundle has no manifest.csv.")
    one_line = Problem("users.csv", 7, None, "This line has 3 values.")
    error = BundleInvalid([whole_file, one_line], 2)

    assert str(whole_file) == "manifest.csv: The bundle has no manifest.csv."
    assert str(one_line) == "users.csv, line 7: This line has 3 values."
    assert str(error) == (
        "The bundle has 2 problems (in manifest.csv, users.csv):\n"
        "  manifest.csv: The bundle has no manifest.csv.\n"
        "  users.csv, line 7: This line has 3 values."
    )
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.problems, copy.total, str(copy)) == (error.problems, 2, str(error))


def test_gender_is_read_as_sex_but_not_both(tmp_path: Path) -> None:
    rows = {"demographics": [{"sourcedId": "stu-1", "sex": "female", "gender": "male"}]}
    stored = {"user": {"stu-1"}}

    assert problems(make_bundle(tmp_path, rows), stored_ids=lambda name: stored.get(name, set())) == [
        Problem(
            "demographics.csv",
            1,
            "gender",
            "The columns sex and gender both give sex (columns 5 and 17); keep only one of them.",
        ),
    ]
