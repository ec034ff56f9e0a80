"""The calls School Data Sync makes besides the full pull: SDS (Classic) per-school reads, single objects,
paging stability, "no records" answers, email lookups and contacts (spec §8.1-§8.3)."""

from __future__ import annotations

from openroster.check.http import Predicate, Query, Session, where
from openroster.check.outcomes import Outcomes
from openroster.check.records import Record, ref_ids
from openroster.check.registry import define
from openroster.check.responses import read_object, read_page

STABLE = define(
    "paging.offset-stable",
    "offset=2&limit=1 returns the third record of the same order",
    "fail",
    "sds",
    "Give collections a stable default order (sourcedId) so offset paging is deterministic.",
)
EMPTY = define(
    "empty.no-records",
    "No matches answer 200 with an empty array, never 404",
    "fail",
    "sds",
    "Answer a filter that matches nothing, and a relationship whose parent is unknown or has no "
    "children, with 200 and an empty array (X-Total-Count: 0).",
)
EMAIL = define(
    "lookup.email-unique",
    "Looking a teacher up by email finds exactly that one user",
    "fail",
    "sds",
    "Match filter=email='...' exactly, and give each teacher a unique email (Grade Sync finds teachers "
    "by email).",
)
AGENTS = define(
    "relations.agents",
    "Guardians and students name each other in agents",
    "fail",
    "sds",
    "Keep agents bidirectional: a guardian's agents name the student and the student's agents name "
    "the guardian.",
)
UNKNOWN_PARENT = "1000000"


def run(session: Session, outcomes: Outcomes, *, school: str | None) -> None:
    _classic(session, outcomes, school)
    _stable(session, outcomes)
    _no_records(session, outcomes)
    _email(session, outcomes)
    _agents(session, outcomes)


def _first_id(page_records: list[Record]) -> str | None:
    return str(page_records[0]["sourcedId"]) if page_records and "sourcedId" in page_records[0] else None


def _classic(session: Session, outcomes: Outcomes, school: str | None) -> None:
    active = where(status="active")
    schools = read_page(session, Query("/schools", limit=100, offset=0, where=active), "orgs", outcomes)
    school = school or (_first_id(schools.records) if schools else None)
    if school is None:
        return
    read_object(session, f"/schools/{school}", "org", outcomes)
    base = f"/schools/{school}"
    read_page(session, Query(base + "/classes", limit=100, offset=0, where=active), "classes", outcomes)
    read_page(session, Query(base + "/students", limit=100, offset=0, where=active), "users", outcomes)
    read_page(session, Query(base + "/teachers", limit=10000, offset=0, where=active), "users", outcomes)
    for role in ("student", "teacher"):
        read_page(
            session,
            Query(base + "/enrollments", limit=100, offset=0, where=where(role=role)),
            "enrollments",
            outcomes,
        )
    read_page(session, Query(base + "/enrollments", limit=100, offset=0), "enrollments", outcomes)
    students = read_page(session, Query("/students", limit=10000, offset=0, where=active), "users", outcomes)
    teachers = read_page(session, Query("/teachers", limit=10000, offset=0, where=active), "users", outcomes)
    sessions = read_page(
        session, Query("/academicSessions", limit=100, offset=0, where=active), "academicSessions", outcomes
    )
    year = (
        next((s.get("schoolYear") for s in sessions.records if isinstance(s.get("schoolYear"), str)), None)
        if sessions
        else None
    )
    if year:
        read_page(
            session,
            Query("/academicSessions", limit=100, offset=0, where=where(schoolYear=year, status="active")),
            "academicSessions",
            outcomes,
        )
    terms = read_page(
        session, Query("/terms", limit=100, offset=0, where=active), "academicSessions", outcomes
    )
    classes = read_page(session, Query("/classes", limit=1, offset=0, where=active), "classes", outcomes)
    singles = [
        ("/classes", classes, "class"),
        ("/students", students, "user"),
        ("/teachers", teachers, "user"),
        ("/terms", terms, "academicSession"),
        ("/academicSessions", sessions, "academicSession"),
    ]
    for path, page, key in singles:
        sid = _first_id(page.records) if page else None
        if sid:
            read_object(session, f"{path}/{sid}", key, outcomes)


