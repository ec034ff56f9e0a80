"""A user's 1.2 role and profile records as 1.2 entries, and as the one 1.1 role and orgs they give."""

from __future__ import annotations

from typing import Any

import pytest

from openroster.model.catalogue import ROLE_TYPE
from openroster.model.roles import (
    EXTENSION_V11_ROLE,
    derived_roles,
    profile_entry,
    role_entry,
    role_records,
    v11_role,
    v11_role_and_orgs,
    with_v11_roles,
)

TYPES = {"dist-1": "district", "sch-1": "school", "sch-2": "school"}.get


def role(sid: str, org: str, name: str, kind: str = "primary", **extra: Any) -> dict[str, Any]:
    return {"sourcedId": sid, "user": "u-1", "org": org, "role": name, "roleType": kind, **extra}


@pytest.mark.parametrize("name", ROLE_TYPE)
def test_a_1_1_role_is_its_own_1_1_role(name: str) -> None:
    assert v11_role(name) == name


@pytest.mark.parametrize(
    "name", ["counselor", "districtAdministrator", "principal", "siteAdministrator", "systemAdministrator"]
)
def test_1_2_roles_1_1_lacks_are_administrators_there(name: str) -> None:
    assert v11_role(name) == "administrator"


@pytest.mark.parametrize(("name", "shown"), [("ext:aide", "aide"), ("ext:intern", EXTENSION_V11_ROLE)])
def test_an_extension_role_is_its_plain_token_when_1_1_has_it_else_an_aide(name: str, shown: str) -> None:
    assert v11_role(name) == shown


def test_a_role_entry_keeps_the_members_given_and_names_its_profile_by_profile_id() -> None:
    record = role("r-1", "sch-1", "teacher", userProfile="p-1", beginDate="2025-08-01", endDate=None)
    assert role_entry(record) == {
        "roleType": "primary",
        "role": "teacher",
        "org": "sch-1",
        "userProfile": "urn:openroster:userProfile:p-1",
        "beginDate": "2025-08-01",
    }


def test_a_profile_entry_shows_one_credential_and_never_the_password() -> None:
    record = {
        "sourcedId": "p-1",
        "profileType": "lms",
        "vendorId": "v-1",
        "applicationId": None,
        "description": "Canvas",
        "credentialType": "password",
        "username": "jo",
        "password": "secret",
    }
    assert profile_entry(record) == {
        "profileId": "urn:openroster:userProfile:p-1",
        "profileType": "lms",
        "vendorId": "v-1",
        "description": "Canvas",
        "credentials": [{"type": "password", "username": "jo"}],
    }


def test_no_role_records_give_no_1_1_role() -> None:
    assert v11_role_and_orgs([], None) is None


def test_the_1_1_role_is_that_of_the_primary_role_in_the_primary_org() -> None:
    roles = [
        role("r-1", "sch-1", "teacher"),
        role("r-2", "sch-2", "principal"),
        role("r-3", "sch-1", "aide", "secondary"),
    ]
    assert v11_role_and_orgs(roles, "sch-2") == ("administrator", ["sch-1", "sch-2"])
    assert v11_role_and_orgs(roles, "sch-1") == ("teacher", ["sch-1", "sch-2"])


def test_without_a_primary_org_the_first_primary_role_decides() -> None:
    roles = [role("r-1", "sch-1", "aide", "secondary"), role("r-2", "sch-2", "student")]
    assert v11_role_and_orgs(roles, None) == ("student", ["sch-1", "sch-2"])


def test_with_only_secondary_roles_the_first_decides_and_orgs_are_not_repeated() -> None:
    roles = [role("r-1", "sch-2", "guardian", "secondary"), role("r-2", "sch-2", "parent", "secondary")]
    assert v11_role_and_orgs(roles, None) == ("guardian", ["sch-2"])


def test_derived_roles_are_one_primary_role_per_org_administrators_named_by_org_type() -> None:
    assert derived_roles("administrator", ["dist-1", "sch-1"], TYPES) == [
        {"roleType": "primary", "role": "districtAdministrator", "org": "dist-1"},
        {"roleType": "primary", "role": "siteAdministrator", "org": "sch-1"},
    ]
    assert derived_roles("teacher", ["sch-2"], TYPES) == [
        {"roleType": "primary", "role": "teacher", "org": "sch-2"}
    ]


def test_derived_roles_need_no_org_types_for_roles_other_than_administrator() -> None:
    def no_types(org: str) -> str | None:
        raise AssertionError("not needed")

    assert derived_roles("student", ["sch-1"], no_types)[0]["role"] == "student"


def test_role_records_sort_in_the_order_of_the_user_s_orgs_and_are_dated_as_the_user() -> None:
    orgs = [f"sch-{n}" for n in range(11, 0, -1)]  # eleven orgs, not in sourcedId order
    user = {"sourcedId": "u-1", "status": "active", "dateLastModified": 42, "role": "teacher", "orgs": orgs}
    records = role_records(user, TYPES)
    assert [r["sourcedId"] for r in records] == [f"u-1-role-{n:02d}" for n in range(11)]
    assert sorted(records, key=lambda r: r["sourcedId"]) == records
    assert [r["org"] for r in records] == orgs
    assert all((r["status"], r["dateLastModified"], r["user"]) == ("active", 42, "u-1") for r in records)
    back = v11_role_and_orgs(records, None)
    assert back == ("teacher", orgs)


def test_a_user_with_no_orgs_has_no_role_records() -> None:
    user = {"sourcedId": "u-1", "status": "active", "dateLastModified": 0, "role": "student", "orgs": []}
    assert role_records(user, TYPES) == []


def test_with_v11_roles_replaces_role_and_orgs_only_when_there_are_role_records() -> None:
    user = {"sourcedId": "u-1", "role": "student", "orgs": ["sch-1"], "primaryOrg": "sch-2"}
    assert with_v11_roles(user, []) is user
    roles = [role("r-1", "sch-1", "teacher"), role("r-2", "sch-2", "counselor")]
    assert with_v11_roles(user, roles) == {**user, "role": "administrator", "orgs": ["sch-1", "sch-2"]}
