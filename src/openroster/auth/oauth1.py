"""Verify two-legged OAuth 1.0a (RFC 5849) request signatures.

OneRoster 1.1 consumers (School Data Sync, Grade Sync, ClassLink-style connectors) sign each
request with a consumer key and secret and no token. This module only checks such a request; it
knows nothing of HTTP frameworks or storage. The caller passes in the request's parts, a secret
lookup, a nonce store and the current time, and gets back the consumer key or an `OAuth1Failure`.

How the signature base string (RFC 5849 §3.4.1) is rebuilt:

* method: upper-cased.
* base string URI: from `url`, the absolute URL the client used, without its query. The scheme
  and host are lower-cased, the port is kept only when it is not the default one for the scheme
  (80 for http, 443 for https), and an empty path becomes "/". The path is used exactly as it
  appeared in the request line, percent-escapes included (RFC 5849 §3.4.1.2: the URI of the
  request as sent). So the caller must pass the raw path (e.g. ASGI `raw_path`), not a decoded
  one: the client signed `/users/caf%C3%A9`, not `/users/café`.
* parameters: every query parameter, every Authorization-header parameter except `realm` and
  `oauth_signature`, and every form-body parameter; names and values percent-encoded per
  RFC 3986 and sorted by encoded name, then encoded value.

oauthlib supplies the building blocks (base string URI, parameter normalisation, the base string
itself and the HMAC signing); this module decides which parameters count, checks them, and
compares in constant time. oauthlib's request validator is not used: its length and character
rules reject nonces and keys that real clients send.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Callable, Sequence
from typing import Final, NamedTuple

from oauthlib.oauth1.rfc5849 import signature as rfc5849
from oauthlib.oauth1.rfc5849 import utils as rfc5849_utils

SIGNATURE_METHODS: Final = ("HMAC-SHA1", "HMAC-SHA256")
"""The accepted values of `oauth_signature_method`."""

_SIGNERS: Final[dict[str, Callable[[str, object], str]]] = {
    "HMAC-SHA1": rfc5849.sign_hmac_sha1_with_client,
    "HMAC-SHA256": rfc5849.sign_hmac_sha256_with_client,
}
# oauth_body_hash is an unkeyed digest of the body. Clients disagree on its algorithm under
# HMAC-SHA256 (oauthlib always sends SHA-1, Postman follows the signature method), so the
# digest's length decides: 20 bytes SHA-1, 32 bytes SHA-256.
_BODY_DIGESTS: Final = {20: "sha1", 32: "sha256"}
_REQUIRED: Final = (
    "oauth_consumer_key",
    "oauth_signature_method",
    "oauth_timestamp",
    "oauth_nonce",
    "oauth_signature",
)
_TIMESTAMP: Final = re.compile(r"[0-9]{1,15}")
INVALID_SIGNATURE: Final = "invalid signature or unknown consumer key"
# Signatures claiming an unknown key are checked against this, so they cost what a known key costs.
_UNKNOWN_KEY_SECRET: Final = secrets.token_urlsafe(32)
_AUTHORIZATION: Final = re.compile(r"\s*(\S+)(?:\s+(.*))?", re.DOTALL)


class OAuth1Failure(Exception):
    """Why a request's OAuth 1.0a credentials were refused. `reason` is safe to log: it never contains the secret or the signature."""

    def __init__(self, reason: str, *, client_key: str | None = None, bad_request: bool = False):
        super().__init__(reason)
        self.reason = reason
        # The consumer key the request claimed, when it named one (it may be unknown).
        self.client_key = client_key
        # True: the request is malformed or unsupported (answer 400). False: refused (answer 401).
        self.bad_request = bad_request


def has_oauth1(authorization: str | None, query_pairs: Sequence[tuple[str, str]]) -> bool:
    """True when the request carries OAuth 1.0a parameters (an `Authorization: OAuth ...` header, or oauth_consumer_key/oauth_signature in the query string)."""
    if authorization is not None and _is_oauth_scheme(authorization):
        return True
    return any(name in ("oauth_consumer_key", "oauth_signature") for name, _ in query_pairs)


