"""Read pages and single records: filter, count, order and page in the database, return stored documents."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from openroster.model.catalogue import Entity
from openroster.query.params import ReadQuery
from openroster.store.conditions import criteria_condition, sort_key
from openroster.store.page_memory import PageMemory
from openroster.store.restrictions import Restriction, restriction_condition
from openroster.store.schema import TABLES


@dataclass(frozen=True)
class Page:
    docs: list[bytes]
    total: int


def _where(
    conn: sa.Connection, entity: Entity, restriction: Restriction, params: Mapping[str, str], query: ReadQuery
) -> sa.ColumnElement[bool]:
    condition = restriction_condition(entity, restriction, params)
    if query.criteria is not None:
        condition = sa.and_(condition, criteria_condition(entity, query.criteria, conn.dialect.name))
    return condition


def read_page(
    conn: sa.Connection,
    entity: Entity,
    restriction: Restriction,
    params: Mapping[str, str],
    query: ReadQuery,
    *,
    revision: int | None = None,
    memory: PageMemory | None = None,
    document: str = "doc",
) -> Page:
    """One page of documents and the number of records matching before paging.

    Paging is a deferred join: OFFSET walks only the narrow key (and sort value) of matching
    rows, and documents are fetched for the page alone. With a `memory` and the data `revision`
    this read runs under, the count and the end of the previous page are remembered, so walking
    pages in sourcedId order seeks instead of skipping. `document`: the column served (doc,
    or doc_v12 for 1.2).
    """
    table = TABLES[entity.name].main
    if query.criteria is not None:
        # Compiled for this request only: SQLAlchemy's compiled cache keeps one entry per statement
        # shape, filters make as many shapes as clients care to send, and each entry of a long
        # filter held up to megabytes.
        conn.execution_options(compiled_cache=None)
    where = _where(conn, entity, restriction, params, query)
    mem = memory if revision is not None else None
    walk = (revision, entity.name, restriction, tuple(sorted(params.items())), query.criteria)
    total = mem.get(("count", walk)) if mem else None
    if not isinstance(total, int):
        total = int(conn.execute(sa.select(sa.func.count()).select_from(table).where(where)).scalar_one())
        if mem:
            mem.put(("count", walk), total)
    if total <= query.offset:
        return Page([], total)

    key_columns: list[sa.ColumnElement[Any]] = [table.c.sourced_id.label("k")]
    if query.sort is not None and query.sort.name != "sourcedId":
        key_columns.append(sort_key(entity, query.sort).label("s"))
    keys = sa.select(*key_columns).where(where)
    seek = mem if len(key_columns) == 1 and not query.descending else None
    after = seek.get(("end", walk, query.offset)) if seek else None
    if isinstance(after, str):
        keys = keys.where(table.c.sourced_id > after).order_by(table.c.sourced_id).limit(query.limit)
    else:
        keys = keys.order_by(*_ordering(keys.selected_columns, query)).limit(query.limit).offset(query.offset)
    page = keys.subquery("page")
    rows = conn.execute(
        sa.select(table.c[document], page.c.k)
        .join(page, table.c.sourced_id == page.c.k)
        .order_by(*_ordering(page.c, query))
    ).all()
    if seek and rows:
        seek.put(("end", walk, query.offset + len(rows)), rows[-1][1])
    return Page([row[0] for row in rows], total)


def _ordering(columns: Any, query: ReadQuery) -> list[sa.ColumnElement[Any]]:
    key = columns.k
    if "s" not in columns:
        return [key.desc() if query.descending else key.asc()]
    value = columns.s
    # Absent values last in both directions, then sourcedId so paging is deterministic.
    return [value.is_(None), value.desc() if query.descending else value.asc(), key.asc()]


def read_one(
    conn: sa.Connection,
    entity: Entity,
    sourced_id: str,
    restriction: Restriction,
    params: Mapping[str, str],
    document: str = "doc",
) -> bytes | None:
    table = TABLES[entity.name].main
    where = sa.and_(table.c.sourced_id == sourced_id, restriction_condition(entity, restriction, params))
    doc: bytes | None = conn.execute(sa.select(table.c[document]).where(where)).scalar_one_or_none()
    return doc
