"""Import a OneRoster CSV bundle into the store: validate everything first, then apply it as one diff.

Bulk files replace an entity's set (records missing from the file become tombstones); delta
files upsert their rows (rows marked `tobedeleted` become tombstones) and leave everything else
alone. Records whose served JSON does not change keep their dateLastModified. Lists derived from
other records (an org's children, a class's resources) are recomputed, and the records showing
them are re-rendered, so a relationship change moves the dateLastModified of what shows it.

A 1.2.1 bundle's users get their 1.1 role and orgs from their role records (model/roles.py), and
a 1.1 bundle's users.csv is the whole of its users' roles: the 1.2 role and profile records of
the users it gives are tombstoned. Its lineItems and results get their scoreScale and
learningObjectiveSet from their link records (model/links.py); one that no link record names
keeps what it has.

Memory is bounded by the bundle's sourcedIds, not its records: the first pass checks every file
and keeps only the sourcedIds (and the records of the files derived lists and linked values come
from, which are small but for a results link file: all its rows); the second pass, inside the
write transaction, reads each file again and writes it in batches.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from openroster.ingest._gc import cycle_collection_paused
from openroster.ingest._idset import IdSet
from openroster.ingest.problems import BundleChanged, BundleInvalid
from openroster.ingest.reader import CheckedBundle, check_bundle
from openroster.ingest.replay import replay
from openroster.model.catalogue import ENTITIES, LOAD_ORDER
from openroster.model.csv_binding import V11
from openroster.model.derived import DerivedLists, derive, derived_sources
from openroster.model.links import LINKED, active, by_owner, link_sources, links_of, value_of
from openroster.model.roles import with_v11_roles
from openroster.model.values import now_ms
from openroster.store import import_log, migrate
from openroster.store.dialects import refresh_statistics, write_transaction
from openroster.store.import_log import ImportRun
from openroster.store.records import each_stored_id, load_records, record_batches, records_by_id
from openroster.store.schema import TABLES
from openroster.store.writes import WriteCounts, apply_batches, tombstone

BATCH_SIZE = 5000  # records read, compared and written at a time


def _feeds(name: str) -> set[str]:
    """The entities whose records give fields of `name`'s records: derived lists and link records."""
    return derived_sources(ENTITIES[name]) | link_sources(name)


# Entities whose records feed derived lists: their files are kept in memory while checking.
DERIVED_SOURCES = frozenset(source for name in ENTITIES for source in _feeds(name))
# What only 1.2 holds of a user, which a 1.1 users.csv replaces.
_USER_RECORDS_12 = ("role", "userProfile")
# Told where an import is: (stage, rows done, rows in all when known). The stages, in order:
# "reading <file>" (checking, every few thousand rows), "writing <file>" (every batch),
# "updating <file>" (records showing related ones, every batch) and "committing".
Progress = Callable[[str, int, int | None], None]


@dataclass(frozen=True)
class ImportSummary:
    records: dict[str, int]  # entity name -> records in the bundle's file
    changes: dict[str, WriteCounts]  # entity name -> what changed in the store
    # entity name -> (rows whose dateLastModified is after the import, the latest of them)
    future: dict[str, tuple[int, int]] = field(default_factory=dict)


