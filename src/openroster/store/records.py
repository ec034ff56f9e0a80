"""Load stored records back from columns and list rows (for export and for re-rendering)."""

from __future__ import annotations

from typing import Any

import orjson
import sqlalchemy as sa

from openroster.model.catalogue import METADATA, Entity, Kind
from openroster.store.schema import TABLES


def has_records(conn: sa.Connection) -> bool:
    """Whether the store holds any OneRoster record at all."""
    return any(conn.execute(sa.select(t.main.c.sourced_id).limit(1)).first() for t in TABLES.values())


def stored_ids(conn: sa.Connection, entity: Entity) -> set[str]:
    table = TABLES[entity.name].main
    return set(conn.execute(sa.select(table.c.sourced_id)).scalars())


def load_records(conn: sa.Connection, entity: Entity) -> list[dict[str, Any]]:
    """Every stored record of `entity`, ordered by sourcedId, in the record representation."""
    tables = TABLES[entity.name]
    lists: dict[str, dict[str, list[Any]]] = {}
    for name, child in tables.lists.items():
        grouped: dict[str, list[Any]] = {}
        for row in conn.execute(sa.select(child).order_by(child.c.owner, child.c.position)).mappings():
            if entity.by_name[name].kind is Kind.USER_IDS:
                value: Any = {"type": row["type"], "identifier": row["identifier"]}
            else:
                value = row["value"]
            grouped.setdefault(row["owner"], []).append(value)
        lists[name] = grouped

    records = []
    main = tables.main
    for row in conn.execute(sa.select(main).order_by(main.c.sourced_id)).mappings():
        record: dict[str, Any] = {
            "sourcedId": row["sourced_id"], "status": row["status"],
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
            elif row[field.column] is not None:
                record[field.name] = row[field.column]
        records.append(record)
    return records
