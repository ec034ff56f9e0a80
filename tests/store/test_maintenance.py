"""What changed since a moment, by kind (what the next delta sync carries), and pruning of old tombstones."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from openroster.model.catalogue import ENTITIES
from openroster.store.maintenance import ChangeCounts, changes_since, prune_tombstones
from openroster.store.records import load_records
from openroster.store.schema import TABLES
from openroster.store.writes import apply, revision, tombstone
from tests.conftest import BACKENDS, IMPORT_TIME, load
from tests.district import T0, T1, district

DAY = 86_400_000
USER = ENTITIES["user"]


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sa.Engine]:
    engine = load(tmp_path, district(), backend=request.param)
    yield engine
    engine.dispose()


def expected_after_load(since: int) -> dict[str, ChangeCounts]:
    """Every record of the first load is first seen at the import; its time is the source's or the import's."""
    out = {}
    for entity in ENTITIES.values():
        if entity.association:
            continue
        rows = [r for r in district().get(entity.name, []) if r.get("dateLastModified", IMPORT_TIME) > since]
        tombstoned = sum(1 for r in rows if r.get("status") == "tobedeleted")
        new = len(rows) - tombstoned if IMPORT_TIME > since else 0
        out[entity.name] = ChangeCounts(new, len(rows) - tombstoned - new, tombstoned)
    return out


@pytest.mark.parametrize("since", [0, T0, T1, IMPORT_TIME - 1, IMPORT_TIME])
def test_changes_since_count_the_records_dated_after_the_moment(store: sa.Engine, since: int) -> None:
    with store.connect() as conn:
        assert changes_since(conn, since) == expected_after_load(since)


def test_changes_since_tell_new_changed_and_tombstoned_records_apart(store: sa.Engine) -> None:
    later = IMPORT_TIME + DAY
    with store.begin() as conn:
        users = {r["sourcedId"]: r for r in load_records(conn, USER)}
        new = {**users["stu-3"], "sourcedId": "stu-9", "username": "stu9"}
        apply(conn, USER, [{**users["stu-1"], "givenName": "J"}, new], {}, later, tombstone_missing=False)
        tombstone(conn, USER, ["par-1"], later)
    with store.connect() as conn:
        changes = changes_since(conn, IMPORT_TIME)
    assert changes["user"] == ChangeCounts(new=1, changed=1, tombstoned=1)
    assert changes["org"] == ChangeCounts(0, 0, 0)
    assert "classResource" not in changes  # association records are not served on their own


def test_pruning_removes_tombstones_older_than_the_moment_with_their_list_rows(store: sa.Engine) -> None:
    with store.begin() as conn:
        at = revision(conn)
        assert not any(prune_tombstones(conn, IMPORT_TIME).values())  # dated at the import: not older
        assert revision(conn) == at
        removed = prune_tombstones(conn, IMPORT_TIME + 1)
        assert revision(conn) == at + 1
    assert {name: n for name, n in removed.items() if n} == {"academicSession": 1, "enrollment": 1, "user": 1}
    orgs = TABLES["user"].lists["orgs"]
    with store.connect() as conn:
        users = TABLES["user"].main
        assert (
            conn.execute(sa.select(users.c.sourced_id).where(users.c.sourced_id == "stu-5")).first() is None
        )
        assert conn.execute(sa.select(orgs).where(orgs.c.owner == "stu-5")).all() == []
        assert (
            conn.execute(sa.select(sa.func.count()).select_from(users)).scalar()
            == len(district()["user"]) - 1
        )
