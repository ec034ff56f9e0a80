"""Record counts per table and status that PostgreSQL keeps up to date, for unfiltered pages.

PostgreSQL's COUNT(*) visits every matching row (70-150 ms and 2-3 cores for a million), on
every first page of every walk. So on PostgreSQL each entity table has statement-level triggers
(migration 0007) that add the rows each INSERT, UPDATE or DELETE adds or takes away, per
status, to `record_counts`, in the writing transaction itself: whatever writes (an import, a
gradebook PUT or DELETE, a prune, a copy, a bulk COPY), the counts are those of the
committed rows, and a read sees the counts of its own snapshot. A read whose records are
selected by their status alone (or not at all) is counted from there; every other filter and
restriction is counted by the database. SQLite counts from the (status, sourcedId) index fast
enough, and keeps no counts.
"""

from __future__ import annotations

import sqlalchemy as sa

from openroster.model.catalogue import Entity
from openroster.query.resolve import Criteria
from openroster.store.restrictions import Match, Restriction
from openroster.store.schema import TABLES, record_counts

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
