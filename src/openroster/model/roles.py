"""A user's 1.2 role and profile records as its roles[] and userProfiles[], and as its 1.1 role and orgs.

A 1.2.1 bundle gives each role of a user (one org, one role, primary or secondary there) a row
of roles.csv, and each of its profiles a row of userProfiles.csv. 1.2 documents show them as the
entries of `roles` and `userProfiles`; 1.1 documents show the user's `orgs` (the orgs of its
roles, in the order of the roles' sourcedIds) and one `role`: that of its primary role in its
primaryOrg, else of its first primary role, written with the 1.1 token of `v11_role`.

A user from a 1.1 bundle has no role records: its roles are derived from its 1.1 role and orgs
(`derived_roles`, spec §3.8), and a 1.2.1 export writes those as its rows of roles.csv.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from openroster.model.catalogue import ROLE_TYPE
from openroster.model.v12 import user_role

OrgType = Callable[[str], str | None]  # an org's sourcedId -> its type (None: not stored)

# A profile's profileId (an anyURI in 1.2) is made from its sourcedId; role entries name it so.
PROFILE_ID_PREFIX = "urn:openroster:userProfile:"

# 1.2 user roles 1.1 has no token for, and the 1.1 role shown for them.
_V11_ROLES = {
    "counselor": "administrator",
    "districtAdministrator": "administrator",
    "principal": "administrator",
    "siteAdministrator": "administrator",
    "systemAdministrator": "administrator",
}
# An extension role 1.1 has no token for (`ext:intern`) is shown as this 1.1 role.
EXTENSION_V11_ROLE = "aide"

_ROLE_MEMBERS = ("roleType", "role", "org", "userProfile", "beginDate", "endDate")
_PROFILE_MEMBERS = ("profileType", "vendorId", "applicationId", "description")


def profile_id(sourced_id: str) -> str:
    return PROFILE_ID_PREFIX + sourced_id


def v11_role(role: str) -> str:
    """The 1.1 role shown for a 1.2 user role."""
    if role in ROLE_TYPE:
        return role
    if role.startswith("ext:"):
        plain = role.removeprefix("ext:")
        return plain if plain in ROLE_TYPE else EXTENSION_V11_ROLE
    return _V11_ROLES[role]


def role_entry(record: Mapping[str, Any]) -> dict[str, Any]:
    """The roles[] entry of a role record (its org a sourcedId, as the renderer takes GUIDRefs)."""
    entry = {name: record[name] for name in _ROLE_MEMBERS if record.get(name) is not None}
    if "userProfile" in entry:
        entry["userProfile"] = profile_id(entry["userProfile"])
    return entry


def profile_entry(record: Mapping[str, Any]) -> dict[str, Any]:
    """The userProfiles[] entry of a profile record: its one credential, without the password."""
    entry: dict[str, Any] = {"profileId": profile_id(record["sourcedId"])}
    entry.update((name, record[name]) for name in _PROFILE_MEMBERS if record.get(name) is not None)
    entry["credentials"] = [{"type": record["credentialType"], "username": record["username"]}]
    return entry


def v11_role_and_orgs(
    roles: Sequence[Mapping[str, Any]], primary_org: str | None
) -> tuple[str, list[str]] | None:
    """A user's 1.1 (role, orgs) from its active role records (None: it has none)."""
    if not roles:
        return None
    orgs = list(dict.fromkeys(r["org"] for r in roles))
    primary = [r for r in roles if r["roleType"] == "primary"] or list(roles)
    main = next((r for r in primary if r["org"] == primary_org), primary[0])
    return v11_role(main["role"]), orgs


def derived_roles(role: str, orgs: Sequence[str], org_type: OrgType) -> list[dict[str, Any]]:
    """The roles[] entries of a user with 1.1 `role` in `orgs`: the primary role in each org."""
    admin = role == "administrator"  # the only role whose 1.2 token depends on the org
    return [
        {"roleType": "primary", "role": user_role(role, org_type(org) if admin else None), "org": org}
        for org in orgs
    ]


def role_records(user: Mapping[str, Any], org_type: OrgType) -> list[dict[str, Any]]:
    """A user's derived roles as role records (roles.csv rows), dated and marked as the user is.

    Their sourcedIds sort in the order of the user's orgs, so that reading them back gives the
    same 1.1 orgs (`v11_role_and_orgs`).
    """
    orgs = user.get("orgs") or ()
    width = len(str(max(len(orgs) - 1, 0)))
    return [
        {
            "sourcedId": f"{user['sourcedId']}-role-{position:0{width}d}",
            "status": user["status"],
            "dateLastModified": user["dateLastModified"],
            "user": user["sourcedId"],
            **entry,
        }
        for position, entry in enumerate(derived_roles(user["role"], orgs, org_type))
    ]


def with_v11_roles(record: Mapping[str, Any], roles: Sequence[Mapping[str, Any]]) -> Mapping[str, Any]:
    """`record` with the 1.1 role and orgs its role records give (as it is when it has none)."""
    found = v11_role_and_orgs(roles, record.get("primaryOrg"))
    if found is None:
        return record
    role, orgs = found
    return {**record, "role": role, "orgs": orgs}
