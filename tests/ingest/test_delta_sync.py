"""A school year of delta syncs: re-imports are diffs, deletions are tombstones, nothing is missed."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient
from typer.testing import CliRunner

from openroster.cli import app
from openroster.ingest.importer import import_bundle
from openroster.ingest.writer import write_bundle
from openroster.model.values import format_datetime
from tests.conftest import BACKENDS, BASE, client_for, load
from tests.district import IMPORT_TIME, district

SDS_COLLECTIONS = ["academicSessions", "orgs", "users", "classes", "enrollments", "courses", "demographics"]
FIRST_PULL = IMPORT_TIME + 3_600_000  # an hour after the first import
SECOND_IMPORT = IMPORT_TIME + 86_400_000  # the next day

Pull = dict[tuple[str, str], dict[str, Any]]


def pull(api: TestClient, expression: str | None) -> Pull:
    """Every record of every SDS collection, as SDS pulls them (pages of 5,000)."""
    records: Pull = {}
    for collection in SDS_COLLECTIONS:
        offset = 0
        while True:
            query = f"?limit=5000&offset={offset}" + (f"&filter={quote(expression)}" if expression else "")
            page = api.get(f"{BASE}/{collection}{query}").json()[collection]
            records.update(((collection, r["sourcedId"]), r) for r in page)
            if len(page) < 5000:
                break
            offset += 5000
    return records


def active(records: Pull) -> Pull:
    return {k: v for k, v in records.items() if v["status"] == "active"}


def apply_delta(base: Pull, delta: Pull) -> Pull:
    """What a consumer does with a delta: tombstones remove, everything else replaces."""
    result = dict(base)
    for key, record in delta.items():
        if record["status"] == "tobedeleted":
            result.pop(key, None)
        else:
            result[key] = record
    return result


def second_term(records: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    """The district a term later: moves, a withdrawal, a new student, an email and a term change."""
    data = copy.deepcopy(records)
    users = {u["sourcedId"]: u for u in data["user"]}
    users["tch-1"]["email"] = "ada.king@riverside.example.org"
    data["user"] = [u for u in data["user"] if u["sourcedId"] != "stu-3"]  # withdrawn
    data["user"].append(
        {
            "sourcedId": "stu-6",
            "enabledUser": "true",
            "orgs": ["sch-1"],
            "role": "student",
            "username": "stu6",
            "givenName": "Ana",
            "familyName": "Lima",
            "identifier": "STU-6",
        }
    )
    data["enrollment"] = [e for e in data["enrollment"] if e["sourcedId"] not in ("enr-3", "enr-5")]
    data["enrollment"] += [
        {"sourcedId": "enr-12", "class": "cls-alg-1", "school": "sch-1", "user": "stu-2", "role": "student"},
        {"sourcedId": "enr-13", "class": "cls-bio-2", "school": "sch-1", "user": "stu-6", "role": "student"},
    ]
    next(c for c in data["class"] if c["sourcedId"] == "cls-alg-1")["terms"] = ["term-1"]
    return data


EXPECTED_DELTA = {
    ("users", "tch-1"),
    ("users", "stu-3"),
    ("users", "stu-6"),
    ("enrollments", "enr-3"),
    ("enrollments", "enr-5"),
    ("enrollments", "enr-12"),
    ("enrollments", "enr-13"),
    ("classes", "cls-alg-1"),
}
TOMBSTONES = {("users", "stu-3"), ("enrollments", "enr-3"), ("enrollments", "enr-5")}


def as_delta_bundle(
    before: dict[str, list[dict[str, Any]]], after: dict[str, list[dict[str, Any]]]
) -> dict[str, list[dict[str, Any]]]:
    """The same change as a delta bundle: changed and new rows, and removed rows marked tobedeleted."""
    delta: dict[str, list[dict[str, Any]]] = {}
    for name in after:
        old = {r["sourcedId"]: r for r in before[name]}
        new = {r["sourcedId"]: r for r in after[name]}
        rows = [
            dict(r, status="active", dateLastModified=SECOND_IMPORT - 5000)
            for sid, r in new.items()
            if old.get(sid) != r
        ]
        rows += [
            dict(r, status="tobedeleted", dateLastModified=SECOND_IMPORT - 5000)
            for sid, r in old.items()
            if sid not in new
        ]
        if rows:
            delta[name] = rows
    return delta


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("mode", ["bulk", "delta"])
def test_a_school_year_of_delta_syncs(tmp_path: Path, backend: str, mode: str) -> None:
    engine = load(tmp_path, district(), backend=backend)
    api = client_for(engine)
    first_full = pull(api, "status='active'")
    first_everything = pull(api, None)

    after = second_term(district())
    bundle = tmp_path / "second"
    if mode == "bulk":
        write_bundle(bundle, after)
    else:
        write_bundle(bundle, as_delta_bundle(district(), after), mode="delta")
    import_bundle(engine, bundle, at_ms=SECOND_IMPORT)

    delta = pull(api, f"dateLastModified>'{format_datetime(FIRST_PULL)}'")
    assert set(delta) == EXPECTED_DELTA
    assert {k for k, v in delta.items() if v["status"] == "tobedeleted"} == TOMBSTONES
    assert all(v["dateLastModified"] == format_datetime(SECOND_IMPORT) for v in delta.values())
    second_everything = pull(api, None)
    # Exactly the records whose JSON changed, plus the tombstones; nothing else moved.
    assert {k for k in second_everything if first_everything.get(k) != second_everything[k]} == EXPECTED_DELTA
    assert apply_delta(first_full, delta) == pull(api, "status='active'")
    # A tombstone keeps its last content, and full syncs never show it.
    assert second_everything[("users", "stu-3")]["givenName"] == "Lee"
    assert ("users", "stu-3") not in pull(api, "status='active'")
    engine.dispose()


def test_reimporting_the_same_bundle_changes_nothing(tmp_path: Path) -> None:
    engine = load(tmp_path, district())
    api = client_for(engine)
    before = pull(api, None)
    revision = api.get(BASE + "/orgs").headers["X-Data-Revision"]
    bundle = tmp_path / "again"
    write_bundle(bundle, district())
    summary = import_bundle(engine, bundle, at_ms=SECOND_IMPORT)
    assert all(c.created == c.changed == c.tombstoned == 0 for c in summary.changes.values())
    assert pull(api, f"dateLastModified>'{format_datetime(FIRST_PULL)}'") == {}
    assert pull(api, None) == before
    assert api.get(BASE + "/orgs").headers["X-Data-Revision"] == revision


def test_a_relationship_change_moves_the_records_that_show_it(tmp_path: Path) -> None:
    engine = load(tmp_path, district())
    api = client_for(engine)
    data = district()
    data["org"].append(
        {
            "sourcedId": "sch-3",
            "name": "Lakeside Elementary",
            "type": "school",
            "identifier": "060000103",
            "parent": "dist-1",
        }
    )
    data["classResource"] = []  # cls-bio-1 loses its resource
    bundle = tmp_path / "next"
    write_bundle(bundle, data)
    import_bundle(engine, bundle, at_ms=SECOND_IMPORT)
    delta = pull(api, f"dateLastModified>'{format_datetime(FIRST_PULL)}'")
    assert set(delta) == {("orgs", "sch-3"), ("orgs", "dist-1"), ("classes", "cls-bio-1")}
    assert [c["sourcedId"] for c in delta[("orgs", "dist-1")]["children"]] == ["sch-1", "sch-2", "sch-3"]
    assert "resources" not in delta[("classes", "cls-bio-1")]


def test_a_tombstone_that_comes_back_is_active_with_a_new_time(tmp_path: Path) -> None:
    engine = load(tmp_path, district())
    api = client_for(engine)
    gone = district()
    gone["user"] = [u for u in gone["user"] if u["sourcedId"] != "stu-3"]
    gone["enrollment"] = [e for e in gone["enrollment"] if e["user"] != "stu-3"]
    write_bundle(tmp_path / "gone", gone)
    import_bundle(engine, tmp_path / "gone", at_ms=SECOND_IMPORT)
    assert api.get(BASE + "/users/stu-3").json()["user"]["status"] == "tobedeleted"
    write_bundle(tmp_path / "back", district())
    import_bundle(engine, tmp_path / "back", at_ms=SECOND_IMPORT + 60_000)
    user = api.get(BASE + "/users/stu-3").json()["user"]
    assert user["status"] == "active"
    assert user["dateLastModified"] == format_datetime(SECOND_IMPORT + 60_000)


def test_new_records_never_carry_a_time_before_their_import(tmp_path: Path) -> None:
    engine = load(tmp_path, district())
    api = client_for(engine)
    late = {
        "user": [
            {
                "sourcedId": "stu-7",
                "status": "active",
                "dateLastModified": IMPORT_TIME,
                "enabledUser": "true",
                "orgs": ["sch-1"],
                "role": "student",
                "username": "stu7",
                "givenName": "Kai",
                "familyName": "Ono",
            }
        ]
    }
    write_bundle(tmp_path / "late", late, mode="delta")
    import_bundle(engine, tmp_path / "late", at_ms=SECOND_IMPORT)
    assert api.get(BASE + "/users/stu-7").json()["user"]["dateLastModified"] == format_datetime(SECOND_IMPORT)


def test_a_page_walk_sees_the_revision_change_when_an_import_commits(tmp_path: Path) -> None:
    engine = load(tmp_path, district())
    api = client_for(engine)
    walk, revisions = [], set()
    for offset in range(0, 10, 3):
        response = api.get(f"{BASE}/users?limit=3&offset={offset}")
        revisions.add(response.headers["X-Data-Revision"])
        walk += [u["sourcedId"] for u in response.json()["users"]]
    assert len(revisions) == 1 and sorted(walk) == walk and len(set(walk)) == len(walk) == 10

    first = api.get(f"{BASE}/users?limit=3&offset=0")
    data = district()
    data["user"].insert(
        0,
        {
            "sourcedId": "adm-0",
            "enabledUser": "true",
            "orgs": ["dist-1"],
            "role": "administrator",
            "username": "adm0",
            "givenName": "Zoe",
            "familyName": "Ng",
        },
    )
    write_bundle(tmp_path / "more", data)
    import_bundle(engine, tmp_path / "more", at_ms=SECOND_IMPORT)
    second = api.get(f"{BASE}/users?limit=3&offset=3")
    assert second.headers["X-Data-Revision"] != first.headers["X-Data-Revision"]  # the walker can tell


def test_changes_and_prune_commands(tmp_path: Path) -> None:
    engine = load(tmp_path, district())
    url = engine.url.render_as_string(hide_password=False)
    write_bundle(tmp_path / "second", second_term(district()))
    import_bundle(engine, tmp_path / "second", at_ms=SECOND_IMPORT)
    runner = CliRunner()
    result = runner.invoke(app, ["changes", "--since", format_datetime(FIRST_PULL), "--database", url])
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line.split()[1:] for line in result.output.splitlines() if line.split()}
    assert lines["user"] == ["1", "1", "1"] and lines["enrollment"] == ["2", "0", "2"]
    assert lines["class"] == ["0", "1", "0"] and lines["org"] == ["0", "0", "0"]
    assert "8 record(s) changed" in result.output
    bad = runner.invoke(app, ["changes", "--since", "last tuesday", "--database", url])
    assert bad.exit_code == 1 and "--since" in bad.output

    # Tombstones younger than the retention stay; older ones go, with their list rows.
    kept = runner.invoke(app, ["prune", "--older-than-days", "1000", "--database", url])
    assert kept.exit_code == 0 and "Removed 0 tombstone(s)" in kept.output
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE users SET date_last_modified = 0 WHERE status = 'tobedeleted'")
    pruned = runner.invoke(app, ["prune", "--older-than-days", "1000", "--database", url])
    assert pruned.exit_code == 0 and "Removed 2 tombstone(s)" in pruned.output  # stu-3, stu-5
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM users WHERE sourced_id = 'stu-3'")).scalar() == 0
        assert conn.execute(sa.text("SELECT count(*) FROM users__orgs WHERE owner = 'stu-3'")).scalar() == 0
        assert (
            conn.execute(sa.text("SELECT count(*) FROM enrollments WHERE status = 'tobedeleted'")).scalar()
            == 3
        )
    assert runner.invoke(app, ["prune", "--older-than-days", "0", "--database", url]).exit_code == 2
    engine.dispose()
