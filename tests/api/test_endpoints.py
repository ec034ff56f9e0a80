"""Every rostering endpoint of Table 3.1a answers with the right records under the right wrapper key."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from openroster.api.endpoints import ENDPOINTS, ROSTERING
from tests.conftest import BASE

COLLECTIONS = [
    (
        "/academicSessions",
        "academicSessions",
        ["gp-1", "gp-2", "gp-3", "sem-old", "sy-2026", "term-1", "term-2"],
    ),
    ("/classes", "classes", ["cls-alg-1", "cls-bio-1", "cls-bio-2", "cls-eng7-1"]),
    ("/courses", "courses", ["crs-alg", "crs-bio", "crs-eng7"]),
    ("/gradingPeriods", "academicSessions", ["gp-1", "gp-2", "gp-3"]),
    ("/demographics", "demographics", ["stu-1", "stu-2", "stu-4"]),
    (
        "/enrollments",
        "enrollments",
        ["enr-1", "enr-10", "enr-11", "enr-2", "enr-3", "enr-4", "enr-5", "enr-6", "enr-7", "enr-8", "enr-9"],
    ),
    ("/orgs", "orgs", ["dept-1", "dist-1", "sch-1", "sch-2"]),
    ("/schools", "orgs", ["sch-1", "sch-2"]),
    ("/students", "users", ["stu-1", "stu-2", "stu-3", "stu-4", "stu-5"]),
    ("/teachers", "users", ["tch-1", "tch-2", "tch-3"]),
    ("/terms", "academicSessions", ["term-1", "term-2"]),
    (
        "/users",
        "users",
        ["adm-1", "par-1", "stu-1", "stu-2", "stu-3", "stu-4", "stu-5", "tch-1", "tch-2", "tch-3"],
    ),
    ("/schools/sch-1/courses", "courses", ["crs-alg", "crs-bio"]),
    ("/schools/sch-1/classes/cls-bio-1/enrollments", "enrollments", ["enr-1", "enr-2", "enr-3"]),
    ("/schools/sch-1/classes/cls-bio-1/students", "users", ["stu-1", "stu-2"]),
    ("/schools/sch-1/classes/cls-bio-1/teachers", "users", ["tch-1"]),
    ("/schools/sch-2/enrollments", "enrollments", ["enr-10", "enr-11", "enr-8", "enr-9"]),
    ("/schools/sch-2/students", "users", ["stu-4", "stu-5"]),
    ("/schools/sch-2/teachers", "users", ["tch-2", "tch-3"]),
    ("/schools/sch-2/terms", "academicSessions", ["term-1", "term-2"]),
    ("/terms/term-2/classes", "classes", ["cls-alg-1", "cls-bio-2", "cls-eng7-1"]),
    ("/terms/term-1/gradingPeriods", "academicSessions", ["gp-1", "gp-2"]),
    ("/courses/crs-bio/classes", "classes", ["cls-bio-1", "cls-bio-2"]),
    ("/students/stu-1/classes", "classes", ["cls-alg-1", "cls-bio-1"]),
    ("/teachers/tch-3/classes", "classes", ["cls-bio-2"]),
    ("/schools/sch-2/classes", "classes", ["cls-eng7-1"]),
    ("/users/tch-3/classes", "classes", ["cls-bio-2", "cls-eng7-1"]),
    ("/classes/cls-eng7-1/students", "users", ["stu-4"]),
    ("/classes/cls-bio-2/teachers", "users", ["tch-3"]),
]

SINGLES = [
    ("/academicSessions/sy-2026", "academicSession"),
    ("/classes/cls-bio-1", "class"),
    ("/courses/crs-bio", "course"),
    ("/gradingPeriods/gp-2", "academicSession"),
    ("/demographics/stu-1", "demographics"),
    ("/enrollments/enr-3", "enrollment"),
    ("/orgs/dist-1", "org"),
    ("/schools/sch-1", "org"),
    ("/students/stu-1", "user"),
    ("/teachers/tch-2", "user"),
    ("/terms/term-1", "academicSession"),
    ("/users/par-1", "user"),
]


def test_the_table_has_the_41_rostering_operations() -> None:
    paths = {
        e.path.replace("{id}", "x")
        .replace("{school_id}", "x")
        .replace("{class_id}", "x")
        .replace("{term_id}", "x")
        .replace("{course_id}", "x")
        .replace("{student_id}", "x")
        .replace("{teacher_id}", "x")
        .replace("{user_id}", "x")
        for e in ROSTERING
    }
    assert len(ROSTERING) == 41 and len({e.operation for e in ROSTERING}) == 41
    # with Tables 3.1b, 3.1c and getCategoriesForClass (1.2's, which Google's 1.1 client calls)
    assert len(ENDPOINTS) == 62 and len({e.operation for e in ENDPOINTS}) == 62
    tested = {
        p.replace("sch-1", "x")
        .replace("sch-2", "x")
        .replace("cls-bio-1", "x")
        .replace("cls-bio-2", "x")
        .replace("cls-eng7-1", "x")
        .replace("term-1", "x")
        .replace("term-2", "x")
        .replace("crs-bio", "x")
        .replace("stu-1", "x")
        .replace("tch-3", "x")
        for p, _, _ in COLLECTIONS
    }
    tested |= {p.rsplit("/", 1)[0] + "/x" for p, _ in SINGLES}
    assert tested == paths


@pytest.mark.parametrize(("path", "key", "expected"), COLLECTIONS, ids=[c[0] for c in COLLECTIONS])
def test_collection(api: TestClient, path: str, key: str, expected: list[str]) -> None:
    response = api.get(BASE + path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert list(body) == [key]
    assert [r["sourcedId"] for r in body[key]] == expected
    assert response.headers["X-Total-Count"] == str(len(expected))


@pytest.mark.parametrize(("path", "key"), SINGLES, ids=[s[0] for s in SINGLES])
def test_single(api: TestClient, path: str, key: str) -> None:
    response = api.get(BASE + path)
    assert response.status_code == 200
    body = response.json()
    assert list(body) == [key]
    assert body[key]["sourcedId"] == path.rsplit("/", 1)[1]
    assert response.headers["X-Total-Count"] == "1"


@pytest.mark.parametrize(
    "path",
    [
        "/users/nobody",
        "/students/tch-1",
        "/teachers/stu-1",
        "/schools/dist-1",
        "/terms/gp-1",
        "/gradingPeriods/term-1",
        "/demographics/stu-3",
        "/classes/x",
        "/orgs/sch-9",
        "/courses/none",
        "/enrollments/none",
        "/academicSessions/none",
    ],
)
def test_unknown_or_wrong_type_single_is_404_with_status_payload(api: TestClient, path: str) -> None:
    response = api.get(BASE + path)
    assert response.status_code == 404
    assert response.json() == {
        "statusInfoSet": [
            {
                "imsx_codeMajor": "failure",
                "imsx_severity": "error",
                "imsx_codeMinor": "unknown object",
                "imsx_description": response.json()["statusInfoSet"][0]["imsx_description"],
            }
        ]
    }
    assert path.rsplit("/", 1)[1] in response.json()["statusInfoSet"][0]["imsx_description"]


@pytest.mark.parametrize(
    "path",
    [
        "/schools/1000000/classes",
        "/schools/1000000/enrollments",
        "/schools/1000000/students",
        "/terms/none/classes",
        "/classes/none/students",
        "/users/none/classes",
        "/courses/none/classes",
        "/schools/none/classes/none/students",
    ],
)
def test_unknown_parent_is_an_empty_list(api: TestClient, path: str) -> None:
    response = api.get(BASE + path)
    assert response.status_code == 200
    assert list(response.json().values()) == [[]]
    assert response.headers["X-Total-Count"] == "0"


def test_user_document_is_rendered_exactly(api: TestClient) -> None:
    user = api.get(BASE + "/users/stu-1").json()["user"]
    href = "https://sis.example.org" + BASE
    assert user == {
        "sourcedId": "stu-1",
        "status": "active",
        "dateLastModified": "2025-09-01T12:00:00.000Z",
        "metadata": {"microsoft.userFlags": "ELL,IEP"},
        "enabledUser": "true",
        "orgs": [{"href": f"{href}/orgs/sch-1", "sourcedId": "sch-1", "type": "org"}],
        "role": "student",
        "username": "stu1",
        "userIds": [{"type": "LDAP", "identifier": "jsmith"}, {"type": "LTI", "identifier": "lti-77"}],
        "givenName": "Jo",
        "familyName": "Smith",
        "middleName": "Ann",
        "identifier": "STU-1",
        "email": "jo.smith@students.example.org",
        "agents": [{"href": f"{href}/users/par-1", "sourcedId": "par-1", "type": "user"}],
        "grades": ["09"],
    }


def test_documents_carry_types_and_formats_sds_checks(api: TestClient) -> None:
    term = api.get(BASE + "/terms/term-1").json()["academicSession"]
    assert term["dateLastModified"] == "2025-06-01T10:00:00.000Z"  # kept from the CSV
    assert term["schoolYear"] == "2026" and term["startDate"] == "2025-08-20"
    assert [c["sourcedId"] for c in term["children"]] == ["gp-1", "gp-2"]
    school = api.get(BASE + "/orgs/sch-1").json()["org"]
    assert school["dateLastModified"] == "2025-07-15T08:30:00.250Z"
    assert school["parent"]["type"] == "org" and [c["sourcedId"] for c in school["children"]] == ["dept-1"]
    cls = api.get(BASE + "/classes/cls-bio-1").json()["class"]
    assert cls["terms"][0]["type"] == "academicSession" and cls["school"]["sourcedId"] == "sch-1"
    assert [r["sourcedId"] for r in cls["resources"]] == ["res-1"]
    course = api.get(BASE + "/courses/crs-bio").json()["course"]
    assert [r["sourcedId"] for r in course["resources"]] == ["res-1"]
    enrollment = api.get(BASE + "/enrollments/enr-1").json()["enrollment"]
    assert enrollment["user"]["type"] == "user" and enrollment["class"]["type"] == "class"
    assert enrollment["primary"] == "true"


def test_routing_is_case_insensitive_and_tolerates_slashes(api: TestClient) -> None:
    expected = api.get(BASE + "/classes/cls-bio-1/students").json()
    for variant in [
        "/CLASSES/cls-bio-1/Students",
        "/classes/cls-bio-1/students/",
        "//classes//cls-bio-1/students",
        "/classes/cls-bio-1/students?limit =100&unknown=1",
    ]:
        response = api.get(BASE + variant)
        assert response.status_code == 200, variant
        assert response.json() == expected, variant
    # Identifiers stay case-sensitive.
    assert api.get(BASE + "/classes/CLS-BIO-1").status_code == 404


def test_method_not_allowed_and_unknown_path(api: TestClient) -> None:
    response = api.put(BASE + "/users/stu-1", json={})
    assert response.status_code == 405
    assert response.json()["statusInfoSet"][0]["imsx_codeMajor"] == "failure"
    response = api.get(BASE + "/nothing/here")
    assert response.status_code == 404
    assert response.json()["statusInfoSet"][0]["imsx_codeMinor"] == "unknown object"


def test_head_answers_headers_only(api: TestClient) -> None:
    response = api.head(BASE + "/users")
    assert response.status_code == 200 and response.content == b""
    assert response.headers["X-Total-Count"] == "10"
