"""Grade Sync's and Google Classroom's gradebook sequences: reads, then a temporary lineItem and result in a
real class, each answer checked, then deleted again and the deletion verified (spec §8.5; §2.3)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from openroster.check.http import Exchange, Query, Session, where
from openroster.check.outcomes import Outcomes
from openroster.check.records import Record, ref_ids
from openroster.check.registry import Check, define
from openroster.check.responses import read_object, read_page
from openroster.check.sds import teacher_with_email

GS_TEACHER = define(
    "grade-sync.teacher",
    "The teacher found by email is the one Grade Sync works for",
    "fail",
    "grade-sync",
    "Match filter=email='...' exactly on /users and /teachers (one record each).",
)
GS_READS = define(
    "grade-sync.class-reads",
    "The teacher's classes, a class's teachers, students and term can be read",
    "fail",
    "grade-sync",
    "Serve /teachers/{id}/classes (with filter=sourcedId), "
    "/classes/{id}/teachers, /classes/{id}/students, /classes/{id} and /terms/{id}.",
)
GS_ABSENT = define(
    "grade-sync.absent-404",
    "An unknown lineItem or result answers 404",
    "fail",
    "grade-sync",
    "Answer GET /lineItems/{id} and /results/{id} of an unknown id with 404: Grade Sync tests "
    "existence that way.",
)
GS_PUT_LINEITEM = define(
    "grade-sync.put-lineitem",
    "PUT of a new lineItem answers 201 with it echoed",
    "fail",
    "grade-sync",
    'Answer a PUT that creates with 201 and {"lineItem": {...}} holding the '
    "stored object; accept the body Teams sends (no category, no status, no href).",
)
GS_PUT_RESULT = define(
    "grade-sync.put-result",
    "PUT of a new result answers 201 with it echoed",
    "fail",
    "grade-sync",
    'Answer a PUT that creates with 201 and {"result": {...}}; accept scoreDate '
    "as a date-time and scoreStatus 'fully graded'.",
)
GS_LISTED = define(
    "grade-sync.listed",
    "The new lineItem and result are listed under their class",
    "fail",
    "grade-sync",
    "Serve /classes/{id}/lineItems (filter=sourcedId too), "
    "/classes/{id}/lineItems/{id}/results and /classes/{id}/students/{id}/results with only the "
    "wrapper key.",
)
GS_DELETE = define(
    "grade-sync.delete",
    "DELETE answers 204 and the object then answers 404",
    "fail",
    "grade-sync",
    "Answer DELETE with 204 and make the object 404 afterwards.",
)
G_READS = define(
    "google.reads",
    "The reads Google makes with limit=10000 answer 200",
    "fail",
    "google",
    "Serve /classes?filter=sourcedId=..., /terms/{id}/gradingPeriods and /categories with limit=10000.",
)
G_CLASS_CATEGORIES = define(
    "google.class-categories",
    "GET /classes/{id}/categories is served",
    "warn",
    "google",
    "Serve the categories a class may use at /classes/{id}/categories: Google calls it.",
)
G_CREATE = define(
    "google.put-create",
    "PUT of a new lineItem and result answers 201 with it echoed",
    "fail",
    "google",
    "Answer a creating PUT with 201 and the stored object; accept GUIDRefs holding only "
    "a sourcedId and long titles.",
)
G_EDIT = define(
    "google.put-edit",
    "PUT of an existing lineItem answers 200 with the change",
    "warn",
    "google",
    "Answer a PUT that replaces an existing object with 200 (Google tolerates 201 but expects 200).",
)
G_EXTRA = define(
    "google.extra-credit",
    "A score above resultValueMax is stored as sent",
    "fail",
    "google",
    "Accept and keep scores above resultValueMax (extra credit).",
)
G_EXEMPT = define(
    "google.exempt",
    "An exempt result without a score is accepted",
    "fail",
    "google",
    "Accept scoreStatus 'exempt' with no score.",
)
G_DELETE = define(
    "google.delete",
    "DELETE answers 200 or 204 and the object leaves the class's lists",
    "fail",
    "google",
    "After DELETE, leave the object out of /classes/{id}/lineItems and /classes/{id}/results.",
)

Announce = Callable[[str], None]


@dataclass
class Classroom:
    """The real class the write sequences use: its teacher, a student and a term."""

    teacher: Record
    klass: Record
    student: str
    term: str


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _echoed(exchange: Exchange, key: str, sid: str) -> bool:
    body = exchange.json()
    return isinstance(body, dict) and isinstance(body.get(key), dict) and body[key].get("sourcedId") == sid


def _field(exchange: Exchange, key: str, name: str) -> Any:
    """Field `name` of the object the body wraps in `key`; None when the body holds no such object."""
    body = exchange.json()
    wrapped = body.get(key) if isinstance(body, dict) else None
    return wrapped.get(name) if isinstance(wrapped, dict) else None


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _ids(session: Session, outcomes: Outcomes, query: Query, key: str) -> list[Any] | None:
    page = read_page(session, query, key, outcomes)
    return None if page is None else [r.get("sourcedId") for r in page.records]


def find_classroom(session: Session, outcomes: Outcomes, check: Check) -> Classroom | None:
    """The sequence every gradebook consumer starts with: teacher by email, their classes, a class's roster."""
    teacher = teacher_with_email(session, outcomes)
    if teacher is None:
        outcomes.skip(check, "no active teacher has an email, so no teacher can be found as Grade Sync does")
        return None
    tid, email = str(teacher["sourcedId"]), str(teacher["email"])
    for path in ("/users", "/teachers"):
        found = _ids(session, outcomes, Query(path, where=where(email=email)), "users")
        outcomes.record(
            GS_TEACHER, found == [tid], f"GET {path}?filter=email='{email}'", f"exactly [{tid}]", str(found)
        )
    classes = read_page(session, Query(f"/teachers/{tid}/classes"), "classes", outcomes)
    if classes is None or not classes.records:
        outcomes.skip(check, f"teacher {tid} teaches no class")
        return None
    for klass in classes.records[:10]:
        cid = str(klass.get("sourcedId"))
        students = _ids(session, outcomes, Query(f"/classes/{cid}/students"), "users") or []
        terms = ref_ids(klass, "terms")
        if students and terms:
            mine = _ids(
                session, outcomes, Query(f"/teachers/{tid}/classes", where=where(sourcedId=cid)), "classes"
            )
            teachers = _ids(session, outcomes, Query(f"/classes/{cid}/teachers"), "users") or []
            term = read_object(session, f"/terms/{terms[0]}", "academicSession", outcomes)
            itself = read_object(session, f"/classes/{cid}", "class", outcomes)
            ok = mine == [cid] and tid in teachers and term is not None and itself is not None
            outcomes.record(
                GS_READS,
                ok,
                f"GET /teachers/{tid}/classes?filter=sourcedId='{cid}', "
                f"/classes/{cid}/teachers, /classes/{cid}, /terms/{terms[0]}",
                f"class {cid} of teacher {tid}, {tid} among its teachers, the class and term readable",
                f"classes {mine}, teachers {teachers}",
            )
            return Classroom(teacher, klass, str(students[0]), str(terms[0]))
    outcomes.skip(check, f"none of teacher {tid}'s first classes has students and a term")
    return None


