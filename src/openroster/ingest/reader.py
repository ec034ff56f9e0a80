"""Check a OneRoster CSV bundle (1.1 or 1.2.1; a .zip or a folder) completely, or report all its problems.

Nothing is returned until the whole bundle has been checked: the manifest, every file's
header and rows, and every reference. Problems from all files are gathered and raised
together as BundleInvalid, so one run tells the admin everything to fix.

Checking keeps, per file, its sourcedIds (8 bytes each, see `_idset`) and a digest of its bytes, but only the records
asked for: an import keeps the few small files that derived lists are computed from and
reads the others again, batch by batch, while writing (see `replay`). `read_bundle` keeps
every record.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Container
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openroster.ingest._gc import cycle_collection_paused
from openroster.ingest._idset import IdSet
from openroster.ingest._manifest import plan_files, read_manifest
from openroster.ingest._references import References
from openroster.ingest._roles import RoleChecks
from openroster.ingest._source import BundleSource, Digest
from openroster.ingest._table import TableRows
from openroster.ingest.problems import BundleInvalid, Problem, ProblemLog
from openroster.model.catalogue import ENTITIES
from openroster.model.csv_binding import V11, V12, csv_entities, load_order

__all__ = ["Bundle", "BundleInvalid", "CheckedBundle", "Problem", "check_bundle", "new_digest", "read_bundle"]

PROGRESS_EVERY = 5000


@dataclass
class Bundle:
    """A checked bundle: records are keyed by field name, per the model's record representation."""

    modes: dict[str, str]  # entity name -> 'bulk' | 'delta' | 'absent', for every entity
    properties: dict[str, str]  # every manifest row, propertyName -> value
    records: dict[str, list[dict[str, Any]]]  # entity name -> records in file order (files present)
    version: str = V11  # the manifest's oneroster.version


@dataclass
class CheckedBundle:
    """What checking a valid bundle keeps: enough to write it without holding every record."""

    path: Path
    modes: dict[str, str]  # entity name -> 'bulk' | 'delta' | 'absent', for every entity
    properties: dict[str, str]  # every manifest row, propertyName -> value
    counts: dict[str, int]  # entity name -> records in its file (files present)
    ids: dict[str, IdSet]  # entity name -> sourcedIds in its file (files present)
    digests: dict[str, bytes]  # entity name -> digest of its file's bytes (files present)
    records: dict[str, list[dict[str, Any]]]  # entity name -> records in file order (kept files)
    version: str = V11  # the manifest's oneroster.version


def new_digest() -> Digest:
    """The digest files are compared with between checking and writing."""
    return hashlib.blake2b(digest_size=16)


def _no_stored_ids(name: str) -> Container[str]:
    return ()


def check_bundle(
    path: Path,
    *,
    stored_ids: Callable[[str], Container[str]] = _no_stored_ids,
    progress: Callable[[str, int], None] | None = None,
    keep: Collection[str] = (),
) -> CheckedBundle:
    """Check the bundle at `path`; raise BundleInvalid listing every problem found.

    `stored_ids(entity_name)` gives the sourcedIds already loaded, which references into files
    that are absent (or delta) may name. `progress(file_name, rows_done)` is called every few
    thousand rows and once at the end of each file. The records of the entities in `keep` are
    kept; of the others, only their sourcedIds.
    """
    log = ProblemLog()
    with cycle_collection_paused(), BundleSource(Path(path)) as source:
        manifest = read_manifest(source, log)
        if not manifest.usable:
            # Without the manifest no file's mode is known: checking the files anyway would
            # report the consequences (a delta file's references "missing") as problems too.
            log.raise_if_any()
        plan = plan_files(manifest, source.names, log)
        entities = csv_entities(manifest.version)
        ids: dict[str, IdSet] = {name: IdSet() for name in plan.read}
        references = References(plan, entities, ids, stored_ids, log)
        roles = RoleChecks(plan, stored_ids, log) if manifest.version == V12 else None
        checked = CheckedBundle(
            Path(path), plan.modes, manifest.properties, {}, dict(ids), {}, {}, manifest.version
        )
        for name in load_order(manifest.version):
            mode = plan.read.get(name)
            if mode is None:
                continue
            digest = new_digest()
            table = TableRows(source, entities[name], mode, log, ids=ids[name], digest=digest)
            kept: list[dict[str, Any]] | None = [] if name in keep else None
            check = references.checker(name)
            if roles is not None:
                check = roles.checker(name, check)
            checked.counts[name] = _check_rows(table, check, kept, progress)
            ids[name].seal()
            references.file_done(name, table.complete)
            checked.digests[name] = digest.digest()
            if kept is not None:
                checked.records[name] = kept
        references.finish()
        if roles is not None:
            roles.finish()
    log.raise_if_any()
    checked.records = {name: checked.records[name] for name in ENTITIES if name in checked.records}
    return checked


def _check_rows(
    table: TableRows,
    check: Callable[[int, Any], None] | None,
    kept: list[dict[str, Any]] | None,
    progress: Callable[[str, int], None] | None,
) -> int:
    """Read a file through, checking each record's references; returns the number of records."""
    file = table.entity.csv_file
    done = 0
    if progress is not None:
        progress(file, 0)
    for line, record in table:
        if check is not None:
            check(line, record)
        if kept is not None:
            kept.append(record)
        done += 1
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(file, done)
    if progress is not None and table.read_through:
        progress(file, done)
    return done


def read_bundle(
    path: Path,
    *,
    stored_ids: Callable[[str], Container[str]] = _no_stored_ids,
    progress: Callable[[str, int], None] | None = None,
) -> Bundle:
    """Read and check the bundle at `path`, keeping every record; raise BundleInvalid listing every
    problem found. The arguments are those of `check_bundle`."""
    checked = check_bundle(path, stored_ids=stored_ids, progress=progress, keep=ENTITIES)
    return Bundle(checked.modes, checked.properties, checked.records, checked.version)
