"""Console accounts: add, list, remove, change passwords, verify sign-ins (salted scrypt hashes)."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

import sqlalchemy as sa

from openroster.errors import OpenRosterError
from openroster.model.values import now_ms
from openroster.store.dialects import write_transaction
from openroster.store.schema import console_accounts, console_sessions

ROLES = ("admin", "viewer")  # admin: may change things; viewer: sees everything, changes nothing
MIN_PASSWORD = 12
_NAME = re.compile(r"^[A-Za-z0-9._@-]{1,64}$")
# scrypt with n=2**14, r=8: 16 MiB and some 50 ms per check, which makes guessing expensive.
_N, _R, _P = 2**14, 8, 1


class AccountError(OpenRosterError):
    """An account command that cannot be carried out; the message says why and what to do."""


@dataclass(frozen=True)
class Account:
    name: str
    role: str
    created_ms: int

    @property
    def may_change(self) -> bool:
        return self.role == "admin"


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P)
    return f"scrypt${_N}${_R}${_P}${salt.hex()}${digest.hex()}"


def _matches(password: str, stored: str) -> bool:
    _, n, r, p, salt, expected = stored.split("$")
    digest = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p))
    return hmac.compare_digest(digest.hex(), expected)


# Checked against when the name is unknown, so that answer costs one scrypt too.
_UNKNOWN = hash_password(secrets.token_urlsafe(16))


def new_password() -> str:
    return secrets.token_urlsafe(15)  # 20 characters, 120 bits


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"The password is too short: give at least {MIN_PASSWORD} characters.")


def add_account(engine: sa.Engine, name: str, role: str, password: str) -> Account:
    if not _NAME.match(name):
        raise AccountError(
            f"{name!r} is not an account name: use 1 to 64 letters, digits, '.', '_', '@' or '-'."
        )
    if role not in ROLES:
        raise AccountError(f"--role {role!r} is not a role: give admin or viewer.")
    check_password(password)
    account = Account(name, role, now_ms())
    with write_transaction(engine) as conn:
        if conn.execute(sa.select(console_accounts.c.name).where(console_accounts.c.name == name)).first():
            raise AccountError(
                f"There is already an account named {name!r}; choose another name, or change its "
                f"password with: openroster admins passwd {name}"
            )
        conn.execute(
            console_accounts.insert().values(
                name=name, role=role, password_hash=hash_password(password), created_ms=account.created_ms
            )
        )
    return account


def list_accounts(engine: sa.Engine) -> list[Account]:
    with engine.connect() as conn:
        rows = conn.execute(sa.select(console_accounts).order_by(console_accounts.c.name))
        return [Account(row.name, row.role, row.created_ms) for row in rows]


def find_account(conn: sa.Connection, name: str) -> Account | None:
    row = conn.execute(sa.select(console_accounts).where(console_accounts.c.name == name)).first()
    return None if row is None else Account(row.name, row.role, row.created_ms)


def _require(conn: sa.Connection, name: str) -> None:
    if find_account(conn, name) is None:
        raise AccountError(f"There is no account named {name!r}; see them with: openroster admins list")


def remove_account(engine: sa.Engine, name: str) -> None:
    """Remove the account; its sessions end at once."""
    with write_transaction(engine) as conn:
        _require(conn, name)
        conn.execute(console_sessions.delete().where(console_sessions.c.account == name))
        conn.execute(console_accounts.delete().where(console_accounts.c.name == name))


def set_password(engine: sa.Engine, name: str, password: str) -> None:
    """Give the account a new password; its sessions end at once."""
    check_password(password)
    with write_transaction(engine) as conn:
        _require(conn, name)
        conn.execute(
            console_accounts.update()
            .where(console_accounts.c.name == name)
            .values(password_hash=hash_password(password))
        )
        conn.execute(console_sessions.delete().where(console_sessions.c.account == name))


def verify(engine: sa.Engine, name: str, password: str) -> Account | None:
    """The account if `password` is its own; None otherwise (in the same time for an unknown name)."""
    with engine.connect() as conn:
        row = conn.execute(sa.select(console_accounts).where(console_accounts.c.name == name)).first()
    if row is None:
        _matches(password, _UNKNOWN)
        return None
    if not _matches(password, row.password_hash):
        return None
    return Account(row.name, row.role, row.created_ms)
