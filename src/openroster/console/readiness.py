"""The readiness check run from the console: `openroster check`, without writes, against this server.

It signs in as an API client of its own, `console readiness check`, with the read scopes, whose
secret is new at every run (so no secret of it is kept anywhere), and keeps the last report.
"""

from __future__ import annotations

from dataclasses import dataclass

import orjson
import sqlalchemy as sa

from openroster.auth.clients import DEFAULT_SCOPES, add_client, list_clients, rotate_secret
from openroster.auth.keys import ServerKeys
from openroster.check import CheckOptions, Credentials, run_checks
from openroster.check.report import render_html, summary
from openroster.errors import CheckAborted
from openroster.model.values import now_ms
from openroster.store.dialects import write_transaction
from openroster.store.schema import console_reports

CLIENT_NAME = "console readiness check"
PROFILES = ("sds", "grade-sync", "google")  # run without writes: they only read
KIND = "readiness"


@dataclass(frozen=True)
class LastReport:
    finished_ms: int
    summary: dict[str, dict[str, int]]  # per profile (and "all"): pass, warn, fail, skip
    failed: bool
    html: str
    error: str | None  # why the check could not run at all


def run(engine: sa.Engine, keys: ServerKeys, base_url: str) -> LastReport:
    """Check the provider at `base_url` (this server) and keep the report as the last one."""
    if any(c.name == CLIENT_NAME for c in list_clients(engine)):
        issued = rotate_secret(engine, keys, CLIENT_NAME)
    else:
        issued = add_client(engine, keys, CLIENT_NAME, scopes=DEFAULT_SCOPES)
    credentials = Credentials(issued.client.client_id, issued.secret)
    options = CheckOptions(base_url, credentials, profiles=PROFILES, writes=False)
    try:
        report = run_checks(options)
        last = LastReport(now_ms(), summary(report), report.failed, render_html(report), None)
    except CheckAborted as exc:
        last = LastReport(now_ms(), {}, True, "", f"The check could not run against {base_url}: {exc}")
    body = orjson.dumps({"summary": last.summary, "failed": last.failed, "error": last.error}).decode()
    with write_transaction(engine) as conn:
        conn.execute(console_reports.delete().where(console_reports.c.kind == KIND))
        conn.execute(
            console_reports.insert().values(
                kind=KIND, finished_ms=last.finished_ms, summary=body, html=last.html
            )
        )
    return last


def last_report(conn: sa.Connection) -> LastReport | None:
    row = conn.execute(sa.select(console_reports).where(console_reports.c.kind == KIND)).first()
    if row is None:
        return None
    kept = orjson.loads(row.summary)
    return LastReport(row.finished_ms, kept["summary"], kept["failed"], row.html, kept["error"])
