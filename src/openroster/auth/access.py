"""Authenticate OneRoster requests (OAuth 2.0 bearer tokens or OAuth 1.0a signatures) and authorize them."""

from __future__ import annotations

import logging
import time
from typing import Callable
from urllib.parse import parse_qsl

import sqlalchemy as sa
from starlette.requests import Request

from openroster.api.access import Grant
from openroster.api.endpoints import Endpoint
from openroster.auth import oauth1, tokens
from openroster.auth import scopes as scope_names
from openroster.auth.clients import ApiClient, find_client, remember_nonce, shared_secret
from openroster.auth.keys import ServerKeys
from openroster.errors import Forbidden, InvalidData, Unauthorized
from openroster.store.boundaries import visible_orgs

log = logging.getLogger("openroster.audit")
_CHALLENGE = 'Bearer realm="openroster", OAuth realm="openroster"'


def _unauthorized(reason: str, *, bearer_error: str | None = None) -> Unauthorized:
    challenge = (f'Bearer realm="openroster", error="{bearer_error}", OAuth realm="openroster"'
                 if bearer_error else _CHALLENGE)
    return Unauthorized(f"Unauthorized: {reason}", headers={"WWW-Authenticate": challenge})


class OAuthAccess:
    """Requests must carry a bearer token from /oauth/token or an OAuth 1.0a signature."""

    def __init__(self, engine: sa.Engine, keys: ServerKeys, *, oauth1_window_seconds: int,
                 clock: Callable[[], float] = time.time) -> None:
        self.engine, self.keys, self.window, self.clock = engine, keys, oauth1_window_seconds, clock

    def authorize(self, request: Request, endpoint: Endpoint, signed_url: str, body: bytes) -> Grant:
        client, granted = self._authenticate(request, signed_url, body)
        request.state.client_id = client.client_id
        if endpoint.required_scope not in scope_names.effective(granted):
            raise Forbidden(f"This client's access does not include the scope "
                            f"{scope_names.short(endpoint.required_scope)} that {endpoint.operation} needs.",
                            headers={"WWW-Authenticate": 'Bearer realm="openroster", error="insufficient_scope", '
                                     f'scope="{endpoint.required_scope}"'})
        if not client.orgs:
            return Grant(client.client_id)
        with self.engine.connect() as conn:
            return Grant(client.client_id, visible_orgs(conn, client.orgs))

    def _authenticate(self, request: Request, signed_url: str, body: bytes) -> tuple[ApiClient, tuple[str, ...]]:
        authorization = request.headers.get("authorization")
        query_pairs = parse_qsl(request.url.query, keep_blank_values=True)
        if authorization and authorization[:7].lower() == "bearer ":
            return self._bearer(authorization[7:].strip())
        if oauth1.has_oauth1(authorization, query_pairs):
            return self._oauth1(request, signed_url, authorization, query_pairs, body)
        raise _unauthorized("send an OAuth 2.0 bearer token (from /oauth/token) or an OAuth 1.0a signature")

    def _bearer(self, token: str) -> tuple[ApiClient, tuple[str, ...]]:
        try:
            claims = tokens.verify(self.keys, token, now=self.clock())
        except tokens.TokenRejected as exc:
            raise _unauthorized(exc.reason, bearer_error="invalid_token") from None
        with self.engine.connect() as conn:
            client = find_client(conn, claims.client_id)
        if client is None:
            raise _unauthorized("the token's client no longer exists", bearer_error="invalid_token")
        if client.secret_version != claims.secret_version:
            raise _unauthorized("the client's secret was changed after this token was issued",
                                bearer_error="invalid_token")
        return client, claims.scopes

    def _oauth1(self, request: Request, signed_url: str, authorization: str | None,
                query_pairs: list[tuple[str, str]], body: bytes) -> tuple[ApiClient, tuple[str, ...]]:
        def secret_for(client_key: str) -> str | None:
            with self.engine.connect() as conn:
                return shared_secret(conn, self.keys, client_key)

        def remember(client_key: str, nonce: str, timestamp: int) -> bool:
            return remember_nonce(self.engine, client_key, nonce, timestamp,
                                  window_seconds=self.window, now=self.clock())

        try:
            client_id = oauth1.verify(method=request.method, url=signed_url, authorization=authorization,
                                      query_pairs=query_pairs, body=body, secret_for=secret_for,
                                      remember_nonce=remember, now=self.clock(),
                                      window_seconds=self.window)
        except oauth1.OAuth1Failure as exc:
            if exc.bad_request:
                raise InvalidData(f"Bad OAuth 1.0a request: {exc.reason}") from None
            raise _unauthorized(f"OAuth 1.0a: {exc.reason}") from None
        with self.engine.connect() as conn:
            client = find_client(conn, client_id)
        if client is None:
            raise _unauthorized("OAuth 1.0a: unknown consumer key")
        return client, client.scopes
