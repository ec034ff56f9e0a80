"""Everything that differs between SQLite and PostgreSQL lives here, and only here."""

from __future__ import annotations

import os
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator, Sequence

import sqlalchemy as sa
from sqlalchemy import event


def create_engine(url: str) -> sa.Engine:
    """An engine tuned for this service's access pattern (read-heavy, bulk imports)."""
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
        return engine
    return sa.create_engine(url, pool_pre_ping=True)


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the driver, issue BEGIN, so a whole import is one transaction.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # WAL: readers keep serving the previous data while an import writes, and see the
    # import all at once when it commits.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.execute("PRAGMA mmap_size=1073741824")
    cursor.execute("PRAGMA temp_store=MEMORY")
    cursor.close()
    # SQLite's lower() folds ASCII only; the `~` filter operator needs Unicode case folding.
    dbapi_connection.create_function("lower", 1, _unicode_lower, deterministic=True)


def _unicode_lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


def _sqlite_on_begin(connection: sa.Connection) -> None:
    # A write transaction takes the write lock up front: two writers that both read first and
    # then upgrade would otherwise fail with SQLITE_BUSY instead of waiting for each other.
    immediate = connection.get_execution_options().get("openroster_write", False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


# Text compares by code point on every backend (SQLite does natively; PostgreSQL needs the C
# collation), so string filters, sorts and paging order agree everywhere and stay index-ordered.
TEXT = sa.Text().with_variant(sa.Text(collation="C"), "postgresql")


def unicode_lower(column: sa.ColumnElement[Any], dialect_name: str) -> sa.ColumnElement[Any]:
    """lower() with Unicode case folding (the C collation folds ASCII only)."""
    if dialect_name == "postgresql":
        return sa.func.lower(column.collate("und-x-icu"))
    return sa.func.lower(column)


def read_connection(engine: sa.Engine) -> sa.Connection:
    """A connection whose reads (count and page) all see one snapshot of the data."""
    if engine.dialect.name == "postgresql":
        return engine.connect().execution_options(isolation_level="REPEATABLE READ")
    return engine.connect()


@contextmanager
def write_transaction(engine: sa.Engine) -> Iterator[sa.Connection]:
    """One transaction that will write: committed at the end, rolled back on any error."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            conn.execution_options(openroster_write=True)
        with conn.begin():
            yield conn


def lock_record(conn: sa.Connection, key: str) -> None:
    """Serialize writers of one record until the transaction ends.

    SQLite's write transactions are serialized already; PostgreSQL takes an advisory lock, so
    two concurrent upserts of a new sourcedId cannot both insert.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": key})


def insert_rows(conn: sa.Connection, table: sa.Table, columns: Sequence[str],
                rows: Sequence[Sequence[Any]]) -> None:
    """INSERT `rows` (values in the order of `columns`) into `table` in one executemany.

    SQLite's driver takes the values as they are (bytes, str, int, float, None), so they go to it
    directly: SQLAlchemy's per-value processing would cost more than SQLite's inserts on a
    million-row import. PostgreSQL gets SQLAlchemy's batched multi-row INSERTs.
    """
    if not rows:
        return
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(_insert_sql(conn.dialect, table, tuple(columns)), list(map(tuple, rows)))
    else:
        conn.execute(table.insert(), [dict(zip(columns, row)) for row in rows])


@lru_cache(maxsize=None)
def _insert_sql(dialect: sa.Dialect, table: sa.Table, columns: tuple[str, ...]) -> str:
    quote = dialect.identifier_preparer.quote
    return (f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in columns)}) "
            f"VALUES ({', '.join('?' for _ in columns)})")


def refresh_statistics(conn: sa.Connection, tables: Sequence[sa.Table]) -> None:
    """Let the planner see the data an import just wrote.

    PostgreSQL plans from statistics that autovacuum refreshes only later; right after a large
    import, pages and counts run 3-5x slower without them. SQLite plans well without any.
    """
    if conn.dialect.name == "postgresql":
        for table in tables:
            conn.exec_driver_sql(f'ANALYZE "{table.name}"')


def side_store(engine: sa.Engine, name: str, *, busy_timeout_seconds: float) -> sa.Engine:
    """An engine for small writes that must never wait for a long write transaction on the store.

    On SQLite a writer locks the whole file, so a file store gets a side file next to it
    (`<stem>.<name><suffix>`, created owner-only), shared by every process serving that store;
    an in-memory store uses itself. PostgreSQL locks rows, so the store itself serves.
    """
    url = engine.url
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return engine
    store_file = Path(url.database)
    path = store_file.with_name(f"{store_file.stem}.{name}{store_file.suffix}")
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    side = sa.create_engine(f"sqlite:///{path}", connect_args={
        "check_same_thread": False, "timeout": busy_timeout_seconds})
    event.listen(side, "connect", _sqlite_side_on_connect)
    return side


def _sqlite_side_on_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def limit_lock_wait(conn: sa.Connection, seconds: float) -> None:
    """Make this transaction give up (OperationalError) on a lock held longer than `seconds`.

    SQLite engines have their busy timeout set when they are made (`side_store`).
    """
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{int(seconds * 1000)}ms'")
