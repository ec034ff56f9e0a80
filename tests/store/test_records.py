"""Records loaded back from the store render to exactly the stored documents (export and refresh rely on it)."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from openroster.model.catalogue import ENTITIES
from openroster.model.derived import derive, derived_sources, for_record
from openroster.model.render import render_versioned
from openroster.store.records import load_records, record_batches
from openroster.store.schema import TABLES
from tests.conftest import load
from tests.district import district


def test_load_records_round_trips_every_document(tmp_path: Path) -> None:
    engine = load(tmp_path, district())
    with engine.connect() as conn:
        for entity in ENTITIES.values():
            records = load_records(conn, entity)
            derived = derive(entity, {s: load_records(conn, ENTITIES[s]) for s in derived_sources(entity)})
            stored = dict(
                conn.execute(
                    sa.select(TABLES[entity.name].main.c.sourced_id, TABLES[entity.name].main.c.content_hash)
                ).all()
            )
            assert len(records) == len(stored) == len(district().get(entity.name, []))
            for record in records:
                _, digest = render_versioned(entity, record, for_record(derived, record["sourcedId"]))
                assert digest == stored[record["sourcedId"]], (entity.name, record["sourcedId"])
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
