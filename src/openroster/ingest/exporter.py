"""Export the store as a OneRoster 1.1 CSV bundle: every record, tombstones included, as stored.

The bundle is lossless for a move to a new store: each row carries its `status` (`active` or
`tobedeleted`) and its `dateLastModified`, and the first import into an empty store keeps both
as they are (see `openroster.store.writes`), so the new store serves the same documents, a delta
consumer still learns of every deletion, and the SIS taking grades back can tell a deleted grade
from one never written. Imported into a store that already holds data, the tombstone rows
tombstone those records there, and every changed record gets the time of that import.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from openroster.ingest.writer import write_bundle
from openroster.model.catalogue import LOAD_ORDER, entity
from openroster.store.dialects import read_connection
from openroster.store.records import record_batches


def export_bundle(
    engine: sa.Engine, out: Path, *, active_only: bool = False, with_passwords: bool = False
) -> dict[str, int]:
    """Write every stored record as a bulk bundle (a folder, or a .zip); returns counts per entity.

    `active_only` leaves the tombstones out, for importers that ignore `status` in bulk files
    (the bundle is then no longer lossless: deletions are only implied by absence). Secret
    fields (users' passwords) are written only `with_passwords`.

    The whole bundle comes from one snapshot of the store, even while imports or writes commit,
    and holds only one entity's records in memory at a time.
    """
    counts: dict[str, int] = {}
    with read_connection(engine) as conn, conn.begin():
        write_bundle(
            out,
            {name: _records(conn, name, counts, active_only, with_passwords) for name in LOAD_ORDER},
            mode="bulk",
        )
    return counts


def _records(
    conn: sa.Connection, name: str, counts: dict[str, int], active_only: bool, with_secrets: bool
) -> Iterator[dict[str, Any]]:
    """The stored records of entity `name`, read as the writer asks for them, counted in `counts`."""
    counts[name] = 0
    secret = () if with_secrets else tuple(field.name for field in entity(name).secret_fields)
    for batch in record_batches(conn, entity(name)):
        if active_only:
            batch = [record for record in batch if record["status"] == "active"]
        counts[name] += len(batch)
        for record in batch:
            for field_name in secret:
                record.pop(field_name, None)
        yield from batch
