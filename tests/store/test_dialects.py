"""Backend specifics: PostgreSQL gets fresh planner statistics for what an import wrote."""

from __future__ import annotations

import time
from pathlib import Path

import sqlalchemy as sa

from tests.conftest import load
from tests.district import district


def test_an_import_leaves_fresh_statistics_on_postgresql(tmp_path: Path) -> None:
    engine = load(tmp_path, district(), backend="postgresql")
    query = sa.text("SELECT relname FROM pg_stat_user_tables WHERE last_analyze IS NOT NULL")
    analyzed: set[str] = set()
    for _ in range(50):  # statistics views are updated just after the transaction ends
        with engine.connect() as conn:
            analyzed = set(conn.execute(query).scalars())
        if {"users", "users__orgs", "enrollments"} <= analyzed:
            break
        time.sleep(0.1)
    assert {"users", "users__orgs", "enrollments", "classes__terms"} <= analyzed
    engine.dispose()


def test_a_new_sqlite_store_and_its_wal_are_owner_only(tmp_path: Path) -> None:
    import stat

    from openroster.store.dialects import create_engine as create_store_engine

    path = tmp_path / "new.db"
    engine = create_store_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (x TEXT)")
        conn.exec_driver_sql("INSERT INTO t VALUES ('secret')")
        assert conn.exec_driver_sql("PRAGMA journal_size_limit").scalar() == 64 << 20
    for made in (path, tmp_path / "new.db-wal"):
        assert stat.S_IMODE(made.stat().st_mode) == 0o600, made
    engine.dispose()


def test_a_large_wal_is_cut_back_at_the_next_checkpoint(tmp_path: Path) -> None:
    from openroster.store.dialects import WAL_KEPT_BYTES
    from openroster.store.dialects import create_engine as create_store_engine

    path = tmp_path / "big.db"
    engine = create_store_engine(f"sqlite:///{path}")
    with engine.begin() as conn:  # one transaction of ~100 MB, as a large import writes
        conn.exec_driver_sql("CREATE TABLE t (x BLOB)")
        conn.exec_driver_sql(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100) "
            "INSERT INTO t SELECT randomblob(1048576) FROM n"
        )
    wal = tmp_path / "big.db-wal"
    assert wal.stat().st_size > WAL_KEPT_BYTES + (32 << 20)
    # Its commit checkpointed the WAL; the next write starts the WAL over and cuts the file back.
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO t VALUES (x'00')")
    assert wal.stat().st_size <= WAL_KEPT_BYTES
    engine.dispose()
