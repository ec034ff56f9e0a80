"""ASGI entry point for server processes: settings (OPENROSTER_* variables, as `serve` sets them), logs,
and the HTTP protocol.

uvicorn reads a request's head without any deadline or size bound (a client that sends half a
request line keeps its connection forever, and one that never ends its headers grows the
server's memory), so `serve` runs it with `BoundedHttpProtocol`: the head of each request must
arrive within the read timeout and within HEAD_LIMIT bytes. The body's deadline is the app's
(`openroster.api.app`).
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from starlette.applications import Starlette
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from openroster.api.app import create_app
from openroster.api.request_ids import new_request_id
from openroster.config import DEFAULT_REQUEST_READ_TIMEOUT
from openroster.ops.logs import configure_logging
from openroster.ops.sources import load_settings
from openroster.store import page_memory
from openroster.store.page_memory import PageMemory

PROTOCOL = "openroster.api.asgi:BoundedHttpProtocol"  # uvicorn's `http` option
HEAD_LIMIT = 256 * 1024  # bytes of request line and headers: room for the longest filter allowed


def build() -> Starlette:
    settings = load_settings().settings
    configure_logging(settings.log_level, settings.log_format)
    BoundedHttpProtocol.head_timeout = settings.request_read_timeout
    shared = os.environ.get(page_memory.ENV)
    return create_app(settings, page_memory=PageMemory(Path(shared)) if shared else None)


class BoundedHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, closing connections whose request head is too slow or too big.

    The head clock starts when the connection opens, and on a kept-alive connection when the next
    request's first bytes arrive; it stops when the headers are complete. An idle kept-alive
    connection is uvicorn's to close, silently, after `timeout_keep_alive`.
    """

    head_timeout: float = DEFAULT_REQUEST_READ_TIMEOUT  # set per server process by build()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._head_timer: asyncio.TimerHandle | None = None
        self._idle = False  # kept alive after a response, no byte of the next request yet
        super().connection_made(transport)
        self._await_head()

    def data_received(self, data: bytes) -> None:
        if self._idle:
            self._idle = False
            self._await_head()
        if self._head_timer is not None:
            self._head_bytes += len(data)
            if self._head_bytes > HEAD_LIMIT:
                self._refuse(b"431 Request Header Fields Too Large")
                return
        super().data_received(data)

    def on_headers_complete(self) -> None:
        self._stop_head_clock()
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and not self.pipeline:
            self._stop_head_clock()
            self._idle = True

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_head_clock()
        super().connection_lost(exc)

    def _await_head(self) -> None:
        self._stop_head_clock()
        self._head_bytes = 0
        self._head_timer = self.loop.call_later(self.head_timeout, self._refuse, b"408 Request Timeout")

    def _stop_head_clock(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _refuse(self, status: bytes) -> None:
        self._stop_head_clock()
        if self.transport.is_closing():
            return
        if self.cycle is None or self.cycle.response_complete:
            request_id = new_request_id().encode()  # no request was read: a new id, as for any other
            self.transport.write(
                b"HTTP/1.1 " + status + b"\r\nconnection: close\r\ncontent-length: 0\r\n"
                b"x-request-id: " + request_id + b"\r\n\r\n"
            )
        self.transport.close()
