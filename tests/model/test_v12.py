"""The 1.2 binding: each kind of field source gives the value 1.2 documents hold, derived from the stored record."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from openroster.model.catalogue import ENTITIES, ROLE_TYPE
from openroster.model.render_v12 import absolute_hrefs_v12, field_value, guid_ref, render_v12
from openroster.model.v12 import (
    DISTRICT_LEVEL_ORG_TYPES,
    ENROLLMENT_ROLE,
    ENTITIES_V12,
    GRADEBOOK_V12,
    PUBLIC_VIEWS_V12,
    SEX,
    href_root,
    user_role,
)
from openroster.model.values import parse_datetime

ORG_TYPES = {"dist-1": "district", "sch-1": "school", "st-1": "state", "dept-1": "department"}
org_type = ORG_TYPES.get


def doc12(entity: str, record: dict[str, Any], derived: dict[str, Any] | None = None) -> dict[str, Any]:
    parsed: dict[str, Any] = orjson.loads(render_v12(ENTITIES_V12[entity], record, derived, org_type))
    return parsed


def user(**extra: Any) -> dict[str, Any]:
    return {
        "sourcedId": "u-1",
        "status": "active",
        "enabledUser": "true",
        "orgs": ["sch-1"],
        "role": "student",
        "username": "u1",
        "givenName": "Jo",
        "familyName": "Smith",
        **extra,
    }


LINE_ITEM: dict[str, Any] = {
    "sourcedId": "li-1",
    "status": "active",
    "title": "Lab",
    "assignDate": parse_datetime("2025-09-08"),
    "dueDate": parse_datetime("2025-09-15"),
    "class": "cls-1",
    "school": "sch-1",
    "category": "cat-1",
    "gradingPeriod": "gp-1",
    "resultValueMin": 0.0,
    "resultValueMax": 10.0,
}


@pytest.mark.parametrize("org", DISTRICT_LEVEL_ORG_TYPES)
def test_an_administrator_of_a_district_level_org_is_a_district_administrator(org: str) -> None:
    assert user_role("administrator", org) == "districtAdministrator"


@pytest.mark.parametrize("org", ["school", "department", None])
def test_an_administrator_elsewhere_or_of_an_org_not_stored_is_a_site_administrator(org: str | None) -> None:
    assert user_role("administrator", org) == "siteAdministrator"


@pytest.mark.parametrize("role", [r for r in ROLE_TYPE if r != "administrator"])
def test_every_other_1_1_role_is_the_same_1_2_role_whatever_the_org(role: str) -> None:
    assert user_role(role, "district") == user_role(role, "school") == role


def test_a_user_s_roles_are_one_primary_role_per_org_from_its_role_and_orgs() -> None:
    doc = doc12("user", user(role="administrator", orgs=["dist-1", "sch-1", "gone"]))
    assert [(r["roleType"], r["role"], r["org"]["sourcedId"]) for r in doc["roles"]] == [
        ("primary", "districtAdministrator", "dist-1"),
        ("primary", "siteAdministrator", "sch-1"),
        ("primary", "siteAdministrator", "gone"),
    ]
    assert doc["roles"][0]["org"] == {
        "href": "/ims/oneroster/rostering/v1p2/orgs/dist-1",
        "sourcedId": "dist-1",
        "type": "org",
    }


def test_stored_role_records_take_the_place_of_the_derived_roles() -> None:
    role = {
        "sourcedId": "u-1-r",
        "user": "u-1",
        "roleType": "secondary",
        "role": "counselor",
        "org": "sch-1",
        "userProfile": "p-1",
        "beginDate": "2025-08-01",
    }
    doc = doc12("user", user(), {"roles": [role], "userProfiles": [], "resources": []})
    assert doc["roles"] == [
        {
            "roleType": "secondary",
            "role": "counselor",
            "org": {"href": "/ims/oneroster/rostering/v1p2/orgs/sch-1", "sourcedId": "sch-1", "type": "org"},
            "userProfile": "urn:openroster:userProfile:p-1",
            "beginDate": "2025-08-01",
        }
    ]


def test_no_role_records_fall_back_to_the_1_1_role_and_orgs() -> None:
    doc = doc12("user", user(role="teacher"), {"roles": [], "userProfiles": [], "resources": []})
    assert [(r["role"], r["org"]["sourcedId"]) for r in doc["roles"]] == [("teacher", "sch-1")]


def test_the_primary_org_is_the_stored_one_else_the_only_org_else_absent() -> None:
    assert doc12("user", user(orgs=["sch-1"]))["primaryOrg"]["sourcedId"] == "sch-1"
    assert "primaryOrg" not in doc12("user", user(orgs=["sch-1", "dist-1"]))
    chosen = doc12("user", user(orgs=["sch-1", "dist-1"], primaryOrg="dist-1"))
    assert chosen["primaryOrg"] == {
        "href": "/ims/oneroster/rostering/v1p2/orgs/dist-1",
        "sourcedId": "dist-1",
        "type": "org",
    }


def test_user_profiles_show_their_credential_without_the_password() -> None:
    profile = {
        "sourcedId": "p-1",
        "user": "u-1",
        "profileType": "lms",
        "vendorId": "v",
        "credentialType": "password",
        "username": "jo",
        "password": "hidden",
    }
    doc = doc12("user", user(), {"roles": [], "userProfiles": [profile], "resources": []})
    assert doc["userProfiles"] == [
        {
            "profileId": "urn:openroster:userProfile:p-1",
            "profileType": "lms",
            "vendorId": "v",
            "credentials": [{"type": "password", "username": "jo"}],
        }
    ]
    assert b"hidden" not in render_v12(ENTITIES_V12["user"], user(password="hidden"), None, org_type)


def test_preferred_names_and_pronouns_only_1_2_shows_are_in_its_document() -> None:
    doc = doc12("user", user(preferredFirstName="Joanna", preferredLastName="S", pronouns="she/her"))
    assert (doc["preferredFirstName"], doc["preferredLastName"], doc["pronouns"]) == (
        "Joanna",
        "S",
        "she/her",
    )


@pytest.mark.parametrize(
    ("entity", "field", "record", "expected"),
    [
        ("org", "identifier", {"sourcedId": "o-1", "identifier": "0601"}, "0601"),
        ("org", "identifier", {"sourcedId": "o-1"}, "o-1"),
        ("org", "identifier", {"sourcedId": "o-1", "identifier": ""}, "o-1"),
        ("course", "courseCode", {"sourcedId": "c-1", "courseCode": "BIO"}, "BIO"),
        ("course", "courseCode", {"sourcedId": "c-1"}, "c-1"),
    ],
)
def test_a_field_1_2_requires_that_1_1_leaves_optional_falls_back_to_the_sourced_id(
    entity: str, field: str, record: dict[str, Any], expected: str
) -> None:
    assert field_value(ENTITIES_V12[entity].by_name[field], record, None) == expected


@pytest.mark.parametrize(
    ("role", "shown"),
    [(r, r) for r in ENROLLMENT_ROLE] + [(r, "ext:" + r) for r in ROLE_TYPE if r not in ENROLLMENT_ROLE],
)
def test_enrollment_roles_1_2_dropped_become_extension_tokens(role: str, shown: str) -> None:
    record = {"sourcedId": "e", "status": "active", "user": "u", "class": "c", "school": "s", "role": role}
    assert doc12("enrollment", record)["role"] == shown


def test_a_line_item_s_academic_session_is_its_stored_grading_period_under_both_names() -> None:
    doc = doc12("lineItem", LINE_ITEM)
    session = {"href": "/ims/oneroster/rostering/v1p2/academicSessions/gp-1", "sourcedId": "gp-1"}
    assert doc["gradingPeriod"] == doc["academicSession"] == {**session, "type": "academicSession"}
    assert doc["category"]["href"] == "/ims/oneroster/gradebook/v1p2/categories/cat-1"
    assert doc["class"]["href"] == "/ims/oneroster/rostering/v1p2/classes/cls-1"
    assert (doc["assignDate"], doc["dueDate"]) == ("2025-09-08T00:00:00.000Z", "2025-09-15T00:00:00.000Z")


@pytest.mark.parametrize("sex", SEX)
def test_demographics_show_every_sex_token_1_2_knows(sex: str) -> None:
    assert doc12("demographics", {"sourcedId": "u-1", "status": "active", "sex": sex})["sex"] == sex


def test_guid_refs_point_under_the_service_of_the_entity_referenced() -> None:
    assert {name: href_root(name) for name in ("org", "resource", "lineItem", "category")} == {
        "org": "/ims/oneroster/rostering/v1p2",
        "resource": "/ims/oneroster/resources/v1p2",
        "lineItem": "/ims/oneroster/gradebook/v1p2",
        "category": "/ims/oneroster/gradebook/v1p2",
    }
    assert guid_ref("user")("a b/c") == {
        "href": "/ims/oneroster/rostering/v1p2/users/a%20b%2Fc",
        "sourcedId": "a b/c",
        "type": "user",
    }


def test_metadata_follows_date_last_modified_which_is_at_the_epoch() -> None:
    doc = doc12("user", user(metadata={"k": "v"}, dateLastModified=12345))
    assert list(doc)[:4] == ["sourcedId", "status", "dateLastModified", "metadata"]
    assert doc["dateLastModified"] == "1970-01-01T00:00:00.000Z"


def test_empty_lists_and_absent_values_are_left_out_of_1_2_documents() -> None:
    doc = doc12("user", user(grades=[], agents=[], middleName=None))
    assert not {"grades", "agents", "middleName", "userProfiles", "resources"} & doc.keys()


def test_an_administrator_s_roles_cannot_be_rendered_without_the_types_of_its_orgs() -> None:
    with pytest.raises(AssertionError, match="the type of org dist-1 is needed"):
        render_v12(ENTITIES_V12["user"], user(role="administrator", orgs=["dist-1"]), None)


def test_the_public_view_of_a_user_has_no_password_and_every_other_field() -> None:
    names = [f.name for f in ENTITIES_V12["user"].all_fields]
    assert names[-1] == "password"
    assert [f.name for f in PUBLIC_VIEWS_V12["user"].all_fields] == names[:-1]
    assert PUBLIC_VIEWS_V12["org"] == ENTITIES_V12["org"]


def test_every_binding_renders_the_entity_stored_under_its_name_and_gradebook_ones_are_writable() -> None:
    assert all(binding.stored is ENTITIES[name] for name, binding in ENTITIES_V12.items())
    assert set(GRADEBOOK_V12) == {e for e, b in ENTITIES_V12.items() if b.service == "gradebook"}
    assert "role" not in ENTITIES_V12 and "classResource" not in ENTITIES_V12


@pytest.mark.parametrize(
    ("base", "href"),
    [
        ("https://sis.example.org/", "https://sis.example.org/ims/oneroster/rostering/v1p2/orgs/sch-1"),
        ("https://h/p", "https://h/p/ims/oneroster/rostering/v1p2/orgs/sch-1"),
        ("", "/ims/oneroster/rostering/v1p2/orgs/sch-1"),
    ],
)
def test_absolute_hrefs_v12_put_the_base_url_in_front_of_1_2_hrefs(base: str, href: str) -> None:
    body = absolute_hrefs_v12(render_v12(ENTITIES_V12["user"], user(), None, org_type), base)
    parsed = orjson.loads(body)
    assert parsed["primaryOrg"]["href"] == parsed["roles"][0]["org"]["href"] == href
