"""Write records as diffs: columns, list rows, document and content hash always change together.

A record whose document (apart from dateLastModified) is unchanged is not touched, so its
dateLastModified stays honest; a changed or new record gets the write's time (or a newer one
the source gives; on the first load of an empty table, the source's own time); a record that
disappears becomes a `tobedeleted` tombstone with a new dateLastModified. Every write
transaction bumps the data revision, and keeps the record counts (counts.py) with its rows.

An import's records come in batches (`apply_batches`), each compared with the stored content
hashes of its own sourcedIds only; a single write is one batch (`apply`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Container, Iterable, Iterator, Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from itertools import islice
from typing import Any, NamedTuple

import orjson
import sqlalchemy as sa

from openroster.model.catalogue import METADATA, Entity
from openroster.model.derived import DerivedLists, for_record
from openroster.model.documents import both_hash, render_documents
from openroster.model.render import content_hash, stamp
from openroster.model.roles import OrgType
from openroster.model.values import format_datetime
from openroster.store.counts import adjust_counts
from openroster.store.dialects import indexes_built_after, insert_rows
from openroster.store.fallbacks import with_fallbacks
from openroster.store.list_rows import element_rows, value_columns
from openroster.store.schema import TABLES, store_state

BATCH = 2000  # rows per INSERT, sourcedIds per IN (...)
_ID_ROWS = 20_000  # sourcedIds fetched at a time when scanning a table


@dataclass
class WriteCounts:
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    tombstoned: int = 0


class _Stored(NamedTuple):
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
    updated = conn.execute(
        store_state.update().where(store_state.c.key == "revision").values(value=store_state.c.value + 1)
    )
    if updated.rowcount == 0:
        conn.execute(store_state.insert().values(key="revision", value=1))


def revision(conn: sa.Connection) -> int:
    value = conn.execute(sa.select(store_state.c.value).where(store_state.c.key == "revision")).scalar()
    return int(value or 0)


def _in(column: sa.ColumnElement[Any]) -> sa.ColumnElement[bool]:
    """`column IN (:ids)`, the list given when executing (cheaper than a literal list of thousands)."""
    return column.in_(sa.bindparam("ids", expanding=True))


def _stored_state(conn: sa.Connection, entity: Entity, ids: Sequence[str]) -> dict[str, _Stored]:
    table = TABLES[entity.name].main
    query = sa.select(
        table.c.sourced_id,
        table.c.content_hash,
        table.c.status,
        table.c.date_last_modified,
        table.c.first_seen_ms,
    ).where(_in(table.c.sourced_id))
    return {
        row[0]: _Stored(*row[1:])
        for batch in _batches(ids)
        for row in conn.execute(query, {"ids": batch}).all()
    }


_BASE_COLUMNS = (
    "sourced_id",
    "status",
    "date_last_modified",
    "doc",
    "doc_v12",
    "content_hash",
    "first_seen_ms",
    "metadata",
)


class _Columns(NamedTuple):
    """The order in which the values of an entity's rows are given to the database."""

    main: tuple[str, ...]  # columns of the main table
    scalars: tuple[str, ...]  # field names whose values follow those of _BASE_COLUMNS
    lists: dict[str, tuple[str, ...]]  # list field name -> columns of its child table


def _columns(entity: Entity) -> _Columns:
    scalars = [
        f
        for f in entity.stored_fields
        if not f.is_list and f.name not in ("sourcedId", "status", "dateLastModified")
    ]
    lists: dict[str, tuple[str, ...]] = {
        f.name: ("owner", "position", *value_columns(f.kind)) for f in entity.stored_fields if f.is_list
    }
    return _Columns(_BASE_COLUMNS + tuple(f.column for f in scalars), tuple(f.name for f in scalars), lists)


def _main_row(
    scalars: tuple[str, ...],
    record: Mapping[str, Any],
    docs: tuple[bytes, bytes | None],
    digest: str,
    dlm: int,
    first_seen: int,
) -> tuple[Any, ...]:
    metadata = record.get(METADATA)
    return (
        record["sourcedId"],
        record["status"],
        dlm,
        *docs,
        digest,
        first_seen,
        orjson.dumps(metadata).decode() if metadata else None,
        *map(record.get, scalars),
    )


