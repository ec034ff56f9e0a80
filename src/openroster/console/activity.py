"""Sync activity: API clients' requests kept in memory per server process and written in batches.

Each authenticated request's audit entry is appended to this process's buffer (no database work
on the request's path); a background thread, running while requests are buffered, writes the
buffer every FLUSH_SECONDS in one insert, and drops requests older than the retention. The console reads what every process wrote (its own
process's buffer is written first, so what was just served shows at once).
"""

from __future__ import annotations

import atexit
import logging
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from openroster.model.values import now_ms
from openroster.store.dialects import write_transaction
from openroster.store.schema import console_requests

log = logging.getLogger("openroster.console")
FLUSH_SECONDS = 5.0
MAX_BUFFERED = 100_000  # past this (the store refusing writes for long), the oldest are dropped
SYNC_GAP_MS = 10 * 60_000  # a pause this long ends a sync
HOUR_MS = 3_600_000


class Recorder:
    """This process's buffer of requests and the thread that writes it to `engine`."""

    def __init__(self, engine: sa.Engine, keep_days: int) -> None:
        self.engine, self.keep_ms = engine, keep_days * 86_400_000
        self.buffer: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        self.wake = threading.Event()
        self.thread: threading.Thread | None = None  # runs while requests are buffered
        self.registered = False  # to be written at exit too
        self.stopped = False  # the app shut down: nothing more is kept or written
        self.dropped = 0

    def note(self, entry: dict[str, object], query: bytes) -> None:
        """Keep one request of an authenticated client (the audit log's entry)."""
        if entry["client"] is None or self.stopped:
            return
        row = {
            "at_ms": now_ms(),
            "client": entry["client"],
            "method": entry["method"],
            "path": entry["path"],
            "status": entry["status"],
            "records": entry["records"],
            "ms": entry["ms"],
            "reason": entry.get("reason"),
            "delta": b"dateLastModified" in query,
        }
        with self.lock:
            self.buffer.append(row)
            if len(self.buffer) > MAX_BUFFERED:
                self.dropped += len(self.buffer) - MAX_BUFFERED
                del self.buffer[: len(self.buffer) - MAX_BUFFERED]
            if self.thread is None:
                if not self.registered:
                    atexit.register(self.flush)
                    self.registered = True
                self.thread = threading.Thread(target=self._run, name="console-activity", daemon=True)
                self.thread.start()

    def flush(self) -> None:
        """Write what is buffered in one insert, and drop what is older than the retention."""
        with self.lock:
            rows, self.buffer = self.buffer, []
        if not rows:
            return
        try:
            with write_transaction(self.engine) as conn:
                conn.execute(console_requests.insert(), rows)
                conn.execute(
                    console_requests.delete().where(console_requests.c.at_ms < now_ms() - self.keep_ms)
                )
        except sa.exc.SQLAlchemyError as exc:  # kept for the next try; the API is not affected
            log.warning("could not write the sync activity (%s); trying again", type(exc).__name__)
            with self.lock:
                self.buffer[:0] = rows

    def stop(self) -> None:
        """Write what is buffered and stop (the app shuts down, its store may go next)."""
        with self.lock:
            self.stopped = True
            thread = self.thread
        self.wake.set()
        if thread is not None:
            thread.join()
        self.flush()
        if self.registered:
            atexit.unregister(self.flush)
            self.registered = False

    def _run(self) -> None:
        while True:
            self.wake.wait(FLUSH_SECONDS)
            self.flush()
            with self.lock:
                if not self.buffer or self.stopped:  # idle: the next request starts a thread again
                    self.thread = None
                    return


@dataclass
class ClientActivity:
    client: str
    requests: int = 0
    records: int = 0
    errors: int = 0
    last_ms: int | None = None


def summaries(conn: sa.Connection, since_ms: int) -> dict[str, ClientActivity]:
    """Per client: requests, records and errors since `since_ms`, and its last request ever kept."""
    t = console_requests.c
    errors = sa.func.sum(sa.case((t.status >= 400, 1), else_=0))
    recent = (
        sa.select(t.client, sa.func.count(), sa.func.coalesce(sa.func.sum(t.records), 0), errors)
        .where(t.at_ms >= since_ms)
        .group_by(t.client)
    )
    found = {c: ClientActivity(c, int(n), int(r), int(e or 0)) for c, n, r, e in conn.execute(recent)}
    for client, last in conn.execute(sa.select(t.client, sa.func.max(t.at_ms)).group_by(t.client)):
        found.setdefault(client, ClientActivity(client)).last_ms = last
    return found


@dataclass(frozen=True)
class Hour:
    start_ms: int
    requests: int
    records: int


def hours(conn: sa.Connection, client: str, since_ms: int, until_ms: int) -> list[Hour]:
    """Requests and records served to `client`, hour by hour from `since_ms` (an hour's start)."""
    t = console_requests.c
    per_hour: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    rows = conn.execute(sa.select(t.at_ms, t.records).where(t.client == client, t.at_ms >= since_ms))
    for at, records in rows:
        bucket = per_hour[(at - since_ms) // HOUR_MS]
        bucket[0] += 1
        bucket[1] += records or 0
    count = max(1, -(-(until_ms - since_ms) // HOUR_MS))
    return [Hour(since_ms + i * HOUR_MS, *per_hour.get(i, [0, 0])) for i in range(count)]


def recent(conn: sa.Connection, client: str, limit: int, *, errors: bool = False) -> list[sa.Row[Any]]:
    """The client's last requests (or only those that failed), the latest first."""
    t = console_requests.c
    query = sa.select(console_requests).where(t.client == client)
    if errors:
        query = query.where(t.status >= 400)
    return list(conn.execute(query.order_by(t.at_ms.desc()).limit(limit)))


@dataclass
class Sync:
    """A run of successful collection reads by one client, without a pause of SYNC_GAP_MS."""

    began_ms: int
    ended_ms: int
    pages: int = 0
    records: int = 0
    delta_pages: int = 0
    paths: set[str] = field(default_factory=set)

    @property
    def kind(self) -> str:
        """delta when most of its pages asked for what changed since a moment, else full."""
        return "delta" if self.delta_pages * 2 > self.pages else "full"


def syncs(conn: sa.Connection, client: str, limit: int) -> list[Sync]:
    """The client's last `limit` syncs, the latest first."""
    t = console_requests.c
    rows = conn.execute(
        sa.select(t.at_ms, t.records, t.delta, t.path)
        .where(t.client == client, t.method == "GET", t.status == 200, t.records.is_not(None))
        .order_by(t.at_ms)
    )
    found: list[Sync] = []
    for at, records, delta, path in rows:
        if not found or at - found[-1].ended_ms > SYNC_GAP_MS:
            found.append(Sync(at, at))
        sync = found[-1]
        sync.ended_ms = at
        sync.pages += 1
        sync.records += records or 0
        sync.delta_pages += bool(delta)
        sync.paths.add(path)
    return found[::-1][:limit]
