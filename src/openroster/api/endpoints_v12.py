"""The OneRoster 1.2 endpoint tables: the rostering service (41 reads) and the resources service (5).

1.2 kept every 1.1 rostering and resources path and moved them under a root per service (spec
§2), so these tables are the 1.1 ones with the 1.2 root, binding and scopes, plus the one new
read, getResourcesForUser. Restrictions are the 1.1 ones: the 1.2 roles of a user are its 1.1
role in each of its orgs, so `/students` (any role entry `student`) and `/schools/{id}/students`
(a role entry in that school) select exactly the records 1.1 selects.
"""

from __future__ import annotations

from dataclasses import replace

from openroster.api.endpoints import RESOURCES, ROSTERING, Endpoint
from openroster.auth import scopes
from openroster.model.v12 import RESOURCES_ROOT, ROSTERING_ROOT
from openroster.store.restrictions import HasRole, Match, Param, Restriction, Through


def _by_role_entries(endpoint: Endpoint) -> Restriction:
    """The endpoint's restriction with a user's role read from its 1.2 role entries (/teachers)."""
    if endpoint.entity_name != "user":
        return endpoint.restriction
    return tuple(
        HasRole(str(item.value)) if isinstance(item, Match) and item.field == "role" else item
        for item in endpoint.restriction
    )


ROSTERING_V12: tuple[Endpoint, ...] = tuple(
    replace(e, version="1.2", root=ROSTERING_ROOT, restriction=_by_role_entries(e)) for e in ROSTERING
)


def _resources(endpoint: Endpoint) -> Endpoint:
    # getAllResources and getResource also take resource-core.readonly (which resource.readonly implies).
    core = endpoint.path.count("/") <= 2
    scope = scopes.RESOURCE_CORE if core else scopes.RESOURCE
    return replace(endpoint, version="1.2", root=RESOURCES_ROOT, oauth_scope=scope)


RESOURCES_V12: tuple[Endpoint, ...] = (
    *(_resources(e) for e in RESOURCES),
    # A user's resources come from a 1.2.1 bundle's userResources.csv (1.1 links resources to
    # classes and courses only: a 1.1 user's list is empty; 404 if no user).
    _resources(
        Endpoint(
            "getResourcesForUser",
            "/users/{user_id}/resources",
            "resource",
            True,
            (
                Through(
                    "userResource", "resource", (Match("user", Param("user_id")), Match("status", "active"))
                ),
            ),
        )
    ),
)

ENDPOINTS_V12: tuple[Endpoint, ...] = ROSTERING_V12 + RESOURCES_V12
