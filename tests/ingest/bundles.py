"""Build small CSV bundles on disk for the reader's tests, one valid row set for every file.

Rows are written as the cells a district would send (column name -> text); headers come from
the catalogue, so a test only names the cells it cares about.
"""

from __future__ import annotations

import copy
import csv
import io
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from openroster.model.csv_binding import V11, csv_entities

Rows = dict[str, list[dict[str, str]]]


def ms(
    year: int,
    month: int,
    day: int,
    hour: int = 0,
    minute: int = 0,
    second: int = 0,
    millis: int = 0,
    offset_hours: int = 0,
) -> int:
    """Epoch milliseconds of a wall-clock time at a UTC offset, computed independently of the code under test."""
    moment = datetime(
        year, month, day, hour, minute, second, millis * 1000, tzinfo=timezone(timedelta(hours=offset_hours))
    )
    return round(moment.timestamp() * 1000)


def valid_rows() -> Rows:
    """A small, valid district covering every file, every Kind and the tolerated spellings."""
    return copy.deepcopy(_VALID)


def expected_records() -> dict[str, list[dict[str, Any]]]:
    return copy.deepcopy(_EXPECTED)


def header_for(entity_name: str, rows: list[dict[str, str]], version: str = V11) -> list[str]:
    """Every catalogue column of the file, then any other column the rows use (first use order)."""
    header = [f.csv for f in csv_entities(version)[entity_name].csv_fields if f.csv is not None]
    for row in rows:
        header += [name for name in row if name not in header]
    return header


def csv_text(header: list[str], rows: list[dict[str, str]] | list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(name, "") for name in header] if isinstance(row, dict) else row)
    return buffer.getvalue()


def manifest_rows(rows: Rows, modes: dict[str, str] | None = None, version: str = V11) -> list[list[str]]:
    modes = modes or {}
    lines = [["manifest.version", "1.0"], ["oneroster.version", version]]
    for name, entity in csv_entities(version).items():
        default = "bulk" if name in rows else "absent"
        lines.append([f"file.{entity.csv_file[:-4]}", modes.get(name, default)])
    lines.append(["source.systemName", "tests"])
    return lines


def make_bundle(
    root: Path,
    rows: Rows | None = None,
    *,
    modes: dict[str, str] | None = None,
    manifest: list[list[str]] | None | bool = True,
    headers: dict[str, list[str]] | None = None,
    files: dict[str, str] | None = None,
    as_zip: bool = False,
    folder: str = "",
    version: str = V11,
) -> Path:
    """Write a bundle under `root` and return its path (a folder, or a .zip when `as_zip`).

    `manifest`: True for a manifest matching `rows` and `modes`, a list of rows to write
    instead, or False for none. `files` adds or replaces raw file texts. `folder` wraps the
    zip's files in one top-level folder.
    """
    rows = valid_rows() if rows is None else rows
    texts: dict[str, str] = {}
    if manifest is not False:
        lines = manifest_rows(rows, modes, version) if manifest is True else manifest
        assert isinstance(lines, list)
        texts["manifest.csv"] = csv_text(["propertyName", "value"], lines)
    for name, entity_rows in rows.items():
        header = (headers or {}).get(name) or header_for(name, entity_rows, version)
        texts[csv_entities(version)[name].csv_file] = csv_text(header, entity_rows)
    texts.update(files or {})
    if as_zip:
        path = root / "bundle.zip"
        with zipfile.ZipFile(path, "w") as archive:
            for name, text in texts.items():
                archive.writestr(folder + name, text.encode("utf-8"))
        return path
    path = root / "bundle"
    path.mkdir()
    for name, text in texts.items():
        (path / name).write_bytes(text.encode("utf-8"))
    return path


