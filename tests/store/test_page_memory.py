"""Walks seek from remembered page ends and marks, in one process and across `serve --workers 2`."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from openroster.auth.clients import add_client
from openroster.ingest.demo import generate_demo
from openroster.ingest.importer import import_bundle
from openroster.ingest.writer import write_bundle
from openroster.store import reads
from openroster.store.page_memory import SLOT, PageMemory, create_file
from openroster.store.schema import TABLES
from tests.conftest import BACKENDS, BASE, KEYS, SERVER_KEY, client_for, free_port, load
from tests.test_cli import bearer, wait_for

USERS = TABLES["user"].main
SEEK = "users.sourced_id >"  # in the page query: it starts after a known key
DEFERRED = "AS stored"  # in the page query: documents fetched by key after the keys were paged
PAGE_QUERY = re.compile(r"\b(stored|users)\.doc\b")


@pytest.fixture(scope="module", params=BACKENDS)
def demo_store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[sa.Engine]:
    engine = load(
        tmp_path_factory.mktemp("walk"), generate_demo(schools=1, students=120, seed=3), backend=request.param
    )
    yield engine
    engine.dispose()


class Statements:
    """The SQL each request issues on an engine (the page query is the one selecting `doc`, with its
    keys or through the deferred join's `stored` alias)."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine, self.seen = engine, list[str]()
        sa.event.listen(engine, "before_cursor_execute", self._record)

    def _record(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        self.seen.append(" ".join(statement.split()))

    def pages(self) -> list[str]:
        taken, self.seen = [s for s in self.seen if PAGE_QUERY.search(s)], []
        return taken

    def close(self) -> None:
        sa.event.remove(self.engine, "before_cursor_execute", self._record)


@pytest.fixture
def statements(demo_store: sa.Engine) -> Iterator[Statements]:
    watched = Statements(demo_store)
    yield watched
    watched.close()


ACTIVE = "filter=status%3D%27active%27"


def all_ids(api: TestClient, query: str = "") -> list[str]:
    return [u["sourcedId"] for u in api.get(f"{BASE}/users?limit=10000&{query}").json()["users"]]


def test_a_sequential_walk_seeks_from_the_end_of_the_previous_page(
    demo_store: sa.Engine, statements: Statements
) -> None:
    with client_for(demo_store) as api:
        expected = all_ids(api, ACTIVE)
        statements.pages()
        walked: list[str] = []
        for offset in range(0, len(expected), 25):
            page = api.get(f"{BASE}/users?limit=25&offset={offset}&{ACTIVE}")
            walked += [u["sourcedId"] for u in page.json()["users"]]
    issued = statements.pages()
    assert walked == expected and len(issued) == -(-len(expected) // 25)
    # The first page skips from the start; every later one seeks past the key that ended the one before.
    assert SEEK not in issued[0] and all(SEEK in s for s in issued[1:])


def test_a_page_with_nothing_to_skip_reads_its_documents_with_its_keys(
    demo_store: sa.Engine, statements: Statements
) -> None:
    """A first page and a seek read documents in the same pass as their keys; a page that skips
    keys (an offset no walk reached) pages the keys alone and then fetches its documents."""
    with client_for(demo_store) as api:
        expected = all_ids(api, ACTIVE)
        statements.pages()
        first = api.get(f"{BASE}/users?limit=25&offset=0&{ACTIVE}").json()["users"]
        second = api.get(f"{BASE}/users?limit=25&offset=25&{ACTIVE}").json()["users"]
        jumped = api.get(f"{BASE}/users?limit=25&offset=61&{ACTIVE}").json()["users"]
    assert [u["sourcedId"] for u in first + second] == expected[:50]
    assert [u["sourcedId"] for u in jumped] == expected[61:86]
    issued = statements.pages()
    assert len(issued) == 3
    assert DEFERRED not in issued[0] and DEFERRED not in issued[1] and SEEK in issued[1]
    assert DEFERRED in issued[2] and SEEK not in issued[2]


def test_a_page_the_walk_did_not_reach_skips_and_a_sorted_page_never_seeks(
    demo_store: sa.Engine, statements: Statements
) -> None:
    with client_for(demo_store) as api:
        expected = all_ids(api)
        statements.pages()
        page = api.get(f"{BASE}/users?limit=10&offset=37").json()["users"]
        by_name = api.get(f"{BASE}/users?limit=10&offset=10&sort=familyName").json()["users"]
        api.get(f"{BASE}/users?limit=10&offset=20&sort=familyName")
    assert [u["sourcedId"] for u in page] == expected[37:47] and len(by_name) == 10
    assert all(SEEK not in s for s in statements.pages())


def test_a_deep_page_seeks_from_the_nearest_mark(
    demo_store: sa.Engine, statements: Statements, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reads, "MARK_EVERY", 40)  # the demo district has a few hundred users
    with client_for(demo_store) as api:
        expected = all_ids(api)
        statements.pages()
        deep = [
            [u["sourcedId"] for u in api.get(f"{BASE}/users?limit=7&offset={o}").json()["users"]]
            for o in (83, 41, 122, 83)
        ]
        marks = [s for s in statements.seen if "row_number" in s]
    assert deep == [expected[o : o + 7] for o in (83, 41, 122, 83)]
    assert len(marks) == 1  # read once for the revision, used by every deep page after
    issued = statements.pages()
    assert len(issued) == 4 and all(SEEK in s for s in issued)


NEWCOMERS = 10  # users the second import adds, sorting before every key a walk has seen


@pytest.fixture(params=BACKENDS)
def changing_store(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[sa.Engine, Callable[[], object]]]:
    """A fresh demo store, and the import of the same district with NEWCOMERS more users."""
    records = generate_demo(schools=1, students=120, seed=3)
    engine = load(tmp_path / "first", records, backend=request.param)
    district = records["org"][0]["sourcedId"]
    newcomers = [
        {"sourcedId": f"aa-new-{n:02d}", "status": "active", "enabledUser": "true", "orgs": [district]}
        | {"role": "student", "username": f"new{n}", "givenName": "New", "familyName": f"Student {n}"}
        for n in range(NEWCOMERS)
    ]
    bundle = tmp_path / "second"
    write_bundle(bundle, {**records, "user": newcomers + records["user"]})
    yield engine, lambda: import_bundle(engine, bundle)
    engine.dispose()


def token_of(api: TestClient, engine: sa.Engine, name: str) -> dict[str, str]:
    issued = add_client(engine, KEYS, name)
    answer = api.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(issued.client.client_id, issued.secret),
    )
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def page_of(api: TestClient, offset: int, headers: dict[str, str] | None = None) -> list[str]:
    answer = api.get(f"{BASE}/users?limit=25&offset={offset}&{ACTIVE}", headers=headers)
    return [u["sourcedId"] for u in answer.json()["users"]]


def test_a_walk_across_an_import_continues_after_its_own_last_key_and_sees_each_record_once(
    changing_store: tuple[sa.Engine, Callable[[], object]],
) -> None:
    engine, reimport = changing_store
    with client_for(engine) as api:
        other = token_of(api, engine, "another consumer")
        before = all_ids(api, ACTIVE)
        walked: list[str] = []
        revisions: set[str] = set()
        offset, total = 0, len(before)
        while offset < total:  # as SDS walks: offset by limit until X-Total-Count
            if offset == 50:
                reimport()  # the newcomers sort before every key seen so far
                # Another consumer's walk of the new revision remembers where its pages end.
                page_of(api, 0, other), page_of(api, 25, other)
            answer = api.get(f"{BASE}/users?limit=25&offset={offset}&{ACTIVE}")
            walked += [u["sourcedId"] for u in answer.json()["users"]]
            revisions.add(answer.headers["X-Data-Revision"])
            offset, total = offset + 25, int(answer.headers["X-Total-Count"])
        after = all_ids(api, ACTIVE)
    assert len(revisions) == 2 and len(after) == len(before) + NEWCOMERS
    # An OFFSET in the new revision (or the other consumer's page end at 50) would have served the
    # 10 records before it again.
    assert walked == before


def test_a_walk_whose_last_page_was_short_asks_once_more_after_the_count_grew_and_gets_nothing_again(
    changing_store: tuple[sa.Engine, Callable[[], object]],
) -> None:
    engine, reimport = changing_store
    with client_for(engine) as api:
        before = all_ids(api, ACTIVE)
        # A page size whose last page is short by fewer records than the import adds: the new
        # X-Total-Count then says one more page follows the walk's end.
        limit = next(n for n in range(20, 80) if 0 < n - len(before) % n < NEWCOMERS)
        walked: list[str] = []
        offset, total = 0, len(before)
        while offset < total:
            if offset == limit:
                reimport()
            answer = api.get(f"{BASE}/users?limit={limit}&offset={offset}&{ACTIVE}")
            walked += [u["sourcedId"] for u in answer.json()["users"]]
            offset, total = offset + limit, int(answer.headers["X-Total-Count"])
    assert offset > len(before)  # it did ask past its own end
    assert walked == before


def test_after_an_import_a_page_other_than_a_clients_next_one_is_the_offset_of_the_new_revision(
    changing_store: tuple[sa.Engine, Callable[[], object]],
) -> None:
    engine, reimport = changing_store
    with client_for(engine) as api:
        other = token_of(api, engine, "another consumer")
        first = page_of(api, 0)
        page_of(api, 25)
        page_of(api, 0, other)
        reimport()
        after = all_ids(api, ACTIVE)
        back = page_of(api, 25)  # this client's latest page ended at 50
        steered = page_of(api, 50, other)  # the other's latest ended at 25; this one's at 50 is not its
        jump = page_of(api, 100)
    assert first == after[NEWCOMERS : NEWCOMERS + 25]
    assert back == after[25:50] and steered == after[50:75] and jump == after[100:125]


def test_a_walk_carried_across_an_import_leaves_no_page_end_that_would_steer_another_client(
    changing_store: tuple[sa.Engine, Callable[[], object]],
) -> None:
    engine, reimport = changing_store
    with client_for(engine) as api:
        other = token_of(api, engine, "another consumer")
        page_of(api, 0), page_of(api, 25)
        reimport()
        carried = [page_of(api, offset) for offset in (50, 75)]  # where this walk stands, not the new offsets
        after = all_ids(api, ACTIVE)
        jump = page_of(api, 75, other)  # another client's first page: the new revision's offset 75
    assert carried == [after[NEWCOMERS + 50 : NEWCOMERS + 75], after[NEWCOMERS + 75 : NEWCOMERS + 100]]
    assert jump == after[75:100]


def test_a_shared_memory_file_is_seen_by_every_map_of_it_and_a_torn_slot_reads_as_absent(
    tmp_path: Path,
) -> None:
    path = create_file(slots=64)
    try:
        first, second = PageMemory(path, slots=64), PageMemory(path, slots=64)
        first.put(("end", "walk", 5000), "user-5000")
        first.put(("count", "walk"), 40_428)
        assert second.get(("end", "walk", 5000)) == "user-5000"
        assert second.get(("count", "walk")) == 40_428
        assert second.get(("end", "walk", 10_000)) is None
        # Another process half-way through writing the slot: the checksum no longer matches.
        with open(path, "r+b") as raw:
            data = bytearray(raw.read())
            start = next(i for i in range(0, len(data), SLOT) if b"user-5000" in data[i : i + SLOT])
            data[start + data[start : start + SLOT].index(b"user-5000")] = ord("X")
            raw.seek(0)
            raw.write(data)
        assert second.get(("end", "walk", 5000)) is None
        assert first.get(("count", "walk")) == 40_428
    finally:
        path.unlink()


def test_a_key_too_long_for_a_slot_is_not_remembered() -> None:
    memory = PageMemory(slots=8)
    memory.put("long", "x" * 300)
    memory.put("short", "x" * 200)
    assert memory.get("long") is None and memory.get("short") == "x" * 200


@pytest.fixture
def two_workers(demo_store: sa.Engine, tmp_path: Path) -> Iterator[tuple[str, dict[str, str], Path]]:
    """`openroster serve --workers 2` on the demo store: base URL, auth headers, its log file."""
    issued = add_client(demo_store, KEYS, f"walker {tmp_path.name}")  # the key of client_for's clients
    port = free_port()
    log = tmp_path / "serve.log"
    env = {**os.environ, "OPENROSTER_SECRET_KEY": SERVER_KEY}
    env.pop("MALLOC_MMAP_THRESHOLD_", None)
    env.pop("MALLOC_ARENA_MAX", None)
    env["MALLOC_TRIM_THRESHOLD_"] = "1000000"  # an operator's own value
    database = demo_store.url.render_as_string(hide_password=False)
    with open(log, "wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "openroster", "serve", "--workers", "2", "--port", str(port)]
            + ["--database", database],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        try:
            wait_for(base + "/", seconds=90)
        except httpx.TransportError:
            pytest.fail(f"serve --workers 2 did not answer:\n{log.read_text()}")
        yield base, bearer(port, issued.client.client_id, issued.secret), log
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_pages_of_one_walk_served_by_two_worker_processes_seek_from_each_others_page_ends(
    demo_store: sa.Engine, two_workers: tuple[str, dict[str, str], Path]
) -> None:
    """The seek is seen in what it returns: a record removed behind the server's back (so the data
    revision does not move) shifts an OFFSET page by one, and leaves a seek from the remembered
    key where it was."""
    base, headers, log = two_workers
    every = [
        u["sourcedId"] for u in httpx.get(f"{base}{BASE}/users?limit=10000", headers=headers).json()["users"]
    ]
    removed: list[str] = []
    pairs = []
    for limit in range(3, 40):  # each limit is a walk of its own: its page ends differ
        if len(pairs) >= 3 and any(a != b for a, b in pairs):
            break
        with httpx.Client(headers=headers) as first:  # new connections: either worker may answer
            page = first.get(f"{base}{BASE}/users?limit={limit}&offset=0").json()["users"]
        ids = [u["sourcedId"] for u in page]
        assert ids == [u for u in every if u not in removed][:limit]
        with demo_store.begin() as conn:  # raw SQL: no write path, no new data revision
            conn.execute(USERS.delete().where(USERS.c.sourced_id == ids[0]))
        removed.append(ids[0])
        with httpx.Client(headers=headers) as second:
            following = second.get(f"{base}{BASE}/users?limit={limit}&offset={limit}").json()["users"]
        remaining = [u for u in every if u not in removed[:-1]]
        assert [u["sourcedId"] for u in following] == remaining[limit : 2 * limit], limit
        pairs.append(tuple(_pids(log)[-2:]))
    # Some walk had its first page answered by one worker and its second by the other.
    assert any(a != b for a, b in pairs), pairs


def _pids(log: Path) -> list[str]:
    """The process of each /users request in the audit log, in order."""
    return re.findall(r"pid=(\d+) \[[^\]]*\] \{[^\n]*\"path\":\"/ims/oneroster/v1p1/users\"", log.read_text())


def test_serve_raises_the_malloc_thresholds_of_its_workers_and_keeps_the_operators_own(
    two_workers: tuple[str, dict[str, str], Path],
) -> None:
    base, headers, log = two_workers
    httpx.get(f"{base}{BASE}/users?limit=1", headers=headers)
    pids = set(_pids(log))  # the workers that answered (serve's own lines carry its pid too)
    assert pids
    for pid in pids:
        environ = dict(
            item.split("=", 1) for item in Path(f"/proc/{pid}/environ").read_text().split("\0") if "=" in item
        )
        assert environ["MALLOC_MMAP_THRESHOLD_"] == str(32 << 20)
        assert environ["MALLOC_ARENA_MAX"] == "2"
        assert environ["MALLOC_TRIM_THRESHOLD_"] == "1000000"
