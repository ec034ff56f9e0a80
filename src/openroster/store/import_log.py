"""The import log: how each import that reached the store ended, read by /ready, /metrics and the console.

A successful import writes its row inside its own transaction, so the row exists exactly when its
data does. A failed import's transaction is rolled back, so its row is written afterwards in a
short transaction of its own; should the store refuse even that (the failure may be the store
itself), the failure is logged and the import's own error is what the caller sees.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
import sqlalchemy as sa

from openroster.store.dialects import write_transaction
from openroster.store.schema import import_runs

log = logging.getLogger("openroster.import")


@dataclass(frozen=True)
class ImportRun:
    started_ms: int
    finished_ms: int
    succeeded: bool
    failure: str | None = None  # the server's summary of what went wrong; never the bundle's content
    bundle: str | None = None  # the bundle's file name
    run_by: str | None = None  # the console account that ran it; None: the command line
    # entity name -> {"created": n, "changed": n, "tombstoned": n, "unchanged": n}; None: it failed
    changes: dict[str, dict[str, int]] | None = None

    @property
    def seconds(self) -> float:
        return max(0, self.finished_ms - self.started_ms) / 1000


def record(conn: sa.Connection, run: ImportRun) -> None:
    """Add `run` to the log, in the caller's transaction."""
    conn.execute(
        import_runs.insert().values(
            run_id=secrets.token_hex(16),
            started_ms=run.started_ms,
            finished_ms=run.finished_ms,
            succeeded=run.succeeded,
            failure=run.failure,
            bundle=run.bundle,
            run_by=run.run_by,
            changes=None if run.changes is None else orjson.dumps(run.changes).decode(),
        )
    )


def record_failure(engine: sa.Engine, run: ImportRun) -> None:
    """Add a failed `run` to the log in a transaction of its own; never raises."""
    try:
        with write_transaction(engine) as conn:
            record(conn, run)
    except Exception as exc:  # the store may be what failed: the import's own error matters more
        log.error("could not record the failed import in the store (%s): %s", type(exc).__name__, run.failure)


def last_run(conn: sa.Connection) -> ImportRun | None:
    """The import that finished last, or None when the store has recorded none."""
    row = conn.execute(
        sa.select(import_runs)
        .order_by(import_runs.c.finished_ms.desc(), import_runs.c.run_id.desc())
        .limit(1)
    ).first()
    return None if row is None else _run(row)


def recent_runs(conn: sa.Connection, limit: int) -> list[ImportRun]:
    """The `limit` imports that finished last, the latest first."""
    rows = conn.execute(
        sa.select(import_runs)
        .order_by(import_runs.c.finished_ms.desc(), import_runs.c.run_id.desc())
        .limit(limit)
    )
    return [_run(row) for row in rows]


def _run(row: sa.Row[Any]) -> ImportRun:
    changes = None if row.changes is None else orjson.loads(row.changes)
    return ImportRun(
        row.started_ms, row.finished_ms, bool(row.succeeded), row.failure, row.bundle, row.run_by, changes
    )


@dataclass
class ImportTotals:
    """Imports that ended one way (succeeded or failed): how many, their seconds, a histogram."""

    count: int = 0
    seconds: float = 0.0
    at_most: list[int] = field(default_factory=list)  # imports within each bound, bound by bound
    last_finished_ms: int | None = None


def totals(conn: sa.Connection, bounds: Sequence[float]) -> dict[bool, ImportTotals]:
    """Per outcome (True: succeeded), the imports' count, total and histogram of durations.

    One aggregate query, however many imports the log holds: cheap enough to run at every scrape.
    """
    duration = import_runs.c.finished_ms - import_runs.c.started_ms
    columns = [
        import_runs.c.succeeded,
        sa.func.count(),
        sa.func.coalesce(sa.func.sum(duration), 0),
        sa.func.max(import_runs.c.finished_ms),
        *(sa.func.sum(sa.case((duration <= int(bound * 1000), 1), else_=0)) for bound in bounds),
    ]
    result = {True: ImportTotals(at_most=[0] * len(bounds)), False: ImportTotals(at_most=[0] * len(bounds))}
    for row in conn.execute(sa.select(*columns).group_by(import_runs.c.succeeded)):
        succeeded, count, total_ms, last, *within = row
        result[bool(succeeded)] = ImportTotals(
            int(count), int(total_ms) / 1000, [int(n) for n in within], last
        )
    return result
