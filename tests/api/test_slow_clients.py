"""Incomplete requests against a real `openroster serve`: each is answered or closed within the read timeout.

Raw sockets, because an HTTP client library always sends whole requests. These bounds belong to
the server process, not the store, so one backend is enough.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from openroster.api.asgi import HEAD_LIMIT
from tests.conftest import BASE, SERVER_KEY, free_port, load
from tests.district import district
from tests.test_cli import wait_for

READ_TIMEOUT = 1
KEEP_ALIVE = 3  # seconds an idle kept-alive connection stays open


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    engine = load(tmp_path_factory.mktemp("slow"), district())
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "openroster", "serve", "--port", str(port), "--database", str(engine.url)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={
            **os.environ,
            "OPENROSTER_SECRET_KEY": SERVER_KEY,
            "OPENROSTER_PUBLIC_URL": "",
            "OPENROSTER_REQUEST_READ_TIMEOUT": str(READ_TIMEOUT),
            "OPENROSTER_KEEP_ALIVE_TIMEOUT": str(KEEP_ALIVE),
        },
    )
    try:
        wait_for(f"http://127.0.0.1:{port}{BASE}/users")
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)
        engine.dispose()


def connect(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port))
    sock.settimeout(10)
    return sock


def until_closed(sock: socket.socket) -> tuple[bytes, float]:
    """Everything the server sends until it closes the connection, and how long that took."""
    started, received = time.monotonic(), b""
    while chunk := sock.recv(65536):
        received += chunk
    return received, time.monotonic() - started


def test_a_connection_that_sends_nothing_is_closed(server: int) -> None:
    with connect(server) as sock:
        received, seconds = until_closed(sock)
    assert received.startswith(b"HTTP/1.1 408 ")
    assert READ_TIMEOUT - 0.2 < seconds < READ_TIMEOUT + 2


def test_half_a_request_head_is_closed_within_the_timeout(server: int) -> None:
    with connect(server) as sock:
        sock.sendall(f"GET {BASE}/users HTTP/1.1\r\nHost: 127.0.0.1\r\n".encode())
        received, seconds = until_closed(sock)
    assert received.startswith(b"HTTP/1.1 408 ") and seconds < READ_TIMEOUT + 2


def test_a_head_sent_a_byte_at_a_time_does_not_reset_the_clock(server: int) -> None:
    head = f"GET {BASE}/users HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: {'a' * 40}\r\n\r\n".encode()
    started = time.monotonic()
    with connect(server) as sock:
        try:
            for byte in head:
                sock.sendall(bytes([byte]))
                time.sleep(0.05)
        except (BrokenPipeError, ConnectionResetError):
            pass
        received, _ = until_closed(sock)
    assert received.startswith(b"HTTP/1.1 408 ")
    assert time.monotonic() - started < READ_TIMEOUT + 2


def test_a_body_that_stops_arriving_is_408(server: int) -> None:
    with connect(server) as sock:
        sock.sendall(
            f"PUT {BASE}/categories/c-1 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{{"categ'.encode()
        )
        received, seconds = until_closed(sock)
    assert received.startswith(b"HTTP/1.1 408 "), received
    assert b"did not arrive within 1 s" in received
    assert seconds < READ_TIMEOUT + 2


def test_a_head_larger_than_the_limit_is_431(server: int) -> None:
    with connect(server) as sock:
        sock.sendall(f"GET {BASE}/users HTTP/1.1\r\nHost: 127.0.0.1\r\n".encode())
        try:
            for _ in range(HEAD_LIMIT // 8192 + 2):
                sock.sendall(b"X-Pad: " + b"p" * 8183 + b"\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass
        received, _ = until_closed(sock)
    assert received.startswith(b"HTTP/1.1 431 ")


def test_whole_requests_on_a_kept_alive_connection_are_served(server: int) -> None:
    with connect(server) as sock:
        for _ in range(3):
            sock.sendall(UNSIGNED)
            answer = one_response(sock)
            assert answer.startswith(b"HTTP/1.1 401 ") and answer.endswith(b'"unauthorized"}]}'), answer
            time.sleep(READ_TIMEOUT / 2)


UNSIGNED = f"GET {BASE}/users HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()


def test_a_kept_alive_connection_idle_for_longer_than_the_read_timeout_is_still_served(server: int) -> None:
    with connect(server) as sock:
        sock.sendall(UNSIGNED)
        assert one_response(sock).startswith(b"HTTP/1.1 401 ")
        time.sleep(READ_TIMEOUT * 2)  # a client reading a page of 10,000 takes its time
        sock.sendall(UNSIGNED)
        assert one_response(sock).startswith(b"HTTP/1.1 401 ")


def test_an_idle_kept_alive_connection_is_closed_without_an_answer_after_the_keep_alive_timeout(
    server: int,
) -> None:
    with connect(server) as sock:
        sock.sendall(UNSIGNED)
        one_response(sock)
        received, seconds = until_closed(sock)
    # No unasked-for 408 that a client sending its next request at that moment would take as the answer.
    assert received == b"" and KEEP_ALIVE - 0.5 < seconds < KEEP_ALIVE + 3


def test_half_a_head_on_a_kept_alive_connection_is_408_within_the_read_timeout(server: int) -> None:
    with connect(server) as sock:
        sock.sendall(UNSIGNED)
        one_response(sock)
        sock.sendall(f"GET {BASE}/users HTTP/1.1\r\nHost: 127.0.0.1\r\n".encode())
        received, seconds = until_closed(sock)
    assert received.startswith(b"HTTP/1.1 408 ") and seconds < READ_TIMEOUT + 2


def one_response(sock: socket.socket) -> bytes:
    received = b""
    while b"\r\n\r\n" not in received:
        received += sock.recv(65536)
    head, _, body = received.partition(b"\r\n\r\n")
    length = int(
        next(
            line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")
        )
    )
    while len(body) < length:
        body += sock.recv(65536)
    return head + b"\r\n\r\n" + body
