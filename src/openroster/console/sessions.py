"""Console sessions: a random cookie token per sign-in (stored as its SHA-256), with its form token.

The sign-in form, shown before there is a session, carries a token bound to a random cookie of its
own (`SIGNIN_COOKIE`) by an HMAC with the server key: a page elsewhere can neither read the cookie
nor make the token, so it cannot sign a browser in to an account of its choosing.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

import sqlalchemy as sa

from openroster.console.accounts import Account, find_account
from openroster.model.values import now_ms
from openroster.store.dialects import write_transaction
from openroster.store.schema import console_sessions

COOKIE = "openroster_console"
SIGNIN_COOKIE = "openroster_console_signin"


@dataclass(frozen=True)
class Session:
    account: Account
    csrf: str
    expires_ms: int


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(engine: sa.Engine, account: Account, minutes: int) -> tuple[str, Session]:
    """A new session of `account`: the cookie's token (never stored) and the session."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    now = now_ms()
    expires = now + minutes * 60_000
    with write_transaction(engine) as conn:
        conn.execute(console_sessions.delete().where(console_sessions.c.expires_ms < now))
        conn.execute(
            console_sessions.insert().values(
                token_hash=_digest(token), account=account.name, csrf=csrf, expires_ms=expires
            )
        )
    return token, Session(account, csrf, expires)


def find_session(engine: sa.Engine, token: str) -> Session | None:
    """The live session whose cookie holds `token`; None for an unknown, ended or expired one."""
    if not token:
        return None
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(console_sessions).where(console_sessions.c.token_hash == _digest(token))
        ).first()
        if row is None or row.expires_ms <= now_ms():
            return None
        account = find_account(conn, row.account)
    return None if account is None else Session(account, row.csrf, row.expires_ms)


def close_session(engine: sa.Engine, token: str) -> None:
    with write_transaction(engine) as conn:
        conn.execute(console_sessions.delete().where(console_sessions.c.token_hash == _digest(token)))


def signin_token(key: bytes, cookie: str) -> str:
    """The sign-in form's token for the browser holding `cookie`."""
    return hmac.new(key, b"console-signin\0" + cookie.encode(), hashlib.sha256).hexdigest()


def same(given: str, expected: str) -> bool:
    return bool(given) and hmac.compare_digest(given.encode(), expected.encode())
