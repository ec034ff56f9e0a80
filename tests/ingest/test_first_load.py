"""A first import into an empty store writes rows without secondary indexes and builds them at the end.

The store it leaves is the one row-by-row writes leave, with every index the migrations define;
a first import that fails leaves the empty store, indexes and all.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from openroster.ingest.importer import import_bundle
from openroster.ingest.writer import write_bundle
from openroster.model.catalogue import ENTITIES
from openroster.model.csv_binding import V11, load_order
from openroster.model.derived import derive, derived_sources
from openroster.store import migrate
from openroster.store.writes import apply_batches
from tests.conftest import BACKENDS
from tests.district import IMPORT_TIME, district
from tests.ingest.test_batched_import import add_trigger, fresh_engine, snapshot


def indexes(engine: sa.Engine) -> list[tuple[str, str, str]]:
    """Every index of the store: (table, name, definition)."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            rows = conn.exec_driver_sql(
                "SELECT tbl_name, name, coalesce(sql, '') FROM sqlite_master WHERE type = 'index'"
            )
        else:
            rows = conn.exec_driver_sql(
                "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'"
            )
        return sorted((str(t), str(n), str(d)) for t, n, d in rows)


def migrated(backend: str, folder: Path) -> sa.Engine:
    engine = fresh_engine(backend, folder)
    migrate.upgrade(engine)
    return engine


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_first_import_leaves_every_index_the_migrations_define(tmp_path: Path, backend: str) -> None:
    write_bundle(tmp_path / "bundle", district())
    engine = migrated(backend, tmp_path / "store")
    expected = indexes(engine)
    assert len([i for i in expected if i[1].startswith("ix_enrollments_")]) >= 5
    import_bundle(engine, tmp_path / "bundle", at_ms=IMPORT_TIME)
    assert indexes(engine) == expected
    if backend == "sqlite":
        with engine.connect() as conn:  # every index holds exactly the rows of its table
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalars().all() == ["ok"]
    engine.dispose()


@pytest.mark.parametrize("backend", BACKENDS)
def test_loading_without_indexes_stores_what_row_by_row_writes_store(tmp_path: Path, backend: str) -> None:
    records = district()
    stores = {}
    for bulk in (True, False):
        engine = migrated(backend, tmp_path / f"bulk-{bulk}")
        with engine.begin() as conn:
            for name in load_order(V11):
                entity = ENTITIES[name]
                batches = [records[name][i : i + 3] for i in range(0, len(records[name]), 3)]
                derived = derive(entity, {src: records.get(src, []) for src in derived_sources(entity)})
                apply_batches(conn, entity, batches, derived, IMPORT_TIME, present=None, bulk=bulk)
        stores[bulk] = (snapshot(engine), indexes(engine))
        engine.dispose()
    assert stores[True] == stores[False]
    assert stores[True][0]["enrollments"]  # something was written


def test_a_first_import_that_fails_leaves_the_empty_store_and_its_indexes(tmp_path: Path) -> None:
    records = district()
    write_bundle(tmp_path / "bundle", records)
    engine = migrated("sqlite", tmp_path / "store")
    last = records["enrollment"][-1]["sourcedId"]
    add_trigger(
        engine,
        f"CREATE TRIGGER fail_late BEFORE INSERT ON enrollments WHEN NEW.sourced_id = '{last}' "
        "BEGIN SELECT RAISE(ABORT, 'disk full'); END",
    )
    before, expected = snapshot(engine), indexes(engine)
    with pytest.raises(sa.exc.DatabaseError, match="disk full"):
        import_bundle(engine, tmp_path / "bundle", at_ms=IMPORT_TIME, batch_size=2)
    assert snapshot(engine) == before
    assert not any(before[t] for t in before if t != "store_state")
    assert indexes(engine) == expected
    engine.dispose()