def _expect_gone(session: Session, outcomes: Outcomes, check: Check, paths: list[str]) -> None:
    for path in paths:
        exchange = session.get(Query(path))
        outcomes.record(
            check, exchange.status == 404, exchange.request, "404 once deleted", exchange.answered()
        )


def grade_sync(session: Session, outcomes: Outcomes, *, writes: bool, announce: Announce) -> None:
    room = find_classroom(session, outcomes, GS_READS)
    if room is None:
        return
    if not writes:
        for check in (GS_ABSENT, GS_PUT_LINEITEM, GS_PUT_RESULT, GS_LISTED, GS_DELETE):
            outcomes.skip(check, "writes a lineItem and a result: run with --yes-write")
        return
    cid = str(room.klass["sourcedId"])
    li, res = f"openroster-check-{secrets.token_hex(4)}", f"openroster-check-{secrets.token_hex(4)}"
    announce(
        f"Grade Sync: writing lineItem {li} and result {res} in class {cid} (student {room.student}); "
        f"deleted again at the end."
    )
    now = datetime.now(UTC).replace(microsecond=0)
    try:
        _expect_gone(session, outcomes, GS_ABSENT, [f"/lineItems/{li}", f"/results/{res}"])
        put = session.put(
            f"/lineItems/{li}",
            {
                "lineItem": {
                    "sourcedId": li,
                    "title": f"GradeSync check - {_iso(now)}",
                    "description": "Temporary assignment written by openroster check",
                    "assignDate": _iso(now),
                    "dueDate": _iso(now + timedelta(days=7)),
                    "resultValueMin": 0.0,
                    "resultValueMax": 100.0,
                    "class": {"type": "class", "sourcedId": cid},
                    "gradingPeriod": {"type": "academicSession", "sourcedId": room.term},
                }
            },
        )
        outcomes.record(
            GS_PUT_LINEITEM,
            put.status == 201 and _echoed(put, "lineItem", li),
            put.request,
            f'201 with {{"lineItem": {{"sourcedId": "{li}", ...}}}}',
            put.answered(),
        )
        listed = session.get(Query(f"/classes/{cid}/lineitems", where=where(sourcedId=li)))
        _listed(outcomes, listed, "lineItems", li)
        put = session.put(
            f"/results/{res}",
            {
                "result": {
                    "sourcedId": res,
                    "score": 87.5,
                    "lineItem": {"sourcedId": li},
                    "student": {"sourcedId": room.student},
                    "scoreDate": _iso(now),
                    "scoreStatus": "fully graded",
                }
            },
        )
        outcomes.record(
            GS_PUT_RESULT,
            put.status == 201 and _echoed(put, "result", res),
            put.request,
            f'201 with {{"result": {{"sourcedId": "{res}", ...}}}}',
            put.answered(),
        )
        _listed(outcomes, session.get(Query(f"/classes/{cid}/lineItems/{li}/results")), "results", res)
        _listed(
            outcomes,
            session.get(Query(f"/classes/{cid}/students/{room.student}/results", where=where(sourcedId=res))),
            "results",
            res,
        )
    finally:
        for path in (f"/results/{res}", f"/lineitems/{li}"):
            gone = session.delete(path)
            outcomes.record(GS_DELETE, gone.status == 204, gone.request, "204", gone.answered())
        _expect_gone(session, outcomes, GS_DELETE, [f"/lineItems/{li}", f"/results/{res}"])


