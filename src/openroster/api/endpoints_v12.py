"""The OneRoster 1.2 endpoint tables: rostering (41 reads), resources (5), gradebook (27) and assessment results (8).

1.2 kept every 1.1 rostering and resources path and moved them under a root per service (spec
§2), so these tables are the 1.1 ones with the 1.2 root, binding and scopes, plus the one new
read, getResourcesForUser. Restrictions are the 1.1 ones: the 1.2 roles of a user are its 1.1
role in each of its orgs, so `/students` (any role entry `student`) and `/schools/{id}/students`
(a role entry in that school) select exactly the records 1.1 selects.

The gradebook service has 1.1's operations, under 1.2's scopes, and 1.2's new ones: scoreScales,
the class-scoped categories and scoreScales, the school-scoped scoreScales, and four POSTs that
create many records at once. The Assessment Results Profile lives under the gradebook root.
"""

from __future__ import annotations

from dataclasses import replace

from openroster.api.endpoints import GRADEBOOK, RESOURCES, ROSTERING, Endpoint, gradebook_collection
from openroster.auth import scopes
from openroster.model.v12 import GRADEBOOK_ROOT, RESOURCES_ROOT, ROSTERING_ROOT
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


def _gradebook(endpoint: Endpoint) -> Endpoint:
    """A gradebook endpoint of 1.2: its root, and the scope 1.2 gives its method and path."""
    if endpoint.method == "GET":
        core = len(endpoint.segments) <= 2  # getAll and get: also open to gradebook-core.readonly
        scope = scopes.GRADEBOOK_CORE if core else scopes.GRADEBOOK_READ
    else:
        scope = {
            "PUT": scopes.GRADEBOOK_WRITE,
            "POST": scopes.GRADEBOOK_POST,
            "DELETE": scopes.GRADEBOOK_DELETE,
        }[endpoint.method]
    if endpoint.entity_name.startswith("assessment"):
        scope = {"GET": scopes.ASSESSMENT_READ, "PUT": scopes.ASSESSMENT_WRITE}.get(
            endpoint.method, scopes.ASSESSMENT_DELETE
        )
    return replace(endpoint, version="1.2", root=GRADEBOOK_ROOT, oauth_scope=scope, hides_tombstones=True)


_CLASS = Match("class", Param("class_id"))
GRADEBOOK_V12: tuple[Endpoint, ...] = tuple(
    _gradebook(e)
    for e in (
        *GRADEBOOK,
        *gradebook_collection("ScoreScales", "ScoreScale", "scoreScale"),
        Endpoint("getScoreScalesForClass", "/classes/{class_id}/scoreScales", "scoreScale", True, (_CLASS,)),
        Endpoint(
            "getScoreScalesForSchool",
            "/schools/{school_id}/scoreScales",
            "scoreScale",
            True,
            (Match("school", Param("school_id")),),
        ),
        # Bulk creates: the path names the parent every record of the body must have.
        Endpoint("postLineItemsForClass", "/classes/{class_id}/lineItems", "lineItem", True, method="POST"),
        Endpoint("postLineItemsForSchool", "/schools/{school_id}/lineItems", "lineItem", True, method="POST"),
        Endpoint("postResultsForLineItem", "/lineItems/{li_id}/results", "result", True, method="POST"),
        Endpoint(
            "postResultsForAcademicSessionForClass",
            "/classes/{class_id}/academicSessions/{session_id}/results",
            "result",
            True,
            method="POST",
        ),
    )
)
ASSESSMENT_V12: tuple[Endpoint, ...] = tuple(
    _gradebook(e)
    for e in (
        *gradebook_collection("AssessmentLineItems", "AssessmentLineItem", "assessmentLineItem"),
        *gradebook_collection("AssessmentResults", "AssessmentResult", "assessmentResult"),
    )
)
# The parent a bulk create's path names, as (path parameter, field each created record holds it in).
POST_PARENTS = {
    "postLineItemsForClass": (("class_id", "class"),),
    "postLineItemsForSchool": (("school_id", "school"),),
    "postResultsForLineItem": (("li_id", "lineItem"),),
    "postResultsForAcademicSessionForClass": (("class_id", "class"),),
}
# Results posted for a class and session must be for lineItems of that class graded in that session.
POST_LINE_ITEM_SESSION = {"postResultsForAcademicSessionForClass": "session_id"}

ENDPOINTS_V12: tuple[Endpoint, ...] = ROSTERING_V12 + RESOURCES_V12 + GRADEBOOK_V12 + ASSESSMENT_V12
