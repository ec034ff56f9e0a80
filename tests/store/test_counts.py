"""PostgreSQL's maintained record counts agree with COUNT(*) after every kind of write, and serve X-Total-Count."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command

from openroster.ingest.importer import import_bundle
from openroster.ingest.writer import write_bundle
from openroster.store import migrate
from openroster.store.copy import copy_store
from openroster.store.counts import stored_counts
from openroster.store.dialects import create_engine
from openroster.store.maintenance import prune_tombstones
from openroster.store.migrate import _config
from openroster.store.schema import TABLES, record_counts
from tests.conftest import BACKENDS, BASE, IMPORT_TIME, client_for, load, new_database
from tests.district import district

DAY = 86_400_000
ACTIVE = "filter=status%3D%27active%27"


def counted(conn: sa.Connection) -> dict[tuple[str, str], int]:
    """(table, status) -> rows, by COUNT(*) over every entity table."""
    out = {}
    for tables in TABLES.values():
        main = tables.main
        for status, rows in conn.execute(sa.select(main.c.status, sa.func.count()).group_by(main.c.status)):
            out[(main.name, status)] = int(rows)
    return out


def assert_counts_agree(engine: sa.Engine) -> None:
    with engine.connect() as conn:
        assert stored_counts(conn) == counted(conn)


def served_totals(engine: sa.Engine) -> dict[str, str]:
    with client_for(engine) as api:
        return {
            path: api.get(f"{BASE}{path}").headers["X-Total-Count"]
            for path in (f"/users?{ACTIVE}", "/users", "/enrollments", f"/classes?{ACTIVE}", "/results")
        }


def expected_totals(engine: sa.Engine) -> dict[str, str]:
    with engine.connect() as conn:
        total = counted(conn)
    active = {table: rows for (table, status), rows in total.items() if status == "active"}
    every: dict[str, int] = {}
    for (table, _), rows in total.items():
        every[table] = every.get(table, 0) + rows
    return {
        f"/users?{ACTIVE}": str(active.get("users", 0)),
        "/users": str(every.get("users", 0)),
        "/enrollments": str(every.get("enrollments", 0)),
        f"/classes?{ACTIVE}": str(active.get("classes", 0)),
        "/results": str(active.get("results", 0)),  # gradebook reads leave tombstones out
    }


def fewer_records() -> dict[str, list[dict[str, Any]]]:
    """The district with a user, an enrollment and a result gone: a bulk import tombstones them."""
    records = copy.deepcopy(district())
    for name in ("enrollment", "result"):
        records[name] = records[name][1:]
    # A user no other record names (a bundle must not point at a missing record).
    alone = next(
        u
        for u in records["user"]
        if repr(u["sourcedId"]) not in repr([r for rows in records.values() for r in rows if r is not u])
    )
    records["user"] = [u for u in records["user"] if u is not alone]
    return records


def test_counts_agree_with_count_after_imports_puts_deletes_and_prune(tmp_path: Path) -> None:
    engine = load(tmp_path, district(), backend="postgresql")
    assert_counts_agree(engine)
    assert served_totals(engine) == expected_totals(engine)

    # A second bulk import without some records: they become tombstones (an UPDATE of status).
    write_bundle(tmp_path / "fewer", fewer_records())
    import_bundle(engine, tmp_path / "fewer", at_ms=IMPORT_TIME + DAY)
    assert_counts_agree(engine)
    with engine.connect() as conn:
        assert counted(conn)[("users", "tobedeleted")] >= 1

    with client_for(engine) as api:
        created = {"result": {"lineItem": "li-1", "student": "stu-2", "scoreStatus": "exempt"}}
        assert api.put(f"{BASE}/results/r-new", json=created).status_code == 201
        changed = {"result": {"lineItem": "li-1", "student": "stu-2", "scoreStatus": "fully graded"}}
        assert api.put(f"{BASE}/results/r-new", json=changed).status_code == 200
        assert_counts_agree(engine)
        assert api.delete(f"{BASE}/results/r-new").status_code == 204
        assert api.put(f"{BASE}/categories/c-new", json={"category": {"title": "Labs"}}).status_code == 201
    assert_counts_agree(engine)
    assert served_totals(engine) == expected_totals(engine)

    with engine.begin() as conn:
        removed = prune_tombstones(conn, IMPORT_TIME + 400 * DAY * 10)
    assert sum(removed.values()) >= 3
    assert_counts_agree(engine)
    with engine.connect() as conn:
        assert ("users", "tobedeleted") not in stored_counts(conn)
    assert served_totals(engine) == expected_totals(engine)
    engine.dispose()


@pytest.mark.parametrize("source_backend", BACKENDS)
def test_a_copy_into_postgresql_counts_what_it_copied_and_what_it_replaced(
    tmp_path: Path, source_backend: str
) -> None:
    (tmp_path / "source").mkdir()
    source = load(tmp_path / "source", district(), backend=source_backend)
    (tmp_path / "other").mkdir()
    other = load(tmp_path / "other", fewer_records(), backend="sqlite")
    target = create_engine(new_database("postgresql", tmp_path))
    copy_store(other, target)
    assert_counts_agree(target)
    copy_store(source, target, replace=True)  # deletes what the target held, then copies
    assert_counts_agree(target)
    assert served_totals(target) == expected_totals(source)
    for engine in (source, other, target):
        engine.dispose()


def test_sqlite_keeps_no_counts_and_counts_with_count(tmp_path: Path) -> None:
    engine = load(tmp_path, district())
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(record_counts)).scalar() == 0
    assert served_totals(engine) == expected_totals(engine)
    engine.dispose()


def test_upgrading_a_loaded_postgresql_store_counts_the_records_it_holds(tmp_path: Path) -> None:
    engine = load(tmp_path, district(), backend="postgresql")
    with engine.begin() as conn:
        command.downgrade(_config(conn), "0008")
        conn.execute(TABLES["user"].main.delete().where(TABLES["user"].main.c.sourced_id == "stu-1"))
    migrate.upgrade(engine)
    assert_counts_agree(engine)
    with engine.connect() as conn:
        assert stored_counts(conn)[("users", "active")] == counted(conn)[("users", "active")]
    assert served_totals(engine) == expected_totals(engine)
    engine.dispose()


def test_a_filter_beyond_status_is_counted_by_the_database(tmp_path: Path) -> None:
    """A read the maintained counts cannot answer (another field, two statuses, a restriction)."""
    engine = load(tmp_path, district(), backend="postgresql")
    with engine.connect() as conn:
        every = counted(conn)
        students = conn.execute(
            sa.select(sa.func.count()).where(TABLES["user"].main.c.role == "student")
        ).scalar_one()
    with client_for(engine) as api:

        def total(path: str) -> int:
            return int(api.get(f"{BASE}{path}").headers["X-Total-Count"])

        assert total("/students") == students
        assert total("/users?filter=status%3D%27active%27%20OR%20status%3D%27tobedeleted%27") == sum(
            rows for (table, _), rows in every.items() if table == "users"
        )
        assert total("/results?filter=status%3D%27tobedeleted%27") == every.get(("results", "tobedeleted"), 0)
        assert total(f"/users?{ACTIVE}%20AND%20status%3D%27tobedeleted%27") == 0
    engine.dispose()
