"""Import a OneRoster CSV bundle into the store: validate everything first, then write in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import sqlalchemy as sa

from openroster.errors import OpenRosterError
from openroster.ingest.reader import Bundle, read_bundle
from openroster.model.catalogue import ENTITIES, LOAD_ORDER
from openroster.model.derived import derive, derived_sources
from openroster.model.values import now_ms
from openroster.store import migrate
from openroster.store.records import load_records, stored_ids
from openroster.store.writes import replace_all


class UnsupportedBundle(OpenRosterError):
    """A valid bundle this version cannot apply."""


@dataclass(frozen=True)
class ImportSummary:
    records: dict[str, int]  # entity name -> records now stored from this bundle
    rerendered: tuple[str, ...]  # entities whose documents were refreshed because a source changed


def import_bundle(engine: sa.Engine, path: Path, *,
                  progress: Callable[[str, int], None] | None = None,
                  at_ms: int | None = None) -> ImportSummary:
    """Validate the bundle at `path` completely, then replace the data of each bulk file.

    Nothing is written unless the whole bundle is valid; the writes are one transaction, so
    readers see either the previous data or all of the new data. Raises BundleInvalid.
    """
    migrate.prepare(engine)
    with engine.connect() as conn:
        bundle = read_bundle(path, stored_ids=lambda name: stored_ids(conn, ENTITIES[name]),
                             progress=progress)
    delta = sorted(ENTITIES[n].csv_file for n, mode in bundle.modes.items() if mode == "delta")
    if delta:
        raise UnsupportedBundle(f"Delta files are not supported yet ({', '.join(delta)}); "
                                f"send a bulk bundle (processingMode bulk in manifest.csv).")
    stamp = at_ms if at_ms is not None else now_ms()
    with engine.begin() as conn:
        return _apply(conn, bundle, stamp)


def _apply(conn: sa.Connection, bundle: Bundle, stamp: int) -> ImportSummary:
    bulk = [name for name in LOAD_ORDER if bundle.modes.get(name) == "bulk"]
    refresh = [name for name in LOAD_ORDER
               if name not in bulk and any(src in bulk for src in derived_sources(ENTITIES[name]))]
    loaded: dict[str, list[dict[str, Any]]] = {name: bundle.records[name] for name in bulk}

    def records_of(name: str) -> list[dict[str, Any]]:
        if name not in loaded:
            loaded[name] = load_records(conn, ENTITIES[name])
        return loaded[name]

    counts: dict[str, int] = {}
    for name in LOAD_ORDER:
        if name not in bulk and name not in refresh:
            continue
        entity = ENTITIES[name]
        sources = {src: records_of(src) for src in derived_sources(entity)}
        stored = replace_all(conn, entity, records_of(name), derive(entity, sources), stamp)
        loaded[name] = stored
        if name in bulk:
            counts[name] = len(stored)
    return ImportSummary(counts, tuple(refresh))
