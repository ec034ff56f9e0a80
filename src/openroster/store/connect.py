"""Reaching a store from the command line: its files, a missing PostgreSQL database, and why a connection failed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from openroster.errors import ConfigurationError

SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")  # files SQLite keeps next to a database


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite database URL; None for other backends and in-memory databases."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def remove_sqlite_files(path: Path) -> None:
    """Delete a SQLite database and the files SQLite keeps beside it."""
    for name in (path, *(path.with_name(path.name + suffix) for suffix in SQLITE_COMPANIONS)):
        name.unlink(missing_ok=True)


def require_existing(url: str) -> None:
    """Refuse a SQLite path with no file, rather than let SQLite create an empty one."""
    path = sqlite_file(url)
    if path is not None and not path.exists():
        raise ConfigurationError(
            f"There is no database at {path}. Load a district into it with: openroster import BUNDLE "
            f"--database '{url}' (or create an empty store with: openroster migrate --database '{url}'), "
            f"or give the path of an existing store."
        )


def create_missing_database(url: str) -> bool:
    """Create the PostgreSQL database a URL names when the server lacks it; True if it was created."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql" or not parsed.database:
        return False
    with _server(url) as conn:
        exists = conn.execute(
            sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": parsed.database}
        ).first()
        if not exists:
            conn.exec_driver_sql(f"CREATE DATABASE {conn.dialect.identifier_preparer.quote(parsed.database)}")
        return not exists


def drop_database(url: str) -> None:
    """Drop the PostgreSQL database a URL names (one a failed command created)."""
    name = make_url(url).database
    assert name
    with _server(url) as conn:
        conn.exec_driver_sql(
            f"DROP DATABASE IF EXISTS {conn.dialect.identifier_preparer.quote(name)} WITH (FORCE)"
        )


@contextmanager
def _server(url: str) -> Iterator[sa.Connection]:
    """A connection to the server's `postgres` database, outside any transaction."""
    admin = sa.create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            yield conn
    except sa.exc.DBAPIError as exc:
        raise ConfigurationError(explain(exc, url)) from None
    finally:
        admin.dispose()


def explain(exc: sa.exc.DBAPIError, url: str) -> str:
    """What a failed connection (or statement) means for the user, and what to do about it."""
    parsed = make_url(url)
    shown = parsed.render_as_string(hide_password=True)
    detail = " ".join(str(exc.orig).split())
    if parsed.get_backend_name() == "sqlite":
        if "unable to open" not in detail:
            return f"The database {shown} failed: {detail}"
        return (
            f"The SQLite database {parsed.database} cannot be opened ({detail}). Check that its "
            f"folder exists and is writable, or give another path with --database."
        )
    where = f"{parsed.host or 'localhost'}:{parsed.port or 5432}"
    if "does not exist" in detail and "database" in detail:
        return (
            f"The PostgreSQL server at {where} has no database {parsed.database!r}. Create it with: "
            f"openroster migrate --database '{shown}' (or createdb {parsed.database})."
        )
    if "password authentication failed" in detail or "no password supplied" in detail:
        return (
            f"PostgreSQL at {where} refused the user {parsed.username!r} ({detail}). Put the right "
            f"user and password in the database URL."
        )
    if "Connection refused" in detail or "could not translate host name" in detail or "timeout" in detail:
        return (
            f"No PostgreSQL server answers at {where} ({detail}). Start it, or correct the host and "
            f"port in the database URL ({shown})."
        )
    return f"The database {shown} failed: {detail}"
