"""OAuth 2.0 access tokens: signed JWTs any server process can verify with the shared server key."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

import jwt

from openroster.auth.keys import ServerKeys

ISSUER = AUDIENCE = "openroster"
_ALGORITHM = "HS256"
_LEEWAY_SECONDS = 30


class TokenRejected(Exception):
    """A bearer token that is malformed, tampered with, expired or not ours; `reason` is safe to log."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class TokenClaims:
    client_id: str
    scopes: tuple[str, ...]
    identity_tag: str  # which incarnation of the client the token was issued to (see `identity_tag`)
    expires_at: int

    def issued_to(self, keys: ServerKeys, identity: str) -> bool:
        """Whether the token belongs to the client whose current identity stamp is `identity`."""
        return hmac.compare_digest(self.identity_tag, identity_tag(keys, identity))


def identity_tag(keys: ServerKeys, identity: str) -> str:
    """A keyed digest of a client's identity stamp, so tokens never show the stamp itself.

    The stamp is new whenever a client is added or its secret rotated, so a token issued before
    `clients remove` + `clients add` of the same id, or before a rotation, never matches again.
    """
    return hmac.new(keys.token_signing, b"client identity " + identity.encode(), hashlib.sha256).hexdigest()[
        :32
    ]


def issue(
    keys: ServerKeys,
    *,
    client_id: str,
    scopes: tuple[str, ...],
    identity: str,
    lifetime_seconds: int,
    now: float,
) -> str:
    issued = int(now)
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": client_id,
        "scope": " ".join(scopes),
        "cid": identity_tag(keys, identity),
        "iat": issued,
        "exp": issued + lifetime_seconds,
        "jti": secrets.token_urlsafe(12),
    }
    return jwt.encode(claims, keys.token_signing, algorithm=_ALGORITHM)


def verify(keys: ServerKeys, token: str, *, now: float) -> TokenClaims:
    try:
        claims = jwt.decode(
            token,
            keys.token_signing,
            algorithms=[_ALGORITHM],
            audience=AUDIENCE,
            issuer=ISSUER,
            leeway=_LEEWAY_SECONDS,
            options={"require": ["exp", "iat", "sub", "aud", "iss", "cid"], "verify_iat": False},
        )
    except jwt.ExpiredSignatureError:
        raise TokenRejected("the access token has expired; request a new one") from None
    except jwt.InvalidTokenError as exc:
        raise TokenRejected(f"the access token is not valid ({type(exc).__name__})") from None
    if claims["exp"] + _LEEWAY_SECONDS < now:
        raise TokenRejected("the access token has expired; request a new one")
    return TokenClaims(
        str(claims["sub"]),
        tuple(str(claims.get("scope", "")).split()),
        str(claims["cid"]),
        int(claims["exp"]),
    )
