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
