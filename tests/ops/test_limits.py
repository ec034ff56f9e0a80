"""Per-client limits through the app: 429 with Retry-After and the status payload; others unaffected."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx
import jwt
import sqlalchemy as sa
from starlette.testclient import TestClient

from openroster.auth.clients import set_limits
from openroster.ops import refusals
from openroster.ops.limits import UNLIMITED, ClientLimits
from openroster.ops.shared_counters import counters_path
from tests.conftest import BASE, client_for

HOUR = 3600  # a window no test outlives: nothing drains while it runs


def refused(response: httpx.Response) -> dict[str, str]:
    """The status entry of a 429, after checking its shape."""
    assert response.status_code == 429, response.text
    assert int(response.headers["retry-after"]) >= 1
    (info,) = response.json()["statusInfoSet"]
    assert (info["imsx_codeMajor"], info["imsx_severity"], info["imsx_codeMinor"]) == (
        "failure",
        "error",
        "server_busy",
    )
    return dict(info)


def test_past_its_requests_per_minute_a_client_gets_429_and_another_client_does_not(
    district_engine: sa.Engine,
) -> None:
    before = refusals.counts().get((429, "requests_per_minute"), 0)
    flood = client_for(district_engine, limits=ClientLimits(requests_per_minute=3), limits_window=HOUR)
    other = client_for(district_engine, limits_window=HOUR)
    answers = [flood.get(f"{BASE}/orgs") for _ in range(5)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429, 429]
    info = refused(answers[3])
    assert "3 requests per 3600 seconds (its own limit)" in info["imsx_description"]
    assert "openroster clients update" in info["imsx_description"]
    assert "--requests-per-minute" in info["imsx_description"]
    # The bucket drains one request every 3600/3 s: the next is that far off, at most.
    assert 1100 <= int(answers[3].headers["retry-after"]) <= 1200
    assert all(other.get(f"{BASE}/orgs").status_code == 200 for _ in range(5))
    assert refusals.counts()[(429, "requests_per_minute")] == before + 2


def test_a_client_without_limits_of_its_own_follows_the_server_default_and_unlimited_lifts_it(
    district_engine: sa.Engine,
) -> None:
    default = client_for(district_engine, requests_per_minute=2, limits_window=HOUR)
    unlimited = client_for(
        district_engine,
        limits=ClientLimits(requests_per_minute=UNLIMITED),
        requests_per_minute=2,
        limits_window=HOUR,
    )
    assert [default.get(f"{BASE}/orgs").status_code for _ in range(3)] == [200, 200, 429]
    info = refused(default.get(f"{BASE}/orgs"))
    assert "the server's OPENROSTER_REQUESTS_PER_MINUTE" in info["imsx_description"]
    assert all(unlimited.get(f"{BASE}/orgs").status_code == 200 for _ in range(6))


def test_records_are_counted_after_the_page_and_refuse_the_next_request(district_engine: sa.Engine) -> None:
    client = client_for(district_engine, limits=ClientLimits(records_per_minute=5), limits_window=HOUR)
    first = client.get(f"{BASE}/users?limit=4")
    assert first.status_code == 200 and len(first.json()["users"]) == 4
    # 4 of 5 records spent: the bucket is not full, so the next page is served whole, past the limit.
    second = client.get(f"{BASE}/users?limit=4&offset=4")
    assert second.status_code == 200 and len(second.json()["users"]) == 4
    third = client.get(f"{BASE}/users?limit=4&offset=8")
    info = refused(third)
    assert "5 records per 3600 seconds" in info["imsx_description"] and "--records-per-minute" in str(info)
    # 8 records are 8 * 720 s of debt; the bucket holds 3600 s: 2160 s until there is room.
    assert 2100 <= int(third.headers["retry-after"]) <= 2160
    assert client_for(district_engine, limits_window=HOUR).get(f"{BASE}/users?limit=4").status_code == 200


def test_new_limits_apply_from_the_next_request(district_engine: sa.Engine) -> None:
    client = client_for(district_engine, limits=ClientLimits(requests_per_minute=1), limits_window=HOUR)
    assert client.get(f"{BASE}/orgs").status_code == 200
    assert client.get(f"{BASE}/orgs").status_code == 429
    client_id = _client_id(district_engine, client)
    set_limits(district_engine, client_id, {"requests_per_minute": UNLIMITED})
    assert all(client.get(f"{BASE}/orgs").status_code == 200 for _ in range(3))
    # Back to the default (6,000 an hour here): the bucket the limit of 1 filled is still full, but
    # it now drains one request every 0.6 s.
    set_limits(district_engine, client_id, {"requests_per_minute": None})
    again = client.get(f"{BASE}/orgs")
    assert "the server's OPENROSTER_REQUESTS_PER_MINUTE" in refused(again)["imsx_description"]
    assert again.headers["retry-after"] == "1"
    assert poll(lambda: client.get(f"{BASE}/orgs").status_code == 200)


def poll(condition: Callable[[], bool], attempts: int = 600) -> bool:
    """Whether `condition` comes true within `attempts` tries a tenth of a second apart."""
    for _ in range(attempts):
        if condition():
            return True
        time.sleep(0.1)
    return False


HOLD = """
import sys, time
from pathlib import Path
from openroster.ops.shared_counters import SharedCounters
from openroster.ops.permits import Permits
permits = Permits(SharedCounters(Path(sys.argv[1])))
print(sum(permits.acquire("concurrent\\0" + sys.argv[2], 1024) is not None for _ in range(int(sys.argv[3]))), flush=True)
time.sleep(600)
"""


@contextmanager
def requests_in_progress(database_url: str, client_id: str, count: int) -> Iterator[None]:
    """`count` of the client's requests at once held by another process (as a worker answering them
    would hold them), until the block ends and that process is killed."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(counters_path(database_url)), client_id, str(count)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == str(count)
        yield
    finally:
        holder.kill()
        holder.wait(timeout=30)
        if holder.stdout is not None:
            holder.stdout.close()


def test_a_client_at_its_requests_at_once_gets_429_until_one_ends(district_engine: sa.Engine) -> None:
    client = client_for(district_engine, limits=ClientLimits(concurrent_requests=2))
    client_id = _client_id(district_engine, client)
    url = district_engine.url.render_as_string(hide_password=True)
    with requests_in_progress(url, client_id, 1):
        assert client.get(f"{BASE}/orgs").status_code == 200  # one of two is free
    with requests_in_progress(url, client_id, 2):
        info = refused(client.get(f"{BASE}/orgs"))
        assert "2 requests in progress at once" in info["imsx_description"]
        assert "--concurrent-requests" in info["imsx_description"]
        assert client_for(district_engine).get(f"{BASE}/orgs").status_code == 200
    assert client.get(f"{BASE}/orgs").status_code == 200  # the holder ended: its permits are free


def test_an_unauthenticated_request_is_not_counted_against_the_client_it_names(
    district_engine: sa.Engine,
) -> None:
    client = client_for(district_engine, limits=ClientLimits(requests_per_minute=2), limits_window=HOUR)
    stranger = TestClient(client.app, base_url="https://sis.example.org")
    for _ in range(4):
        assert stranger.get(f"{BASE}/orgs", headers={"Authorization": "Bearer forged"}).status_code == 401
    assert [client.get(f"{BASE}/orgs").status_code for _ in range(3)] == [200, 200, 429]


def _client_id(engine: sa.Engine, client: TestClient) -> str:
    """The API client whose bearer token the test client carries."""
    token = client.headers["Authorization"].removeprefix("Bearer ")
    return str(jwt.decode(token, options={"verify_signature": False})["sub"])
