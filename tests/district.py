"""A small hand-made district whose every relationship the tests know by heart."""

from __future__ import annotations

from typing import Any

from openroster.model.values import parse_datetime

Record = dict[str, Any]

T0 = parse_datetime("2025-06-01T10:00:00.000Z")
T1 = parse_datetime("2025-07-15T08:30:00.250Z")
IMPORT_TIME = parse_datetime("2025-09-01T12:00:00.000Z")


def _user(sid: str, role: str, orgs: list[str], given: str, family: str, **extra: Any) -> Record:
    record: Record = {
        "sourcedId": sid,
        "status": "active",
        "enabledUser": "true",
        "orgs": orgs,
        "role": role,
        "username": sid.replace("-", ""),
        "givenName": given,
        "familyName": family,
        "identifier": sid.upper(),
    }
    record.update(extra)
    return record


def district() -> dict[str, list[Record]]:
    orgs = [
        {
            "sourcedId": "dist-1",
            "name": "Riverside Unified",
            "type": "district",
            "identifier": "0600001",
            "dateLastModified": T0,
        },
        {
            "sourcedId": "sch-1",
            "name": "Riverside High",
            "type": "school",
            "identifier": "060000101",
            "parent": "dist-1",
            "dateLastModified": T1,
        },
        {
            "sourcedId": "sch-2",
            "name": "Hillview Middle",
            "type": "school",
            "identifier": "060000102",
            "parent": "dist-1",
        },
        {
            "sourcedId": "dept-1",
            "name": "Science Department",
            "type": "department",
            "identifier": "D1",
            "parent": "sch-1",
        },
    ]
    sessions = [
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
            "dateLastModified": T0,
        },
        {
            "sourcedId": "term-2",
            "title": "Spring 2026",
            "type": "term",
            "startDate": "2026-01-05",
            "endDate": "2026-06-12",
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
        {
            "sourcedId": "gp-2",
            "title": "Q2",
            "type": "gradingPeriod",
            "startDate": "2025-10-20",
            "endDate": "2025-12-19",
            "parent": "term-1",
            "schoolYear": "2026",
        },
        {
            "sourcedId": "gp-3",
            "title": "Q3",
            "type": "gradingPeriod",
            "startDate": "2026-01-05",
            "endDate": "2026-03-20",
            "parent": "term-2",
            "schoolYear": "2026",
        },
        {
            "sourcedId": "sem-old",
            "title": "Spring 2025",
            "type": "semester",
            "startDate": "2025-01-06",
            "endDate": "2025-06-13",
            "schoolYear": "2025",
            "status": "tobedeleted",
        },
    ]
    courses = [
        {
            "sourcedId": "crs-bio",
            "title": "Biology",
            "courseCode": "BIO1",
            "org": "sch-1",
            "schoolYear": "sy-2026",
            "grades": ["09", "10"],
            "subjects": ["Science"],
            "subjectCodes": ["03051"],
        },
        {
            "sourcedId": "crs-alg",
            "title": "Algebra I",
            "courseCode": "ALG1",
            "org": "sch-1",
            "grades": ["09"],
            "subjects": ["Mathematics"],
        },
        {
            "sourcedId": "crs-eng7",
            "title": "English 7",
            "courseCode": "ENG7",
            "org": "sch-2",
            "grades": ["07"],
        },
    ]
    classes = [
        {
            "sourcedId": "cls-bio-1",
            "title": "Biology - P1",
            "classCode": "BIO1-1",
            "classType": "scheduled",
            "course": "crs-bio",
            "school": "sch-1",
            "terms": ["term-1"],
            "periods": ["1"],
            "grades": ["09", "10"],
            "subjects": ["Science"],
            "location": "Room 114",
        },
        {
            "sourcedId": "cls-bio-2",
            "title": "Biology - P3",
            "classCode": "BIO1-3",
            "classType": "scheduled",
            "course": "crs-bio",
            "school": "sch-1",
            "terms": ["term-1", "term-2"],
            "periods": ["3", "4"],
        },
        {
            "sourcedId": "cls-alg-1",
            "title": "Algebra I - P2",
            "classType": "scheduled",
            "course": "crs-alg",
            "school": "sch-1",
            "terms": ["term-2"],
        },
        {
            "sourcedId": "cls-eng7-1",
            "title": "English 7 Homeroom",
            "classType": "homeroom",
            "course": "crs-eng7",
            "school": "sch-2",
            "terms": ["term-1", "term-2"],
        },
    ]
    users = [
        _user(
            "tch-1",
            "teacher",
            ["sch-1"],
            "Ada",
            "Lovelace",
            email="ada.lovelace@riverside.example.org",
            dateLastModified=T1,
        ),
        _user(
            "tch-2",
            "teacher",
            ["sch-2"],
            "Grace",
            "Hopper",
            email="grace.hopper@riverside.example.org",
            middleName="Brewster",
        ),
        _user(
            "tch-3", "teacher", ["sch-1", "sch-2"], "Émile", "Zola", email="EMILE.ZOLA@riverside.example.org"
        ),
        _user(
            "stu-1",
            "student",
            ["sch-1"],
            "Jo",
            "Smith",
            grades=["09"],
            agents=["par-1"],
            email="jo.smith@students.example.org",
            middleName="Ann",
            userIds=[{"type": "LDAP", "identifier": "jsmith"}, {"type": "LTI", "identifier": "lti-77"}],
            metadata={"microsoft.userFlags": "ELL,IEP"},
        ),
        _user(
            "stu-2",
            "student",
            ["sch-1"],
            "Sam",
            "O'Brien",
            grades=["10"],
            agents=["par-1"],
            dateLastModified=T0,
        ),
        _user("stu-3", "student", ["sch-1"], "Lee", "Park", grades=["09"]),
        _user("stu-4", "student", ["sch-2"], "Mia", "Garcia", grades=["07"], enabledUser="false"),
        _user("stu-5", "student", ["sch-2"], "Noah", "Kim", grades=["07"], status="tobedeleted"),
        _user("par-1", "parent", ["sch-1"], "Pat", "Smith", agents=["stu-1", "stu-2"], phone="555-0101"),
        _user(
            "adm-1", "administrator", ["dist-1"], "Alex", "Rivera", email="alex.rivera@riverside.example.org"
        ),
    ]
    enrollments = [
        {
            "sourcedId": "enr-1",
            "class": "cls-bio-1",
            "school": "sch-1",
            "user": "tch-1",
            "role": "teacher",
            "primary": "true",
        },
        {
            "sourcedId": "enr-2",
            "class": "cls-bio-1",
            "school": "sch-1",
            "user": "stu-1",
            "role": "student",
            "beginDate": "2025-08-20",
            "endDate": "2025-12-20",
        },
        {"sourcedId": "enr-3", "class": "cls-bio-1", "school": "sch-1", "user": "stu-2", "role": "student"},
        {"sourcedId": "enr-4", "class": "cls-bio-2", "school": "sch-1", "user": "tch-3", "role": "teacher"},
        {"sourcedId": "enr-5", "class": "cls-bio-2", "school": "sch-1", "user": "stu-3", "role": "student"},
        {"sourcedId": "enr-6", "class": "cls-alg-1", "school": "sch-1", "user": "tch-1", "role": "teacher"},
        {"sourcedId": "enr-7", "class": "cls-alg-1", "school": "sch-1", "user": "stu-1", "role": "student"},
        {
            "sourcedId": "enr-8",
            "class": "cls-eng7-1",
            "school": "sch-2",
            "user": "tch-2",
            "role": "teacher",
            "primary": "true",
        },
        {"sourcedId": "enr-9", "class": "cls-eng7-1", "school": "sch-2", "user": "stu-4", "role": "student"},
        {"sourcedId": "enr-10", "class": "cls-eng7-1", "school": "sch-2", "user": "tch-3", "role": "aide"},
        {
            "sourcedId": "enr-11",
            "class": "cls-eng7-1",
            "school": "sch-2",
            "user": "stu-5",
            "role": "student",
            "status": "tobedeleted",
        },
    ]
    demographics = [
        {
            "sourcedId": "stu-1",
            "birthDate": "2010-03-14",
            "sex": "female",
            "white": "true",
            "asian": "false",
            "countryOfBirthCode": "US",
            "publicSchoolResidenceStatus": "01652",
        },
        {"sourcedId": "stu-2", "birthDate": "2009-11-02", "sex": "male", "hispanicOrLatinoEthnicity": "true"},
        {"sourcedId": "stu-4", "birthDate": "2012-05-30", "sex": "female"},
    ]
    resources = [
        {
            "sourcedId": "res-1",
            "vendorResourceId": "V-100",
            "title": "Cell Biology Videos",
            "roles": ["student", "teacher"],
            "importance": "primary",
        },
    ]
    class_resources = [{"sourcedId": "cr-1", "class": "cls-bio-1", "resource": "res-1", "title": "Videos"}]
    course_resources = [{"sourcedId": "kr-1", "course": "crs-bio", "resource": "res-1"}]
    categories = [
        {"sourcedId": "cat-hw", "title": "Homework"},
        {"sourcedId": "cat-test", "title": "Tests", "metadata": {"classId": "cls-eng7-1"}},
    ]
    line_items = [
        {
            "sourcedId": "li-1",
            "title": "Cell diagram",
            "assignDate": parse_datetime("2025-09-08T08:00:00Z"),
            "dueDate": parse_datetime("2025-09-15T23:59:00Z"),
            "class": "cls-bio-1",
            "category": "cat-hw",
            "gradingPeriod": "gp-1",
            "resultValueMin": 0.0,
            "resultValueMax": 100.0,
        },
        {
            "sourcedId": "li-2",
            "title": "Essay: My summer",
            "description": "500 words",
            "assignDate": parse_datetime("2025-09-10T08:00:00Z"),
            "dueDate": parse_datetime("2025-09-20T23:59:00Z"),
            "class": "cls-eng7-1",
            "category": "cat-test",
            "gradingPeriod": "term-1",
            "resultValueMin": 0.0,
            "resultValueMax": 10.0,
        },
    ]
    results = [
        {
            "sourcedId": "rs-1",
            "lineItem": "li-1",
            "student": "stu-1",
            "scoreStatus": "fully graded",
            "score": 95.0,
            "scoreDate": parse_datetime("2025-09-16T10:00:00Z"),
        },
        {
            "sourcedId": "rs-2",
            "lineItem": "li-1",
            "student": "stu-2",
            "scoreStatus": "submitted",
            "score": 0.0,
            "scoreDate": parse_datetime("2025-09-15T20:00:00Z"),
            "comment": "Late",
        },
        {
            "sourcedId": "rs-3",
            "lineItem": "li-2",
            "student": "stu-4",
            "scoreStatus": "exempt",
            "scoreDate": parse_datetime("2025-09-21T09:00:00Z"),
        },
    ]
    return {
        "org": orgs,
        "academicSession": sessions,
        "course": courses,
        "class": classes,
        "user": users,
        "enrollment": enrollments,
        "demographics": demographics,
        "resource": resources,
        "classResource": class_resources,
        "courseResource": course_resources,
        "category": categories,
        "lineItem": line_items,
        "result": results,
    }
