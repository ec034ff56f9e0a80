"""Every request gets an id: a trusted proxy's X-Request-Id, or a new one; every response carries it.

The id is set in the context every log line of the request reads (`openroster.ops.logs`), so
one request's lines can be found together, and a proxy's id ties them to its own logs. Only a
trusted proxy's header is believed (anyone else could fill the logs with look-alike ids), and
only a sane one: 1 to 128 characters of letters, digits and . _ : + = / @ -, so that no id can
break a log line or a header.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Awaitable, Callable, Collection
from typing import Any

from openroster.api.forwarded import ASGIApp, Scope, trusts
from openroster.api.responses import JSON, status_body
from openroster.errors import StatusInfo
from openroster.ops.logs import REQUEST_ID

HEADER = b"x-request-id"
_SANE = re.compile(rb"[A-Za-z0-9._:+=/@-]{1,128}")
log = logging.getLogger("openroster.api")


def new_request_id() -> str:
    return uuid.uuid4().hex


class RequestIds:
    def __init__(self, app: ASGIApp, trusted: Collection[str]) -> None:
        self.app = app
        self.trusted = frozenset(trusted)

    def _given(self, scope: Scope) -> str | None:
        if not trusts(self.trusted, scope):
            return None
        for name, value in scope["headers"]:
            if name == HEADER:
                return value.decode("ascii") if _SANE.fullmatch(value) else None
        return None

    async def __call__(
        self, scope: Scope, receive: Callable[..., Awaitable[Any]], send: Callable[..., Awaitable[Any]]
    ) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = self._given(scope) or new_request_id()
        token = REQUEST_ID.set(request_id)
        started = False

        async def send_with_id(message: dict[str, Any]) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != HEADER]
                message = {**message, "headers": [*headers, (HEADER, request_id.encode())]}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            # A failure nothing answered for still gets an answer with its id (and a logged cause).
            log.exception("internal error on %s %s", scope.get("method"), scope.get("path"))
            if started:
                raise
            info = StatusInfo(
                "failure", "error", "internal server error", "The server failed to answer this request."
            )
            body = status_body(info)
            await send_with_id(
                {
                    "type": "http.response.start",
                    "status": 500,
                    "headers": [
                        (b"content-type", JSON.encode()),
                        (b"content-length", str(len(body)).encode()),
                    ],
                }
            )
            await send_with_id({"type": "http.response.body", "body": body})
        finally:
            REQUEST_ID.reset(token)
