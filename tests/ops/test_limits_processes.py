"""The limits hold across real server processes: `serve --workers 2` and a second `serve` on one store."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from openroster.auth.clients import add_client
from openroster.auth.keys import load_keys
from openroster.ingest.demo import generate_demo
from openroster.ops.limits import ClientLimits
from tests.conftest import BACKENDS, BASE, free_port, load
from tests.ops.test_limits import requests_in_progress
from tests.test_cli import wait_for

# Every collection an SDS full sync walks.
COLLECTIONS = [
    "orgs",
    "schools",
    "academicSessions",
    "terms",
    "courses",
    "classes",
    "users",
    "students",
    "teachers",
    "enrollments",
    "demographics",
]
# The per-minute limits count over an hour here: nothing drains while a test runs, so counts are
# exact, and the default numbers are 60 times stricter than they are in production.
WINDOW = "3600"


@dataclass
class Servers:
    workers: str  # `serve --workers 2`
    single: str  # a second `serve` on the same store
    database: str
    key_file: Path

    def client(self, **limits: int) -> tuple[str, str]:
        from openroster.store.dialects import create_engine

        engine = create_engine(self.database)
        try:
            issued = add_client(
                engine,
                load_keys("", self.key_file, create=False),
                f"client {os.urandom(4).hex()}",
                limits=ClientLimits(**limits),
            )
        finally:
            engine.dispose()
        return issued.client.client_id, issued.secret


def token(base: str, client: tuple[str, str]) -> dict[str, str]:
    answer = httpx.post(base + "/oauth/token", data={"grant_type": "client_credentials"}, auth=client)
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


@pytest.fixture(scope="module", params=BACKENDS)
def servers(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    folder = tmp_path_factory.mktemp("limits")
    engine = load(folder, generate_demo(schools=3, students=2000, seed=3), backend=request.param)
    database = engine.url.render_as_string(hide_password=False)
    engine.dispose()
    key_file = folder / "server.key"
    load_keys("", key_file, create=True)
    env = {**os.environ, "OPENROSTER_KEY_FILE": str(key_file), "OPENROSTER_LIMITS_WINDOW": WINDOW}
    ports = [free_port(), free_port()]
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "openroster",
                "serve",
                "--port",
                str(port),
                "--database",
                database,
                *extra,
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for port, extra in zip(ports, (["--workers", "2"], []))
    ]
    try:
        for port in ports:
            wait_for(f"http://127.0.0.1:{port}/", seconds=90)
        yield Servers(f"http://127.0.0.1:{ports[0]}", f"http://127.0.0.1:{ports[1]}", database, key_file)
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=30)


def walk(base: str, headers: dict[str, str], collection: str, page: int) -> list[int]:
    """Every page of a collection, as SDS reads it; the status of each."""
    statuses = []
    with httpx.Client(base_url=base + BASE, headers=headers, timeout=120) as http:
        offset = 0
        while True:
            answer = http.get(f"/{collection}", params={"limit": page, "offset": offset})
            statuses.append(answer.status_code)
            if answer.status_code != 200 or offset + page >= int(answer.headers["x-total-count"]):
                return statuses
            offset += page


def test_an_sds_full_sync_with_the_default_limits_is_never_throttled(servers: Servers) -> None:
    headers = token(servers.workers, servers.client())
    walks = [(collection, page) for page in (5000, 10_000) for collection in COLLECTIONS]
    with ThreadPoolExecutor(4) as pool:  # a few requests at once, as SDS sends them
        statuses = [
            s for result in pool.map(lambda w: walk(servers.workers, headers, *w), walks) for s in result
        ]
    assert len(statuses) > len(walks) and set(statuses) == {200}


def test_a_flood_past_its_limit_gets_429s_with_retry_after_and_another_client_is_served(
    servers: Servers,
) -> None:
    flood, other = (
        token(servers.workers, servers.client(requests_per_minute=20)),
        token(servers.workers, servers.client()),
    )

    def burst(headers: dict[str, str]) -> list[httpx.Response]:
        with httpx.Client(base_url=servers.workers + BASE, headers=headers, timeout=60) as http:
            return [http.get("/classes", params={"limit": 50}) for _ in range(10)]

    with ThreadPoolExecutor(10) as pool:  # eight connections flood, two of another client meanwhile
        answers = list(pool.map(burst, [flood] * 8 + [other] * 2))
    flooded = [a for batch in answers[:8] for a in batch]
    statuses = sorted(a.status_code for a in flooded)
    assert statuses.count(200) == 20 and all(s in (200, 429, 503) for s in statuses)
    assert statuses.count(429) >= 55  # a 503 is allowed (shedding), no other error
    for answer in flooded:
        if answer.status_code in (429, 503):
            assert int(answer.headers["retry-after"]) >= 1
    limited = next(a for a in flooded if a.status_code == 429)
    assert (
        "20 requests per 3600 seconds (its own limit)"
        in limited.json()["statusInfoSet"][0]["imsx_description"]
    )
    assert [a.status_code for batch in answers[8:] for a in batch] == [200] * 20


def test_the_requests_counted_are_shared_by_two_serve_processes(servers: Servers) -> None:
    client = servers.client(requests_per_minute=10)
    first, second = token(servers.workers, client), token(servers.single, client)
    on_first = [httpx.get(servers.workers + BASE + "/orgs", headers=first).status_code for _ in range(6)]
    on_second = [httpx.get(servers.single + BASE + "/orgs", headers=second).status_code for _ in range(6)]
    assert on_first == [200] * 6 and on_second == [200] * 4 + [429] * 2


def test_the_records_served_are_shared_by_two_serve_processes(servers: Servers) -> None:
    client = servers.client(records_per_minute=6)
    first, second = token(servers.workers, client), token(servers.single, client)
    page = {"limit": 4}
    assert httpx.get(servers.workers + BASE + "/users", params=page, headers=first).status_code == 200
    assert httpx.get(servers.single + BASE + "/users", params=page, headers=second).status_code == 200
    refused = httpx.get(servers.workers + BASE + "/users", params=page, headers=first)
    assert refused.status_code == 429 and "6 records per 3600 seconds" in refused.text


def test_requests_at_once_are_counted_across_processes(servers: Servers) -> None:
    client = servers.client(concurrent_requests=2)
    headers = token(servers.workers, client)
    with requests_in_progress(servers.database, client[0], 2):  # as if two were being answered
        for base in (servers.workers, servers.single):
            refused = httpx.get(base + BASE + "/orgs", headers=headers)
            assert refused.status_code == 429 and refused.headers["retry-after"] == "1"
            assert "2 requests in progress at once" in refused.text
    assert httpx.get(servers.workers + BASE + "/orgs", headers=headers).status_code == 200
