"""Export the store as a OneRoster 1.1 CSV bundle: every record, tombstones included, as stored.

The bundle is lossless for a move to a new store: each row carries its `status` (`active` or
`tobedeleted`) and its `dateLastModified`, and the first import into an empty store keeps both
as they are (see `openroster.store.writes`), so the new store serves the same documents, a delta
consumer still learns of every deletion, and the SIS taking grades back can tell a deleted grade
from one never written. Imported into a store that already holds data, the tombstone rows
tombstone those records there, and every changed record gets the time of that import.
"""

from __future__ import annotations

from pathlib import Path
import sqlalchemy as sa

from openroster.ingest.writer import write_bundle
from openroster.model.catalogue import LOAD_ORDER, entity
from openroster.store.records import load_records


def export_bundle(engine: sa.Engine, out: Path) -> dict[str, int]:
    """Write every stored record as a bulk bundle (a folder, or a .zip); returns counts per entity."""
    with engine.connect() as conn:
        records = {name: load_records(conn, entity(name)) for name in LOAD_ORDER}
    write_bundle(out, records, mode="bulk")
    return {name: len(rows) for name, rows in records.items()}

