"""Repeated failed credentials are slowed, then refused from that address for a while; never for good."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
import requests
from requests_oauthlib import OAuth1

from openroster.ops import refusals
from tests.conftest import BACKENDS, BASE, LiveServer, load
from tests.district import district

GRANT = {"grant_type": "client_credentials"}
ATTACKER, ELSEWHERE = {"X-Forwarded-For": "203.0.113.66"}, {"X-Forwarded-For": "198.51.100.7"}
# Slowed from the 2nd failure, blocked at the 3rd for 20 s; a failure is forgotten after 20/3 s.
SETTINGS = dict(
    forwarded_allow_ips="*",  # the tests play the proxy, naming each request's address
    auth_failures_before_slowing=2,
    auth_failures_before_block=3,
    auth_block_seconds=20,
)


@pytest.fixture(params=BACKENDS)
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LiveServer]:
    live = LiveServer(load(tmp_path, district(), backend=request.param), **SETTINGS)
    yield live
    live.stop()
    live.engine.dispose()


def ask_token(server: LiveServer, client: tuple[str, str], address: dict[str, str]) -> httpx.Response:
    return httpx.post(server.url + "/oauth/token", data=GRANT, auth=client, headers=address, timeout=60)


def until(condition: object, attempts: int = 600) -> bool:
    for _ in range(attempts):
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.1)
    return False


def test_wrong_secrets_are_slowed_then_refused_but_not_elsewhere_and_the_block_ends(
    server: LiveServer,
) -> None:
    client_id, secret = server.add_client()
    wrong = (client_id, "w" * 32)
    before = refusals.counts().get((429, "credential_failures"), 0)
    first, second, third = (ask_token(server, wrong, ATTACKER) for _ in range(3))
    assert [a.status_code for a in (first, second, third)] == [401, 401, 401]
    assert "held back" not in first.text
    assert "held back 1 s" in second.json()["error_description"]
    # Blocked now: not even the right secret is checked from that address, for that client id.
    refused = ask_token(server, (client_id, secret), ATTACKER)
    assert refused.status_code == 429 and 1 <= int(refused.headers["retry-after"]) <= 20
    assert refused.json()["error"] == "temporarily_unavailable"
    assert "Too many failed credentials from this address" in refused.json()["error_description"]
    assert refusals.counts()[(429, "credential_failures")] == before + 1
    # The real client elsewhere is not locked out, nor another client at that address.
    assert ask_token(server, (client_id, secret), ELSEWHERE).status_code == 200
    assert ask_token(server, server.add_client(), ATTACKER).status_code == 200
    # The block ends: refused attempts are not counted, so it cannot be kept up by trying.
    assert until(lambda: ask_token(server, (client_id, secret), ATTACKER).status_code == 200)


def test_an_address_failing_with_many_client_ids_is_refused_for_every_one(server: LiveServer) -> None:
    real = server.add_client()
    with ThreadPoolExecutor(9) as pool:  # at once, as a spraying script sends them
        answers = list(pool.map(lambda n: ask_token(server, (f"guess-{n}", "g" * 32), ATTACKER), range(9)))
    assert [a.status_code for a in answers] == [401] * 9  # three times the per-client-id count
    refused = ask_token(server, real, ATTACKER)
    assert refused.status_code == 429 and "for every client id" in refused.text
    assert ask_token(server, real, ELSEWHERE).status_code == 200


def signed_get(server: LiveServer, client: tuple[str, str], address: dict[str, str]) -> requests.Response:
    signed = requests.Request(
        "GET", server.url + BASE + "/orgs", auth=OAuth1(client[0], client_secret=client[1])
    ).prepare()
    return requests.get(
        server.url + BASE + "/orgs",
        headers={**address, "Authorization": signed.headers["Authorization"]},
        timeout=60,
    )


def test_wrong_oauth1_signatures_are_slowed_then_refused_from_that_address(server: LiveServer) -> None:
    client_id, secret = server.add_client()
    wrong = (client_id, "w" * 32)
    answers = [signed_get(server, wrong, ATTACKER) for _ in range(3)]
    assert [a.status_code for a in answers] == [401, 401, 401]
    description = answers[1].json()["statusInfoSet"][0]["imsx_description"]
    assert description.startswith("Unauthorized: OAuth 1.0a: invalid signature or unknown consumer key")
    assert "held back 1 s" in description
    refused = signed_get(server, (client_id, secret), ATTACKER)
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
    (info,) = refused.json()["statusInfoSet"]
    assert (info["imsx_codeMajor"], info["imsx_codeMinor"]) == ("failure", "server_busy")
    assert signed_get(server, (client_id, secret), ELSEWHERE).status_code == 200
    assert until(lambda: signed_get(server, (client_id, secret), ATTACKER).status_code == 200)


def test_failures_seen_by_one_server_count_on_another_of_the_same_store(server: LiveServer) -> None:
    other = LiveServer(server.engine, **SETTINGS)  # its own mapping of the store's counters
    try:
        client_id, secret = server.add_client()
        for live in (server, other, server):
            assert ask_token(live, (client_id, "w" * 32), ATTACKER).status_code == 401
        assert ask_token(other, (client_id, secret), ATTACKER).status_code == 429
    finally:
        other.stop()
