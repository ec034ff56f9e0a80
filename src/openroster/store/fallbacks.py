"""Fill the references a write leaves out from the records they follow (catalogue.Field.fallback).

A lineItem written without a school (1.1 has none) is in its class's school; a result written
without a class is in its lineItem's class. The value is stored, so both versions, filters and
exports see one value; one given by the writer is kept as it is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from openroster.model.catalogue import ENTITIES, Entity
from openroster.store.schema import TABLES, column_of


def with_fallbacks(
    conn: sa.Connection, entity: Entity, records: Sequence[Mapping[str, Any]]
) -> Sequence[Mapping[str, Any]]:
    """`records`, each missing fallback reference filled from the record it follows (when stored)."""
    fields = [f for f in entity.every_field if f.fallback is not None]
    if not fields:
        return records
    out = [dict(r) for r in records]
    for field in fields:
        assert field.fallback is not None
        via = entity.field(field.fallback)
        assert via.ref is not None
        target = ENTITIES[via.ref]
        wanted = sorted({r[via.name] for r in out if r.get(field.name) is None and r.get(via.name)})
        if not wanted:
            continue
        table = TABLES[target.name].main
        query = sa.select(table.c.sourced_id, column_of(target, target.field(field.name))).where(
            table.c.sourced_id.in_(sa.bindparam("ids", expanding=True))
        )
        found: dict[str, Any] = {row[0]: row[1] for row in conn.execute(query, {"ids": wanted})}
        for record in out:
            filled = found.get(record.get(via.name) or "")
            if record.get(field.name) is None and filled is not None:
                record[field.name] = filled
    return out
