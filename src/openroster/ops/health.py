"""Liveness and readiness: is this server process up (/health), and can it serve its store (/ready).

Both answer without authentication, so neither says anything about the district: /health is a
constant, /ready names the check that failed and the fix, never an address, a database name or
a value from the store. The details an operator needs (the database's own error) go to the log.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import orjson
import sqlalchemy as sa

from openroster.model.values import format_datetime
from openroster.store import import_log, migrate
from openroster.store.connect import explain, sqlite_file

log = logging.getLogger("openroster.ops")

LIVENESS = b'{"status":"ok"}'
CHECKS = ("database", "schema", "import")


@dataclass(frozen=True)
class Failure:
    check: str  # one of CHECKS
    problem: str
    fix: str


class Readiness:
    """The checks of /ready on one store; `failure()` is None when the server can serve it."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self.url = engine.url.render_as_string(hide_password=False)
        self.head = migrate.head_revision()  # constant for this process; reading it parses files

    def failure(self) -> Failure | None:
        path = sqlite_file(self.url)
        if path is not None and not path.exists():
            return _database(
                "The store's SQLite file is missing.",
                "Restore the store (openroster backup makes copies), or start the server on an existing one.",
            )
        try:
            with self.engine.connect() as conn:
                return self._schema(conn) or _last_import(conn)
        except sa.exc.TimeoutError:
            return _database(
                "Every database connection of this server process is busy.",
                "Wait for the load to drop, or add server processes (serve --workers).",
            )
        except sa.exc.DBAPIError as exc:
            log.warning("/ready: %s", explain(exc, self.url))
            return _database(
                "The database does not answer.",
                "Check that the database server is running and reachable from this server; "
                "the server's log (openroster.ops) names the error.",
            )

    def _schema(self, conn: sa.Connection) -> Failure | None:
        current = migrate.revision_of(conn)
        if current == self.head:
            return None
        if current is None:
            return Failure(
                "schema",
                "The store has no openroster schema.",
                "Load a district with openroster import, or create the schema with openroster migrate.",
            )
        if not migrate.is_known(current):
            return Failure(
                "schema",
                f"The store's schema (revision {current}) is newer than this server's ({self.head}).",
                "Upgrade openroster on this server to the version that migrated the store.",
            )
        return Failure(
            "schema",
            f"The store's schema (revision {current}) is older than this server's ({self.head}).",
            "Run openroster migrate on this server's database.",
        )


def _database(problem: str, fix: str) -> Failure:
    return Failure("database", problem, fix)


def _last_import(conn: sa.Connection) -> Failure | None:
    last = import_log.last_run(conn)
    if last is None or last.succeeded:
        return None
    return Failure(
        "import",
        f"The last import, which ended at {format_datetime(last.finished_ms)}, failed: {last.failure}.",
        "Correct the bundle (openroster import prints each problem) and import it again; until then "
        "the server serves the data of the last import that succeeded.",
    )


def ready_body(failure: Failure | None) -> tuple[int, bytes]:
    """The status and JSON body of /ready: each check ok, failed or not checked (after a failure)."""
    if failure is None:
        return 200, orjson.dumps({"status": "ready", "checks": dict.fromkeys(CHECKS, "ok")})
    reached = CHECKS.index(failure.check)
    checks = {
        name: "ok" if i < reached else "failed" if i == reached else "not checked"
        for i, name in enumerate(CHECKS)
    }
    return 503, orjson.dumps(
        {
            "status": "not ready",
            "checks": checks,
            "failed": failure.check,
            "problem": failure.problem,
            "fix": failure.fix,
        }
    )
