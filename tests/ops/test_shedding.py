"""A saturated server process sheds requests at once with 503 and Retry-After, and serves again after."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from openroster.ops import refusals
from openroster.store.dialects import POOL_OVERFLOW, POOL_SIZE
from tests.conftest import BACKENDS, BASE, LiveServer, load
from tests.district import district

GRANT = {"grant_type": "client_credentials"}


def bearer(server: LiveServer) -> tuple[dict[str, str], tuple[str, str]]:
    client = server.add_client()
    answer = httpx.post(server.url + "/oauth/token", data=GRANT, auth=client)
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}, client


@contextmanager
def token_requests_in_flight(server: LiveServer, client: tuple[str, str], at_once: int = 8) -> Iterator[None]:
    """Keep `at_once` token requests going (each a slow PBKDF2, one at a time) until the block ends."""
    stop = threading.Event()

    def keep_asking() -> None:
        with httpx.Client(timeout=120) as http:
            while not stop.is_set():
                http.post(server.url + "/oauth/token", data=GRANT, auth=client)

    threads = [threading.Thread(target=keep_asking) for _ in range(at_once)]
    for thread in threads:
        thread.start()
    try:
        yield
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=120)


def shed(server: LiveServer, headers: dict[str, str], words: str, attempts: int = 600) -> httpx.Response:
    """The first read answered 503 with `words` in its description (reads are tried until one is)."""
    for _ in range(attempts):
        answer = httpx.get(server.url + BASE + "/orgs", headers=headers, timeout=60)
        if answer.status_code == 503 and words in answer.text:
            return answer
        assert answer.status_code in (200, 503), answer.text
    raise AssertionError(f"no read was shed with {words!r}")


def check_payload(answer: httpx.Response) -> None:
    assert answer.headers["retry-after"] == "1"
    (info,) = answer.json()["statusInfoSet"]
    assert (info["imsx_codeMajor"], info["imsx_codeMinor"]) == ("failure", "server_busy")


def test_past_its_requests_in_flight_a_process_sheds_at_once(tmp_path: Path) -> None:
    server = LiveServer(load(tmp_path, district()), max_in_flight=4)
    try:
        headers, client = bearer(server)
        before = refusals.counts().get((503, "in_flight"), 0)
        with token_requests_in_flight(server, client):
            answer = shed(
                server, headers, "as many requests as it takes at once (4, OPENROSTER_MAX_IN_FLIGHT)"
            )
        check_payload(answer)
        assert refusals.counts()[(503, "in_flight")] > before
        assert httpx.get(server.url + BASE + "/orgs", headers=headers).status_code == 200
    finally:
        server.stop()
        server.engine.dispose()


def test_past_its_memory_bound_a_process_sheds_while_others_are_answered(tmp_path: Path) -> None:
    server = LiveServer(load(tmp_path, district()), max_memory_mb=1)  # every process holds more
    try:
        headers, client = bearer(server)
        # Alone, a request is answered whatever the memory: nothing in flight would give it back.
        assert httpx.get(server.url + BASE + "/orgs", headers=headers).status_code == 200
        with token_requests_in_flight(server, client):
            answer = shed(server, headers, "past its bound of 1 MB (OPENROSTER_MAX_MEMORY_MB)")
        check_payload(answer)
        assert httpx.get(server.url + BASE + "/orgs", headers=headers).status_code == 200
    finally:
        server.stop()
        server.engine.dispose()


@pytest.mark.parametrize("backend", BACKENDS)
def test_with_every_database_connection_in_use_a_process_sheds_at_once(tmp_path: Path, backend: str) -> None:
    engine = load(tmp_path, district(), backend=backend)
    server = LiveServer(engine)
    headers, _ = bearer(server)
    held = [engine.connect() for _ in range(POOL_SIZE + POOL_OVERFLOW)]  # as long requests would hold them
    stop = threading.Event()
    waited: list[int] = []

    def keep_reading() -> None:  # each waits for a connection: requests in flight
        while not stop.is_set():
            waited.append(httpx.get(server.url + BASE + "/orgs", headers=headers, timeout=60).status_code)

    readers = [threading.Thread(target=keep_reading) for _ in range(3)]
    try:
        for reader in readers:
            reader.start()
        answer = shed(server, headers, "Every database connection of this server process is in use")
        check_payload(answer)
    finally:
        stop.set()
        for conn in held:
            conn.close()
        for reader in readers:
            reader.join(timeout=60)
    try:
        assert set(waited) <= {200, 503}  # a reader that waited in vain was told 503 with Retry-After
        assert httpx.get(server.url + BASE + "/orgs", headers=headers).status_code == 200
    finally:
        server.stop()
        engine.dispose()
