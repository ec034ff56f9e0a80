"""Gradebook writes: PUT is an upsert by sourcedId, DELETE leaves a tombstone (lineItems take their results along).

What real clients send is accepted: a lineItem without `category` gets the default category,
one without `gradingPeriod` gets its class's first term (Microsoft sends a term there anyway),
a result without `scoreDate` gets the time of the write. Every reference must name an active
record the client may see; otherwise nothing is written and each bad field is named.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Collection, Mapping

import sqlalchemy as sa

from openroster.errors import InvalidContent
from openroster.model.catalogue import DEFAULT_CATEGORY_ID, ENTITIES, Entity, Kind
from openroster.store.boundaries import inside
from openroster.store.dialects import lock_record
from openroster.store.schema import TABLES, column_of
from openroster.store.writes import apply, tombstone

DEFAULT_CATEGORY = {"sourcedId": DEFAULT_CATEGORY_ID, "title": "Uncategorized"}
# Required fields a PUT may leave out because `_defaults` fills them in.
DEFAULTED_ON_PUT = {"lineItem": ("category", "gradingPeriod"), "result": ("scoreDate",)}


@dataclass(frozen=True)
class PutOutcome:
    created: bool  # the record did not exist for clients before (new, or a deleted one revived)
    doc: bytes


def _active(conn: sa.Connection, entity_name: str, sourced_id: str,
            boundary: Collection[str] | None) -> bool:
    table = TABLES[entity_name].main
    where = [table.c.sourced_id == sourced_id, table.c.status == "active"]
    if boundary is not None:
        where.append(inside(entity_name, boundary))
    return conn.execute(sa.select(sa.literal(1)).where(*where)).first() is not None


def _defaults(conn: sa.Connection, entity: Entity, record: dict[str, Any], now_ms: int) -> None:
    if entity.name == "lineItem":
        if "category" not in record:
            apply(conn, ENTITIES["category"], [DEFAULT_CATEGORY], {}, now_ms, tombstone_missing=False)
            record["category"] = DEFAULT_CATEGORY["sourcedId"]
        if "gradingPeriod" not in record and "class" in record:
            terms = TABLES["class"].lists["terms"]
            first = conn.execute(sa.select(terms.c.value).where(terms.c.owner == record["class"])
                                 .order_by(terms.c.position).limit(1)).scalar()
            if first is not None:
                record["gradingPeriod"] = first
    if entity.name == "result":
        record.setdefault("scoreDate", now_ms)


def _check(conn: sa.Connection, entity: Entity, record: Mapping[str, Any],
           boundary: Collection[str] | None, problems: dict[str, str]) -> None:
    """Add missing required fields and references to nothing to `problems` (field -> message)."""
    for field in entity.fields:
        if field.derived is not None or field.name in problems:
            continue
        value = record.get(field.name)
        if value is None or value == "" or value == []:
            if field.required:
                problems[field.name] = "is required"
            continue
        # Categories belong to no org: any active one may be used.
        limit = None if field.ref == "category" else boundary
        if field.kind is Kind.REF and field.ref and not _active(conn, field.ref, value, limit):
            problems[field.name] = f"no {field.ref} with sourcedId '{value}'"


def put(conn: sa.Connection, entity: Entity, sourced_id: str, record: dict[str, Any], *,
        boundary: Collection[str] | None, now_ms: int, problems: Mapping[str, str] = {}) -> PutOutcome:
    """Create or replace one record; InvalidContent (nothing written) when it cannot be stored.

    `problems` are those already found reading the body; all are reported together.
    """
    lock_record(conn, f"{entity.table}/{sourced_id}")
    table = TABLES[entity.name].main
    existing = conn.execute(sa.select(table.c.status).where(table.c.sourced_id == sourced_id)).scalar()
    if existing is not None and boundary is not None and not conn.execute(sa.select(sa.literal(1)).where(
            table.c.sourced_id == sourced_id, inside(entity.name, boundary))).first():
        raise InvalidContent(f"sourcedId: {sourced_id} cannot be written by this client")
    record = dict(record, sourcedId=sourced_id)
    record.setdefault("status", "active")
    _defaults(conn, entity, record, now_ms)
    found = dict(problems)
    _check(conn, entity, record, boundary, found)
    if found:
        raise InvalidContent(f"The {entity.single_key} cannot be stored: "
                             + "; ".join(f"{name}: {message}" for name, message in sorted(found.items())))
    apply(conn, entity, [record], {}, now_ms, tombstone_missing=False)
    doc = conn.execute(sa.select(table.c.doc).where(table.c.sourced_id == sourced_id)).scalar_one()
    return PutOutcome(existing is None or existing == "tobedeleted", doc)


def delete(conn: sa.Connection, entity: Entity, sourced_id: str, *,
           boundary: Collection[str] | None, now_ms: int) -> bool:
    """Tombstone an active record (and, for a lineItem, its results); False if there is none."""
    lock_record(conn, f"{entity.table}/{sourced_id}")
    if not _active(conn, entity.name, sourced_id, boundary):
        return False
    tombstone(conn, entity, [sourced_id], now_ms)
    if entity.name == "lineItem":
        results = ENTITIES["result"]
        table = TABLES["result"].main
        ids = list(conn.execute(sa.select(table.c.sourced_id).where(
            column_of(results, results.by_name["lineItem"]) == sourced_id, table.c.status == "active")).scalars())
        tombstone(conn, results, ids, now_ms)
    return True
