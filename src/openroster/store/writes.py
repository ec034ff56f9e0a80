"""Write records as diffs: columns, list rows, document and content hash always change together.

A record whose document (apart from dateLastModified) is unchanged is not touched, so its
dateLastModified stays honest; a changed or new record gets the write's time (or a newer one
the source gives; on the first load of an empty table, the source's own time); a record that
disappears becomes a `tobedeleted` tombstone with a new dateLastModified. Every write
transaction bumps the data revision.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import islice
from typing import Any, Iterable, Iterator, Mapping, Sequence

import orjson
import sqlalchemy as sa

from openroster.model.catalogue import METADATA, Entity, Kind
from openroster.model.derived import DerivedLists, for_record
from openroster.model.render import content_hash, render_versioned, stamp
from openroster.model.values import format_datetime
from openroster.store.schema import TABLES, store_state

BATCH = 2000


@dataclass
class WriteCounts:
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    tombstoned: int = 0


@dataclass(frozen=True)
class _Stored:
    content_hash: str
    status: str
    date_last_modified: int
    first_seen_ms: int


def _batches(items: Iterable[Any], size: int = BATCH) -> Iterator[list[Any]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def bump_revision(conn: sa.Connection) -> None:
    """Mark that served data changed (readers compare X-Data-Revision between pages)."""
    updated = conn.execute(store_state.update().where(store_state.c.key == "revision")
                           .values(value=store_state.c.value + 1))
    if updated.rowcount == 0:
        conn.execute(store_state.insert().values(key="revision", value=1))


def revision(conn: sa.Connection) -> int:
    value = conn.execute(sa.select(store_state.c.value).where(store_state.c.key == "revision")).scalar()
    return int(value or 0)


def _stored_state(conn: sa.Connection, entity: Entity, ids: Sequence[str] | None) -> dict[str, _Stored]:
    table = TABLES[entity.name].main
    columns = (table.c.sourced_id, table.c.content_hash, table.c.status, table.c.date_last_modified,
               table.c.first_seen_ms)
    if ids is None:
        rows: Iterable[Any] = conn.execute(sa.select(*columns))
    else:
        rows = (row for batch in _batches(ids) for row in
                conn.execute(sa.select(*columns).where(table.c.sourced_id.in_(batch))))
    return {row[0]: _Stored(row[1], row[2], row[3], row[4]) for row in rows}


def _main_row(entity: Entity, record: Mapping[str, Any], doc: bytes, digest: str, dlm: int,
              first_seen: int) -> dict[str, Any]:
    row: dict[str, Any] = {
        "sourced_id": record["sourcedId"], "status": record["status"], "date_last_modified": dlm,
        "doc": doc, "content_hash": digest, "first_seen_ms": first_seen,
        "metadata": orjson.dumps(record[METADATA]).decode() if record.get(METADATA) else None,
    }
    for f in entity.stored_fields:
        if not f.is_list and f.name not in ("sourcedId", "status", "dateLastModified"):
            row[f.column] = record.get(f.name)
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


def _delete(conn: sa.Connection, entity: Entity, ids: Sequence[str]) -> None:
    tables = TABLES[entity.name]
    for batch in _batches(ids):
        for child in tables.lists.values():
            conn.execute(child.delete().where(child.c.owner.in_(batch)))
        conn.execute(tables.main.delete().where(tables.main.c.sourced_id.in_(batch)))


def apply(conn: sa.Connection, entity: Entity, incoming: Iterable[Mapping[str, Any]],
          derived: DerivedLists, now_ms: int, *, tombstone_missing: bool) -> WriteCounts:
    """Bring stored records of `entity` in line with `incoming` (see the module docstring).

    `tombstone_missing`: stored active records absent from `incoming` become tombstones (a bulk
    file); otherwise records not in `incoming` are left alone (a delta, or a single PUT).
    """
    counts = WriteCounts()
    records = list(incoming)
    stored = _stored_state(conn, entity, None if tombstone_missing else [r["sourcedId"] for r in records])
    table = TABLES[entity.name].main
    # A source's own dateLastModified is kept only when first loading an empty store: after
    # that, a new record must not carry a time before this write, or a consumer whose last
    # delta pull came in between would never see it.
    first_load = conn.execute(sa.select(table.c.sourced_id).limit(1)).first() is None
    rows, written = [], []
    for record in records:
        record = dict(record, status=record.get("status") or "active")
        epoch_doc, digest = render_versioned(entity, record, for_record(derived, record["sourcedId"]))
        old = stored.get(record["sourcedId"])
        if old is not None and old.content_hash == digest:
            counts.unchanged += 1
            continue
        given = record.get("dateLastModified")
        dlm = given if first_load and given is not None else max(now_ms, given or 0)
        if old is None:
            first_seen = now_ms
            counts.created += 1
        else:
            first_seen = old.first_seen_ms
            counts.changed += 1
        rows.append(_main_row(entity, record, stamp(epoch_doc, dlm), digest, dlm, first_seen))
        written.append(record)
    _delete(conn, entity, [r["sourcedId"] for r in written if r["sourcedId"] in stored])
    tables = TABLES[entity.name]
    for batch in _batches(rows):
        conn.execute(tables.main.insert(), batch)
    for name, child in tables.lists.items():
        for batch in _batches(_list_rows(entity, written, name)):
            conn.execute(child.insert(), batch)
    if tombstone_missing:
        present = {r["sourcedId"] for r in records}
        gone = [sid for sid, old in stored.items() if old.status == "active" and sid not in present]
        counts.tombstoned = tombstone(conn, entity, gone, now_ms)
    if rows or counts.tombstoned:
        bump_revision(conn)
    return counts


def tombstone(conn: sa.Connection, entity: Entity, ids: Sequence[str], now_ms: int) -> int:
    """Mark active records `tobedeleted` with a new dateLastModified, keeping their last content."""
    table = TABLES[entity.name].main
    count = 0
    for batch in _batches(ids):
        rows = conn.execute(sa.select(table.c.sourced_id, table.c.doc).where(
            table.c.sourced_id.in_(batch), table.c.status == "active")).all()
        for sourced_id, doc in rows:
            data = orjson.loads(doc)
            data["status"] = "tobedeleted"
            data["dateLastModified"] = format_datetime(0)
            epoch_doc = orjson.dumps(data)
            conn.execute(table.update().where(table.c.sourced_id == sourced_id).values(
                status="tobedeleted", date_last_modified=now_ms, doc=stamp(epoch_doc, now_ms),
                content_hash=content_hash(epoch_doc)))
            count += 1
    if count:
        bump_revision(conn)
    return count
