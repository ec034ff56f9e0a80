"""Import a OneRoster CSV bundle into the store: validate everything first, then apply it as one diff.

Bulk files replace an entity's set (records missing from the file become tombstones); delta
files upsert their rows (rows marked `tobedeleted` become tombstones) and leave everything else
alone. Records whose served JSON does not change keep their dateLastModified. Lists derived from
other records (an org's children, a class's resources) are recomputed, and the records showing
them are re-rendered, so a relationship change moves the dateLastModified of what shows it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import sqlalchemy as sa

from openroster.ingest.reader import Bundle, read_bundle
from openroster.model.catalogue import ENTITIES, LOAD_ORDER
from openroster.model.derived import derive, derived_sources
from openroster.model.values import now_ms
from openroster.store import migrate
from openroster.store.dialects import write_transaction
from openroster.store.records import load_records, stored_ids
from openroster.store.writes import WriteCounts, apply


@dataclass(frozen=True)
class ImportSummary:
    records: dict[str, int]  # entity name -> records in the bundle's file
    changes: dict[str, WriteCounts]  # entity name -> what changed in the store


def import_bundle(engine: sa.Engine, path: Path, *,
                  progress: Callable[[str, int], None] | None = None,
                  at_ms: int | None = None) -> ImportSummary:
    """Validate the bundle at `path` completely, then apply it in one transaction.

    Nothing is written unless the whole bundle is valid; readers see either the previous data
    or all of the new data. Raises BundleInvalid.
    """
    report = progress or (lambda stage, rows: None)
    migrate.prepare(engine)
    with engine.connect() as conn:
        bundle = read_bundle(path, stored_ids=lambda name: stored_ids(conn, ENTITIES[name]),
                             progress=lambda name, rows: report(f"reading {name}", rows))
    stamp = at_ms if at_ms is not None else now_ms()
    with write_transaction(engine) as conn:
        return _Import(conn, bundle, stamp, report).run()


class _Import:
    def __init__(self, conn: sa.Connection, bundle: Bundle, stamp: int,
                 report: Callable[[str, int], None]) -> None:
        self.conn, self.bundle, self.stamp, self.report = conn, bundle, stamp, report
        self.modes = {name: bundle.modes.get(name, "absent") for name in ENTITIES}
        self._views: dict[str, list[dict[str, Any]]] = {}

    def run(self) -> ImportSummary:
        changes: dict[str, WriteCounts] = {}
        supplied = [n for n in LOAD_ORDER if self.modes[n] in ("bulk", "delta")]
        for name in supplied:
            entity, records = ENTITIES[name], self.bundle.records[name]
            self.report(f"writing {entity.csv_file}", 0)
            changes[name] = apply(self.conn, entity, records, derive(entity, self._sources(entity.name)),
                                  self.stamp, tombstone_missing=self.modes[name] == "bulk")
            self.report(f"writing {entity.csv_file}", len(records))
        # Records not in the bundle whose derived lists may have changed (a delta file's new
        # school changes its district's children; classResources.csv changes classes).
        touched = set(supplied)
        self._views.clear()
        for name in LOAD_ORDER:
            entity = ENTITIES[name]
            if derived_sources(entity) & touched:
                counts = apply(self.conn, entity, load_records(self.conn, entity),
                               derive(entity, self._sources(name)), self.stamp, tombstone_missing=False)
                changes.setdefault(name, WriteCounts()).changed += counts.changed
        return ImportSummary({n: len(self.bundle.records[n]) for n in supplied}, changes)

    def _sources(self, name: str) -> dict[str, list[dict[str, Any]]]:
        return {src: self._view(src) for src in derived_sources(ENTITIES[name])}

    def _view(self, name: str) -> list[dict[str, Any]]:
        """The records of `name` as they are once this import applies."""
        if name not in self._views:
            mode = self.modes[name]
            if mode == "bulk" and name in self.bundle.records:
                self._views[name] = self.bundle.records[name]
            else:
                merged = {r["sourcedId"]: r for r in load_records(self.conn, ENTITIES[name])}
                if mode == "delta":
                    merged.update((r["sourcedId"], r) for r in self.bundle.records[name])
                self._views[name] = list(merged.values())
        return self._views[name]
