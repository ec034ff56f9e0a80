"""Authenticate OneRoster requests (OAuth 2.0 bearer tokens or OAuth 1.0a signatures) and authorize them."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar
from urllib.parse import parse_qsl

import sqlalchemy as sa
from starlette.requests import Request

from openroster.api.access import Grant
from openroster.api.endpoints import Endpoint
from openroster.auth import oauth1, tokens
from openroster.auth import scopes as scope_names
from openroster.auth.clients import ApiClient, find_client, shared_secret
from openroster.auth.keys import ServerKeys
from openroster.auth.nonces import NonceStore
from openroster.errors import Forbidden, InvalidData, OneRosterError, Unauthorized
from openroster.ops.credential_failures import CredentialFailures
from openroster.store.boundaries import visible_orgs

log = logging.getLogger("openroster.audit")
_BEARER_ONLY = 'Bearer realm="openroster"'


def _unauthorized(
    reason: str, *, bearer_error: str | None = None, claimed: str | None = None, oauth1: bool = True
) -> Unauthorized:
    challenge = f'Bearer realm="openroster", error="{bearer_error}"' if bearer_error else _BEARER_ONLY
    if oauth1:  # 1.1 endpoints also take OAuth 1.0a signatures
        challenge += ', OAuth realm="openroster"'
    return _claimed(Unauthorized(f"Unauthorized: {reason}", headers={"WWW-Authenticate": challenge}), claimed)


_E = TypeVar("_E", bound=OneRosterError)


def _claimed(error: _E, claimed_tag: str | None) -> _E:
    """Attach the audit-log tag of the client id a refused request claimed (never the claim itself)."""
    error.claimed_client = claimed_tag
    return error


class OAuthAccess:
    """Requests must carry a bearer token from /oauth/token or an OAuth 1.0a signature."""

    def __init__(
        self,
        engine: sa.Engine,
        keys: ServerKeys,
        *,
        oauth1_window_seconds: int,
        oauth1_require_body_hash: bool = False,
        clock: Callable[[], float] = time.time,
        failures: CredentialFailures | None = None,
    ) -> None:
        self.engine, self.keys, self.window, self.clock = engine, keys, oauth1_window_seconds, clock
        self.require_body_hash = oauth1_require_body_hash
        self.failures = failures  # wrong signatures: slowed, then the address refused for a while
        self.nonces = NonceStore(engine, window_seconds=oauth1_window_seconds)

    def authorize(self, request: Request, endpoint: Endpoint, signed_url: str, body: bytes) -> Grant:
        if endpoint.version == "1.1":
            client, granted = self._authenticate(request, signed_url, body)
        else:
            client, granted = self._bearer_only(request)
        request.state.client_id = client.client_id
        if endpoint.required_scope not in scope_names.effective(granted):
            raise Forbidden(
                f"This client's access does not include the scope "
                f"{scope_names.short(endpoint.required_scope)} that {endpoint.operation} needs.",
                headers={
                    "WWW-Authenticate": 'Bearer realm="openroster", error="insufficient_scope", '
                    f'scope="{endpoint.required_scope}"'
                },
            )
        if not client.orgs:
            return Grant(client.client_id, passwords=client.allow_passwords, limits=client.limits)
        with self.engine.connect() as conn:
            orgs = visible_orgs(conn, client.orgs)
        return Grant(client.client_id, orgs, passwords=client.allow_passwords, limits=client.limits)

    def _authenticate(
        self, request: Request, signed_url: str, body: bytes
    ) -> tuple[ApiClient, tuple[str, ...]]:
        authorization = request.headers.get("authorization")
        query_pairs = parse_qsl(request.url.query, keep_blank_values=True)
        if authorization and authorization[:7].lower() == "bearer ":
            return self._bearer(authorization[7:].strip())
        if oauth1.has_oauth1(authorization, query_pairs):
            return self._oauth1(request, signed_url, authorization, query_pairs, body)
        raise _unauthorized("send an OAuth 2.0 bearer token (from /oauth/token) or an OAuth 1.0a signature")

    def _bearer_only(self, request: Request) -> tuple[ApiClient, tuple[str, ...]]:
        """OneRoster 1.2 accepts OAuth 2.0 bearer tokens alone: an OAuth 1.0a signature is refused."""
        authorization = request.headers.get("authorization")
        if authorization and authorization[:7].lower() == "bearer ":
            return self._bearer(authorization[7:].strip(), oauth1=False)
        if oauth1.has_oauth1(authorization, parse_qsl(request.url.query, keep_blank_values=True)):
            raise _unauthorized(
                "OneRoster 1.2 endpoints do not accept OAuth 1.0a signatures; request an OAuth 2.0 "
                "bearer token from /oauth/token (client credentials) and send it as Authorization: Bearer",
                oauth1=False,
            )
        raise _unauthorized("send an OAuth 2.0 bearer token (from /oauth/token)", oauth1=False)

    def _bearer(self, token: str, *, oauth1: bool = True) -> tuple[ApiClient, tuple[str, ...]]:
        try:
            claims = tokens.verify(self.keys, token, now=self.clock())
        except tokens.TokenRejected as exc:
            raise _unauthorized(exc.reason, bearer_error="invalid_token", oauth1=oauth1) from None
        with self.engine.connect() as conn:
            client = find_client(conn, claims.client_id)
        if client is None or not claims.issued_to(self.keys, client.identity):
            raise _unauthorized(
                "the token's client was removed, re-created or given a new secret "
                "since the token was issued; request a new token",
                bearer_error="invalid_token",
                claimed=self.keys.log_tag(claims.client_id),
                oauth1=oauth1,
            )
        # The client's current scopes bound the token's, should they ever have been narrowed.
        return client, tuple(s for s in claims.scopes if s in scope_names.effective(client.scopes))

    def _oauth1(
        self,
        request: Request,
        signed_url: str,
        authorization: str | None,
        query_pairs: list[tuple[str, str]],
        body: bytes,
    ) -> tuple[ApiClient, tuple[str, ...]]:
        def secret_for(client_key: str) -> str | None:
            with self.engine.connect() as conn:
                return shared_secret(conn, self.keys, client_key)

        def remember(client_key: str, nonce: str, timestamp: int) -> bool:
            return self.nonces.remember(client_key, nonce, timestamp, now=self.clock())

        claimed_key = oauth1.consumer_key(authorization, query_pairs)
        address = request.client.host if request.client else ""
        if self.failures is not None and claimed_key:
            try:
                self.failures.check(claimed_key, address)
            except OneRosterError as exc:
                raise _claimed(exc, self.keys.log_tag(claimed_key)) from None
        try:
            client_id = oauth1.verify(
                method=request.method,
                url=signed_url,
                authorization=authorization,
                query_pairs=query_pairs,
                body=body,
                secret_for=secret_for,
                remember_nonce=remember,
                now=self.clock(),
                window_seconds=self.window,
                require_body_hash=self.require_body_hash,
            )
        except oauth1.OAuth1Failure as exc:
            claimed = self.keys.log_tag(exc.client_key) if exc.client_key else None
            if exc.bad_request:
                raise _claimed(InvalidData(f"Bad OAuth 1.0a request: {exc.reason}"), claimed) from None
            if self.failures is None or exc.reason != oauth1.INVALID_SIGNATURE or not exc.client_key:
                raise _unauthorized(f"OAuth 1.0a: {exc.reason}", claimed=claimed) from None
            delay = self.failures.failed(exc.client_key, address)
            refused = _unauthorized(f"OAuth 1.0a: {exc.reason}{self.failures.note(delay)}", claimed=claimed)
            refused.answer_delay = delay
            raise refused from None
        with self.engine.connect() as conn:
            client = find_client(conn, client_id)
        if client is None:  # removed between the signature check and now
            raise _unauthorized(
                f"OAuth 1.0a: {oauth1.INVALID_SIGNATURE}", claimed=self.keys.log_tag(client_id)
            )
        return client, client.scopes
