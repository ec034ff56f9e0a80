"""Writes as diffs: what apply and tombstone do to each stored record, its dateLastModified, its list rows,
the data revision and the counts, with every document left a fresh rendering of its record."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
import sqlalchemy as sa

from openroster.model.catalogue import ENTITIES
from openroster.model.derived import derive, derived_sources
from openroster.store import migrate
from openroster.store.dialects import create_engine
from openroster.store.records import load_records
from openroster.store.schema import TABLES
from openroster.store.writes import WriteCounts, apply, apply_batches, revision, tombstone
from tests.conftest import BACKENDS, IMPORT_TIME, load, new_database
from tests.district import district
from tests.store.test_counts import assert_counts_agree
from tests.store.test_records import assert_every_document_is_a_fresh_rendering

DAY = 86_400_000
LATER = IMPORT_TIME + DAY
USER = ENTITIES["user"]
ORG = ENTITIES["org"]


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sa.Engine]:
    engine = load(tmp_path, district(), backend=request.param)
    yield engine
    assert_every_document_is_a_fresh_rendering(engine)
    if engine.dialect.name == "postgresql":  # SQLite keeps no counts
        assert_counts_agree(engine)
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def empty(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sa.Engine]:
    engine = create_engine(new_database(request.param, tmp_path))
    migrate.upgrade(engine)
    yield engine
    assert_every_document_is_a_fresh_rendering(engine)
    if engine.dialect.name == "postgresql":  # SQLite keeps no counts
        assert_counts_agree(engine)
    engine.dispose()


def stored(engine: sa.Engine, entity: str, sourced_id: str) -> Any:
    main = TABLES[entity].main
    with engine.connect() as conn:
        return conn.execute(sa.select(main).where(main.c.sourced_id == sourced_id)).first()


def users(engine: sa.Engine) -> dict[str, dict[str, Any]]:
    with engine.connect() as conn:
        return {r["sourcedId"]: r for r in load_records(conn, USER)}


def write_users(
    engine: sa.Engine, records: list[dict[str, Any]], at: int = LATER, *, tombstone_missing: bool = False
) -> WriteCounts:
    with engine.begin() as conn:
        return apply(conn, USER, records, {}, at, tombstone_missing=tombstone_missing)


def current_revision(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return revision(conn)


def test_an_unchanged_record_is_not_touched_and_the_revision_stays(store: sa.Engine) -> None:
    before = stored(store, "user", "stu-1")
    at = current_revision(store)
    counts = write_users(store, [users(store)["stu-1"]])
    assert counts == WriteCounts(unchanged=1)
    assert stored(store, "user", "stu-1") == before
    assert current_revision(store) == at


def test_a_changed_record_gets_the_write_s_time_and_keeps_when_it_was_first_seen(store: sa.Engine) -> None:
    before = stored(store, "user", "stu-1")
    at = current_revision(store)
    counts = write_users(store, [{**users(store)["stu-1"], "givenName": "Joanna"}])
    assert counts == WriteCounts(changed=1)
    after = stored(store, "user", "stu-1")
    assert (after.given_name, after.date_last_modified) == ("Joanna", LATER)
    assert after.first_seen_ms == before.first_seen_ms
    assert after.content_hash != before.content_hash
    assert orjson.loads(after.doc)["dateLastModified"] == "2025-09-02T12:00:00.000Z"
    assert current_revision(store) == at + 1


def test_a_change_only_1_2_shows_still_moves_date_last_modified(store: sa.Engine) -> None:
    before = stored(store, "user", "stu-1")
    assert write_users(store, [{**users(store)["stu-1"], "pronouns": "she/her"}]) == WriteCounts(changed=1)
    after = stored(store, "user", "stu-1")
    assert orjson.loads(after.doc) == {
        **orjson.loads(before.doc),
        "dateLastModified": "2025-09-02T12:00:00.000Z",
    }
    assert orjson.loads(after.doc_v12)["pronouns"] == "she/her"


def test_a_new_password_moves_date_last_modified_though_no_document_shows_it(store: sa.Engine) -> None:
    write_users(store, [{**users(store)["stu-1"], "password": "s3cret"}])
    after = stored(store, "user", "stu-1")
    assert after.date_last_modified == LATER
    assert b"s3cret" not in bytes(after.doc) and b"s3cret" not in bytes(after.doc_v12)


def test_a_new_record_after_the_first_load_never_carries_a_time_before_the_write(store: sa.Engine) -> None:
    new = {
        **users(store)["stu-3"],
        "sourcedId": "stu-9",
        "username": "stu9",
        "dateLastModified": IMPORT_TIME - 9 * DAY,
    }
    assert write_users(store, [new]) == WriteCounts(created=1)
    row = stored(store, "user", "stu-9")
    assert (row.date_last_modified, row.first_seen_ms) == (LATER, LATER)


def test_a_time_the_source_gives_later_than_the_write_is_kept(store: sa.Engine) -> None:
    ahead = LATER + 5 * DAY
    write_users(store, [{**users(store)["stu-1"], "givenName": "J", "dateLastModified": ahead}])
    assert stored(store, "user", "stu-1").date_last_modified == ahead


def test_the_first_load_of_an_empty_store_keeps_the_source_s_own_times(empty: sa.Engine) -> None:
    org = {"sourcedId": "o-1", "status": "active", "name": "D", "type": "district", "dateLastModified": 1000}
    with empty.begin() as conn:
        counts = apply(
            conn,
            ORG,
            [org, {**org, "sourcedId": "o-2", "dateLastModified": None}],
            {},
            LATER,
            tombstone_missing=True,
        )
    assert counts == WriteCounts(created=2)
    assert (stored(empty, "org", "o-1").date_last_modified, stored(empty, "org", "o-1").first_seen_ms) == (
        1000,
        LATER,
    )
    assert stored(empty, "org", "o-2").date_last_modified == LATER
    assert current_revision(empty) >= 1


def test_a_record_without_status_is_active(empty: sa.Engine) -> None:
    with empty.begin() as conn:
        apply(
            conn,
            ORG,
            [{"sourcedId": "o-1", "name": "D", "type": "district"}],
            {},
            LATER,
            tombstone_missing=False,
        )
    assert stored(empty, "org", "o-1").status == "active"


def test_list_rows_are_replaced_with_the_record(store: sa.Engine) -> None:
    grades = TABLES["user"].lists["grades"]
    write_users(store, [{**users(store)["stu-1"], "grades": ["10", "11"]}])
    with store.connect() as conn:
        rows = conn.execute(
            sa.select(grades.c.position, grades.c.value)
            .where(grades.c.owner == "stu-1")
            .order_by(grades.c.position)
        ).all()
    assert [tuple(r) for r in rows] == [(0, "10"), (1, "11")]
    write_users(store, [{**users(store)["stu-1"], "grades": []}])
    with store.connect() as conn:
        assert conn.execute(sa.select(grades).where(grades.c.owner == "stu-1")).all() == []
    assert users(store)["stu-1"].get("grades") in (None, [])


def test_a_bulk_write_tombstones_the_active_records_it_lacks(store: sa.Engine) -> None:
    every = users(store)
    kept = [r for sid, r in every.items() if sid not in ("par-1", "stu-5")]
    counts = write_users(store, kept, tombstone_missing=True)
    assert counts.tombstoned == 1 and counts.created == counts.changed == 0  # stu-5 was a tombstone already
    gone = stored(store, "user", "par-1")
    assert (gone.status, gone.date_last_modified) == ("tobedeleted", LATER)
    assert orjson.loads(gone.doc)["status"] == orjson.loads(gone.doc_v12)["status"] == "tobedeleted"
    assert orjson.loads(gone.doc)["givenName"] == "Pat"  # the last content is kept
    assert stored(store, "user", "stu-5").date_last_modified == IMPORT_TIME


def test_a_delta_write_leaves_records_it_lacks_alone(store: sa.Engine) -> None:
    counts = write_users(store, [{**users(store)["stu-1"], "givenName": "J"}], tombstone_missing=False)
    assert counts == WriteCounts(changed=1)
    assert stored(store, "user", "par-1").status == "active"


def test_a_record_written_as_tobedeleted_counts_as_a_tombstone(store: sa.Engine) -> None:
    counts = write_users(store, [{**users(store)["stu-3"], "status": "tobedeleted"}])
    assert counts == WriteCounts(tombstoned=1)
    assert stored(store, "user", "stu-3").status == "tobedeleted"


def test_a_tombstone_brought_back_is_a_change(store: sa.Engine) -> None:
    counts = write_users(store, [{**users(store)["stu-5"], "status": "active"}])
    assert counts == WriteCounts(changed=1)
    assert stored(store, "user", "stu-5").status == "active"


def test_tombstone_marks_only_active_records_and_bumps_the_revision_once_per_call(store: sa.Engine) -> None:
    at = current_revision(store)
    with store.begin() as conn:
        assert tombstone(conn, USER, ["stu-3", "stu-5", "nobody"], LATER) == 1
    assert current_revision(store) == at + 1
    with store.begin() as conn:
        assert tombstone(conn, USER, ["stu-5"], LATER) == 0
    assert current_revision(store) == at + 1


def test_an_org_rewritten_with_its_derived_lists_loses_a_tombstoned_child(store: sa.Engine) -> None:
    """Derived lists are written with the records that own them: an org's children come with the org."""
    with store.begin() as conn:
        tombstone(conn, ORG, ["dept-1"], LATER)
    assert [c["sourcedId"] for c in org_doc(store, "sch-1")["children"]] == ["dept-1"]  # as written before
    with store.begin() as conn:
        orgs = load_records(conn, ORG)
        derived = derive(ORG, {s: load_records(conn, ENTITIES[s]) for s in derived_sources(ORG)})
        parent = next(o for o in orgs if o["sourcedId"] == "sch-1")
        assert apply(conn, ORG, [parent], derived, LATER + 1, tombstone_missing=False) == WriteCounts(
            changed=1
        )
    assert "children" not in org_doc(store, "sch-1")
    assert stored(store, "org", "sch-1").date_last_modified == LATER + 1


def org_doc(engine: sa.Engine, sourced_id: str) -> dict[str, Any]:
    parsed: dict[str, Any] = orjson.loads(stored(engine, "org", sourced_id).doc)
    return parsed


def test_batches_tombstone_what_no_batch_held_only_after_the_last(store: sa.Engine) -> None:
    every = list(users(store).values())
    active = [r for r in every if r["status"] == "active"]
    first, second = active[: len(active) // 2], active[len(active) // 2 : -1]
    missing = active[-1]["sourcedId"]
    with store.begin() as conn:
        counts = apply_batches(
            conn,
            USER,
            [first, second],
            {},
            LATER,
            present={r["sourcedId"] for r in first + second},
        )
    assert counts == WriteCounts(unchanged=len(first) + len(second), tombstoned=1)
    assert stored(store, "user", missing).status == "tobedeleted"
    assert all(stored(store, "user", r["sourcedId"]).status == "active" for r in first + second)


def test_nothing_written_leaves_the_revision_as_it_was(store: sa.Engine) -> None:
    at = current_revision(store)
    with store.begin() as conn:
        assert apply_batches(conn, USER, [], {}, LATER, present=None) == WriteCounts()
    assert current_revision(store) == at