def consumer_key(authorization: str | None, query_pairs: Sequence[tuple[str, str]]) -> str | None:
    """The consumer key a request claims (before anything is checked), or None when it names none."""
    try:
        protocol, _ = _collect(authorization, query_pairs, ())
    except OAuth1Failure:
        return None
    return protocol.get("oauth_consumer_key") or None


def verify(
    *,
    method: str,
    url: str,
    authorization: str | None,
    query_pairs: Sequence[tuple[str, str]],
    form_pairs: Sequence[tuple[str, str]] = (),
    body: bytes = b"",
    secret_for: Callable[[str], str | None],
    remember_nonce: Callable[[str, str, int], bool],
    now: float,
    window_seconds: int = 300,
    require_body_hash: bool = False,
) -> str:
    """Verify a two-legged OAuth 1.0a request; return the client (consumer) key, or raise OAuth1Failure.

    `url` is the absolute URL the client used, with the raw (still percent-encoded) path and no
    query string; `query_pairs` and `form_pairs` are the decoded query and
    `application/x-www-form-urlencoded` body parameters in order, duplicates kept. `secret_for`
    maps a consumer key to its secret (None: unknown key). `remember_nonce(key, nonce, timestamp)`
    records a nonce and returns False if it had already been recorded; it is called only once the
    signature has verified. An unknown consumer key fails exactly as a wrong signature does
    (same reason, same work), so failures never tell which keys exist. `oauth_body_hash` is
    checked whenever it is sent; with `require_body_hash`, a request with a body must send it
    (the RFC signature does not cover a JSON body). A `ValueError` means the caller broke this
    contract.
    """
    if "?" in url or "#" in url:
        raise ValueError("url must not contain a query string or fragment: pass the query as query_pairs")

    protocol, signed = _collect(authorization, query_pairs, form_pairs)

    def fail(reason: str, *, bad_request: bool = False) -> OAuth1Failure:
        claimed_key = protocol.get("oauth_consumer_key") or None
        return OAuth1Failure(reason, client_key=claimed_key, bad_request=bad_request)

    missing = [name for name in _REQUIRED if not protocol.get(name)]
    if missing:
        raise fail("missing OAuth parameter: " + ", ".join(missing))
    client_key = protocol["oauth_consumer_key"]
    if protocol.get("oauth_version", "1.0") != "1.0":
        raise fail("unsupported oauth_version: only 1.0 is accepted", bad_request=True)
    signature_method = protocol["oauth_signature_method"]
    if signature_method not in SIGNATURE_METHODS:
        raise fail(
            "unsupported oauth_signature_method: use one of " + ", ".join(SIGNATURE_METHODS), bad_request=True
        )
    if protocol.get("oauth_token"):
        raise fail(
            "oauth_token is not accepted: sign with the consumer key and secret only (two-legged OAuth)"
        )

    if not _TIMESTAMP.fullmatch(protocol["oauth_timestamp"]):
        raise fail("oauth_timestamp is not an integer")
    timestamp = int(protocol["oauth_timestamp"])
    if abs(now - timestamp) > window_seconds:
        raise fail(
            f"expired or future timestamp: it must be within {window_seconds} seconds of the server clock"
        )

    secret = secret_for(client_key)
    base_string = rfc5849.signature_base_string(
        method, _base_string_uri(url, client_key), rfc5849.normalize_parameters(signed)
    )
    expected = _SIGNERS[signature_method](
        base_string, _Credentials(client_secret=secret or _UNKNOWN_KEY_SECRET)
    )
    signature_matches = hmac.compare_digest(
        expected.encode("utf-8"), protocol["oauth_signature"].encode("utf-8")
    )
    if secret is None or not signature_matches:
        raise fail(INVALID_SIGNATURE)

    declared_body_hash = protocol.get("oauth_body_hash")
    if declared_body_hash is None and require_body_hash and body:
        raise fail(
            "oauth_body_hash is required: this server accepts a request body only when the "
            "signature covers it (sign with oauth_body_hash)"
        )
    if declared_body_hash is not None:
        try:
            algorithm = _BODY_DIGESTS.get(len(base64.b64decode(declared_body_hash, validate=True)), "sha256")
        except ValueError:
            algorithm = "sha256"
        actual = base64.b64encode(hashlib.new(algorithm, body).digest())
        if not hmac.compare_digest(actual, declared_body_hash.encode("utf-8")):
            raise fail("oauth_body_hash does not match the request body")

    if not remember_nonce(client_key, protocol["oauth_nonce"], timestamp):
        raise fail("nonce already used: the request is a replay")
    return client_key


