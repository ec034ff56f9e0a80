"""Put secret fields (users' passwords) back into stored documents, for the clients allowed them.

Stored documents leave secret fields out, so every other client's pages are served from the
stored bytes as they are; this costs one extra query per page, for allowed clients only.
"""

from __future__ import annotations

from collections.abc import Sequence

import orjson
import sqlalchemy as sa

from openroster.model.catalogue import Entity
from openroster.model.render import with_secrets
from openroster.store.schema import TABLES, column_of

_BATCH = 500  # ids per IN list


def reveal(conn: sa.Connection, entity: Entity, docs: Sequence[bytes]) -> list[bytes]:
    """`docs` (stored documents of `entity`) with their secret fields, read in the same snapshot."""
    fields = entity.secret_fields
    if not fields or not docs:
        return list(docs)
    table = TABLES[entity.name].main
    ids = [str(orjson.loads(doc)["sourcedId"]) for doc in docs]
    query = sa.select(table.c.sourced_id, *(column_of(entity, f) for f in fields)).where(
        table.c.sourced_id.in_(sa.bindparam("ids", expanding=True))
    )
    values: dict[str, dict[str, object]] = {}
    for start in range(0, len(ids), _BATCH):
        for row in conn.execute(query, {"ids": ids[start : start + _BATCH]}):
            values[row[0]] = {f.name: value for f, value in zip(fields, row[1:])}
    return [with_secrets(doc, values.get(sourced_id, {})) for doc, sourced_id in zip(docs, ids)]
