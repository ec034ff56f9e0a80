"""Count every HTTP request as it is answered: endpoint, method, status, time, bytes and records.

The app names what it served in the request's state (`endpoint`: the endpoint table's path
template, `records`, and `client_id` once a client has authenticated); a request the app did not
name is counted as `unmatched`, so a scan of random paths adds no series.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from openroster.ops import metrics

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[MutableMapping[str, Any], Receive, Send], Awaitable[None]]


class RequestMetrics:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: MutableMapping[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        # Shared with the app even where a middleware copies the scope (the state dict is the same).
        state = scope.setdefault("state", {})
        status, size = 500, 0

        async def counting_send(message: Message) -> None:
            nonlocal status, size
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                size += len(message.get("body", b""))
            await send(message)

        metrics.IN_PROGRESS.inc()
        try:
            await self.app(scope, receive, counting_send)
        finally:
            metrics.IN_PROGRESS.dec()
            metrics.observe_request(
                state.get("endpoint", metrics.UNMATCHED),
                scope["method"],
                status,
                time.perf_counter() - started,
                size,
                state.get("records"),
                state.get("client_id"),
            )
