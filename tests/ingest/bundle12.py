"""A small district as a OneRoster 1.2.1 CSV bundle with every file, written as a district would send it.

Users hold what only 1.2 has: several roles each (primary and secondary, in several orgs, with
dates and a profile), a profile with its credential, preferred names, pronouns, a master id and
a primaryOrg; roles use 1.2-only tokens (principal, districtAdministrator, an extension token);
an enrollment role is an extension token; a sex is 1.2's `other`; users have resources; lineItems name their
academicSession; the lineItem and the result have score scales (the lineItem two links, the
first by sourcedId counting) and learning objectives of several sources, one an extension
token. Every row is dated, so a first load keeps each record's dateLastModified.
"""

from __future__ import annotations

from pathlib import Path

from tests.ingest.bundles import Rows, make_bundle

V12 = "1.2"
D = "2025-06-01T10:00:00.000Z"

ROWS: Rows = {
    "org": [
        {"sourcedId": "dst-1", "name": "Lakeview District", "type": "district", "identifier": "0600009"},
        {"sourcedId": "sch-1", "name": "Lakeview High", "type": "school", "parentSourcedId": "dst-1"},
        {"sourcedId": "sch-2", "name": "Lakeview Middle", "type": "school", "parentSourcedId": "dst-1"},
    ],
    "academicSession": [
        {
            "sourcedId": "sy-1",
            "title": "2025-2026",
            "type": "schoolYear",
            "startDate": "2025-08-01",
            "endDate": "2026-07-01",
            "schoolYear": "2026",
        },
        {
            "sourcedId": "term-1",
            "title": "Fall",
            "type": "term",
            "startDate": "2025-08-20",
            "endDate": "2025-12-20",
            "parentSourcedId": "sy-1",
            "schoolYear": "2026",
        },
        {
            "sourcedId": "gp-1",
            "title": "Q1",
            "type": "gradingPeriod",
            "startDate": "2025-08-20",
            "endDate": "2025-10-18",
            "parentSourcedId": "term-1",
            "schoolYear": "2026",
        },
    ],
    "course": [
        {"sourcedId": "crs-1", "title": "Biology", "courseCode": "BIO1", "orgSourcedId": "sch-1"},
        {"sourcedId": "crs-2", "title": "Earth Science", "orgSourcedId": "sch-2", "grades": "07,08"},
    ],
    "class": [
        {
            "sourcedId": "cls-1",
            "title": "Biology - P1",
            "courseSourcedId": "crs-1",
            "classType": "scheduled",
            "schoolSourcedId": "sch-1",
            "termSourcedIds": "term-1",
            "periods": "1",
        },
        {
            "sourcedId": "cls-2",
            "title": "Earth Science - P2",
            "courseSourcedId": "crs-2",
            "classType": "scheduled",
            "schoolSourcedId": "sch-2",
            "termSourcedIds": "term-1",
        },
    ],
    "user": [
        {
            "sourcedId": "tch-1",
            "enabledUser": "true",
            "username": "jdoe",
            "userIds": "{LDAP:jdoe}",
            "givenName": "Jane",
            "familyName": "Doe",
            "email": "jdoe@lakeview.example.org",
            "userMasterIdentifier": "P-0001",
            "preferredGivenName": "Janie",
            "preferredFamilyName": "Doe-Ray",
            "primaryOrgSourcedId": "sch-1",
            "pronouns": "she/her",
            "password": "t0ps3cret",
        },
        {
            "sourcedId": "stu-1",
            "enabledUser": "true",
            "username": "asmith",
            "givenName": "Alex",
            "familyName": "Smith",
            "preferredMiddleName": "Jo",
            "agentSourcedIds": "par-1",
            "grades": "09",
        },
        {
            "sourcedId": "par-1",
            "enabledUser": "false",
            "username": "psmith",
            "givenName": "Pat",
            "familyName": "Smith",
            "agentSourcedIds": "stu-1",
        },
        {
            "sourcedId": "adm-1",
            "enabledUser": "true",
            "username": "rlee",
            "givenName": "Robin",
            "familyName": "Lee",
            "primaryOrgSourcedId": "dst-1",
        },
        {
            "sourcedId": "aid-1",
            "enabledUser": "true",
            "username": "kim",
            "givenName": "Kim",
            "familyName": "Park",
        },
    ],
    "userProfile": [
        {
            "sourcedId": "prof-1",
            "userSourcedId": "tch-1",
            "profileType": "LMS",
            "vendorId": "vendor-9",
            "applicationId": "app-3",
            "description": "Jane's LMS account",
            "credentialType": "password",
            "username": "jdoe.lms",
            "password": "lms-pass",
        },
    ],
    "role": [
        {
            "sourcedId": "rol-tch-1-a",
            "userSourcedId": "tch-1",
            "roleType": "primary",
            "role": "teacher",
            "beginDate": "2025-08-01",
            "orgSourcedId": "sch-1",
            "userProfileSourcedId": "prof-1",
        },
        {
            "sourcedId": "rol-tch-1-b",
            "userSourcedId": "tch-1",
            "roleType": "primary",
            "role": "teacher",
            "orgSourcedId": "sch-2",
        },
        {
            "sourcedId": "rol-tch-1-c",
            "userSourcedId": "tch-1",
            "roleType": "secondary",
            "role": "counselor",
            "endDate": "2026-01-01",
            "orgSourcedId": "sch-1",
        },
        {
            "sourcedId": "rol-stu-1",
            "userSourcedId": "stu-1",
            "roleType": "primary",
            "role": "student",
            "orgSourcedId": "sch-1",
        },
        {
            "sourcedId": "rol-par-1",
            "userSourcedId": "par-1",
            "roleType": "primary",
            "role": "parent",
            "orgSourcedId": "sch-1",
        },
        {
            "sourcedId": "rol-adm-1-a",
            "userSourcedId": "adm-1",
            "roleType": "primary",
            "role": "principal",
            "orgSourcedId": "sch-2",
        },
        {
            "sourcedId": "rol-adm-1-b",
            "userSourcedId": "adm-1",
            "roleType": "primary",
            "role": "districtAdministrator",
            "orgSourcedId": "dst-1",
        },
        {
            "sourcedId": "rol-adm-1-c",
            "userSourcedId": "adm-1",
            "roleType": "secondary",
            "role": "teacher",
            "orgSourcedId": "sch-2",
        },
        {
            "sourcedId": "rol-aid-1",
            "userSourcedId": "aid-1",
            "roleType": "primary",
            "role": "ext:intern",
            "orgSourcedId": "sch-1",
        },
    ],
    "demographics": [
        {"sourcedId": "stu-1", "birthDate": "2010-04-02", "sex": "other", "white": "true"},
    ],
    "enrollment": [
        {
            "sourcedId": "enr-1",
            "classSourcedId": "cls-1",
            "schoolSourcedId": "sch-1",
            "userSourcedId": "tch-1",
            "role": "teacher",
            "primary": "true",
        },
        {
            "sourcedId": "enr-2",
            "classSourcedId": "cls-1",
            "schoolSourcedId": "sch-1",
            "userSourcedId": "stu-1",
            "role": "student",
        },
        {
            "sourcedId": "enr-3",
            "classSourcedId": "cls-1",
            "schoolSourcedId": "sch-1",
            "userSourcedId": "aid-1",
            "role": "ext:aide",
        },
        {
            "sourcedId": "enr-4",
            "classSourcedId": "cls-2",
            "schoolSourcedId": "sch-2",
            "userSourcedId": "tch-1",
            "role": "teacher",
        },
    ],
    "resource": [
        {"sourcedId": "rsc-1", "vendorResourceId": "VR-1", "title": "Lab manual", "roles": "teacher,student"},
    ],
    "classResource": [{"sourcedId": "cr-1", "classSourcedId": "cls-1", "resourceSourcedId": "rsc-1"}],
    "courseResource": [{"sourcedId": "kr-1", "courseSourcedId": "crs-1", "resourceSourcedId": "rsc-1"}],
    "userResource": [
        {
            "sourcedId": "ur-1",
            "userSourcedId": "stu-1",
            "classSourcedId": "cls-1",
            "resourceSourcedId": "rsc-1",
        },
        {
            "sourcedId": "ur-2",
            "userSourcedId": "tch-1",
            "orgSourcedId": "sch-1",
            "resourceSourcedId": "rsc-1",
        },
    ],
    "scoreScale": [
        {
            "sourcedId": "ss-1",
            "title": "Letter grades",
            "type": "letter",
            "orgSourcedId": "sch-1",
            "courseSourcedId": "crs-1",
            "classSourcedId": "cls-1",
            "scoreScaleValue": "{A:90},{B:80},{C:70}",
        },
        {
            "sourcedId": "ss-2",
            "title": "Mastery",
            "type": "numeric",
            "classSourcedId": "cls-1",
            "scoreScaleValue": "{1:Beginning},{4:Mastery}",
        },
    ],
    "category": [{"sourcedId": "cat-1", "title": "Labs"}],
    "lineItem": [
        {
            "sourcedId": "li-1",
            "title": "Cells",
            "assignDate": "2025-09-01T08:00:00.000Z",
            "dueDate": "2025-09-08T08:00:00.000Z",
            "classSourcedId": "cls-1",
            "categorySourcedId": "cat-1",
            "academicSessionSourcedId": "gp-1",
            "resultValueMin": "0",
            "resultValueMax": "100",
        },
    ],
    "lineItemScoreScale": [
        {
            "sourcedId": "lss-1",
            "title": "Mastery",
            "lineItemSourcedId": "li-1",
            "scoreScaleSourcedId": "ss-2",
        },
        {"sourcedId": "lss-2", "lineItemSourcedId": "li-1", "scoreScaleSourcedId": "ss-1"},
    ],
    "lineItemLearningObjectiveId": [
        {
            "sourcedId": "llo-1",
            "lineItemSourcedId": "li-1",
            "source": "case",
            "learningObjectiveId": "CASE-1",
        },
        {
            "sourcedId": "llo-2",
            "lineItemSourcedId": "li-1",
            "source": "unknown",
            "learningObjectiveId": "U-7",
        },
        {
            "sourcedId": "llo-3",
            "lineItemSourcedId": "li-1",
            "source": "case",
            "learningObjectiveId": "CASE-2",
        },
    ],
    "result": [
        {
            "sourcedId": "res-1",
            "lineItemSourcedId": "li-1",
            "studentSourcedId": "stu-1",
            "scoreStatus": "fully graded",
            "score": "91",
            "scoreDate": "2025-09-09T00:00:00.000Z",
        },
    ],
    "resultScoreScale": [
        {"sourcedId": "rss-1", "title": "Letter", "resultSourcedId": "res-1", "scoreScaleSourcedId": "ss-1"},
    ],
    "resultLearningObjectiveId": [
        {
            "sourcedId": "rlo-1",
            "resultSourcedId": "res-1",
            "source": "case",
            "learningObjectiveId": "CASE-1",
            "score": "3",
            "textScore": "Proficient",
        },
        {
            "sourcedId": "rlo-2",
            "resultSourcedId": "res-1",
            "source": "ext:district",
            "learningObjectiveId": "D-4",
        },
    ],
}


def rows12() -> Rows:
    """The district's rows, every one dated and active (a copy the caller may change)."""
    return {
        name: [{"status": "active", "dateLastModified": D, **row} for row in rows]
        for name, rows in ROWS.items()
    }


def bundle12(
    root: Path,
    rows: Rows | None = None,
    *,
    modes: dict[str, str] | None = None,
    headers: dict[str, list[str]] | None = None,
    manifest: list[list[str]] | bool = True,
    files: dict[str, str] | None = None,
) -> Path:
    """Write the 1.2.1 bundle (or `rows` in its files) under `root`; the options are `make_bundle`'s."""
    root.mkdir(parents=True, exist_ok=True)
    rows = rows12() if rows is None else rows
    return make_bundle(root, rows, modes=modes, headers=headers, manifest=manifest, files=files, version=V12)
