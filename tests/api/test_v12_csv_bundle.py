"""A store loaded from a 1.2.1 bundle, served as 1.2 (its roles, profiles, 1.2-only fields) and as 1.1 (by the mapping).

Over HTTP on SQLite and PostgreSQL: documents against the 1.2 schema, 1.2 filters on role and
profile members, the 1.1 documents of the same users (primary role, orgs from the roles) and
1.1's relationship reads, which follow the orgs the roles give.
"""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from openroster.model.catalogue import ENTITIES
from tests.api.test_v12_endpoints import check_schema

V11 = "/ims/oneroster/v1p1"
ROSTER = "/ims/oneroster/rostering/v1p2"
RESOURCE = "/ims/oneroster/resources/v1p2"
ORIGIN = "https://sis.example.org"


def _get(client: TestClient, url: str, key: str, **params: str) -> Any:
    response = client.get(url, params=params)
    assert response.status_code == 200, response.text
    return response.json()[key]


def _org(sourced_id: str) -> dict[str, str]:
    return {"href": f"{ORIGIN}{ROSTER}/orgs/{sourced_id}", "sourcedId": sourced_id, "type": "org"}


def test_a_user_with_several_roles_and_a_profile_reads_as_1_2(bundle12_api: TestClient) -> None:
    response = bundle12_api.get(f"{ROSTER}/users/tch-1")
    assert response.status_code == 200
    check_schema("/users/{id}", response.json(), "user")
    user = response.json()["user"]
    assert user == {
        "sourcedId": "tch-1",
        "status": "active",
        "dateLastModified": "2025-06-01T10:00:00.000Z",
        "userMasterIdentifier": "P-0001",
        "username": "jdoe",
        "userIds": [{"type": "LDAP", "identifier": "jdoe"}],
        "enabledUser": "true",
        "givenName": "Jane",
        "familyName": "Doe",
        "preferredFirstName": "Janie",
        "preferredLastName": "Doe-Ray",
        "pronouns": "she/her",
        "roles": [
            {
                "roleType": "primary",
                "role": "teacher",
                "org": _org("sch-1"),
                "userProfile": "urn:openroster:userProfile:prof-1",
                "beginDate": "2025-08-01",
            },
            {"roleType": "primary", "role": "teacher", "org": _org("sch-2")},
            {"roleType": "secondary", "role": "counselor", "org": _org("sch-1"), "endDate": "2026-01-01"},
        ],
        "userProfiles": [
            {
                "profileId": "urn:openroster:userProfile:prof-1",
                "profileType": "LMS",
                "vendorId": "vendor-9",
                "applicationId": "app-3",
                "description": "Jane's LMS account",
                "credentials": [{"type": "password", "username": "jdoe.lms"}],
            }
        ],
        "primaryOrg": _org("sch-1"),
        "email": "jdoe@lakeview.example.org",
        "resources": [
            {
                "href": f"{ORIGIN}/ims/oneroster/resources/v1p2/resources/rsc-1",
                "sourcedId": "rsc-1",
                "type": "resource",
            }
        ],
    }


def test_every_user_reads_in_the_1_2_schema_with_its_1_2_role_tokens(bundle12_api: TestClient) -> None:
    response = bundle12_api.get(f"{ROSTER}/users")
    check_schema("/users", response.json(), "users")
    roles = {u["sourcedId"]: [r["role"] for r in u["roles"]] for u in response.json()["users"]}
    assert roles == {
        "adm-1": ["principal", "districtAdministrator", "teacher"],
        "aid-1": ["ext:intern"],
        "par-1": ["parent"],
        "stu-1": ["student"],
        "tch-1": ["teacher", "teacher", "counselor"],
    }
    enrollment = _get(bundle12_api, f"{ROSTER}/enrollments/enr-3", "enrollment")
    assert enrollment["role"] == "ext:aide"


def test_the_same_users_read_as_1_1_by_the_documented_mapping(bundle12_api: TestClient) -> None:
    users = {u["sourcedId"]: u for u in _get(bundle12_api, f"{V11}/users", "users")}
    shown = {sid: (u["role"], [o["sourcedId"] for o in u["orgs"]]) for sid, u in users.items()}
    assert shown == {
        "adm-1": ("administrator", ["sch-2", "dst-1"]),
        "aid-1": ("aide", ["sch-1"]),
        "par-1": ("parent", ["sch-1"]),
        "stu-1": ("student", ["sch-1"]),
        "tch-1": ("teacher", ["sch-1", "sch-2"]),
    }
    assert set(users["tch-1"]) == {
        "sourcedId",
        "status",
        "dateLastModified",
        "enabledUser",
        "orgs",
        "role",
        "username",
        "userIds",
        "givenName",
        "familyName",
        "email",
    }
    assert _get(bundle12_api, f"{V11}/enrollments/enr-3", "enrollment")["role"] == "aide"