def _stable(session: Session, outcomes: Outcomes) -> None:
    for path, key in (("/users", "users"), ("/classes", "classes"), ("/enrollments", "enrollments")):
        first3 = read_page(session, Query(path, limit=3, offset=0), key, outcomes)
        third = read_page(session, Query(path, limit=1, offset=2), key, outcomes)
        if first3 is None or third is None or len(first3.records) < 3:
            outcomes.skip(STABLE, f"{path} has fewer than 3 records")
            continue
        got = _first_id(third.records)
        expected = first3.records[2].get("sourcedId")
        outcomes.record(
            STABLE,
            got == expected and got != first3.records[0].get("sourcedId"),
            third.exchange.request,
            f"sourcedId {expected} (the third of offset=0&limit=3)",
            f"sourcedId {got}",
        )


def _no_records(session: Session, outcomes: Outcomes) -> None:
    queries = [
        (Query("/users", where=where(sourcedId="norecords")), "users"),
        (Query("/orgs", where=where(status="norecords")), "orgs"),
        (Query("/users", where=where(username="norecords")), "users"),
        (Query("/classes", where=where(title="norecords")), "classes"),
        (Query(f"/schools/{UNKNOWN_PARENT}/classes"), "classes"),
        (Query(f"/schools/{UNKNOWN_PARENT}/enrollments"), "enrollments"),
        (Query(f"/classes/{UNKNOWN_PARENT}/students"), "users"),
    ]
    for query, key in queries:
        page = read_page(session, query, key, outcomes, status_check=EMPTY)
        if page is not None:
            outcomes.record(
                EMPTY,
                not page.records and page.total in (0, None),
                page.exchange.request,
                "200 with an empty array",
                f"{len(page.records)} record(s), X-Total-Count {page.total}",
            )


def teacher_with_email(session: Session, outcomes: Outcomes) -> Record | None:
    teachers = read_page(
        session, Query("/teachers", limit=100, offset=0, where=where(status="active")), "users", outcomes
    )
    if teachers is None:
        return None
    named = (t for t in teachers.records if isinstance(t.get("sourcedId"), str))  # one that can be asked for
    return next((t for t in named if isinstance(t.get("email"), str) and t["email"]), None)


def _email(session: Session, outcomes: Outcomes) -> None:
    teacher = teacher_with_email(session, outcomes)
    if teacher is None:
        outcomes.skip(EMAIL, "no active teacher has an email")
        return
    for path in ("/users", "/teachers"):
        page = read_page(session, Query(path, where=where(email=teacher["email"])), "users", outcomes)
        if page is not None:
            found = [u.get("sourcedId") for u in page.records]
            outcomes.record(
                EMAIL,
                found == [teacher["sourcedId"]],
                page.exchange.request,
                f"exactly [{teacher['sourcedId']}]",
                f"{found}",
            )


def _agents(session: Session, outcomes: Outcomes) -> None:
    guardians = None
    for role in ("guardian", "parent", "relative"):
        page = read_page(
            session,
            Query("/users", limit=20, offset=0, where=(Predicate("role", "=", role),)),
            "users",
            outcomes,
        )
        if page is not None and page.records:
            guardians = page
            break
    if guardians is None:
        outcomes.skip(
            AGENTS, "the provider serves no guardians, parents or relatives (contacts are optional)"
        )
        return
    for guardian in guardians.records[:5]:
        agents = ref_ids(guardian, "agents")
        ok = outcomes.record(
            AGENTS,
            bool(agents),
            guardians.exchange.request,
            f"{guardian.get('sourcedId')} has agents",
            "agents is missing or empty",
        )
        if not ok:
            continue
        student = read_object(session, f"/users/{agents[0]}", "user", outcomes)
        if student is None:
            continue
        back = ref_ids(student, "agents")
        outcomes.record(
            AGENTS,
            student.get("role") == "student" and guardian.get("sourcedId") in back,
            f"GET /users/{agents[0]}",
            f"a student whose agents include {guardian.get('sourcedId')}",
            f"role {student.get('role')!r}, agents {back}",
        )