class _Credentials(NamedTuple):
    """The shape oauthlib's `sign_hmac_*_with_client` functions read the secrets from."""

    client_secret: str
    resource_owner_secret: str = ""


def _collect(
    authorization: str | None, query_pairs: Sequence[tuple[str, str]], form_pairs: Sequence[tuple[str, str]]
) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """Split the request's parameters into the OAuth protocol parameters and the signed ones.

    Protocol parameters come from the Authorization header and the query string; each may be given
    once only. The signed parameters are all query, header (except realm) and form parameters,
    without oauth_signature.
    """
    header_params = _oauth_header_params(authorization) if authorization is not None else []
    protocol: dict[str, str] = {}
    signed: list[tuple[str, str]] = []
    seen_in_header: set[str] = set()
    for name, value in header_params:
        if name in seen_in_header:
            raise OAuth1Failure(f"parameter {name} is given more than once", bad_request=True)
        seen_in_header.add(name)
        if name.startswith("oauth_"):
            protocol[name] = value
        if name != "oauth_signature":
            signed.append((name, value))
    for name, value in query_pairs:
        if name.startswith("oauth_"):
            if name in protocol:
                raise OAuth1Failure(f"parameter {name} is given more than once", bad_request=True)
            protocol[name] = value
        if name != "oauth_signature":
            signed.append((name, value))
    for name, _ in form_pairs:
        if name.startswith("oauth_"):
            raise OAuth1Failure(
                "OAuth parameters are accepted in the Authorization header or the query "
                "string, not in the request body",
                bad_request=True,
            )
    signed.extend(form_pairs)
    return protocol, signed


def _is_oauth_scheme(authorization: str) -> bool:
    match = _AUTHORIZATION.fullmatch(authorization)
    return match is not None and match.group(1).lower() == "oauth"


def _oauth_header_params(authorization: str) -> list[tuple[str, str]]:
    """The decoded parameters of an `Authorization: OAuth ...` header, realm left out.

    Empty when the header uses another scheme (e.g. Bearer). Values may be quoted or not; names
    and values are percent-decoded (RFC 5849 §3.5.1).
    """
    match = _AUTHORIZATION.fullmatch(authorization)
    if match is None or match.group(1).lower() != "oauth":
        return []
    params: list[tuple[str, str]] = []
    for item in rfc5849_utils.parse_http_list(match.group(2) or ""):
        if not item:
            continue  # tolerate stray commas
        name, equals, value = (part.strip() for part in item.partition("="))
        if not equals or not name:
            raise OAuth1Failure(
                'malformed Authorization header: expected name="value" pairs', bad_request=True
            )
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1]
        if name != "realm":
            params.append((str(rfc5849_utils.unescape(name)), str(rfc5849_utils.unescape(value))))
    return params


def _base_string_uri(url: str, client_key: str) -> str:
    """RFC 5849 §3.4.1.2 base string URI of `url` (see the module docstring for the rules)."""
    try:
        return str(rfc5849.base_string_uri(url))
    except ValueError:
        # The caller builds the URL from the Host header, which the client controls.
        raise OAuth1Failure(
            "the request URL (scheme, host or port) cannot be used to check the signature",
            client_key=client_key,
            bad_request=True,
        ) from None
