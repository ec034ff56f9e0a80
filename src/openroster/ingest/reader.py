"""Read a OneRoster 1.1 CSV bundle (a .zip or a folder) into records, or report all its problems.

Nothing is returned until the whole bundle has been checked: the manifest, every file's
header and rows, and every reference. Problems from all files are gathered and raised
together as BundleInvalid, so one run tells the admin everything to fix.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openroster.ingest._manifest import plan_files, read_manifest
from openroster.ingest._references import check_references
from openroster.ingest._source import BundleSource
from openroster.ingest._table import Table, read_table
from openroster.ingest.problems import BundleInvalid, Problem, ProblemLog
from openroster.model.catalogue import ENTITIES, LOAD_ORDER

__all__ = ["Bundle", "BundleInvalid", "Problem", "read_bundle"]

# Files are read in load order (referenced data first); any entity missing from it comes last.
_ORDER = LOAD_ORDER + tuple(name for name in ENTITIES if name not in LOAD_ORDER)


@dataclass
class Bundle:
    """A checked bundle: records are keyed by field name, per the model's record representation."""

    modes: dict[str, str]  # entity name -> 'bulk' | 'delta' | 'absent', for every entity
    properties: dict[str, str]  # every manifest row, propertyName -> value
    records: dict[str, list[dict[str, Any]]]  # entity name -> records in file order (files present)


def _no_stored_ids(name: str) -> Collection[str]:
    return ()


@contextmanager
def _cycle_collection_paused() -> Iterator[None]:
    """Creating millions of records makes the cyclic garbage collector rescan them over and over
    (more than half the reading time); records hold no reference cycles, so pause it meanwhile."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def read_bundle(path: Path, *, stored_ids: Callable[[str], Collection[str]] = _no_stored_ids,
                progress: Callable[[str, int], None] | None = None) -> Bundle:
    """Read and check the bundle at `path`; raise BundleInvalid listing every problem found.

    `stored_ids(entity_name)` gives the sourcedIds already loaded, which references into files
    that are absent (or delta) may name. `progress(file_name, rows_done)` is called every few
    thousand rows and once at the end of each file.
    """
    log = ProblemLog()
    with _cycle_collection_paused(), BundleSource(Path(path)) as source:
        manifest = read_manifest(source, log)
        plan = plan_files(manifest, source.names, log)
        tables: dict[str, Table] = {}
        for name in _ORDER:
            mode = plan.read.get(name)
            if mode is not None:
                tables[name] = read_table(source, ENTITIES[name], mode, log, progress)
        check_references(tables, plan, stored_ids, log)
    log.raise_if_any()
    return Bundle(
        modes=plan.modes,
        properties=manifest.properties,
        records={name: tables[name].records for name in ENTITIES if name in tables},
    )
