"""Load stored records back from columns and list rows (for export and for re-rendering)."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from typing import Any

import orjson
import sqlalchemy as sa

from openroster.model.catalogue import METADATA, Entity
from openroster.store.list_rows import from_rows
from openroster.store.schema import TABLES


def has_records(conn: sa.Connection) -> bool:
    """Whether the store holds any OneRoster record at all."""
    return any(conn.execute(sa.select(t.main.c.sourced_id).limit(1)).first() for t in TABLES.values())


def each_stored_id(conn: sa.Connection, entity: Entity) -> Iterator[str]:
    """The sourcedIds of every stored record of `entity`, read a few thousand at a time."""
    table = TABLES[entity.name].main
    yield from conn.execute(sa.select(table.c.sourced_id).execution_options(yield_per=20_000)).scalars()


def load_records(conn: sa.Connection, entity: Entity) -> list[dict[str, Any]]:
    """Every stored record of `entity`, ordered by sourcedId, in the record representation."""
    return [record for batch in record_batches(conn, entity) for record in batch]


def record_batches(
    conn: sa.Connection, entity: Entity, size: int = 5000, *, columns: Collection[str] | None = None
) -> Iterator[list[dict[str, Any]]]:
    """Every stored record of `entity` as `load_records` gives them, `size` at a time.

    Each batch is read by its own queries, so the records of a batch may be written back before
    the next one is read. `columns` limits what is read to the main table's columns named (a
    migration reads a table as it was then, before later migrations added columns).
    """
    main = TABLES[entity.name].main
    read = main.c if columns is None else [c for c in main.c if c.name in columns]
    after: str | None = None
    while True:
        query = sa.select(*read).order_by(main.c.sourced_id).limit(size)
        if after is not None:
            query = query.where(main.c.sourced_id > after)
        rows = conn.execute(query).mappings().all()
        if not rows:
            return
        last = rows[-1]["sourced_id"]
        lists = _list_values(conn, entity, after, last)
        yield [_record(entity, row, lists) for row in rows]
        if len(rows) < size:
            return
        after = last


def records_by_id(conn: sa.Connection, entity: Entity, ids: Sequence[str]) -> list[dict[str, Any]]:
    """The stored records of `entity` with these sourcedIds (those stored), as `load_records` gives them."""
    main = TABLES[entity.name].main
    wanted: sa.BindParameter[Any] = sa.bindparam("ids", expanding=True)
    rows = conn.execute(sa.select(main).where(main.c.sourced_id.in_(wanted)), {"ids": list(ids)}).mappings()
    lists: dict[str, dict[str, list[Any]]] = {}
    for name, child in TABLES[entity.name].lists.items():
        query = sa.select(child).where(child.c.owner.in_(wanted)).order_by(child.c.owner, child.c.position)
        owned: dict[str, list[Any]] = {}
        for row in conn.execute(query, {"ids": list(ids)}).mappings():
            owned.setdefault(row["owner"], []).append(row)
        kind = entity.field(name).kind
        lists[name] = {owner: from_rows(kind, elements) for owner, elements in owned.items()}
    return [_record(entity, row, lists) for row in rows]


def _list_values(
    conn: sa.Connection, entity: Entity, after: str | None, last: str
) -> dict[str, dict[str, list[Any]]]:
    """field name -> owner -> values, for the owners in (after, last]."""
    lists: dict[str, dict[str, list[Any]]] = {}
    for name, child in TABLES[entity.name].lists.items():
        query = sa.select(child).where(child.c.owner <= last).order_by(child.c.owner, child.c.position)
        if after is not None:
            query = query.where(child.c.owner > after)
        rows: dict[str, list[Any]] = {}
        for row in conn.execute(query).mappings():
            rows.setdefault(row["owner"], []).append(row)
        kind = entity.field(name).kind
        lists[name] = {owner: from_rows(kind, owned) for owner, owned in rows.items()}
    return lists


def _record(entity: Entity, row: sa.RowMapping, lists: dict[str, dict[str, list[Any]]]) -> dict[str, Any]:
    record: dict[str, Any] = {
        "sourcedId": row["sourced_id"],
        "status": row["status"],
        "dateLastModified": row["date_last_modified"],
    }
    if row["metadata"]:
        record[METADATA] = orjson.loads(row["metadata"])
    for field in entity.stored_fields:
        if field.name in record:
            continue
        if field.is_list:
            values = lists[field.name].get(record["sourcedId"])
            if values:
                record[field.name] = values
        elif row.get(field.column) is not None:
            record[field.name] = row[field.column]
    return record