_VALID: Rows = {
    "org": [
        {
            "sourcedId": "dist-1",
            "status": "active",
            "dateLastModified": "2025-06-01T10:00:00.000Z",
            "name": "Riverside Unified",
            "type": "district",
            "identifier": "0600001",
        },
        {
            "sourcedId": "sch-1",
            "name": "Riverside High, East Campus",
            "type": "school",
            "parentSourcedId": "dist-1",
            "metadata.ncesId": "060000100001",
            "metadata.region": "",
        },
    ],
    "academicSession": [
        {
            "sourcedId": "sy-2026",
            "title": "2025-2026",
            "type": "schoolYear",
            "startDate": "2025-08-01",
            "endDate": "2026-06-30",
            "schoolYear": "2026",
        },
        {
            "sourcedId": "term-1",
            "title": "Fall 2025",
            "type": "term",
            "startDate": "2025-08-20",
            "endDate": "2025-12-19",
            "parentSourcedId": "sy-2026",
            "schoolYear": "2026",
        },
        {
            "sourcedId": "gp-1",
            "title": "Q1",
            "type": "gradingPeriod",
            "startDate": "2025-08-20",
            "endDate": "2025-10-17",
            "parentSourcedId": "term-1",
            "schoolYear": "2026",
        },
    ],
    "course": [
        {
            "sourcedId": "crs-1",
            "schoolYearSourcedId": "sy-2026",
            "title": "Biology",
            "courseCode": "BIO1",
            "grades": "09,10",
            "orgSourcedId": "sch-1",
            "subjects": "Science",
            "subjectCodes": "03051",
        },
    ],
    "class": [
        {
            "sourcedId": "cls-1",
            "title": "Biology - P1",
            "grades": "09",
            "courseSourcedId": "crs-1",
            "classCode": "BIO1-1",
            "classType": "scheduled",
            "location": "Room 12",
            "schoolSourcedId": "sch-1",
            "termSourcedIds": "term-1",
            "subjects": "Science",
            "periods": " 1, 3 ,",
        },
    ],
    "user": [
        {
            "sourcedId": "tch-1",
            "enabledUser": "true",
            "orgSourcedIds": "sch-1",
            "role": "teacher",
            "username": "jdoe",
            "userIds": "{LDAP:jdoe}, {LTI:t:1}",
            "givenName": "Jane",
            "familyName": "Doe",
            "identifier": "T1",
            "email": "jdoe@example.org",
        },
        {
            "sourcedId": "stu-1",
            "enabledUser": "TRUE",
            "orgSourcedIds": "sch-1,dist-1",
            "role": "student",
            "username": "asmith",
            "givenName": "Al",
            "familyName": "Smith",
            "middleName": "Bo Cy",
            "agentSourcedIds": "par-1",
            "grades": "09",
            "metadata.microsoft.userFlags": "ELL,IEP",
        },
        {
            "sourcedId": "par-1",
            "status": "inactive",
            "enabledUser": "false",
            "orgSourcedIds": "sch-1",
            "role": "parent",
            "username": "psmith",
            "givenName": "Pat",
            "familyName": "Smith",
            "agentSourcedIds": "stu-1",
            "phone": "+1 555 0100",
        },
    ],
    "demographics": [
        {
            "sourcedId": "stu-1",
            "birthDate": "2010-04-02",
            "sex": "female",
            "asian": "false",
            "white": "true",
            "hispanicOrLatinoEthnicity": "false",
            "countryOfBirthCode": "US",
            "stateOfBirthAbbreviation": "CA",
            "cityOfBirth": "Fresno",
            "publicSchoolResidenceStatus": "01652",
        },
    ],
    "enrollment": [
        {
            "sourcedId": "enr-1",
            "classSourcedId": "cls-1",
            "schoolSourcedId": "sch-1",
            "userSourcedId": "tch-1",
            "role": "teacher",
            "primary": "true",
            "beginDate": "2025-08-20",
            "endDate": "2025-12-19",
        },
        {
            "sourcedId": "enr-2",
            "classSourcedId": "cls-1",
            "schoolSourcedId": "sch-1",
            "userSourcedId": "stu-1",
            "role": "student",
        },
    ],
    "resource": [
        {
            "sourcedId": "rsc-1",
            "vendorResourceId": "VR-1",
            "title": "Lab manual",
            "roles": "teacher,student",
            "importance": "primary",
            "vendorId": "v-1",
            "applicationId": "app-1",
        },
    ],
    "classResource": [
        {
            "sourcedId": "cr-1",
            "title": "Lab manual for P1",
            "classSourcedId": "cls-1",
            "resourceSourcedId": "rsc-1",
        },
    ],
    "courseResource": [
        {"sourcedId": "kr-1", "courseSourcedId": "crs-1", "resourceSourcedId": "rsc-1"},
    ],
    "category": [
        {"sourcedId": "cat-1", "title": "Homework"},
    ],
    "lineItem": [
        {
            "sourcedId": "li-1",
            "title": "Cells",
            "description": "Chapter 1",
            "assignDate": "2025-09-01T08:00:00Z",
            "dueDate": "2025-09-08T08:00:00.25+02:00",
            "classSourcedId": "cls-1",
            "categorySourcedId": "cat-1",
            "gradingPeriodSourcedId": "gp-1",
            "resultValueMin": "0",
            "resultValueMax": "100.0",
        },
    ],
    "result": [
        {
            "sourcedId": "r-1",
            "lineItemSourcedId": "li-1",
            "studentSourcedId": "stu-1",
            "scoreStatus": "fully graded",
            "score": "92.5",
            "scoreDate": "2025-09-09",
            "comment": "Well done",
        },
        {
            "sourcedId": "r-2",
            "status": "tobedeleted",
            "dateLastModified": "2025-09-10T01:30:00.123",
            "lineItemSourcedId": "li-1",
            "studentSourcedId": "stu-1",
            "scoreStatus": "submitted",
            "score": "-1e2",
            "scoreDate": "2025-09-09T23:30:00-02:00",
        },
    ],
}

