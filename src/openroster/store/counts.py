"""Record counts per table and status that PostgreSQL stores keep up to date, for unfiltered pages.

PostgreSQL's COUNT(*) visits every matching row (70-150 ms and 2-3 cores for a million), on
every first page of every walk. So a PostgreSQL store keeps `record_counts`: every write of an
entity table adds what it adds and takes away what it removes, per status, in its own
transaction (`adjust_counts`, called where rows are inserted, replaced, tombstoned or pruned; a copy
counts its target afresh with `recount`), and a read sees the counts of its own snapshot. A read
whose records are selected by their status alone (or not at all) is counted from there; every
other filter and restriction is counted by the database. SQLite counts from the (status,
sourcedId) index fast enough, and keeps no counts.

Database triggers would keep the counts whatever writes, but the driver runs a batch of inserts
as one statement per row, and a trigger per statement made a PostgreSQL import 7x slower.
"""

from __future__ import annotations

from collections.abc import Mapping

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from openroster.model.catalogue import Entity
from openroster.query.resolve import Criteria
from openroster.store.restrictions import Match, Restriction
from openroster.store.schema import TABLES, record_counts, store_state

_ANY = "*"  # no condition on the status
_NONE = ""  # conditions no status meets


def maintained_count(
    conn: sa.Connection, entity: Entity, restriction: Restriction, criteria: Criteria | None
) -> int | None:
    """The number of records a read selects, from `record_counts`; None when it cannot say."""
    if conn.dialect.name != "postgresql":
        return None
    status = _status_only(restriction, criteria)
    if status is None:
        return None
    if status == _NONE:
        return 0
    query = sa.select(sa.func.coalesce(sa.func.sum(record_counts.c.records), 0)).where(
        record_counts.c.table_name == TABLES[entity.name].main.name
    )
    if status != _ANY:
        query = query.where(record_counts.c.status == status)
    return int(conn.execute(query).scalar_one())


def _status_only(restriction: Restriction, criteria: Criteria | None) -> str | None:
    """The one status a read asks for, _ANY for every record, None when it asks for more than that."""
    wanted: set[str] = set()
    for part in restriction:
        if not (isinstance(part, Match) and part.field == "status" and isinstance(part.value, str)):
            return None
        wanted.add(part.value)
    if criteria is not None:
        if len(criteria.any_of) != 1 or len(criteria.any_of[0]) != 1:
            return None
        condition = criteria.any_of[0][0]
        if condition.field.name != "status" or condition.op != "=" or condition.part is not None:
            return None
        wanted.add(str(condition.value))
    if len(wanted) > 1:
        return _NONE  # two different statuses at once: no record has both
    return wanted.pop() if wanted else _ANY


def stored_counts(conn: sa.Connection) -> dict[tuple[str, str], int]:
    """(table, status) -> records, as maintained (for checks against COUNT(*))."""
    rows = conn.execute(
        sa.select(record_counts.c.table_name, record_counts.c.status, record_counts.c.records)
    ).all()
    return {(table, status): int(records) for table, status, records in rows if records}


def adjust_counts(conn: sa.Connection, table: sa.Table, changes: Mapping[str, int]) -> None:
    """Add `changes` (status -> rows added, negative for rows removed) to `table`'s counts."""
    changes = {status: rows for status, rows in changes.items() if rows}
    if conn.dialect.name != "postgresql" or not changes:
        return
    # Every write transaction ends by updating the data revision row; locking it first here
    # makes writers take their locks in one order (revision, then counts), so two writers of
    # different tables cannot each wait for the other.
    conn.execute(sa.select(store_state.c.value).where(store_state.c.key == "revision").with_for_update())
    upsert = postgresql.insert(record_counts)
    conn.execute(
        upsert.on_conflict_do_update(
            index_elements=[record_counts.c.table_name, record_counts.c.status],
            set_={"records": record_counts.c.records + upsert.excluded.records},
        ),
        [{"table_name": table.name, "status": status, "records": rows} for status, rows in changes.items()],
    )


def recount(conn: sa.Connection) -> None:
    """Count every entity table afresh (after a copy wrote them row for row)."""
    if conn.dialect.name != "postgresql":
        return
    conn.execute(record_counts.delete())
    for tables in TABLES.values():
        main = tables.main
        conn.execute(
            record_counts.insert().from_select(
                ["table_name", "status", "records"],
                sa.select(sa.literal(main.name), main.c.status, sa.func.count()).group_by(main.c.status),
            )
        )
