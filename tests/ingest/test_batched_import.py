"""Imports write in batches from a second read of the bundle: the same store as one batch, one transaction."""

from __future__ import annotations

import copy
import csv
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from openroster.ingest.demo import generate_demo
from openroster.ingest.importer import ImportSummary, import_bundle
from openroster.ingest.problems import BundleChanged
from openroster.ingest.reader import check_bundle
from openroster.ingest.writer import write_bundle
from openroster.model.catalogue import ENTITIES
from openroster.model.csv_binding import V11, csv_entities, load_order
from openroster.store.dialects import create_engine
from openroster.store.schema import TABLES
from tests.conftest import BACKENDS, new_database
from tests.district import IMPORT_TIME, district
from tests.ingest.test_delta_sync import SECOND_IMPORT, as_delta_bundle, second_term

Records = dict[str, list[dict[str, Any]]]
Snapshot = dict[str, list[tuple[object, ...]]]


def fresh_engine(backend: str, folder: Path) -> sa.Engine:
    folder.mkdir(parents=True, exist_ok=True)
    return create_engine(new_database(backend, folder))


def snapshot(engine: sa.Engine) -> Snapshot:
    """Every row of every openroster table, and the data revision."""
    with engine.connect() as conn:
        rows = {
            table.name: sorted(tuple(r) for r in conn.execute(sa.select(table)))
            for tables in TABLES.values()
            for table in (tables.main, *tables.lists.values())
        }
        state = conn.exec_driver_sql("SELECT key, value FROM store_state")
        rows["store_state"] = sorted(tuple(r) for r in state)
    return rows


def counts(summary: ImportSummary) -> dict[str, tuple[int, int, int, int]]:
    return {name: (c.created, c.changed, c.tombstoned, c.unchanged) for name, c in summary.changes.items()}


def a_year(tmp_path: Path) -> list[tuple[Path, int]]:
    """Bundles imported one after the other: a first load, a bulk term change with tombstones and a
    relationship change, a delta bundle, and the first district again (tombstones come back)."""
    first, after = district(), second_term(district())
    after["org"].append(
        {"sourcedId": "sch-3", "name": "Lakeside Elementary", "type": "school", "parent": "dist-1"}
    )
    after["classResource"] = []  # cls-bio-1 loses its resource
    later = copy.deepcopy(after)
    later["user"][0]["familyName"] = "Byron"
    steps: list[tuple[Path, Records, str]] = [
        (tmp_path / "first", first, "bulk"),
        (tmp_path / "second", after, "bulk"),
        (tmp_path / "third", as_delta_bundle(after, later), "delta"),
        (tmp_path / "back", first, "bulk"),
    ]
    for folder, records, mode in steps:
        write_bundle(folder, records, mode=mode)
    day = SECOND_IMPORT - IMPORT_TIME
    return [(folder, IMPORT_TIME + n * day) for n, (folder, _, _) in enumerate(steps)]


@pytest.mark.parametrize("backend", BACKENDS)
def test_small_batches_give_exactly_the_store_of_one_batch(tmp_path: Path, backend: str) -> None:
    bundles = a_year(tmp_path)
    results = []
    for batch_size in (100_000, 3, 1):
        engine = fresh_engine(backend, tmp_path / f"batch-{batch_size}")
        summaries = [
            counts(import_bundle(engine, folder, at_ms=at, batch_size=batch_size)) for folder, at in bundles
        ]
        results.append((summaries, snapshot(engine)))
        engine.dispose()
    one_batch, *small = results
    assert all(result == one_batch for result in small)
    summaries, _ = one_batch
    assert summaries[1]["user"] == (1, 1, 1, 8)  # stu-6 new, tch-1 changed, stu-3 tombstoned
    assert summaries[1]["org"] == (1, 1, 0, 3)  # sch-3 new, dist-1 shows it among its children
    assert summaries[1]["class"][1] == 2  # cls-alg-1's terms, and cls-bio-1's resources
    assert summaries[3]["user"] == (0, 2, 1, 8)  # stu-3 comes back, tch-1 changes back, stu-6 goes


def test_the_first_load_keeps_the_files_times_in_every_batch(tmp_path: Path) -> None:
    write_bundle(tmp_path / "bundle", district())
    engine = fresh_engine("sqlite", tmp_path)
    import_bundle(engine, tmp_path / "bundle", at_ms=IMPORT_TIME, batch_size=1)
    with engine.connect() as conn:
        times = dict(conn.exec_driver_sql("SELECT sourced_id, date_last_modified FROM orgs").all())
    engine.dispose()
    given = {o["sourcedId"]: o.get("dateLastModified", IMPORT_TIME) for o in district()["org"]}
    assert times == given and len(set(times.values())) == 3  # dist-1, sch-1 (2nd batch) keep theirs


def test_a_large_district_in_many_batches(tmp_path: Path) -> None:
    demo = generate_demo(schools=2, students=60, seed=4)
    write_bundle(tmp_path / "demo", demo)
    smaller = copy.deepcopy(demo)
    smaller["enrollment"] = smaller["enrollment"][::2]
    write_bundle(tmp_path / "smaller", smaller)
    stores = []
    for batch_size in (10_000, 7):
        engine = fresh_engine("sqlite", tmp_path / f"b{batch_size}")
        first = import_bundle(engine, tmp_path / "demo", at_ms=IMPORT_TIME, batch_size=batch_size)
        second = import_bundle(engine, tmp_path / "smaller", at_ms=SECOND_IMPORT, batch_size=batch_size)
        stores.append((counts(first), counts(second), first.records, second.records, snapshot(engine)))
        engine.dispose()
    assert stores[0] == stores[1]
    gone = len(demo["enrollment"]) - len(smaller["enrollment"])
    assert stores[0][1]["enrollment"] == (0, 0, gone, len(smaller["enrollment"]))


