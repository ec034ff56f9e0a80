"""Copy a whole store into another database (SQLite to PostgreSQL or back), row for row.

Every OneRoster table with its list tables, the API clients (the secret hash and the sealed
secret exactly as stored, so the same server key serves them), the data revision, tombstones,
first-seen times and content hashes. OAuth 1.0a nonces are not copied: they only guard against
replays within the timestamp window. Record counts are not copied either: a PostgreSQL target
counts what it received, in the copy's transaction (store/counts.py). The source is read in one snapshot and the target written
in one transaction, a batch of rows at a time, so memory stays bounded and a failed copy leaves
the target's data as it was.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from openroster.errors import ConfigurationError, TargetNotEmpty
from openroster.store import migrate
from openroster.store.counts import recount
from openroster.store.dialects import insert_rows, read_connection, refresh_statistics, write_transaction
from openroster.store.schema import (
    console_requests,
    console_sessions,
    metadata,
    oauth_nonces,
    record_counts,
    store_state,
)
from openroster.store.writes import revision

BATCH_SIZE = 5000  # rows read and inserted at a time
# Not copied: what each server keeps for itself (nonces, counts, console sign-ins and sync activity).
COPIED = tuple(
    t
    for t in metadata.sorted_tables
    if t not in (oauth_nonces, record_counts, console_sessions, console_requests)
)
# What makes a target non-empty: a freshly migrated store already has its data revision row.
_DATA = tuple(t for t in COPIED if t is not store_state)


def copy_store(
    source: sa.Engine,
    target: sa.Engine,
    *,
    replace: bool = False,
    progress: Callable[[str, int], None] | None = None,
    batch_size: int = BATCH_SIZE,
) -> dict[str, int]:
    """Copy every row of `source` into `target`; returns the rows copied per table.

    The target gets this version's schema first (created, or upgraded). A target that holds any
    record or API client is refused with TargetNotEmpty unless `replace`. The target's rows are
    deleted in the copy's transaction (a new schema's initial data revision, or what `replace`
    replaces).
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    if _same_database(source, target):
        raise ConfigurationError("The copy's target is the store it copies from; give another database.")
    migrate.require_current(source)
    if not replace and _holds_data(target):
        shown = target.url.render_as_string(hide_password=True)
        raise TargetNotEmpty(
            f"{shown} already holds openroster data; nothing was copied. Copy into an "
            f"empty database, or pass --force to replace what it holds."
        )
    migrate.upgrade(target)
    report = progress or (lambda stage, rows: None)
    counts: dict[str, int] = {}
    with read_connection(source) as reading, reading.begin(), write_transaction(target) as writing:
        replaced_revision = revision(writing)
        for table in reversed(COPIED):
            writing.execute(table.delete())
        for table in COPIED:
            counts[table.name] = _copy_table(reading, writing, table, batch_size, report)
        _keep_revision_rising(writing, replaced_revision)
        recount(writing)
        refresh_statistics(writing, COPIED)
    return counts


def _keep_revision_rising(writing: sa.Connection, replaced: int) -> None:
    """A replaced store's data revision never goes back: a reader that saw revision N of the old data
    must not take different data under the same N for the same walk."""
    if revision(writing) <= replaced:
        writing.execute(store_state.delete().where(store_state.c.key == "revision"))
        writing.execute(store_state.insert().values(key="revision", value=replaced + 1))


def _copy_table(
    reading: sa.Connection,
    writing: sa.Connection,
    table: sa.Table,
    batch_size: int,
    report: Callable[[str, int], None],
) -> int:
    columns = [c.name for c in table.columns]
    query = sa.select(*table.columns).order_by(*table.primary_key.columns)
    rows = reading.execution_options(yield_per=batch_size).execute(query)
    stage = f"copying {table.name}"
    report(stage, 0)
    done = 0
    for batch in rows.partitions():
        insert_rows(writing, table, columns, batch)
        done += len(batch)
        report(stage, done)
    return done


def _holds_data(engine: sa.Engine) -> bool:
    """Whether `engine`'s database holds an openroster record or API client."""
    present = set(sa.inspect(engine).get_table_names())
    with engine.connect() as conn:
        return any(
            conn.execute(sa.select(sa.literal(1)).select_from(table).limit(1)).first()
            for table in _DATA
            if table.name in present
        )


def _same_database(first: sa.Engine, second: sa.Engine) -> bool:
    return first.url.render_as_string(hide_password=False) == second.url.render_as_string(hide_password=False)