def import_bundle(
    engine: sa.Engine,
    path: Path,
    *,
    progress: Progress | None = None,
    at_ms: int | None = None,
    batch_size: int = BATCH_SIZE,
    run_by: str | None = None,
) -> ImportSummary:
    """Validate the bundle at `path` completely, then apply it in one transaction.

    No record is written unless the whole bundle is valid; readers see either the previous data
    or all of the new data. Either way the import log (store/import_log.py) records how it ended,
    the bundle's name and `run_by` (the console account that ran it, if any). Raises BundleInvalid
    (and BundleChanged, writing nothing, when a file changes between validation and writing).
    Records are written `batch_size` at a time; `progress` is told where the import is.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    report: Progress = progress or (lambda stage, done, total: None)
    migrate.prepare(engine)
    started = now_ms()
    try:
        with engine.connect() as conn:
            checked = check_bundle(
                path,
                stored_ids=lambda name: IdSet(each_stored_id(conn, ENTITIES[name])),
                progress=lambda file, rows: report(f"reading {file}", rows, None),
                keep=DERIVED_SOURCES,
            )
        stamp = at_ms if at_ms is not None else now_ms()
        with cycle_collection_paused(), write_transaction(engine) as conn:
            summary = _Import(conn, checked, stamp, report, batch_size).run()
            changes = {name: dataclasses.asdict(counts) for name, counts in summary.changes.items()}
            import_log.record(
                conn, ImportRun(started, now_ms(), True, None, Path(path).name, run_by, changes)
            )
            report("committing", 0, None)
    except BaseException as exc:  # interrupted too: every import that fails leaves its trace
        import_log.record_failure(
            engine, ImportRun(started, now_ms(), False, describe_failure(exc), Path(path).name, run_by)
        )
        raise
    return summary


def describe_failure(exc: BaseException) -> str:
    """What went wrong, for the import log (served by /ready without authentication): the kind of
    failure and counts, never a value from the bundle."""
    if isinstance(exc, BundleInvalid):
        return f"the bundle has {exc.total} problem(s); nothing was imported"
    if isinstance(exc, BundleChanged):
        return "a file of the bundle changed while it was being imported; nothing was imported"
    if isinstance(exc, KeyboardInterrupt):
        return "the import was interrupted; nothing was imported"
    if isinstance(exc, sa.exc.DBAPIError):
        return f"the database refused the import ({type(exc.orig).__name__}); nothing was imported"
    if isinstance(exc, OSError):
        return f"the bundle could not be read ({type(exc).__name__}); nothing was imported"
    return f"the import failed ({type(exc).__name__}); nothing was imported"


def _any_stored(conn: sa.Connection, name: str, field_name: str) -> bool:
    """Whether any stored record of `name` has a value of `field_name` (a scalar or a list)."""
    tables = TABLES[name]
    child = tables.lists.get(field_name)
    if child is not None:
        query = sa.select(child.c.owner).limit(1)
    else:
        column = tables.main.c[ENTITIES[name].field(field_name).column]
        query = sa.select(column).where(column.is_not(None)).limit(1)
    return conn.execute(query).first() is not None


def _batches(records: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    iterator = iter(records)
    while batch := list(islice(iterator, size)):
        yield batch


class _Import:
    def __init__(
        self,
        conn: sa.Connection,
        checked: CheckedBundle,
        stamp: int,
        report: Progress,
        batch_size: int,
    ) -> None:
        self.conn, self.checked, self.stamp, self.report = conn, checked, stamp, report
        self.batch_size = batch_size
        self.modes = {name: checked.modes.get(name, "absent") for name in ENTITIES}
        self._views: dict[str, list[dict[str, Any]]] = {}
        self.future: dict[str, tuple[int, int]] = {}

    def run(self) -> ImportSummary:
        changes: dict[str, WriteCounts] = {}
        supplied = [n for n in LOAD_ORDER if self.modes[n] in ("bulk", "delta")]
        replaced = self._replaced_user_records()
        for name in supplied:
            entity = ENTITIES[name]
            present = self.checked.ids[name] if self.modes[name] == "bulk" else None
            derived = derive(entity, self._sources(name))
            changes[name] = apply_batches(
                self.conn,
                entity,
                self._completed(name, self._file_batches(name), derived),
                derived,
                self.stamp,
                present=present,
                bulk=True,
            )
        for name, gone in replaced.items():
            count = tombstone(self.conn, ENTITIES[name], gone, self.stamp)
            if count:
                changes.setdefault(name, WriteCounts()).tombstoned += count
        # Records not in the bundle whose derived lists may have changed (a delta file's new
        # school changes its district's children; classResources.csv changes classes).
        touched = set(supplied)
        self._views.clear()
        for name in LOAD_ORDER:
            entity = ENTITIES[name]
            if _feeds(name) & touched:
                derived = derive(entity, self._sources(name))
                stored = record_batches(self.conn, entity, self.batch_size)
                counts = apply_batches(
                    self.conn,
                    entity,
                    self._completed(name, self._reported(f"updating {entity.csv_file}", stored), derived),
                    derived,
                    self.stamp,
                    present=None,
                )
                summary = changes.setdefault(name, WriteCounts())
                summary.changed += counts.changed
                summary.tombstoned += counts.tombstoned
        written = [
            name for name, counts in changes.items() if counts.created or counts.changed or counts.tombstoned
        ]
        refresh_statistics(self.conn, [t for name in written for t in TABLES[name].all])
        return ImportSummary({n: self.checked.counts[n] for n in supplied}, changes, self.future)

    def _replaced_user_records(self) -> dict[str, list[str]]:
        """entity -> the sourcedIds of the active role and profile records a 1.1 users.csv replaces;
        the views users are rendered with leave them out."""
        mode = self.modes["user"]
        if self.checked.version != V11 or mode == "absent":
            return {}
        users = self.checked.ids["user"]
        gone: dict[str, list[str]] = {}
        for name in _USER_RECORDS_12:
            kept: list[dict[str, Any]] = []
            gone[name] = []
            for record in load_records(self.conn, ENTITIES[name]):
                if record["status"] == "active" and (mode == "bulk" or record["user"] in users):
                    gone[name].append(record["sourcedId"])
                else:
                    kept.append(record)
            self._views[name] = kept
        return gone

    def _completed(
        self, name: str, batches: Iterable[list[dict[str, Any]]], derived: DerivedLists
    ) -> Iterator[list[dict[str, Any]]]:
        """Users' records with the 1.1 role and orgs of their role records (`_roles_of`); a user
        without any keeps the stored ones (a 1.1 user changed by a 1.2.1 users.csv). Other records
        are as they are."""
        if name in LINKED and self.checked.version != V11:
            yield from self._linked(name, batches)
            return
        if name != "user":
            yield from batches
            return
        active: dict[str, list[Any]] = derived["roles"]
        every: dict[str, list[Any]] = {}
        for role in sorted(self._view("role"), key=lambda r: str(r["sourcedId"])):
            every.setdefault(role["user"], []).append(role)
        for batch in batches:
            done = [dict(with_v11_roles(r, self._roles_of(r, active, every))) for r in batch]
            lacking = [r["sourcedId"] for r in done if "role" not in r]
            if lacking:
                stored = {r["sourcedId"]: r for r in records_by_id(self.conn, ENTITIES["user"], lacking)}
                for record in done:
                    old = stored.get(record["sourcedId"])
                    if "role" not in record and old is not None:
                        record.update((key, old[key]) for key in ("role", "orgs") if key in old)
            yield done

    @staticmethod
    def _roles_of(
        user: Mapping[str, Any], active: Mapping[str, list[Any]], every: Mapping[str, list[Any]]
    ) -> list[Any]:
        """The role records a user's 1.1 role and orgs come from: its active ones; for a user with
        none and no 1.1 role of its own (a tombstoned user of a 1.2.1 users.csv), those it had."""
        found: list[Any] = active.get(user["sourcedId"]) or []
        if found or "role" in user:
            return found
        return every.get(user["sourcedId"], [])

    def _linked(self, name: str, batches: Iterable[list[dict[str, Any]]]) -> Iterator[list[dict[str, Any]]]:
        """Records with the values of their link records; one no link record names keeps its
        stored values (a lineItem a REST PUT gave a scoreScale)."""
        fields = LINKED[name]
        owned = {f.name: by_owner(f, self._links_view(links_of(f).source)) for f in fields}
        held = [f for f in fields if _any_stored(self.conn, name, f.name)]  # usually none: no lookups
        for batch in batches:
            done = [dict(r) for r in batch]
            unnamed = [
                r["sourcedId"]
                for r in done
                if any(r["sourcedId"] not in owned[f.name] and f.name not in r for f in held)
            ]
            stored = (
                {r["sourcedId"]: r for r in records_by_id(self.conn, ENTITIES[name], unnamed)}
                if unnamed
                else {}
            )
            for record in done:
                sid = record["sourcedId"]
                for f in fields:
                    links = owned[f.name].get(sid)
                    if links is None:
                        if f.name not in record and f.name in stored.get(sid, {}):
                            record[f.name] = stored[sid][f.name]
                        continue
                    value = value_of(f, active(links))
                    if value is None:
                        record.pop(f.name, None)
                    else:
                        record[f.name] = value
            yield done

    def _links_view(self, name: str) -> list[dict[str, Any]]:
        """The link records of `name` as they are once this import applies, tombstones included
        (a bulk file's missing links among them), so that every owner whose links change is named."""
        key = f"links:{name}"
        if key not in self._views:
            mode = self.modes[name]
            merged = {r["sourcedId"]: r for r in load_records(self.conn, ENTITIES[name])}
            if mode == "bulk":
                merged = {sid: {**r, "status": "tobedeleted"} for sid, r in merged.items()}
            if mode in ("bulk", "delta"):
                merged.update((r["sourcedId"], r) for r in self.checked.records[name])
            self._views[key] = list(merged.values())
        return self._views[key]

    def _file_batches(self, name: str) -> Iterator[list[dict[str, Any]]]:
        """The records of `name`'s file in batches, reporting progress as they are written."""
        total = self.checked.counts[name]
        for batch in self._reported(
            f"writing {ENTITIES[name].csv_file}", _batches(replay(self.checked, name), self.batch_size), total
        ):
            self._note_future(name, batch)
            yield batch

    def _reported(
        self, stage: str, batches: Iterable[list[dict[str, Any]]], total: int | None = None
    ) -> Iterator[list[dict[str, Any]]]:
        """`batches`, reporting `stage` before the first and after each one is written."""
        self.report(stage, 0, total)
        done = 0
        for batch in batches:
            yield batch
            done += len(batch)
            self.report(stage, done, total)

    def _note_future(self, name: str, batch: list[dict[str, Any]]) -> None:
        """Count rows dated after this import: they stay in every delta sync until that moment."""
        ahead = [dlm for r in batch if (dlm := r.get("dateLastModified")) is not None and dlm > self.stamp]
        if ahead:
            count, latest = self.future.get(name, (0, 0))
            self.future[name] = (count + len(ahead), max(latest, *ahead))

    def _sources(self, name: str) -> dict[str, list[dict[str, Any]]]:
        return {src: self._view(src) for src in derived_sources(ENTITIES[name])}

    def _view(self, name: str) -> list[dict[str, Any]]:
        """The records of `name` as they are once this import applies."""
        if name not in self._views:
            mode = self.modes[name]
            if mode == "bulk" and name in self.checked.records:
                self._views[name] = self.checked.records[name]
            else:
                merged = {r["sourcedId"]: r for r in load_records(self.conn, ENTITIES[name])}
                if mode == "delta":
                    merged.update((r["sourcedId"], r) for r in self.checked.records[name])
                self._views[name] = list(merged.values())
        return self._views[name]
