"""Render the 1.2 documents of stored records again, from what the store holds.

The migration that brought 1.2 documents uses it to give every record of an existing store its
1.2 document; the content hashes then cover both documents, and no dateLastModified moves. Each
record's derived lists (an org's children, a class's resources) are read from its stored 1.1
document, so both versions list exactly the same records.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import orjson
import sqlalchemy as sa

from openroster.model.catalogue import ENTITIES, Entity
from openroster.model.documents import render_documents
from openroster.model.render import render_versioned, stamp
from openroster.model.v12 import ENTITIES_V12
from openroster.store.fallbacks import with_fallbacks
from openroster.store.records import record_batches
from openroster.store.schema import TABLES
from openroster.store.writes import org_types


def _derived_lists(entity: Entity, doc: bytes) -> dict[str, list[str]]:
    data = orjson.loads(doc)
    return {
        f.name: [ref["sourcedId"] for ref in data.get(f.name, ())]
        for f in entity.all_fields
        if f.derived is not None
    }


def render_v12_documents(
    conn: sa.Connection, *, with_v12: bool = True, names: Iterable[str] = ENTITIES_V12
) -> int:
    """Give every record of the entities `names` (1.2 serves them) its 1.2 document and a hash
    covering both; references left out that have a fallback (store/fallbacks.py) are filled first.

    `with_v12=False` undoes it: no 1.2 documents, hashes of the 1.1 documents alone (as before).
    Returns how many records were rendered.
    """
    count = 0
    for name in names:
        entity = ENTITIES[name]
        table = TABLES[name].main
        fallbacks = [f.column for f in entity.every_field if f.fallback is not None]
        update = (
            table.update()
            .where(table.c.sourced_id == sa.bindparam("sid"))
            .values(
                doc_v12=sa.bindparam("document"),
                content_hash=sa.bindparam("digest"),
                **{column: sa.bindparam(f"fill_{column}") for column in fallbacks},
            )
        )
        present = {column["name"] for column in sa.inspect(conn).get_columns(table.name)}
        for stored in record_batches(conn, entity, columns=present):
            batch = with_fallbacks(conn, entity, stored)
            docs = _stored_docs(conn, table, [r["sourcedId"] for r in batch])
            org_type = org_types(conn, entity, batch)
            changes = [
                _rendered(entity, record, docs[record["sourcedId"]], org_type, with_v12)
                | {
                    f"fill_{f.column}": record.get(f.name)
                    for f in entity.every_field
                    if f.fallback is not None
                }
                for record in batch
            ]
            conn.execute(update, changes)
            count += len(changes)
    return count


def _stored_docs(conn: sa.Connection, table: sa.Table, ids: Sequence[str]) -> dict[str, bytes]:
    query = sa.select(table.c.sourced_id, table.c.doc).where(
        table.c.sourced_id.in_(sa.bindparam("ids", expanding=True))
    )
    return dict(conn.execute(query, {"ids": list(ids)}).all())


def _rendered(
    entity: Entity, record: Mapping[str, Any], doc: bytes, org_type: Any, with_v12: bool
) -> dict[str, Any]:
    derived = _derived_lists(entity, doc)
    if not with_v12:
        return {
            "sid": record["sourcedId"],
            "document": None,
            "digest": render_versioned(entity, record, derived)[1],
        }
    rendered = render_documents(entity, record, derived, org_type)
    assert rendered.doc_v12 is not None
    return {
        "sid": record["sourcedId"],
        "document": stamp(rendered.doc_v12, record["dateLastModified"]),
        "digest": rendered.digest,
    }