_EXPECTED: dict[str, list[dict[str, Any]]] = {
    "org": [
        {
            "sourcedId": "dist-1",
            "status": "active",
            "dateLastModified": ms(2025, 6, 1, 10),
            "name": "Riverside Unified",
            "type": "district",
            "identifier": "0600001",
        },
        {
            "sourcedId": "sch-1",
            "name": "Riverside High, East Campus",
            "type": "school",
            "parent": "dist-1",
            "metadata": {"ncesId": "060000100001"},
        },
    ],
    "academicSession": [
        {
            "sourcedId": "sy-2026",
            "title": "2025-2026",
            "type": "schoolYear",
            "startDate": "2025-08-01",
            "endDate": "2026-06-30",
            "schoolYear": "2026",
        },
        {
            "sourcedId": "term-1",
            "title": "Fall 2025",
            "type": "term",
            "startDate": "2025-08-20",
            "endDate": "2025-12-19",
            "parent": "sy-2026",
            "schoolYear": "2026",
        },
        {
            "sourcedId": "gp-1",
            "title": "Q1",
            "type": "gradingPeriod",
            "startDate": "2025-08-20",
            "endDate": "2025-10-17",
            "parent": "term-1",
            "schoolYear": "2026",
        },
    ],
    "course": [
        {
            "sourcedId": "crs-1",
            "schoolYear": "sy-2026",
            "title": "Biology",
            "courseCode": "BIO1",
            "grades": ["09", "10"],
            "org": "sch-1",
            "subjects": ["Science"],
            "subjectCodes": ["03051"],
        },
    ],
    "class": [
        {
            "sourcedId": "cls-1",
            "title": "Biology - P1",
            "grades": ["09"],
            "course": "crs-1",
            "classCode": "BIO1-1",
            "classType": "scheduled",
            "location": "Room 12",
            "school": "sch-1",
            "terms": ["term-1"],
            "subjects": ["Science"],
            "periods": ["1", "3"],
        },
    ],
    "user": [
        {
            "sourcedId": "tch-1",
            "enabledUser": "true",
            "orgs": ["sch-1"],
            "role": "teacher",
            "username": "jdoe",
            "userIds": [{"type": "LDAP", "identifier": "jdoe"}, {"type": "LTI", "identifier": "t:1"}],
            "givenName": "Jane",
            "familyName": "Doe",
            "identifier": "T1",
            "email": "jdoe@example.org",
        },
        {
            "sourcedId": "stu-1",
            "enabledUser": "true",
            "orgs": ["sch-1", "dist-1"],
            "role": "student",
            "username": "asmith",
            "givenName": "Al",
            "familyName": "Smith",
            "middleName": "Bo Cy",
            "agents": ["par-1"],
            "grades": ["09"],
            "metadata": {"microsoft.userFlags": "ELL,IEP"},
        },
        {
            "sourcedId": "par-1",
            "status": "tobedeleted",
            "enabledUser": "false",
            "orgs": ["sch-1"],
            "role": "parent",
            "username": "psmith",
            "givenName": "Pat",
            "familyName": "Smith",
            "agents": ["stu-1"],
            "phone": "+1 555 0100",
        },
    ],
    "demographics": [
        {
            "sourcedId": "stu-1",
            "birthDate": "2010-04-02",
            "sex": "female",
            "asian": "false",
            "white": "true",
            "hispanicOrLatinoEthnicity": "false",
            "countryOfBirthCode": "US",
            "stateOfBirthAbbreviation": "CA",
            "cityOfBirth": "Fresno",
            "publicSchoolResidenceStatus": "01652",
        },
    ],
    "enrollment": [
        {
            "sourcedId": "enr-1",
            "class": "cls-1",
            "school": "sch-1",
            "user": "tch-1",
            "role": "teacher",
            "primary": "true",
            "beginDate": "2025-08-20",
            "endDate": "2025-12-19",
        },
        {"sourcedId": "enr-2", "class": "cls-1", "school": "sch-1", "user": "stu-1", "role": "student"},
    ],
    "resource": [
        {
            "sourcedId": "rsc-1",
            "vendorResourceId": "VR-1",
            "title": "Lab manual",
            "roles": ["teacher", "student"],
            "importance": "primary",
            "vendorId": "v-1",
            "applicationId": "app-1",
        },
    ],
    "classResource": [
        {"sourcedId": "cr-1", "title": "Lab manual for P1", "class": "cls-1", "resource": "rsc-1"},
    ],
    "courseResource": [
        {"sourcedId": "kr-1", "course": "crs-1", "resource": "rsc-1"},
    ],
    "category": [
        {"sourcedId": "cat-1", "title": "Homework"},
    ],
    "lineItem": [
        {
            "sourcedId": "li-1",
            "title": "Cells",
            "description": "Chapter 1",
            "assignDate": ms(2025, 9, 1, 8),
            "dueDate": ms(2025, 9, 8, 8, 0, 0, 250, offset_hours=2),
            "class": "cls-1",
            "category": "cat-1",
            "gradingPeriod": "gp-1",
            "resultValueMin": 0.0,
            "resultValueMax": 100.0,
        },
    ],
    "result": [
        {
            "sourcedId": "r-1",
            "lineItem": "li-1",
            "student": "stu-1",
            "scoreStatus": "fully graded",
            "score": 92.5,
            "scoreDate": ms(2025, 9, 9),
            "comment": "Well done",
        },
        {
            "sourcedId": "r-2",
            "status": "tobedeleted",
            "dateLastModified": ms(2025, 9, 10, 1, 30, 0, 123),
            "lineItem": "li-1",
            "student": "stu-1",
            "scoreStatus": "submitted",
            "score": -100.0,
            "scoreDate": ms(2025, 9, 10, 1, 30),
        },
    ],
}
