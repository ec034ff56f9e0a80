"""POST /oauth/token: the OAuth 2.0 client-credentials grant (RFC 6749 §4.4), with RFC 6749 errors."""

from __future__ import annotations

import base64
import binascii
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import parse_qsl, unquote_plus

import sqlalchemy as sa

from openroster.auth import scopes as scope_names
from openroster.auth import tokens
from openroster.auth.clients import ApiClient, authenticate
from openroster.auth.keys import ServerKeys
from openroster.errors import RetryLater, TooManyRequests
from openroster.ops.credential_failures import CredentialFailures


@dataclass(frozen=True)
class TokenResponse:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    client_id: str | None = None  # for the audit log: only a client that authenticated
    reason: str = ""  # why it failed, for the audit log (never a secret)
    claimed_client: str | None = None  # the audit-log tag of an unauthenticated claimed client id
    delay_seconds: float = 0.0  # how long the answer is held back (repeated failed credentials)
    refusal: str = ""  # what refused it for now (429 or 503), for the count of refusals


def _error(
    status: int,
    error: str,
    description: str,
    *,
    basic: bool = False,
    client_id: str | None = None,
    claimed: str | None = None,
) -> TokenResponse:
    headers = {"WWW-Authenticate": 'Basic realm="openroster"'} if status == 401 and basic else {}
    return TokenResponse(
        status,
        {"error": error, "error_description": description},
        headers,
        client_id,
        f"{error}: {description}",
        claimed,
    )


INVALID_CLIENT = "unknown client or wrong secret"
BUSY = TokenResponse(
    503,
    {
        "error": "temporarily_unavailable",
        "error_description": "too many token requests at once; retry in a second",
    },
    {"Retry-After": "1"},
    reason="temporarily_unavailable: too many token requests at once",
    refusal="credential_checks",
)


def retry_later(error: RetryLater, claimed: str | None = None) -> TokenResponse:
    """A refusal for now (429, 503) in RFC 6749's error form, with its Retry-After."""
    return TokenResponse(
        error.http_status,
        {"error": "temporarily_unavailable", "error_description": error.description},
        error.headers,
        reason=f"temporarily_unavailable: {error.description}",
        claimed_client=claimed,
        refusal=error.refusal,
    )


def _basic_credentials(authorization: str) -> tuple[str, str] | None:
    scheme, _, encoded = authorization.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return ("", "")
    client_id, _, secret = decoded.partition(":")
    # RFC 6749 §2.3.1: both parts are form-urlencoded before Basic encoding.
    return unquote_plus(client_id), unquote_plus(secret)


def token_response(
    *,
    content_type: str,
    authorization: str,
    body: bytes,
    engine: sa.Engine,
    keys: ServerKeys,
    lifetime_seconds: int,
    clock: Callable[[], float] = time.time,
    failures: CredentialFailures | None = None,
    address: str = "",
) -> TokenResponse:
    """The answer to a token request. With `failures`, an address refused after repeated failed
    credentials is answered 429 without its secret being checked, and a failure is counted."""
    if not body.strip():
        return _error(
            400,
            "invalid_request",
            "grant_type is missing: send grant_type=client_credentials "
            "in an application/x-www-form-urlencoded body",
        )
    if not content_type.lower().startswith("application/x-www-form-urlencoded"):
        return _error(400, "invalid_request", "send the request as application/x-www-form-urlencoded")
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except UnicodeDecodeError:
        return _error(400, "invalid_request", "the request body is not UTF-8")
    form: dict[str, str] = {}
    for name, value in pairs:
        if name in form:
            return _error(400, "invalid_request", f"parameter {name} is repeated")
        form[name] = value

    basic = _basic_credentials(authorization) if authorization else None
    if basic is not None and "client_secret" in form:
        return _error(400, "invalid_request", "use one client authentication method, not Basic and form both")
    client_id, secret = (
        basic if basic is not None else (form.get("client_id", ""), form.get("client_secret", ""))
    )
    if "\x00" in client_id + secret + "".join(form.values()):
        return _error(400, "invalid_request", "a parameter holds a NUL character")
    if not client_id or not secret:
        return _error(
            401,
            "invalid_client",
            "client authentication is missing: send HTTP Basic credentials or client_id and client_secret",
            basic=True,
        )

    claimed = keys.log_tag(client_id)
    grant = form.get("grant_type")
    if grant is None:
        return _error(400, "invalid_request", "grant_type is missing", claimed=claimed)
    if grant != "client_credentials":
        return _error(
            400, "unsupported_grant_type", "only grant_type=client_credentials is supported", claimed=claimed
        )

    if failures is not None:
        try:
            failures.check(client_id, address)
        except TooManyRequests as exc:
            return retry_later(exc, claimed)
    with engine.connect() as conn:
        client = authenticate(conn, client_id, secret)
    if client is None:
        delay = failures.failed(client_id, address) if failures is not None else 0.0
        note = failures.note(delay) if failures is not None else ""
        failed = _error(
            401, "invalid_client", INVALID_CLIENT + note, basic=basic is not None, claimed=claimed
        )
        return replace(failed, delay_seconds=delay)
    granted = _granted_scopes(client, form.get("scope"))
    if isinstance(granted, TokenResponse):
        return granted
    token = tokens.issue(
        keys,
        client_id=client.client_id,
        scopes=granted,
        identity=client.identity,
        lifetime_seconds=lifetime_seconds,
        now=clock(),
    )
    return TokenResponse(
        200,
        {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": lifetime_seconds,
            "scope": " ".join(granted),
        },
        {"Cache-Control": "no-store", "Pragma": "no-cache"},
        client.client_id,
    )


def _granted_scopes(client: ApiClient, requested: str | None) -> tuple[str, ...] | TokenResponse:
    """No scope: everything the client holds. Otherwise exactly what was asked, if all of it is held."""
    if requested is None or not requested.strip():
        return client.scopes
    try:
        wanted = scope_names.parse(requested)
    except scope_names.UnknownScope as exc:
        return _error(400, "invalid_scope", str(exc), client_id=client.client_id)
    missing = [scope_names.short(s) for s in wanted if s not in scope_names.effective(client.scopes)]
    if missing:
        return _error(
            400,
            "invalid_scope",
            f"this client is not granted {', '.join(missing)}",
            client_id=client.client_id,
        )
    return wanted
