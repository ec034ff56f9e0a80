"""Records loaded back from the store render to exactly the stored documents (export and refresh rely on it)."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from openroster.model.catalogue import ENTITIES
from openroster.model.derived import derive, derived_sources, for_record
from openroster.model.documents import render_documents
from openroster.model.render import stamp
from openroster.store.records import load_records, record_batches
from openroster.store.schema import TABLES
from openroster.store.writes import org_types
from tests.conftest import load
from tests.district import district


def test_load_records_round_trips_every_document(tmp_path: Path) -> None:
    engine = load(tmp_path, district())
    with engine.connect() as conn:
        for entity in ENTITIES.values():
            records = load_records(conn, entity)
            derived = derive(entity, {s: load_records(conn, ENTITIES[s]) for s in derived_sources(entity)})
            table = TABLES[entity.name].main
            stored = {
                row[0]: row[1:]
                for row in conn.execute(sa.select(table.c.sourced_id, table.c.content_hash, table.c.doc_v12))
            }
            assert len(records) == len(stored) == len(district().get(entity.name, []))
            org_type = org_types(conn, entity, records)
            for record in records:
                _, doc_v12, digest = render_documents(
                    entity, record, for_record(derived, record["sourcedId"]), org_type
                )
                served_v12 = None if doc_v12 is None else stamp(doc_v12, record["dateLastModified"])
                assert (digest, served_v12) == stored[record["sourcedId"]], (entity.name, record["sourcedId"])
    engine.dispose()


@pytest.mark.parametrize("size", [1, 2, 3, 100])
def test_record_batches_give_the_records_of_load_records_a_batch_at_a_time(tmp_path: Path, size: int) -> None:
    engine = load(tmp_path, district())
    with engine.connect() as conn:
        for entity in ENTITIES.values():
            batches = list(record_batches(conn, entity, size))
            assert all(0 < len(batch) <= size for batch in batches)
            assert [r for batch in batches for r in batch] == load_records(conn, entity)
    engine.dispose()