def test_1_1_relationship_reads_follow_the_orgs_of_the_roles(bundle12_api: TestClient) -> None:
    teachers = _get(bundle12_api, f"{V11}/schools/sch-2/teachers", "users")
    assert [t["sourcedId"] for t in teachers] == ["tch-1"]
    assert [
        u["sourcedId"] for u in _get(bundle12_api, f"{V11}/users", "users", filter="role='administrator'")
    ] == ["adm-1"]


@pytest.mark.parametrize(
    ("predicate", "expected"),
    [
        ("roles.role='principal'", ["adm-1"]),
        ("roles.role='counselor'", ["tch-1"]),
        ("roles.role='ext:intern'", ["aid-1"]),
        ("roles.roleType='secondary'", ["adm-1", "tch-1"]),
        ("roles.org.sourcedId='sch-2'", ["adm-1", "tch-1"]),
        ("roles.userProfile='urn:openroster:userProfile:prof-1'", ["tch-1"]),
        ("roles.beginDate>='2025-01-01'", ["tch-1"]),
        ("roles.role!='teacher'", ["aid-1", "par-1", "stu-1"]),
        ("userProfiles.vendorId='vendor-9'", ["tch-1"]),
        ("userProfiles.profileId~'prof-1'", ["tch-1"]),
        ("userProfiles.profileType!='LMS'", ["adm-1", "aid-1", "par-1", "stu-1"]),
        ("pronouns='she/her'", ["tch-1"]),
        ("preferredFirstName='Janie'", ["tch-1"]),
        ("userMasterIdentifier='P-0001'", ["tch-1"]),
        ("primaryOrg.sourcedId='dst-1'", ["adm-1"]),
        ("primaryOrg.sourcedId='sch-1'", ["aid-1", "par-1", "stu-1", "tch-1"]),
        ("role='administrator'", []),  # read as roles.role: 1.2 has no such user role
        ("orgs='dst-1'", ["adm-1"]),
    ],
)
def test_1_2_filters_read_the_stored_roles_and_profiles(
    bundle12_api: TestClient, predicate: str, expected: list[str]
) -> None:
    users = _get(bundle12_api, f"{ROSTER}/users", "users", filter=predicate)
    assert [u["sourcedId"] for u in users] == expected


def test_1_2_teachers_and_students_are_users_with_such_a_role_entry(bundle12_api: TestClient) -> None:
    """adm-1 teaches as a secondary role: a teacher in 1.2, an administrator (its primary role) in 1.1."""
    assert [u["sourcedId"] for u in _get(bundle12_api, f"{ROSTER}/teachers", "users")] == ["adm-1", "tch-1"]
    assert bundle12_api.get(f"{ROSTER}/teachers/adm-1").status_code == 200
    assert [u["sourcedId"] for u in _get(bundle12_api, f"{V11}/teachers", "users")] == ["tch-1"]
    assert bundle12_api.get(f"{V11}/teachers/adm-1").status_code == 404
    at_school = _get(bundle12_api, f"{ROSTER}/schools/sch-2/teachers", "users")
    assert [u["sourcedId"] for u in at_school] == ["adm-1", "tch-1"]
    assert [u["sourcedId"] for u in _get(bundle12_api, f"{ROSTER}/students", "users")] == ["stu-1"]


def test_sorting_on_primary_org_uses_the_stored_one_then_the_derived_one(bundle12_api: TestClient) -> None:
    users = _get(bundle12_api, f"{ROSTER}/users", "users", sort="primaryOrg", fields="sourcedId")
    assert [u["sourcedId"] for u in users] == ["adm-1", "aid-1", "par-1", "stu-1", "tch-1"]


def test_a_users_resources_are_those_of_user_resources_csv(bundle12_api: TestClient) -> None:
    response = bundle12_api.get(f"{RESOURCE}/users/stu-1/resources")
    check_schema("/users/{id}/resources", response.json(), "resources")
    assert [r["sourcedId"] for r in response.json()["resources"]] == ["rsc-1"]
    assert _get(bundle12_api, f"{RESOURCE}/users/par-1/resources", "resources") == []
    assert bundle12_api.get(f"{RESOURCE}/users/nobody/resources").status_code == 404
    users = _get(bundle12_api, f"{ROSTER}/users", "users", filter="resources.sourcedId='rsc-1'")
    assert [u["sourcedId"] for u in users] == ["stu-1", "tch-1"]


