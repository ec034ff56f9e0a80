"""Read pages and single records: filter, count, order and page in the database, return stored documents."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from openroster.model.catalogue import Entity
from openroster.query.params import ReadQuery
from openroster.query.resolve_v12 import Criteria12
from openroster.store.conditions import criteria_condition, sort_key
from openroster.store.counts import maintained_count
from openroster.store.page_memory import PageMemory
from openroster.store.restrictions import Restriction, restriction_condition
from openroster.store.schema import TABLES

MARK_EVERY = 10_000  # a deep page skips at most this many keys (see _mark)


@dataclass(frozen=True)
class Page:
    docs: list[bytes]
    total: int | None  # None: the count was not asked for
    more: bool  # whether records follow this page


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
    walker: str | None = None,
    document: str = "doc",
    count: bool = True,
) -> Page:
    """One page of documents and (unless not `count`) the number of records matching before paging.

    Paging is a deferred join: OFFSET walks only the narrow key (and sort value) of matching
    rows, and documents are fetched for the page alone; a page with nothing to skip reads its
    documents with its keys. With a `memory` and the data `revision`
    this read runs under, the count and the end of the previous page are remembered, so walking
    pages in sourcedId order seeks instead of skipping, and a deep page seeks from the nearest
    remembered mark (`_mark`).

    `walker` (a client id) carries a walk across a change of revision: when the data changes
    between two pages of a client's walk, the page that follows its latest one continues after
    that page's last key instead of at an OFFSET of the new revision, which records added or removed
    before that point would shift (a record seen twice, or never). Whether another page follows
    is then read from the rows, since the new count does not say where the walk stands.

    The page's rows come straight from the driver's cursor: they are read by the thousand, and
    SQLAlchemy's rows would cost more than the database's reads. `document`: the column served
    (doc, or doc_v12 for 1.2).
    """
    table = TABLES[entity.name].main
    if query.criteria is not None:
        # Compiled for this request only: SQLAlchemy's compiled cache keeps one entry per statement
        # shape, filters make as many shapes as clients care to send, and each entry of a long
        # filter held up to megabytes.
        conn.execution_options(compiled_cache=None)
    where = _where(conn, entity, restriction, params, query)
    mem = memory if revision is not None else None
    shape = (entity.name, restriction, tuple(sorted(params.items())), query.criteria)
    walk = (revision, *shape)
    key_columns: list[sa.ColumnElement[Any]] = [table.c.sourced_id.label("k")]
    if query.sort is not None and query.sort.name != "sourcedId":
        key_columns.append(sort_key(entity, query.sort).label("s"))
    seek = mem if len(key_columns) == 1 and not query.descending else None
    # The client's own walk first: another client's page end of this revision is where an OFFSET
    # lands now, not where this walk stands if its previous page was read before a change.
    after: int | str | None = None
    shifted = False  # the walk crossed a change of revision: its offsets are not this revision's
    if seek and walker is not None and query.offset > 0:
        after, shifted = _continuation(seek, (walker, document, shape), revision, query.offset)
    if seek and after is None:
        after = seek.get(("end", walk, query.offset))
    total: int | None = None
    if count:
        total = _count(conn, entity, restriction, query, where, mem, walk)
        if total <= query.offset and not shifted:
            return Page([], total, False)

    skip = 0
    if seek and after is None and query.offset >= MARK_EVERY:
        skip = query.offset % MARK_EVERY
        after = _mark(conn, table, where, seek, walk, query.offset - skip)
    # Nothing to skip, in key order (a seek, a first page): the page's rows are all the statement
    # reads, so documents come with their keys in one pass of the index, as a plain read would.
    # Otherwise a deferred join: the skipped rows' documents are never read.
    direct = len(key_columns) == 1 and not (skip if isinstance(after, str) else query.offset)
    keys = sa.select(*([table.c[document]] if direct else []), *key_columns).where(where)
    # Without a count (or when it cannot place a continued walk), one key more tells whether
    # another page follows.
    by_rows = not count or shifted
    wanted = query.limit + 1 if by_rows else query.limit
    if isinstance(after, str):
        keys = keys.where(table.c.sourced_id > after).order_by(table.c.sourced_id).limit(wanted)
        if skip:
            keys = keys.offset(skip)
    else:
        keys = keys.order_by(*_ordering(keys.selected_columns, query)).limit(wanted).offset(query.offset)
    if direct:
        statement = keys
    else:
        page = keys.subquery("page")
        # Each document fetched by its key, as a correlated subquery: a join leaves the planner free
        # to read the whole table for a page of thousands (PostgreSQL hashes it: 30x slower at 150k
        # rows). On SQLite this costs about three times a direct read: each key is looked up again
        # and the documents sorted once more.
        stored = table.alias("stored")
        doc = sa.select(stored.c[document]).where(stored.c.sourced_id == page.c.k).scalar_subquery()
        statement = sa.select(doc, page.c.k).order_by(*_ordering(page.c, query))
    result = conn.execute(statement)
    try:
        rows: list[tuple[bytes, str]] = list(result.cursor.fetchall())
    finally:
        result.close()
    more = len(rows) > query.limit if by_rows or total is None else total - query.offset > len(rows)
    del rows[query.limit :]
    if seek and rows:
        if not shifted:  # a shifted walk's key at this offset is not the revision's
            seek.put(("end", walk, query.offset + len(rows)), rows[-1][1])
        if walker is not None:
            # Where the client asks next: offset + limit, also after a short last page (a walk
            # counted by X-Total-Count asks once more when the count grew under it).
            ends = f"{revision}:{int(shifted)}:{query.offset + query.limit}:{rows[-1][1]}"
            seek.put(("continue", walker, document, shape), ends)
    return Page([row[0] for row in rows], total, more)


def _continuation(
    memory: PageMemory, walk: tuple[Any, ...], revision: int | None, offset: int
) -> tuple[str | None, bool]:
    """The last key of a client's latest page of this walk if that page ended at `offset`, and
    whether the walk is shifted: that page, or one before it, was read in another revision than
    `revision`, so the walk's offsets no longer name positions in this one.

    Only the latest page counts: a client that goes back or jumps is served the OFFSET it asks
    for, in the current revision.
    """
    remembered = memory.get(("continue", *walk))
    if not isinstance(remembered, str):
        return None, False
    read_in, shifted, end, key = remembered.split(":", 3)
    if end != str(offset):
        return None, False
    return key, shifted == "1" or read_in != str(revision)


def _mark(
    conn: sa.Connection,
    table: sa.Table,
    where: sa.ColumnElement[bool],
    memory: PageMemory,
    walk: tuple[Any, ...],
    position: int,
) -> int | str | None:
    """The key of the `position`-th matching record (a multiple of MARK_EVERY), None if unknown.

    The first deep OFFSET of a walk's revision reads every MARK_EVERY-th key in one pass over the
    keys (what that OFFSET alone costs) and remembers them all, so that any later page at any
    depth skips at most MARK_EVERY keys from the nearest mark.
    """
    found = memory.get(("mark", walk, position))
    if found is not None or memory.get(("marked", walk)) is not None:
        return found  # remembered, or forgotten since (the page then skips from the start)
    number = sa.func.row_number().over(order_by=table.c.sourced_id).label("n")
    numbered = sa.select(table.c.sourced_id.label("k"), number).where(where).subquery("numbered")
    marks = sa.select(numbered.c.k, numbered.c.n).where(numbered.c.n % MARK_EVERY == 0)
    for key, n in conn.execute(marks):
        memory.put(("mark", walk, int(n)), key)
        if n == position:
            found = key
    memory.put(("marked", walk), 1)
    return found


def _count(
    conn: sa.Connection,
    entity: Entity,
    restriction: Restriction,
    query: ReadQuery,
    where: sa.ColumnElement[bool],
    mem: PageMemory | None,
    walk: tuple[Any, ...],
) -> int:
    """The records matching: remembered for this walk, maintained by the store, or counted."""
    total = mem.get(("count", walk)) if mem else None
    if isinstance(total, int):
        return total
    # A 1.2 filter (Criteria12) is counted by the database: the maintained counts know 1.1 criteria.
    criteria = query.criteria
    total = (
        maintained_count(conn, entity, restriction, criteria)
        if not isinstance(criteria, Criteria12)
        else None
    )
    if total is None:
        table = TABLES[entity.name].main
        total = int(conn.execute(sa.select(sa.func.count()).select_from(table).where(where)).scalar_one())
    if mem:
        mem.put(("count", walk), total)
    return total


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
