"""The endpoint table: every OneRoster operation served, with its path, entity and restrictions.

Paths are relative to the API root. Routing, wrapper keys, the records each endpoint may
return and (later) scopes are all read from here.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from openroster import API_ROOT
from openroster.auth import scopes
from openroster.model.catalogue import ENTITIES, Entity
from openroster.store.restrictions import Match, OfferedToClass, Param, Restriction, Through, Via


@dataclass(frozen=True)
class Endpoint:
    operation: str  # the spec's operation name, e.g. getStudentsForClass
    path: str  # e.g. "/classes/{class_id}/students"
    entity_name: str
    collection: bool
    restriction: Restriction = ()  # which records the endpoint may return (not an OAuth scope)
    method: str = "GET"
    oauth_scope: str | None = None  # when the rule in `required_scope` does not fit
    # Gradebook reads leave out deleted records (clients re-read to confirm a DELETE), except
    # when a filter asks about dateLastModified or status: a delta query sees the tombstones.
    hides_tombstones: bool = False
    version: str = "1.1"  # the OneRoster binding: 1.1, or 1.2 (endpoints_v12.py)
    root: str = API_ROOT  # the path `path` is relative to

    @property
    def required_scope(self) -> str:
        """The OAuth scope URI this endpoint needs (spec §6.3 of its version)."""
        if self.oauth_scope:
            name = self.oauth_scope
        elif self.entity_name == "demographics":
            name = scopes.DEMOGRAPHICS
        elif len(self.segments) > 2:
            name = scopes.ROSTER  # relationship endpoints
        else:
            name = scopes.ROSTER_CORE
        return (scopes.PREFIX_V12 if self.version == "1.2" else scopes.PREFIX) + name

    @property
    def entity(self) -> Entity:
        return ENTITIES[self.entity_name]

    def tombstones_left_out(self, filtered: Collection[str]) -> Restriction:
        """What leaves out deleted records (`hides_tombstones`), given the fields filtered on."""
        if self.hides_tombstones and (
            not self.collection or not {"dateLastModified", "status"} & set(filtered)
        ):
            return (Match("status", "active"),)
        return ()

    @property
    def wrapper_key(self) -> str:
        return self.entity.collection_key if self.collection else self.entity.single_key

    @property
    def segments(self) -> tuple[str, ...]:
        return tuple(self.path.strip("/").split("/"))


_ACTIVE = Match("status", "active")
STUDENT, TEACHER = Match("role", "student"), Match("role", "teacher")
SCHOOL, TERM, GRADING_PERIOD = Match("type", "school"), Match("type", "term"), Match("type", "gradingPeriod")


def _pair(plural: str, singular: str, entity: str, *restrict: Match) -> tuple[Endpoint, Endpoint]:
    """getAllX and getX (e.g. getAllClasses, getClass) for /x and /x/{id}, with one restriction."""
    path = "/" + plural[0].lower() + plural[1:]
    return (
        Endpoint(f"getAll{plural}", path, entity, True, restrict),
        Endpoint(f"get{singular}", f"{path}/{{id}}", entity, False, restrict),
    )


def _users_in_class(role: Match, *extra: Match) -> Through:
    return Through("enrollment", "user", (Match("class", Param("class_id")), role, _ACTIVE, *extra))


def _classes_of_user(param: str, *role: Match) -> Through:
    return Through("enrollment", "class", (Match("user", Param(param)), *role, _ACTIVE))


ROSTERING: tuple[Endpoint, ...] = (
    *_pair("AcademicSessions", "AcademicSession", "academicSession"),
    *_pair("Classes", "Class", "class"),
    *_pair("Courses", "Course", "course"),
    *_pair("GradingPeriods", "GradingPeriod", "academicSession", GRADING_PERIOD),
    Endpoint("getAllDemographics", "/demographics", "demographics", True),
    Endpoint("getDemographics", "/demographics/{id}", "demographics", False),
    *_pair("Enrollments", "Enrollment", "enrollment"),
    *_pair("Orgs", "Org", "org"),
    *_pair("Schools", "School", "org", SCHOOL),
    *_pair("Students", "Student", "user", STUDENT),
    *_pair("Teachers", "Teacher", "user", TEACHER),
    *_pair("Terms", "Term", "academicSession", TERM),
    *_pair("Users", "User", "user"),
    Endpoint("getCoursesForSchool", "/schools/{id}/courses", "course", True, (Match("org", Param("id")),)),
    Endpoint(
        "getEnrollmentsForClassInSchool",
        "/schools/{school_id}/classes/{class_id}/enrollments",
        "enrollment",
        True,
        (Match("class", Param("class_id")), Match("school", Param("school_id"))),
    ),
    Endpoint(
        "getStudentsForClassInSchool",
        "/schools/{school_id}/classes/{class_id}/students",
        "user",
        True,
        (STUDENT, _users_in_class(STUDENT, Match("school", Param("school_id")))),
    ),
    Endpoint(
        "getTeachersForClassInSchool",
        "/schools/{school_id}/classes/{class_id}/teachers",
        "user",
        True,
        (TEACHER, _users_in_class(TEACHER, Match("school", Param("school_id")))),
    ),
    Endpoint(
        "getEnrollmentsForSchool",
        "/schools/{school_id}/enrollments",
        "enrollment",
        True,
        (Match("school", Param("school_id")),),
    ),
    Endpoint(
        "getStudentsForSchool",
        "/schools/{school_id}/students",
        "user",
        True,
        (STUDENT, Match("orgs", Param("school_id"))),
    ),
    Endpoint(
        "getTeachersForSchool",
        "/schools/{school_id}/teachers",
        "user",
        True,
        (TEACHER, Match("orgs", Param("school_id"))),
    ),
    Endpoint(
        "getTermsForSchool",
        "/schools/{school_id}/terms",
        "academicSession",
        True,
        (TERM, Through("class", "terms", (Match("school", Param("school_id")),))),
    ),
    Endpoint(
        "getClassesForTerm", "/terms/{term_id}/classes", "class", True, (Match("terms", Param("term_id")),)
    ),
    Endpoint(
        "getGradingPeriodsForTerm",
        "/terms/{term_id}/gradingPeriods",
        "academicSession",
        True,
        (GRADING_PERIOD, Match("parent", Param("term_id"))),
    ),
    Endpoint(
        "getClassesForCourse",
        "/courses/{course_id}/classes",
        "class",
        True,
        (Match("course", Param("course_id")),),
    ),
    Endpoint(
        "getClassesForStudent",
        "/students/{student_id}/classes",
        "class",
        True,
        (_classes_of_user("student_id", STUDENT),),
    ),
    Endpoint(
        "getClassesForTeacher",
        "/teachers/{teacher_id}/classes",
        "class",
        True,
        (_classes_of_user("teacher_id", TEACHER),),
    ),
    Endpoint(
        "getClassesForSchool",
        "/schools/{school_id}/classes",
        "class",
        True,
        (Match("school", Param("school_id")),),
    ),
    Endpoint("getClassesForUser", "/users/{user_id}/classes", "class", True, (_classes_of_user("user_id"),)),
    Endpoint(
        "getStudentsForClass",
        "/classes/{class_id}/students",
        "user",
        True,
        (STUDENT, _users_in_class(STUDENT)),
    ),
    Endpoint(
        "getTeachersForClass",
        "/classes/{class_id}/teachers",
        "user",
        True,
        (TEACHER, _users_in_class(TEACHER)),
    ),
)

_RESOURCE = scopes.RESOURCE
RESOURCES: tuple[Endpoint, ...] = (
    Endpoint("getAllResources", "/resources", "resource", True, oauth_scope=_RESOURCE),
    Endpoint("getResource", "/resources/{id}", "resource", False, oauth_scope=_RESOURCE),
    Endpoint(
        "getResourcesForCourse",
        "/courses/{course_id}/resources",
        "resource",
        True,
        (Through("courseResource", "resource", (Match("course", Param("course_id")), _ACTIVE)),),
        oauth_scope=_RESOURCE,
    ),
    Endpoint(
        "getResourcesForClass",
        "/classes/{class_id}/resources",
        "resource",
        True,
        (Through("classResource", "resource", (Match("class", Param("class_id")), _ACTIVE)),),
        oauth_scope=_RESOURCE,
    ),
)


# Gradebook reads: their own scope, and deleted records left out (see Endpoint.hides_tombstones).
_GRADEBOOK_READ: dict[str, Any] = dict(oauth_scope=scopes.GRADEBOOK_READ, hides_tombstones=True)


def gradebook_collection(plural: str, singular: str, entity: str) -> tuple[Endpoint, ...]:
    """getAll, get, delete and put for a gradebook collection (Table 3.1c)."""
    path = "/" + plural[0].lower() + plural[1:]
    read = _GRADEBOOK_READ
    return (
        Endpoint(f"getAll{plural}", path, entity, True, **read),
        Endpoint(f"get{singular}", f"{path}/{{id}}", entity, False, **read),
        Endpoint(
            f"delete{singular}",
            f"{path}/{{id}}",
            entity,
            False,
            method="DELETE",
            oauth_scope=scopes.GRADEBOOK_DELETE,
        ),
        Endpoint(
            f"put{singular}",
            f"{path}/{{id}}",
            entity,
            False,
            method="PUT",
            oauth_scope=scopes.GRADEBOOK_WRITE,
        ),
    )


_IN_CLASS = Via("lineItem", "lineItem", (Match("class", Param("class_id")),))
GRADEBOOK: tuple[Endpoint, ...] = (
    *gradebook_collection("Categories", "Category", "category"),
    *gradebook_collection("LineItems", "LineItem", "lineItem"),
    *gradebook_collection("Results", "Result", "result"),
    Endpoint(
        "getResultsForClass", "/classes/{class_id}/results", "result", True, (_IN_CLASS,), **_GRADEBOOK_READ
    ),
    Endpoint(
        "getLineItemsForClass",
        "/classes/{class_id}/lineItems",
        "lineItem",
        True,
        (Match("class", Param("class_id")),),
        **_GRADEBOOK_READ,
    ),
    Endpoint(
        "getResultsForLineItemForClass",
        "/classes/{class_id}/lineItems/{li_id}/results",
        "result",
        True,
        (Match("lineItem", Param("li_id")), _IN_CLASS),
        **_GRADEBOOK_READ,
    ),
    Endpoint(
        "getResultsForStudentForClass",
        "/classes/{class_id}/students/{student_id}/results",
        "result",
        True,
        (Match("student", Param("student_id")), _IN_CLASS),
        **_GRADEBOOK_READ,
    ),
    # Not in 1.1 (1.2 has it), but Google Classroom's 1.1 grade passback asks for it.
    Endpoint(
        "getCategoriesForClass",
        "/classes/{class_id}/categories",
        "category",
        True,
        (OfferedToClass(Param("class_id")),),
        **_GRADEBOOK_READ,
    ),
)

ENDPOINTS: tuple[Endpoint, ...] = ROSTERING + RESOURCES + GRADEBOOK
_SINGLES = {
    e.segments[0].lower(): e
    for e in ENDPOINTS
    if not e.collection and e.method == "GET" and len(e.segments) == 2
}


def parents(endpoint: Endpoint) -> list[tuple[str, Endpoint]]:
    """(path parameter, the single-object endpoint that serves it) for each parent in the path.

    `/schools/{school_id}/classes/{class_id}/students` -> school_id via /schools/{id},
    class_id via /classes/{id}.
    """
    out = []
    segments = endpoint.segments
    for index, segment in enumerate(segments):
        if segment.startswith("{") and index + 1 < len(segments):
            out.append((segment[1:-1], _SINGLES[segments[index - 1].lower()]))
    return out
