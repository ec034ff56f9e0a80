"""Confirmed uploads imported in the background, one at a time per store, and where each one is.

The import runs in a thread of the server process that took the confirmation, so the browser's
request is answered at once. While it runs it holds a lock on the store's staging folder (a
second import is refused) and keeps what the importer reports (stage, rows done of rows in all)
in the upload's folder, where every server process of the store reads it; when it ends, the
outcome and the changes take its place and the bundle is removed. The import is one
transaction: a server stopped mid-import leaves nothing of it, and its progress is then read
as stopped (the lock is free, the state still says running).
"""

from __future__ import annotations

import dataclasses
import fcntl
import logging
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import orjson
import sqlalchemy as sa

from openroster.console.audit import audit_change
from openroster.errors import OpenRosterError
from openroster.ingest.importer import describe_failure, import_bundle
from openroster.ingest.problems import BundleInvalid
from openroster.model.values import now_ms

log = logging.getLogger("openroster.console")
LOCK = "import.lock"  # in the staging folder: held while an import runs, names its upload
STATE = "progress.json"  # in the upload's folder
RUNNING, SUCCEEDED, FAILED, STOPPED = "running", "succeeded", "failed", "stopped"


class ImportRunning(Exception):
    """Another import of the store is running; `upload_id` is its upload (empty if unknown)."""

    def __init__(self, upload_id: str) -> None:
        super().__init__(upload_id)
        self.upload_id = upload_id


@dataclass
class ImportState:
    """Where an import is, or how it ended."""

    bundle: str
    run_by: str
    started_ms: int
    outcome: str = RUNNING
    stage: str = "starting"  # the importer's stage: "reading users.csv", "writing orgs.csv", ...
    done: int = 0
    total: int | None = None  # rows in all, where known (when writing a file)
    finished_ms: int | None = None
    failure: str = ""
    records: dict[str, int] = field(default_factory=dict)  # entity -> records in its file
    changes: dict[str, dict[str, int]] = field(default_factory=dict)  # entity -> WriteCounts' fields

    @property
    def seconds(self) -> float:
        return ((self.finished_ms or now_ms()) - self.started_ms) / 1000

    @property
    def phase(self) -> str:
        """What the import is doing, in words."""
        verb, _, file = self.stage.partition(" ")
        return {
            "reading": f"Checking {file}",
            "writing": f"Writing {file}",
            "updating": f"Updating the records of {file} that show related ones",
            "committing": "Committing",
        }.get(verb, "Starting")


def start(folder: Path, upload_id: str, bundle: Path, engine: sa.Engine, run_by: str) -> None:
    """Import `bundle` (the upload `upload_id`'s) in a thread of its own; ImportRunning if one runs."""
    lock = _take_lock(folder)
    try:
        lock.truncate(0)
        lock.write(upload_id)
        lock.flush()
        state = ImportState(bundle.name, run_by, now_ms())
        _save(folder / upload_id, state)
    except BaseException:
        lock.close()
        raise
    thread = threading.Thread(
        target=_run,
        args=(lock, folder / upload_id, bundle, engine, state),
        name="console-import",
        daemon=True,
    )
    thread.start()


def read_state(folder: Path, upload_id: str) -> ImportState | None:
    """The state of the upload's import, or None if it was never started (or is gone)."""
    state = _load(folder / upload_id)
    if state is None or state.outcome != RUNNING:
        return state
    try:
        lock = _take_lock(folder)
    except ImportRunning as running:
        if running.upload_id == upload_id:
            return state
        return _load(folder / upload_id)  # it ended while the next one started
    try:
        state = _load(folder / upload_id)  # it may have ended since it was read
        if state is not None and state.outcome == RUNNING:  # kept as stopped: not probed again
            state.outcome = STOPPED
            state.failure = "the server stopped during the import; nothing was imported."
            _save(folder / upload_id, state)
        return state
    finally:
        lock.close()


def running(folder: Path) -> tuple[str, ImportState] | None:
    """The import running now, if any: its upload and its state."""
    try:
        upload_id = (folder / LOCK).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    state = read_state(folder, upload_id) if upload_id else None
    return (upload_id, state) if state is not None and state.outcome == RUNNING else None


def _take_lock(folder: Path) -> IO[str]:
    lock = open(folder / LOCK, "a+", encoding="utf-8")  # noqa: SIM115 (held by the import's thread)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock.seek(0)
        running = lock.read().strip()
        lock.close()
        raise ImportRunning(running) from None
    return lock


def _run(lock: IO[str], place: Path, bundle: Path, engine: sa.Engine, state: ImportState) -> None:
    def progress(stage: str, done: int, total: int | None) -> None:
        state.stage, state.done, state.total = stage, done, total
        _save(place, state)

    try:
        summary = import_bundle(engine, bundle, run_by=state.run_by, progress=progress)
    except BundleInvalid as exc:
        _end(place, state, FAILED, f"{exc.total} problem(s) found; nothing was imported.")
    except OpenRosterError as exc:
        _end(place, state, FAILED, f"{exc} Nothing was imported.")
    except Exception as exc:
        log.exception("the console's import of %s failed", bundle.name)
        _end(place, state, FAILED, describe_failure(exc) + ".")
    else:
        state.records = dict(summary.records)
        state.changes = {name: dataclasses.asdict(counts) for name, counts in summary.changes.items()}
        _end(place, state, SUCCEEDED, "")
        audit_change(state.run_by, "import", bundle.name)
    finally:
        bundle.unlink(missing_ok=True)
        lock.close()


def _end(place: Path, state: ImportState, outcome: str, failure: str) -> None:
    state.outcome, state.failure, state.finished_ms = outcome, failure, now_ms()
    _save(place, state)


def _save(place: Path, state: ImportState) -> None:
    """Write the state whole (readers never see half of it)."""
    partial = place / (STATE + ".new")
    partial.write_bytes(orjson.dumps(dataclasses.asdict(state)))
    os.replace(partial, place / STATE)


def _load(place: Path) -> ImportState | None:
    try:
        return ImportState(**orjson.loads((place / STATE).read_bytes()))
    except FileNotFoundError:
        return None
