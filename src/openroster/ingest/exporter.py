"""Export the store as a OneRoster 1.1 CSV bundle (rosters, resources and the gradebook Grade Sync wrote)."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from openroster.ingest.writer import write_bundle
from openroster.model.catalogue import LOAD_ORDER, entity
from openroster.store.records import load_records


def export_bundle(engine: sa.Engine, out: Path) -> dict[str, int]:
    """Write every active record as a bulk bundle (a folder, or a .zip); returns counts per entity.

    Tombstones are left out: in a bulk bundle, a record that is not there is deleted.
    """
    with engine.connect() as conn:
        records = {name: [r for r in load_records(conn, entity(name)) if r["status"] == "active"]
                   for name in LOAD_ORDER}
    write_bundle(out, records, mode="bulk")
    return {name: len(rows) for name, rows in records.items()}