def add_trigger(engine: sa.Engine, sql: str) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql(sql)


@pytest.mark.parametrize(
    "trigger",
    [
        # the database fails on the last user, many batches into users.csv...
        "CREATE TRIGGER fail_late BEFORE INSERT ON users WHEN NEW.sourced_id = 'adm-1' "
        "BEGIN SELECT RAISE(ABORT, 'disk full'); END",
        # ...or when tombstoning what enrollments.csv no longer has, after all its batches
        "CREATE TRIGGER fail_late BEFORE UPDATE ON enrollments BEGIN SELECT RAISE(ABORT, 'disk full'); END",
    ],
)
def test_a_failure_in_a_late_batch_rolls_back_the_whole_import(tmp_path: Path, trigger: str) -> None:
    write_bundle(tmp_path / "first", district())
    engine = fresh_engine("sqlite", tmp_path)
    import_bundle(engine, tmp_path / "first", at_ms=IMPORT_TIME)
    changed = second_term(district())
    changed["org"][0]["name"] = "Renamed District"  # written first
    for user in changed["user"]:
        user["familyName"] += "-2"  # every user changes, so every batch writes
    write_bundle(tmp_path / "changed", changed)
    before = snapshot(engine)
    add_trigger(engine, trigger)
    with pytest.raises(sa.exc.DatabaseError, match="disk full"):
        import_bundle(engine, tmp_path / "changed", at_ms=SECOND_IMPORT, batch_size=2)
    assert snapshot(engine) == before
    engine.dispose()


def rewrite_cell(path: Path, line: int, column: str, value: str) -> None:
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    rows[line - 1][rows[0].index(column)] = value
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)


@pytest.mark.parametrize(("column", "value"), [("givenName", "Someone Else"), ("role", "pupil")])
def test_a_file_that_changes_after_it_was_checked_is_not_imported(
    tmp_path: Path, column: str, value: str
) -> None:
    write_bundle(tmp_path / "first", district())
    engine = fresh_engine("sqlite", tmp_path)
    import_bundle(engine, tmp_path / "first", at_ms=IMPORT_TIME)
    before = snapshot(engine)
    write_bundle(tmp_path / "next", second_term(district()))

    def change_users_once_writing_starts(stage: str, rows: int, total: int | None) -> None:
        if stage == "writing orgs.csv" and rows == 0:
            rewrite_cell(tmp_path / "next" / "users.csv", 3, column, value)

    with pytest.raises(BundleChanged) as caught:
        import_bundle(
            engine, tmp_path / "next", at_ms=SECOND_IMPORT, progress=change_users_once_writing_starts
        )
    assert str(caught.value) == (
        f"users.csv in {tmp_path / 'next'} changed while it was being imported, "
        "so it is not what was checked; nothing was imported. Import the bundle "
        "again once it is complete."
    )
    assert snapshot(engine) == before
    engine.dispose()


@pytest.mark.parametrize("backend", BACKENDS)
def test_progress_reports_reading_then_writing_every_batch(backend: str, tmp_path: Path) -> None:
    write_bundle(tmp_path / "bundle", district())
    engine = fresh_engine(backend, tmp_path / "store")
    calls: list[tuple[str, int, int | None]] = []
    summary = import_bundle(
        engine,
        tmp_path / "bundle",
        batch_size=4,
        progress=lambda stage, rows, total: calls.append((stage, rows, total)),
    )
    engine.dispose()
    assert [(rows, total) for stage, rows, total in calls if stage == "writing users.csv"] == [
        (0, 10),
        (4, 10),
        (8, 10),
        (10, 10),
    ]
    assert [(rows, total) for stage, rows, total in calls if stage == "reading users.csv"] == [
        (0, None),
        (10, None),
    ]
    files = [ENTITIES[name].csv_file for name in load_order(V11)]
    for name, count in summary.records.items():  # every file's counts rise to its rows
        for phase in ("reading", "writing"):
            done = [rows for stage, rows, _ in calls if stage == f"{phase} {ENTITIES[name].csv_file}"]
            assert done == sorted(done) and done[-1] == count, (phase, name, done)
    updated = [stage for stage, _, _ in calls if stage.startswith("updating")]
    assert updated and all(stage.removeprefix("updating ") in files for stage in updated)
    assert list(dict.fromkeys(stage for stage, _, _ in calls)) == (
        [f"reading {f}" for f in files]
        + [f"writing {f}" for f in files]
        + list(dict.fromkeys(updated))
        + ["committing"]
    )


def test_checking_keeps_sourced_ids_and_only_the_records_asked_for(tmp_path: Path) -> None:
    write_bundle(tmp_path / "bundle", district())
    checked = check_bundle(tmp_path / "bundle", keep={"org", "classResource"})
    assert set(checked.records) == {"org", "classResource"}
    assert [o["sourcedId"] for o in checked.records["org"]] == ["dist-1", "sch-1", "sch-2", "dept-1"]
    for name, records in district().items():  # the ids are kept as hashes: asked, not listed
        assert len(checked.ids[name]) == len(records)
        assert all(r["sourcedId"] in checked.ids[name] for r in records)
        assert f"{records[0]['sourcedId']}-not" not in checked.ids[name]
    assert checked.counts == {name: len(records) for name, records in district().items()}
    assert set(checked.digests) == set(csv_entities(V11))
