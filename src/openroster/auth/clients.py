"""API clients: create, list, remove, rotate secrets; check credentials."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import orjson
import sqlalchemy as sa

from openroster.auth import scopes as scope_names
from openroster.auth.keys import ServerKeys
from openroster.errors import ConfigurationError, OpenRosterError
from openroster.model.values import now_ms
from openroster.ops.limits import LIMIT_NAMES, SERVER_DEFAULTS, ClientLimits
from openroster.store.dialects import write_transaction
from openroster.store.schema import TABLES, api_clients

DEFAULT_SCOPES = (
    tuple(
        scope_names.PREFIX + s
        for s in (
            scope_names.ROSTER_CORE,
            scope_names.ROSTER,
            scope_names.DEMOGRAPHICS,
            scope_names.RESOURCE,
            scope_names.GRADEBOOK_READ,
        )
    )
    + scope_names.READ_V12
)
_HASH_ITERATIONS = 200_000
_CLIENT_ID = re.compile(r"^[A-Za-z0-9._~-]{3,128}$")


class ClientError(OpenRosterError):
    """A client command that cannot be carried out; the message says why and what to do."""


@dataclass(frozen=True)
class ApiClient:
    client_id: str
    name: str
    scopes: tuple[str, ...]
    orgs: tuple[str, ...]  # empty: not limited to any org
    secret_version: int
    created_ms: int
    # New on every add and every rotation (the secret hash's random salt): tokens carry a keyed
    # digest of it, so no token outlives the client incarnation it was issued to.
    identity: str
    allow_passwords: bool = False  # may read, filter and sort users' passwords
    limits: ClientLimits = ClientLimits()  # its own limits; None each: the server's default


@dataclass(frozen=True)
class IssuedCredentials:
    client: ApiClient
    secret: str  # shown once, never stored in the clear


def _hash(secret: str, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", secret.encode(), salt, _HASH_ITERATIONS)
    return f"pbkdf2-sha256${_HASH_ITERATIONS}${salt.hex()}${digest.hex()}"


def _hash_matches(secret: str, stored: str) -> bool:
    _, iterations, salt, expected = stored.split("$")
    digest = hashlib.pbkdf2_hmac("sha256", secret.encode(), bytes.fromhex(salt), int(iterations))
    return hmac.compare_digest(digest.hex(), expected)


# Checked against when the client id is unknown, so that answer costs one PBKDF2, like a known id.
_UNKNOWN_CLIENT_HASH = _hash(secrets.token_urlsafe(32))


def _from_row(row: sa.RowMapping) -> ApiClient:
    return ApiClient(
        row["client_id"],
        row["name"],
        tuple(row["scopes"].split()),
        tuple(orjson.loads(row["orgs"])),
        row["secret_version"],
        row["created_ms"],
        identity=row["secret_hash"].split("$")[2],
        allow_passwords=bool(row["allow_passwords"]),
        limits=ClientLimits(**{name: row[name] for name in LIMIT_NAMES}),
    )


def _check_secret(secret: str) -> None:
    if len(secret) < 16:
        raise ClientError(
            "A client secret must be at least 16 characters; leave --client-secret out "
            "to have a strong one generated."
        )


def add_client(
    engine: sa.Engine,
    keys: ServerKeys,
    name: str,
    *,
    client_id: str | None = None,
    secret: str | None = None,
    scopes: Sequence[str] = (),
    orgs: Sequence[str] = (),
    allow_passwords: bool = False,
    limits: ClientLimits = SERVER_DEFAULTS,
) -> IssuedCredentials:
    """Create a client; `scopes` are URIs or short names (default: every read scope).

    `allow_passwords`: the client is served users' `password` and may filter and sort on it.
    `limits`: its own limits (None each: the server's default; 0: unlimited).
    """
    client_id = client_id or secrets.token_urlsafe(18)
    if not _CLIENT_ID.match(client_id):
        raise ClientError(f"Client id {client_id!r} must be 3-128 letters, digits or . _ ~ -")
    secret = secret or secrets.token_urlsafe(32)
    _check_secret(secret)
    try:
        granted = tuple(dict.fromkeys(scope_names.canonical(s) for s in scopes)) or DEFAULT_SCOPES
    except scope_names.UnknownScope as exc:
        raise ClientError(str(exc)) from None
    with write_transaction(engine) as conn:
        _check_orgs(conn, orgs)
        clash = conn.execute(
            sa.select(api_clients.c.client_id, api_clients.c.name).where(
                sa.or_(api_clients.c.client_id == client_id, api_clients.c.name == name)
            )
        ).first()
        if clash:
            taken = "name" if clash.name == name else "client id"
            raise ClientError(
                f"A client with that {taken} already exists; choose another or remove it "
                f"with: openroster clients remove {clash.client_id}"
            )
        row = {
            "client_id": client_id,
            "name": name,
            "secret_hash": _hash(secret),
            "secret_sealed": keys.seal(secret),
            "secret_version": 1,
            "scopes": " ".join(granted),
            "orgs": orjson.dumps(list(dict.fromkeys(orgs))).decode(),
            "created_ms": now_ms(),
            "allow_passwords": allow_passwords,
            **{name: getattr(limits, name) for name in LIMIT_NAMES},
        }
        conn.execute(api_clients.insert().values(**row))
        created = _from_row(
            conn.execute(sa.select(api_clients).where(api_clients.c.client_id == client_id)).mappings().one()
        )
    return IssuedCredentials(created, secret)


def _check_orgs(conn: sa.Connection, orgs: Iterable[str]) -> None:
    wanted = set(orgs)
    if not wanted:
        return
    table = TABLES["org"].main
    found = set(conn.execute(sa.select(table.c.sourced_id).where(table.c.sourced_id.in_(wanted))).scalars())
    missing = sorted(wanted - found)
    if missing:
        raise ClientError(
            f"No org with sourcedId {', '.join(missing)}; import the district's orgs "
            f"first, or check the id (openroster limits a client to orgs it knows)."
        )


def list_clients(engine: sa.Engine) -> list[ApiClient]:
    with engine.connect() as conn:
        rows = conn.execute(sa.select(api_clients).order_by(api_clients.c.name)).mappings()
        return [_from_row(r) for r in rows]


def find_client(conn: sa.Connection, client_id: str) -> ApiClient | None:
    row = conn.execute(sa.select(api_clients).where(api_clients.c.client_id == client_id)).mappings().first()
    return _from_row(row) if row else None


def _resolve(conn: sa.Connection, id_or_name: str) -> str:
    row = conn.execute(
        sa.select(api_clients.c.client_id).where(
            sa.or_(api_clients.c.client_id == id_or_name, api_clients.c.name == id_or_name)
        )
    ).first()
    if row is None:
        raise ClientError(f"No client with id or name {id_or_name!r}; see: openroster clients list")
    return str(row.client_id)


def remove_client(engine: sa.Engine, id_or_name: str) -> str:
    """Delete a client; its tokens and signatures stop working at once. Returns its id.

    Its recent OAuth 1.0a nonces are kept until they expire: were the id re-added with the same
    secret, a request captured before the removal still could not be replayed.
    """
    with write_transaction(engine) as conn:
        client_id = _resolve(conn, id_or_name)
        conn.execute(api_clients.delete().where(api_clients.c.client_id == client_id))
    return client_id


def set_limits(engine: sa.Engine, id_or_name: str, changes: dict[str, int | None]) -> ApiClient:
    """Change some of a client's own limits (None: back to the server's default; 0: unlimited).

    Takes effect on the client's next request, in every server process.
    """
    unknown = set(changes) - set(LIMIT_NAMES)
    if unknown:
        raise ValueError(f"not limits: {sorted(unknown)}")
    with write_transaction(engine) as conn:
        client_id = _resolve(conn, id_or_name)
        if changes:
            conn.execute(api_clients.update().where(api_clients.c.client_id == client_id).values(**changes))
        client = find_client(conn, client_id)
    assert client is not None
    return client


def rotate_secret(
    engine: sa.Engine, keys: ServerKeys, id_or_name: str, secret: str | None = None
) -> IssuedCredentials:
    """Give a client a new secret; tokens issued with the old one stop working."""
    secret = secret or secrets.token_urlsafe(32)
    _check_secret(secret)
    with write_transaction(engine) as conn:
        client_id = _resolve(conn, id_or_name)
        conn.execute(
            api_clients.update()
            .where(api_clients.c.client_id == client_id)
            .values(
                secret_hash=_hash(secret),
                secret_sealed=keys.seal(secret),
                secret_version=api_clients.c.secret_version + 1,
            )
        )
        client = find_client(conn, client_id)
    assert client is not None
    return IssuedCredentials(client, secret)


def authenticate(conn: sa.Connection, client_id: str, secret: str) -> ApiClient | None:
    """The client, when `secret` is its secret (OAuth 2.0 client authentication)."""
    row = conn.execute(sa.select(api_clients).where(api_clients.c.client_id == client_id)).mappings().first()
    matches = _hash_matches(secret, row["secret_hash"] if row is not None else _UNKNOWN_CLIENT_HASH)
    return _from_row(row) if row is not None and matches else None


def shared_secret(conn: sa.Connection, keys: ServerKeys, client_id: str) -> str | None:
    """The clear shared secret an OAuth 1.0a signature is checked with."""
    sealed = conn.execute(
        sa.select(api_clients.c.secret_sealed).where(api_clients.c.client_id == client_id)
    ).scalar_one_or_none()
    return keys.unseal(sealed) if sealed is not None else None


def check_server_key(engine: sa.Engine, keys: ServerKeys) -> None:
    """Refuse a server key that cannot open the stored client secrets (OAuth 1.0a would fail)."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(api_clients.c.client_id, api_clients.c.secret_sealed).order_by(api_clients.c.client_id)
        ).all()
    wrong = []
    for client_id, sealed in rows:
        try:
            keys.unseal(sealed)
        except ConfigurationError:
            wrong.append(client_id)
    if wrong:
        raise ConfigurationError(
            f"This server key cannot decrypt the secrets of {len(wrong)} of {len(rows)} API client(s) "
            f"({', '.join(wrong[:5])}{', ...' if len(wrong) > 5 else ''}): they were created with another "
            f"key, so their OAuth 1.0a signatures could not be checked. Start with the key they were created "
            f"with (OPENROSTER_SECRET_KEY or OPENROSTER_KEY_FILE), or give each a new secret with: "
            f"openroster clients rotate-secret CLIENT_ID"
        )
