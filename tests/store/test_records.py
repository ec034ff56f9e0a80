"""Records loaded back from the store render to exactly the stored documents, after every kind of write."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from openroster.ingest.importer import import_bundle
from openroster.ingest.writer import write_bundle
from openroster.model.catalogue import ENTITIES
from openroster.model.derived import derive, derived_sources, for_record
from openroster.model.documents import render_documents
from openroster.model.render import stamp
from openroster.store.maintenance import prune_tombstones
from openroster.store.records import load_records, record_batches
from openroster.store.schema import TABLES
from openroster.store.writes import org_types
from tests.conftest import BACKENDS, BASE, IMPORT_TIME, client_for, load
from tests.district import district
from tests.store.test_counts import DAY, fewer_records


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


def assert_every_document_is_a_fresh_rendering(engine: sa.Engine) -> None:
    """Each stored document (dateLastModified as stored) and hash is what rendering its record gives."""
    with engine.connect() as conn:
        for entity in ENTITIES.values():
            records = load_records(conn, entity)
            derived = derive(entity, {s: load_records(conn, ENTITIES[s]) for s in derived_sources(entity)})
            main = TABLES[entity.name].main
            stored = {
                row.sourced_id: row
                for row in conn.execute(
                    sa.select(
                        main.c.sourced_id,
                        main.c.doc,
                        main.c.doc_v12,
                        main.c.content_hash,
                        main.c.date_last_modified,
                    )
                )
            }
            org_type = org_types(conn, entity, records)
            for record in records:
                epoch_doc, doc_v12, digest = render_documents(
                    entity, record, for_record(derived, record["sourcedId"]), org_type
                )
                row = stored[record["sourcedId"]]
                assert digest == row.content_hash, (entity.name, record["sourcedId"])
                assert stamp(epoch_doc, row.date_last_modified) == bytes(row.doc), (
                    entity.name,
                    record["sourcedId"],
                )
                fresh_v12 = None if doc_v12 is None else stamp(doc_v12, row.date_last_modified)
                assert fresh_v12 == (None if row.doc_v12 is None else bytes(row.doc_v12)), (
                    entity.name,
                    record["sourcedId"],
                )


@pytest.mark.parametrize("backend", BACKENDS)
def test_stored_documents_stay_fresh_renderings_after_every_kind_of_write(
    tmp_path: Path, backend: str
) -> None:
    engine = load(tmp_path, district(), backend=backend)
    assert_every_document_is_a_fresh_rendering(engine)
    write_bundle(tmp_path / "fewer", fewer_records())
    import_bundle(engine, tmp_path / "fewer", at_ms=IMPORT_TIME + DAY)  # changes and tombstones
    assert_every_document_is_a_fresh_rendering(engine)
    with client_for(engine) as api:
        new = {"result": {"lineItem": "li-1", "student": "stu-2", "scoreStatus": "exempt", "score": 4.5}}
        assert api.put(f"{BASE}/results/r-new", json=new).status_code == 201
        assert api.put(f"{BASE}/lineItems/li-1", json=line_item(api)).status_code == 200
        assert api.delete(f"{BASE}/results/r-new").status_code == 204
    assert_every_document_is_a_fresh_rendering(engine)
    with engine.begin() as conn:
        assert sum(prune_tombstones(conn, IMPORT_TIME + 4000 * DAY).values()) >= 1
    assert_every_document_is_a_fresh_rendering(engine)
    engine.dispose()


def line_item(api: TestClient) -> dict[str, Any]:
    """lineItem li-1 as served, with a new title, as a PUT body."""
    served = api.get(f"{BASE}/lineItems/li-1").json()["lineItem"]
    body = {k: v for k, v in served.items() if k not in ("dateLastModified", "sourcedId")}
    return {"lineItem": {**body, "title": served["title"] + " (revised)"}}
