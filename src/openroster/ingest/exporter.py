"""Export the store as a OneRoster 1.1 CSV bundle (rosters, resources and the gradebook Grade Sync wrote)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa

from openroster.ingest.writer import write_bundle
from openroster.model.catalogue import LOAD_ORDER, entity
from openroster.store.records import load_records


def export_bundle(engine: sa.Engine, out: Path, *, with_passwords: bool = False) -> dict[str, int]:
    """Write every active record as a bulk bundle (a folder, or a .zip); returns counts per entity.

    Tombstones are left out: in a bulk bundle, a record that is not there is deleted. Secret
    fields (users' passwords) are written only `with_passwords`.
    """
    with engine.connect() as conn:
        records = {name: [_public(r, name, with_passwords) for r in load_records(conn, entity(name))
                          if r["status"] == "active"]
                   for name in LOAD_ORDER}
    write_bundle(out, records, mode="bulk")
    return {name: len(rows) for name, rows in records.items()}


def _public(record: dict[str, Any], name: str, with_secrets: bool) -> dict[str, Any]:
    if with_secrets:
        return record
    for field in entity(name).secret_fields:
        record.pop(field.name, None)
    return record