def _list_rows(entity: Entity, records: Sequence[Mapping[str, Any]], name: str) -> Iterator[tuple[Any, ...]]:
    kind = entity.field(name).kind
    for record in records:
        owner = record["sourcedId"]
        for position, columns in enumerate(element_rows(kind, record.get(name) or ())):
            yield owner, position, *columns


def _delete(conn: sa.Connection, entity: Entity, ids: Sequence[str]) -> None:
    tables = TABLES[entity.name]
    for batch in _batches(ids):
        for child in tables.lists.values():
            conn.execute(child.delete().where(_in(child.c.owner)), {"ids": batch})
        conn.execute(tables.main.delete().where(_in(tables.main.c.sourced_id)), {"ids": batch})


def apply(
    conn: sa.Connection,
    entity: Entity,
    incoming: Iterable[Mapping[str, Any]],
    derived: DerivedLists,
    now_ms: int,
    *,
    tombstone_missing: bool,
) -> WriteCounts:
    """Bring stored records of `entity` in line with `incoming` (see the module docstring).

    `tombstone_missing`: stored active records absent from `incoming` become tombstones (a bulk
    file); otherwise records not in `incoming` are left alone (a delta, or a single PUT).
    """
    records = list(incoming)
    present = {r["sourcedId"] for r in records} if tombstone_missing else None
    return apply_batches(conn, entity, [records], derived, now_ms, present=present)


def apply_batches(
    conn: sa.Connection,
    entity: Entity,
    batches: Iterable[Sequence[Mapping[str, Any]]],
    derived: DerivedLists,
    now_ms: int,
    *,
    present: Container[str] | None,
    bulk: bool = False,
) -> WriteCounts:
    """`apply` for records given in batches, so that they need not all be in memory at once.

    The sourcedIds of all batches must differ. `present`, for a bulk file, holds the sourcedIds of
    every incoming record: stored active records not in it become tombstones once every batch is
    written. None leaves records not in `incoming` alone. `bulk` (an import's many records): into
    an empty table, rows go in without secondary indexes, which are built once at the end.
    """
    write = _EntityWrite(conn, entity, derived, now_ms)
    with indexes_built_after(conn, write.tables.all) if bulk and write.first_load else nullcontext():
        for batch in batches:
            write.batch(batch)
    if present is not None and not write.first_load:  # on a first load, everything stored is present
        write.tombstone_missing(present)
    if write.wrote or write.counts.tombstoned:
        bump_revision(conn)
    return write.counts


class _EntityWrite:
    """The writes of one entity's records, batch by batch."""

    def __init__(self, conn: sa.Connection, entity: Entity, derived: DerivedLists, now_ms: int) -> None:
        self.conn, self.entity, self.derived, self.now_ms = conn, entity, derived, now_ms
        self.tables = TABLES[entity.name]
        self.columns = _columns(entity)
        self.counts = WriteCounts()
        self.wrote = False
        # A source's own dateLastModified is kept only when first loading an empty store: after
        # that, a new record must not carry a time before this write, or a consumer whose last
        # delta pull came in between would never see it. Decided once, before the first batch.
        main = self.tables.main
        self.first_load = conn.execute(sa.select(main.c.sourced_id).limit(1)).first() is None

    def batch(self, incoming: Sequence[Mapping[str, Any]]) -> None:
        entity, derived, now_ms, first_load, counts = (
            self.entity,
            self.derived,
            self.now_ms,
            self.first_load,
            self.counts,
        )
        # On a first load nothing is stored but what earlier batches wrote, under other sourcedIds.
        stored = {} if first_load else _stored_state(self.conn, entity, [r["sourcedId"] for r in incoming])
        incoming = with_fallbacks(self.conn, entity, incoming)
        rows, written = [], []
        org_type = org_types(self.conn, entity, incoming)
        for record in incoming:
            record = dict(record, status=record.get("status") or "active")
            epoch_doc, epoch_doc_v12, digest = render_documents(
                entity, record, for_record(derived, record["sourcedId"]), org_type
            )
            old = stored.get(record["sourcedId"])
            if old is not None and old.content_hash == digest:
                counts.unchanged += 1
                continue
            given = record.get("dateLastModified")
            dlm = given if first_load and given is not None else max(now_ms, given or 0)
            first_seen = now_ms if old is None else old.first_seen_ms
            # Counted as `openroster changes` counts them: a written tobedeleted row is a tombstone.
            if record["status"] == "tobedeleted":
                counts.tombstoned += 1
            elif old is None:
                counts.created += 1
            else:
                counts.changed += 1
            docs = (stamp(epoch_doc, dlm), None if epoch_doc_v12 is None else stamp(epoch_doc_v12, dlm))
            rows.append(_main_row(self.columns.scalars, record, docs, digest, dlm, first_seen))
            written.append(record)
        if not rows:
            return
        self.wrote = True
        conn, tables, columns = self.conn, self.tables, self.columns
        replaced = [r["sourcedId"] for r in written if r["sourcedId"] in stored]
        adjust_counts(conn, tables.main, _status_changes(written, [stored[i] for i in replaced]))
        _delete(conn, entity, replaced)
        for batch in _batches(rows):
            insert_rows(conn, tables.main, columns.main, batch)
        for name, child in tables.lists.items():
            for batch in _batches(_list_rows(entity, written, name)):
                insert_rows(conn, child, columns.lists[name], batch)

    def tombstone_missing(self, present: Container[str]) -> None:
        """Tombstone the stored active records whose sourcedIds are not in `present`."""
        main = self.tables.main
        active = self.conn.execute(
            sa.select(main.c.sourced_id)
            .where(main.c.status == "active")
            .execution_options(yield_per=_ID_ROWS)
        )
        gone = [sourced_id for sourced_id in active.scalars() if sourced_id not in present]
        self.counts.tombstoned += tombstone(self.conn, self.entity, gone, self.now_ms)


