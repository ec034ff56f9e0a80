"""Write records: columns, list rows and the rendered document, always together."""

from __future__ import annotations

from itertools import islice
from typing import Any, Iterable, Iterator, Mapping, Sequence

import orjson
import sqlalchemy as sa

from openroster.model.catalogue import METADATA, Entity, Kind
from openroster.model.derived import DerivedLists, for_record
from openroster.model.render import render
from openroster.store.schema import TABLES

BATCH = 5000


def _batches(rows: Iterable[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, BATCH)):
        yield batch


def complete(record: Mapping[str, Any], now_ms: int) -> dict[str, Any]:
    """The record as served: status defaults to active, dateLastModified to `now_ms`."""
    full = dict(record)
    if not full.get("status"):
        full["status"] = "active"
    if full.get("dateLastModified") is None:
        full["dateLastModified"] = now_ms
    return full


def _main_row(entity: Entity, record: Mapping[str, Any], doc: bytes) -> dict[str, Any]:
    row: dict[str, Any] = {
        "sourced_id": record["sourcedId"],
        "status": record["status"],
        "date_last_modified": record["dateLastModified"],
        "doc": doc,
        "metadata": orjson.dumps(record[METADATA]).decode() if record.get(METADATA) else None,
    }
    for field in entity.stored_fields:
        if not field.is_list and field.name not in ("sourcedId", "status", "dateLastModified"):
            row[field.column] = record.get(field.name)
    return row


def _list_rows(entity: Entity, records: Sequence[Mapping[str, Any]], name: str) -> Iterator[dict[str, Any]]:
    kind = entity.by_name[name].kind
    for record in records:
        for position, value in enumerate(record.get(name) or ()):
            row = {"owner": record["sourcedId"], "position": position}
            if kind is Kind.USER_IDS:
                row.update(type=value["type"], identifier=value["identifier"])
            else:
                row["value"] = value
            yield row


def replace_all(conn: sa.Connection, entity: Entity, records: Sequence[Mapping[str, Any]],
                derived: DerivedLists, now_ms: int) -> list[dict[str, Any]]:
    """Replace every stored record of `entity` with `records`; returns them as stored."""
    tables = TABLES[entity.name]
    for child in tables.lists.values():
        conn.execute(child.delete())
    conn.execute(tables.main.delete())
    stored = [complete(r, now_ms) for r in records]
    rows = (_main_row(entity, r, render(entity, r, for_record(derived, r["sourcedId"]))) for r in stored)
    for batch in _batches(rows):
        conn.execute(tables.main.insert(), batch)
    for name, child in tables.lists.items():
        for batch in _batches(_list_rows(entity, stored, name)):
            conn.execute(child.insert(), batch)
    return stored
