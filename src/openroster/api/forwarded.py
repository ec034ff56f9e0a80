"""Honour X-Forwarded-Proto, -Host, -Port and -For, but only from trusted proxy addresses.

Behind a TLS-terminating proxy the request reaches openroster as http://10.0.0.5:8000/..., but
the client signed (OAuth 1.0a) and links to https://sis.example.org/...: the scheme and host it
used must be restored before anything looks at the URL.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection
from typing import Any

Scope = dict[str, Any]
ASGIApp = Callable[[Scope, Callable[..., Awaitable[Any]], Callable[..., Awaitable[Any]]], Awaitable[None]]


def _first(value: bytes) -> str:
    return value.decode("latin-1").split(",")[0].strip()


def trusts(trusted: Collection[str], scope: Scope) -> bool:
    """Whether the peer that sent this request (the proxy, if any) is one of `trusted` ('*': any)."""
    client = scope.get("client")
    return "*" in trusted or (client is not None and client[0] in trusted)


class ForwardedHeaders:
    def __init__(self, app: ASGIApp, trusted: Collection[str]) -> None:
        self.app = app
        self.trusted = frozenset(trusted)

    async def __call__(
        self, scope: Scope, receive: Callable[..., Awaitable[Any]], send: Callable[..., Awaitable[Any]]
    ) -> None:
        if scope["type"] == "http" and trusts(self.trusted, scope):
            scope = self._rewrite(scope)
        await self.app(scope, receive, send)

    @staticmethod
    def _rewrite(scope: Scope) -> Scope:
        headers = dict(scope["headers"])
        scope = dict(scope)
        proto = headers.get(b"x-forwarded-proto")
        if proto and _first(proto) in ("http", "https"):
            scope["scheme"] = _first(proto)
        host = _first(headers[b"x-forwarded-host"]) if headers.get(b"x-forwarded-host") else None
        port = _first(headers[b"x-forwarded-port"]) if headers.get(b"x-forwarded-port") else None
        if host:
            default = "443" if scope["scheme"] == "https" else "80"
            if port and port.isdigit() and ":" not in host and port != default:
                host = f"{host}:{port}"
            scope["headers"] = [(k, v) for k, v in scope["headers"] if k != b"host"] + [
                (b"host", host.encode())
            ]
        forwarded_for = headers.get(b"x-forwarded-for")
        if forwarded_for:
            scope["client"] = (_first(forwarded_for), 0)
        return scope
