"""The checker's HTTP to a provider that misbehaves below OneRoster: a server that hangs up, a listener that
answers no HTTP at all. The run stops with a reason a district can act on."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from openroster.check import CheckOptions, Credentials, run_checks
from openroster.errors import CheckAborted
from tests.check.provider import CLIENT_ID, CLIENT_SECRET, Provider, serving


@contextmanager
def hanging_up(reply: bytes = b"") -> Iterator[str]:
    """A TCP listener that reads each request, sends `reply` (maybe nothing) and closes the connection."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.05)  # so the loop sees `stop` soon after the test ends
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            connection.settimeout(None)
            with connection:
                connection.recv(65536)
                if reply:
                    connection.sendall(reply)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(timeout=10)
        listener.close()


def check(url: str) -> None:
    run_checks(CheckOptions(url, Credentials(CLIENT_ID, CLIENT_SECRET)))


def test_a_server_that_hangs_up_stops_the_run_at_the_token_request() -> None:
    with hanging_up() as url, pytest.raises(CheckAborted) as stopped:
        check(url)
    message = str(stopped.value)
    assert message.startswith(f"token request: POST {url}/oauth/token: ")
    assert "disconnected" in message.lower()


def test_a_listener_that_speaks_no_http_stops_the_run() -> None:
    with hanging_up(b"SSH-2.0-OpenSSH_9.6\r\n") as url, pytest.raises(CheckAborted) as stopped:
        check(url)
    assert str(stopped.value).startswith(f"token request: POST {url}/oauth/token: ")


def test_an_api_that_hangs_up_after_the_token_was_issued_stops_the_run_at_the_first_read() -> None:
    """The token endpoint answers (on one host); the OneRoster API (on another) hangs up."""
    with serving(Provider()) as tokens, hanging_up() as api, pytest.raises(CheckAborted) as stopped:
        credentials = Credentials(CLIENT_ID, CLIENT_SECRET, token_url=tokens + "/oauth/token")
        run_checks(CheckOptions(api, credentials))
    message = str(stopped.value)
    assert message.startswith(f"first request: GET {api}/ims/oneroster/v1p1/orgs?limit=1: ")
    assert "disconnected" in message.lower()