def test_a_sex_only_1_2_has_is_shown_and_filtered_in_1_2_and_absent_from_1_1(
    bundle12_api: TestClient,
) -> None:
    assert _get(bundle12_api, f"{ROSTER}/demographics/stu-1", "demographics")["sex"] == "other"
    assert "sex" not in _get(bundle12_api, f"{V11}/demographics/stu-1", "demographics")
    found12 = _get(bundle12_api, f"{ROSTER}/demographics", "demographics", filter="sex='other'")
    assert [d["sourcedId"] for d in found12] == ["stu-1"]
    assert _get(bundle12_api, f"{V11}/demographics", "demographics", filter="sex='other'") == []
    missing11 = _get(bundle12_api, f"{V11}/demographics", "demographics", filter="sex!='female'")
    assert [d["sourcedId"] for d in missing11] == ["stu-1"]


GRADEBOOK = "/ims/oneroster/gradebook/v1p2"


def _ref(kind: str, sourced_id: str, root: str = GRADEBOOK) -> dict[str, str]:
    path = "classes" if kind == "class" else f"{kind}s"
    return {"href": f"{ORIGIN}{root}/{path}/{sourced_id}", "sourcedId": sourced_id, "type": kind}


def _checked(client: TestClient, collection: str, sourced_id: str, key: str) -> Any:
    """The 1.2 gradebook document of one record, checked against the 1.2 schema."""
    response = client.get(f"{GRADEBOOK}/{collection}/{sourced_id}")
    assert response.status_code == 200, response.text
    check_schema(f"/{collection}/{{id}}", response.json(), key)
    return response.json()[key]


def test_a_line_items_score_scale_and_objectives_are_its_link_rows(bundle12_api: TestClient) -> None:
    line_item = _checked(bundle12_api, "lineItems", "li-1", "lineItem")
    # lss-1 (ss-2) and lss-2 (ss-1) both link it: the first by sourcedId counts.
    assert line_item["scoreScale"] == _ref("scoreScale", "ss-2")
    assert line_item["learningObjectiveSet"] == [
        {"source": "case", "learningObjectiveIds": ["CASE-1", "CASE-2"]},
        {"source": "unknown", "learningObjectiveIds": ["U-7"]},
    ]
    assert line_item["school"] == _ref("org", "sch-1", ROSTER)
    found = _get(bundle12_api, f"{GRADEBOOK}/lineItems", "lineItems", filter="scoreScale.sourcedId='ss-2'")
    assert [li["sourcedId"] for li in found] == ["li-1"]


def test_a_results_score_scale_and_objective_results_are_its_link_rows(bundle12_api: TestClient) -> None:
    result = _checked(bundle12_api, "results", "res-1", "result")
    assert result["scoreScale"] == _ref("scoreScale", "ss-1")
    assert result["learningObjectiveSet"] == [
        {
            "source": "case",
            "learningObjectiveResults": [
                {"learningObjectiveId": "CASE-1", "score": 3.0, "textScore": "Proficient"}
            ],
        },
        {"source": "ext:district", "learningObjectiveResults": [{"learningObjectiveId": "D-4"}]},
    ]


def test_score_scales_of_the_bundle_read_as_1_2(bundle12_api: TestClient) -> None:
    response = bundle12_api.get(f"{GRADEBOOK}/scoreScales")
    check_schema("/scoreScales", response.json(), "scoreScales")
    scales = {s["sourcedId"]: s for s in response.json()["scoreScales"]}
    assert scales["ss-1"] == {
        "sourcedId": "ss-1",
        "status": "active",
        "dateLastModified": "2025-06-01T10:00:00.000Z",
        "title": "Letter grades",
        "type": "letter",
        "course": _ref("course", "crs-1", ROSTER),
        "class": _ref("class", "cls-1", ROSTER),
        "scoreScaleValue": [
            {"itemValueLHS": "A", "itemValueRHS": "90"},
            {"itemValueLHS": "B", "itemValueRHS": "80"},
            {"itemValueLHS": "C", "itemValueRHS": "70"},
        ],
    }
    assert "course" not in scales["ss-2"]
    for_school = _get(bundle12_api, f"{GRADEBOOK}/schools/sch-1/scoreScales", "scoreScales")
    assert [s["sourcedId"] for s in for_school] == ["ss-1", "ss-2"]  # ss-2: its class's school


def test_the_1_1_documents_of_linked_records_have_none_of_it(bundle12_api: TestClient) -> None:
    for entity, url in (("lineItem", f"{V11}/lineItems/li-1"), ("result", f"{V11}/results/res-1")):
        document = _get(bundle12_api, url, entity)
        assert set(document) <= {f.name for f in ENTITIES[entity].all_fields}, entity
        assert "title" in document or "score" in document
    assert bundle12_api.get(f"{V11}/scoreScales").status_code == 404
