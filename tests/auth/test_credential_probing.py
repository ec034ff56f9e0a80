"""Credential checks never tell which client ids exist, and unauthenticated floods cannot starve reads."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import requests
from requests_oauthlib import OAuth1

from openroster.auth.credential_gate import AT_ONCE, WAITING
from tests.conftest import BACKENDS, BASE, LiveServer, load
from tests.district import district

GRANT = {"grant_type": "client_credentials"}


@pytest.fixture(params=BACKENDS)
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LiveServer]:
    # Slowing from the 5th failure: the comparisons below make three failures from one address.
    live = LiveServer(load(tmp_path, district(), backend=request.param), auth_failures_before_slowing=5)
    yield live
    live.stop()
    live.engine.dispose()


def same_answer(
    first: httpx.Response | requests.Response, second: httpx.Response | requests.Response
) -> None:
    assert first.status_code == second.status_code == 401
    assert first.content == second.content
    assert first.headers.get("WWW-Authenticate") == second.headers.get("WWW-Authenticate")


def test_oauth2_unknown_id_and_wrong_secret_get_one_answer_for_one_hash(
    server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    client_id, secret = server.add_client()
    hashes: list[int] = []
    real = hashlib.pbkdf2_hmac

    def counted(*args: Any, **kwargs: Any) -> bytes:
        hashes.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(hashlib, "pbkdf2_hmac", counted)
    answers = []
    for credentials in [(client_id, secret + "x"), ("no-such-client", secret), (secret, client_id)]:
        hashes.clear()
        answers.append(httpx.post(server.url + "/oauth/token", data=GRANT, auth=credentials))
        assert len(hashes) == 1, credentials  # the same work, whether or not the id exists
    for answer in answers[1:]:
        same_answer(answers[0], answer)
    assert answers[0].json() == {
        "error": "invalid_client",
        "error_description": "unknown client or wrong secret",
    }


def test_oauth1_unknown_key_and_wrong_secret_get_one_answer(server: LiveServer) -> None:
    client_id, secret = server.add_client()
    wrong_secret = requests.get(
        server.url + BASE + "/orgs", auth=OAuth1(client_id, client_secret="w" * 32), timeout=10
    )
    unknown_key = requests.get(
        server.url + BASE + "/orgs", auth=OAuth1("no-such-key", client_secret=secret), timeout=10
    )
    same_answer(wrong_secret, unknown_key)
    assert "unknown consumer key" not in wrong_secret.text.replace(
        "invalid signature or unknown consumer key", ""
    )
    description = wrong_secret.json()["statusInfoSet"][0]["imsx_description"]
    assert description == "Unauthorized: OAuth 1.0a: invalid signature or unknown consumer key"


def test_a_flood_of_token_requests_is_bounded_and_reads_go_on(server: LiveServer) -> None:
    client_id, secret = server.add_client()
    token = httpx.post(server.url + "/oauth/token", data=GRANT, auth=(client_id, secret)).json()[
        "access_token"
    ]
    flood = AT_ONCE + WAITING + 16  # more than the gate holds
    answers: list[httpx.Response] = []
    lock, refused = threading.Lock(), threading.Event()

    def bad_token_request(n: int) -> None:
        response = httpx.post(
            server.url + "/oauth/token", data=GRANT, auth=(f"guess-{n}", "g" * 32), timeout=120
        )
        with lock:
            answers.append(response)
        if response.status_code == 503:
            refused.set()

    threads = [threading.Thread(target=bad_token_request, args=(n,)) for n in range(flood)]
    for thread in threads:
        thread.start()
    assert refused.wait(timeout=60), "the gate never refused a request: credential checks are unbounded"
    read = httpx.get(server.url + BASE + "/orgs", headers={"Authorization": f"Bearer {token}"}, timeout=60)
    with lock:
        hashed_before_read_ended = sum(1 for a in answers if a.status_code == 401)
    for thread in threads:
        thread.join(timeout=120)

    assert read.status_code == 200 and read.json()["orgs"]
    statuses = [a.status_code for a in answers]
    # Refused by the gate (503), or by the failed-credential limit once this address has failed
    # with many client ids (429, tests/ops/test_credential_failures.py).
    assert len(statuses) == flood and set(statuses) <= {401, 429, 503}
    # The read did not wait for the queued credential checks: most were still waiting when it ended.
    assert hashed_before_read_ended < statuses.count(401) / 2
    busy = next(a for a in answers if a.status_code == 503)
    assert busy.headers["Retry-After"] == "1" and busy.json()["error"] == "temporarily_unavailable"
