"""Gradebook writes: PUT is an upsert by sourcedId, DELETE leaves a tombstone (lineItems take their results along).

Both versions write through here; a 1.2 write says which fields 1.2 requires (`required`).

What real clients send is accepted: a lineItem without `category` gets the default category,
one without `gradingPeriod` gets its class's first term (Microsoft sends a term there anyway),
a result without `scoreDate` gets the time of the write. Every reference must name an active
record the client may see; otherwise nothing is written and each bad field is named.

A client limited to some orgs writes only what it owns (boundaries.py). A record it may not
write answers as one that does not exist: DELETE 404, a reference "no category with sourcedId";
a PUT to a sourcedId another record holds is IdInUse, whatever that record is, since sourcedIds
are unique across the district.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from openroster.errors import IdInUse, InvalidContent
from openroster.model.catalogue import DEFAULT_CATEGORY_ID, ENTITIES, METADATA, Entity, Kind
from openroster.model.values import format_datetime
from openroster.store.boundaries import inside, roots, writable
from openroster.store.dialects import lock_record
from openroster.store.fallbacks import with_fallbacks
from openroster.store.schema import TABLES, category_orgs, column_of
from openroster.store.writes import apply, tombstone

DEFAULT_CATEGORY = {"sourcedId": DEFAULT_CATEGORY_ID, "title": "Uncategorized"}
# How long an API write waits for the store (an import holds SQLite's write lock for minutes).
API_WRITE_WAIT_MS = 2000
# Required fields a PUT may leave out because `_defaults` fills them in.
DEFAULTED_ON_PUT = {
    "lineItem": ("category", "gradingPeriod"),
    "result": ("scoreDate",),
    "assessmentResult": ("scoreDate",),
}
# Deleting a record of the key deletes the active records of (entity, field) that point at it.
CASCADES = {
    "lineItem": ("result", "lineItem"),
    "assessmentLineItem": ("assessmentResult", "assessmentLineItem"),
}


@dataclass(frozen=True)
class PutOutcome:
    created: bool  # the record did not exist for clients before (new, or a deleted one revived)
    doc: bytes


def _active(conn: sa.Connection, entity_name: str, sourced_id: str, boundary: Collection[str] | None) -> bool:
    table = TABLES[entity_name].main
    where = [table.c.sourced_id == sourced_id, table.c.status == "active"]
    if boundary is not None:
        where.append(inside(entity_name, boundary))
    return conn.execute(sa.select(sa.literal(1)).where(*where)).first() is not None


def _writable(conn: sa.Connection, entity_name: str, sourced_id: str, boundary: Collection[str]) -> bool:
    table = TABLES[entity_name].main
    return (
        conn.execute(
            sa.select(sa.literal(1)).where(table.c.sourced_id == sourced_id, writable(entity_name, boundary))
        ).first()
        is not None
    )


def _defaults(conn: sa.Connection, entity: Entity, record: dict[str, Any], now_ms: int) -> None:
    if entity.name == "lineItem":
        if "category" not in record:
            # Created, or brought back, only when missing: a write must not undo an edit of it.
            if not _active(conn, "category", DEFAULT_CATEGORY_ID, None):
                apply(conn, ENTITIES["category"], [DEFAULT_CATEGORY], {}, now_ms, tombstone_missing=False)
            record["category"] = DEFAULT_CATEGORY["sourcedId"]
        if "gradingPeriod" not in record and "class" in record:
            terms = TABLES["class"].lists["terms"]
            first = conn.execute(
                sa.select(terms.c.value)
                .where(terms.c.owner == record["class"])
                .order_by(terms.c.position)
                .limit(1)
            ).scalar()
            if first is not None:
                record["gradingPeriod"] = first
    if entity.name in ("result", "assessmentResult"):
        record.setdefault("scoreDate", now_ms)


def _check(
    conn: sa.Connection,
    entity: Entity,
    record: Mapping[str, Any],
    boundary: Collection[str] | None,
    problems: dict[str, str],
    required: Collection[str] | None,
) -> None:
    """Add missing required fields, references to nothing and inconsistent values to `problems`.

    `required`: the fields the version written through requires (None: the catalogue's).
    """
    for field in entity.every_field:
        if field.derived is not None or field.name in problems:
            continue
        if field.fallback is not None and field.fallback in problems:
            continue  # filled from that field, the one the client is to fix: naming it would tell what it holds
        value = record.get(field.name)
        if value is None or value == "" or value == []:
            # gradingPeriod and fallbacks come from another field: only that one is the client's to fix.
            source = "class" if field.name == "gradingPeriod" else field.fallback
            needed = field.required if required is None else field.name in required
            if needed and not (source is not None and source in problems):
                problems[field.name] = "is required"
            continue
        if field.kind is Kind.REF and field.ref and not _active(conn, field.ref, value, boundary):
            problems[field.name] = f"no {field.ref} with sourcedId '{value}'"
    _check_fallbacks(conn, entity, record, problems)
    if entity.name == "lineItem":
        _check_line_item(record, problems)
    elif entity.name == "result" and not problems.keys() & {"lineItem", "student"}:
        _check_student(conn, record, problems)
    elif entity.name == "category":
        class_id = (record.get(METADATA) or {}).get("classId")
        if class_id is not None and not _active(conn, "class", class_id, boundary):
            problems["metadata.classId"] = f"no class with sourcedId '{class_id}'"


def _check_fallbacks(
    conn: sa.Connection, entity: Entity, record: Mapping[str, Any], problems: dict[str, str]
) -> None:
    """A reference given that has a fallback must agree with it: a lineItem's school is its class's."""
    for field in entity.every_field:
        via_id = record.get(field.fallback or "")
        if field.fallback is None or field.name in problems or field.fallback in problems or not via_id:
            continue
        via = entity.field(field.fallback)
        assert via.ref is not None
        target = ENTITIES[via.ref]
        table = TABLES[target.name].main
        expected = conn.execute(
            sa.select(column_of(target, target.field(field.name))).where(table.c.sourced_id == via_id)
        ).scalar()
        if expected is not None and record.get(field.name) != expected:
            problems[field.name] = (
                f"'{record.get(field.name)}' is not the {field.name} of {via.name} '{via_id}', which is '{expected}'"
            )


def _check_line_item(record: Mapping[str, Any], problems: dict[str, str]) -> None:
    assign, due = record.get("assignDate"), record.get("dueDate")
    if (
        assign is not None
        and due is not None
        and due < assign
        and not problems.keys() & {"assignDate", "dueDate"}
    ):
        problems["dueDate"] = f"{format_datetime(due)} is before assignDate {format_datetime(assign)}"
    low, high = record.get("resultValueMin"), record.get("resultValueMax")
    if (
        low is not None
        and high is not None
        and high < low
        and not problems.keys() & {"resultValueMin", "resultValueMax"}
    ):
        problems["resultValueMax"] = f"{high:g} is less than resultValueMin {low:g}"


def _check_student(conn: sa.Connection, record: Mapping[str, Any], problems: dict[str, str]) -> None:
    """A result's student must be a student enrolled (actively, as a student) in the lineItem's class."""
    student = record["student"]
    users = TABLES["user"].main
    role = conn.execute(sa.select(users.c.role).where(users.c.sourced_id == student)).scalar()
    if role != "student":
        problems["student"] = f"'{student}' is a user with role {role}, not a student"
        return
    items, enrollments = TABLES["lineItem"].main, TABLES["enrollment"].main
    class_id = conn.execute(
        sa.select(items.c.class_sourced_id).where(items.c.sourced_id == record["lineItem"])
    ).scalar()
    enrolled = conn.execute(
        sa.select(sa.literal(1)).where(
            enrollments.c.user_sourced_id == student,
            enrollments.c.class_sourced_id == class_id,
            enrollments.c.role == "student",
            enrollments.c.status == "active",
        )
    ).first()
    if enrolled is None:
        problems["student"] = (
            f"'{student}' is not enrolled as a student in class '{class_id}' (the lineItem's class)"
        )


def _refuse_taken(
    conn: sa.Connection, entity: Entity, sourced_id: str, exists: bool, boundary: Collection[str]
) -> None:
    """IdInUse when a limited client may not take `sourced_id`; one answer whatever holds it."""
    reserved = entity.name == "category" and sourced_id == DEFAULT_CATEGORY_ID
    if reserved or (exists and not _writable(conn, entity.name, sourced_id, boundary)):
        raise IdInUse(
            f"sourcedId '{sourced_id}' is not available to this client: sourcedIds are unique "
            f"across the district; choose another (a GUID)"
        )


def _set_category_orgs(
    conn: sa.Connection, sourced_id: str, created: bool, boundary: Collection[str] | None
) -> None:
    """A category a limited client writes belongs to that client's orgs; a new one starts afresh."""
    if created:
        conn.execute(category_orgs.delete().where(category_orgs.c.category_sourced_id == sourced_id))
    if boundary is None:
        return
    owned = set(
        conn.execute(
            sa.select(category_orgs.c.org_sourced_id).where(category_orgs.c.category_sourced_id == sourced_id)
        ).scalars()
    )
    missing = [org for org in roots(conn, boundary) if org not in owned]
    if missing:
        conn.execute(
            category_orgs.insert(),
            [{"category_sourced_id": sourced_id, "org_sourced_id": org} for org in missing],
        )


def put(
    conn: sa.Connection,
    entity: Entity,
    sourced_id: str,
    record: dict[str, Any],
    *,
    boundary: Collection[str] | None,
    now_ms: int,
    problems: Mapping[str, str] = {},
    required: Collection[str] | None = None,
    document: str = "doc",
) -> PutOutcome:
    """Create or replace one record; InvalidContent (nothing written) when it cannot be stored.

    `problems` are those already found reading the body; all are reported together. `required`
    (None: the catalogue's) are the fields the version written through requires, `document` the
    stored document answered (doc, or doc_v12 for 1.2).
    """
    lock_record(conn, f"{entity.table}/{sourced_id}")
    table = TABLES[entity.name].main
    existing = conn.execute(sa.select(table.c.status).where(table.c.sourced_id == sourced_id)).scalar()
    if boundary is not None:
        _refuse_taken(conn, entity, sourced_id, existing is not None, boundary)
    record = dict(record, sourcedId=sourced_id)
    record.setdefault("status", "active")
    _defaults(conn, entity, record, now_ms)
    record = dict(with_fallbacks(conn, entity, [record])[0])
    found = dict(problems)
    _check(conn, entity, record, boundary, found, required)
    if found:
        raise InvalidContent(
            f"The {entity.single_key} cannot be stored: "
            + "; ".join(f"{name}: {message}" for name, message in sorted(found.items()))
        )
    apply(conn, entity, [record], {}, now_ms, tombstone_missing=False)
    if entity.name == "category":
        _set_category_orgs(conn, sourced_id, existing is None, boundary)
    doc = conn.execute(sa.select(table.c[document]).where(table.c.sourced_id == sourced_id)).scalar_one()
    return PutOutcome(existing is None or existing == "tobedeleted", doc)


def delete(
    conn: sa.Connection, entity: Entity, sourced_id: str, *, boundary: Collection[str] | None, now_ms: int
) -> bool:
    """Tombstone an active record (and, for a lineItem, its results); False if there is none.

    A limited client deletes only what it may write; anything else is "none" to it.
    """
    lock_record(conn, f"{entity.table}/{sourced_id}")
    if not _active(conn, entity.name, sourced_id, None) or (
        boundary is not None and not _writable(conn, entity.name, sourced_id, boundary)
    ):
        return False
    tombstone(conn, entity, [sourced_id], now_ms)
    if entity.name in CASCADES:
        name, field = CASCADES[entity.name]
        dependents = ENTITIES[name]
        table = TABLES[name].main
        ids = list(
            conn.execute(
                sa.select(table.c.sourced_id).where(
                    column_of(dependents, dependents.field(field)) == sourced_id, table.c.status == "active"
                )
            ).scalars()
        )
        tombstone(conn, dependents, ids, now_ms)
    return True