def _tombstoned(doc: bytes) -> bytes:
    """A stored document (of either version) as a tombstone, dateLastModified at the epoch."""
    data = orjson.loads(doc)
    data["status"] = "tobedeleted"
    data["dateLastModified"] = format_datetime(0)
    return orjson.dumps(data)


def org_types(conn: sa.Connection, entity: Entity, records: Sequence[Mapping[str, Any]]) -> OrgType:
    """The types of the orgs 1.2 user documents need (administrators' roles depend on them)."""
    wanted = (
        {org for r in records if r.get("role") == "administrator" for org in r.get("orgs") or ()}
        if entity.name == "user"
        else set()
    )
    orgs = TABLES["org"].main
    types: dict[str, str | None] = {}
    for batch in _batches(sorted(wanted)):
        query = sa.select(orgs.c.sourced_id, orgs.c.type).where(_in(orgs.c.sourced_id))
        types.update((row[0], row[1]) for row in conn.execute(query, {"ids": batch}))
    return types.get


def tombstone(conn: sa.Connection, entity: Entity, ids: Sequence[str], now_ms: int) -> int:
    """Mark active records `tobedeleted` with a new dateLastModified, keeping their last content."""
    table = TABLES[entity.name].main
    count = 0
    for batch in _batches(ids):
        rows = conn.execute(
            sa.select(table.c.sourced_id, table.c.doc, table.c.doc_v12).where(
                _in(table.c.sourced_id), table.c.status == "active"
            ),
            {"ids": batch},
        ).all()
        for sourced_id, doc, doc_v12 in rows:
            epoch_doc = _tombstoned(doc)
            epoch_doc_v12 = None if doc_v12 is None else _tombstoned(doc_v12)
            conn.execute(
                table.update()
                .where(table.c.sourced_id == sourced_id)
                .values(
                    status="tobedeleted",
                    date_last_modified=now_ms,
                    doc=stamp(epoch_doc, now_ms),
                    doc_v12=None if epoch_doc_v12 is None else stamp(epoch_doc_v12, now_ms),
                    content_hash=both_hash(content_hash(epoch_doc), epoch_doc_v12),
                )
            )
            count += 1
    if count:
        adjust_counts(conn, table, {"active": -count, "tobedeleted": count})
        bump_revision(conn)
    return count


def _status_changes(written: Sequence[Mapping[str, Any]], replaced: Sequence[_Stored]) -> Counter[str]:
    """Rows per status a batch adds (its records) and takes away (the stored rows they replace)."""
    changes = Counter(record["status"] for record in written)
    changes.subtract(old.status for old in replaced)
    return changes