def _listed(outcomes: Outcomes, exchange: Exchange, key: str, sid: str) -> None:
    body = exchange.json()
    ok = (
        exchange.status == 200
        and isinstance(body, dict)
        and list(body) == [key]
        and isinstance(body[key], list)
        and [r.get("sourcedId") for r in body[key] if isinstance(r, dict)] == [sid]
    )
    outcomes.record(
        GS_LISTED,
        ok,
        exchange.request,
        f'200 with exactly {{"{key}": [{{"sourcedId": "{sid}"}}]}}',
        exchange.answered(),
    )


def google(session: Session, outcomes: Outcomes, *, writes: bool, announce: Announce) -> None:
    room = find_classroom(session, outcomes, G_READS)
    if room is None:
        return
    cid = str(room.klass["sourcedId"])
    reads = [
        (Query("/classes", limit=10000, where=where(sourcedId=cid)), "classes"),
        (Query(f"/terms/{room.term}/gradingPeriods", limit=10000), "academicSessions"),
        (Query("/categories", limit=10000), "categories"),
    ]
    for query, key in reads:
        page = read_page(session, query, key, outcomes)
        outcomes.record(G_READS, page is not None, session.url(query), f"200 with {key}", "unreadable")
    categories = session.get(Query(f"/classes/{cid}/categories", limit=10000))
    outcomes.record(
        G_CLASS_CATEGORIES,
        categories.status == 200,
        categories.request,
        "200 with categories",
        categories.answered(),
    )
    if not writes:
        for check in (G_CREATE, G_EDIT, G_EXTRA, G_EXEMPT, G_DELETE):
            outcomes.skip(check, "writes a lineItem and results: run with --yes-write")
        return
    li = f"openroster-check-{secrets.token_hex(4)}"
    graded, exempt = f"{li}-r1", f"{li}-r2"
    announce(
        f"Google: writing lineItem {li} and results {graded}, {exempt} in class {cid} (student "
        f"{room.student}); deleted again at the end."
    )
    item = {
        "sourcedId": li,
        "title": "Google Classroom check " + "x" * 200,
        "description": "",
        "assignDate": _iso(datetime.now(UTC)),
        "dueDate": _iso(datetime.now(UTC)),
        "class": {"sourcedId": cid},
        "gradingPeriod": {"sourcedId": room.term},
        "resultValueMin": 0,
        "resultValueMax": 100,
    }
    try:
        put = session.put(f"/lineItems/{li}", {"lineItem": item})
        outcomes.record(
            G_CREATE,
            put.status == 201 and _echoed(put, "lineItem", li),
            put.request,
            "201 with the lineItem",
            put.answered(),
        )
        edit = session.put(
            f"/lineItems/{li}", {"lineItem": {**item, "title": "Google Classroom check, edited"}}
        )
        outcomes.record(
            G_EDIT,
            edit.status == 200 and _field(edit, "lineItem", "title") == "Google Classroom check, edited",
            edit.request,
            "200 with the edited title",
            edit.answered(),
        )
        result = {
            "sourcedId": graded,
            "lineItem": {"sourcedId": li},
            "student": {"sourcedId": room.student},
            "score": 300,
            "scoreStatus": "fully graded",
            "comment": "",
            "scoreDate": _iso(datetime.now(UTC)),
        }
        put = session.put(f"/results/{graded}", {"result": result})
        outcomes.record(
            G_CREATE,
            put.status == 201 and _echoed(put, "result", graded),
            put.request,
            "201 with the result",
            put.answered(),
        )
        stored = session.get(Query(f"/results/{graded}"))
        outcomes.record(
            G_EXTRA,
            _number(_field(stored, "result", "score")) == 300.0,
            stored.request,
            "score 300",
            stored.answered(),
        )
        put = session.put(
            f"/results/{exempt}",
            {
                "result": {
                    "sourcedId": exempt,
                    "lineItem": {"sourcedId": li},
                    "student": {"sourcedId": room.student},
                    "scoreStatus": "exempt",
                    "scoreDate": _iso(datetime.now(UTC)),
                }
            },
        )
        outcomes.record(
            G_EXEMPT,
            put.status in (200, 201) and _echoed(put, "result", exempt),
            put.request,
            "201 with the exempt result",
            put.answered(),
        )
    finally:
        for path in (f"/results/{graded}", f"/results/{exempt}", f"/lineItems/{li}"):
            gone = session.delete(path)
            outcomes.record(
                G_DELETE, gone.status in (200, 204, 404), gone.request, "200 or 204", gone.answered()
            )
        for query, key, sid in (
            (Query(f"/classes/{cid}/lineItems", limit=10000), "lineItems", li),
            (Query(f"/classes/{cid}/results", limit=10000), "results", graded),
        ):
            left = _ids(session, outcomes, query, key)
            outcomes.record(
                G_DELETE,
                left is not None and sid not in left,
                session.url(query),
                f"{sid} gone from {key}",
                str(left),
            )
