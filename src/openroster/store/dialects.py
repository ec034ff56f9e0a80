"""Everything that differs between SQLite and PostgreSQL lives here, and only here."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.ext.compiler import compiles

from openroster.errors import StoreBusy

_SQLITE_BUSY_MS = 30_000  # how long an import or a CLI command waits for SQLite's write lock

WAL_KEPT_BYTES = 64 << 20
STATEMENTS_KEPT = 16  # prepared statements a database connection keeps for reuse
# Seconds a request waits for a free pooled connection before it is answered 503: a flood of
# requests must not queue cheap ones behind it for longer.
POOL_WAIT = 5
# Pooled connections of an engine: kept open, and opened beyond them when all are in use.
POOL_SIZE = 5
POOL_OVERFLOW = 10
# SQLite virtual-machine steps between two looks at a read's deadline (well under a millisecond).
_PROGRESS_STEPS = 20_000


def create_engine(url: str) -> sa.Engine:
    """An engine tuned for this service's access pattern (read-heavy, bulk imports)."""
    if url.startswith("sqlite"):
        _create_owner_only(sa.make_url(url).database)
        # The driver keeps prepared statements per connection by SQL text; filters make new texts
        # at will, so keep few (the import's and the paging statements are a handful).
        engine = sa.create_engine(
            url,
            pool_size=POOL_SIZE,
            max_overflow=POOL_OVERFLOW,
            pool_timeout=POOL_WAIT,
            connect_args={
                "check_same_thread": False,
                "timeout": _SQLITE_BUSY_MS / 1000,
                "cached_statements": STATEMENTS_KEPT,
            },
        )
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
        return engine
    engine = sa.create_engine(
        url, pool_pre_ping=True, pool_size=POOL_SIZE, max_overflow=POOL_OVERFLOW, pool_timeout=POOL_WAIT
    )
    event.listen(engine, "connect", _postgresql_on_connect)
    return engine


def _create_owner_only(database: str | None) -> None:
    """Create a new SQLite store file readable by its owner only: it holds secrets and personal data.

    SQLite gives its -wal and -shm files the permissions of the store file.
    """
    if (
        database
        and database != ":memory:"
        and not database.startswith("file:")
        and not os.path.exists(database)
    ):
        try:
            os.close(os.open(database, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:
            pass
        except OSError:
            pass  # a folder that does not exist: SQLite's own error says so on connect


def _postgresql_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # psycopg prepares a statement run 5 times and keeps up to 100 per connection, each also
    # held by the server; bound them like SQLite's.
    dbapi_connection.prepared_max = STATEMENTS_KEPT


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the driver, issue BEGIN, so a whole import is one transaction.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # WAL: readers keep serving the previous data while an import writes, and see the
    # import all at once when it commits.
    cursor.execute("PRAGMA journal_mode=WAL")
    # An import interrupted by a kill leaves its WAL behind (up to the import's size); the next
    # checkpoint cuts it back to this many bytes instead of keeping the file at its peak.
    cursor.execute(f"PRAGMA journal_size_limit={WAL_KEPT_BYTES}")
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


@contextmanager
def read_connection(engine: sa.Engine, budget_ms: int | None = None) -> Iterator[sa.Connection]:
    """A connection whose reads (count and page) all see one snapshot of the data.

    With `budget_ms`, a statement still running past the budget is stopped and the read raises
    StoreBusy: SQLite checks a deadline for the whole read from a progress handler, PostgreSQL
    applies `statement_timeout` to each statement of the read transaction.
    """
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "postgresql":
                conn.execution_options(isolation_level="REPEATABLE READ")
                if budget_ms is not None:
                    conn.execute(sa.select(sa.func.set_config("statement_timeout", f"{budget_ms}ms", True)))
                yield conn
            elif budget_ms is None:
                yield conn
            else:
                with _sqlite_deadline(conn, time.monotonic() + budget_ms / 1000):
                    yield conn
    except sa.exc.OperationalError as exc:
        if not _cancelled(exc):
            raise
        raise StoreBusy(
            f"The request ran past this server's time budget of {budget_ms} ms "
            "(OPENROSTER_QUERY_TIMEOUT_MS); narrow the filter or retry shortly",
            refusal="query_time_budget",
        ) from None


@contextmanager
def _sqlite_deadline(conn: sa.Connection, deadline: float) -> Iterator[None]:
    raw = conn.connection.driver_connection
    assert raw is not None
    raw.set_progress_handler(lambda: time.monotonic() > deadline, _PROGRESS_STEPS)
    try:
        yield
    finally:
        raw.set_progress_handler(None, 0)


def pool_exhausted(engine: sa.Engine) -> bool:
    """Whether every connection the engine's pool may open is in use (a new request would wait)."""
    pool = engine.pool
    return isinstance(pool, sa.pool.QueuePool) and pool.checkedout() >= POOL_SIZE + POOL_OVERFLOW


def no_connection_free() -> StoreBusy:
    """The error for a request that waited POOL_WAIT seconds for a pooled connection in vain."""
    return StoreBusy(
        f"Every database connection is busy (waited {POOL_WAIT} s); retry shortly", refusal="connection_pool"
    )


def _cancelled(exc: sa.exc.OperationalError) -> bool:
    """Whether the database stopped a statement because its time budget ran out."""
    return (
        getattr(exc.orig, "sqlstate", None) == "57014"  # PostgreSQL query_canceled
        or str(exc.orig) == "interrupted"
    )  # SQLite, from the progress handler


@contextmanager
def write_transaction(engine: sa.Engine, *, wait_ms: int | None = None) -> Iterator[sa.Connection]:
    """One transaction that will write: committed at the end, rolled back on any error.

    `wait_ms` bounds how long it waits for locks another writer holds (SQLite's write lock
    during an import, PostgreSQL's row locks); past it, StoreBusy. None: the long default.
    """
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as conn:
        if sqlite:
            conn.execution_options(openroster_write=True)
            if wait_ms is not None:
                _sqlite_busy_timeout(conn, wait_ms)
        try:
            with conn.begin():
                if wait_ms is not None and not sqlite:
                    conn.exec_driver_sql(f"SET LOCAL lock_timeout = {int(wait_ms)}")
                yield conn
        except sa.exc.OperationalError as exc:
            if wait_ms is not None and _is_lock_timeout(exc):
                raise StoreBusy(
                    f"The store is busy with another write (such as an import) and could "
                    f"not take this one within {wait_ms / 1000:g} s; nothing was written. "
                    f"Retry in a few seconds.",
                    refusal="write_lock",
                ) from None
            raise
        finally:
            if sqlite and wait_ms is not None and not conn.invalidated:
                _sqlite_busy_timeout(conn, _SQLITE_BUSY_MS)


def _sqlite_busy_timeout(conn: sa.Connection, ms: int) -> None:
    # On the driver's connection: through SQLAlchemy, the PRAGMA would begin a transaction.
    conn.connection.driver_connection.execute(f"PRAGMA busy_timeout = {int(ms)}")  # type: ignore[union-attr]


def _is_lock_timeout(exc: sa.exc.OperationalError) -> bool:
    """SQLite's SQLITE_BUSY ("database is locked") or PostgreSQL's lock_not_available (55P03)."""
    original = exc.orig
    return (
        str(getattr(original, "sqlite_errorname", "")).startswith("SQLITE_BUSY")
        or getattr(original, "sqlstate", None) == "55P03"
    )


def lock_record(conn: sa.Connection, key: str) -> None:
    """Serialize writers of one record until the transaction ends.

    SQLite's write transactions are serialized already; PostgreSQL takes an advisory lock, so
    two concurrent upserts of a new sourcedId cannot both insert.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": key})


def insert_rows(
    conn: sa.Connection, table: sa.Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """INSERT `rows` (values in the order of `columns`) into `table`, in the driver's fastest way.

    SQLite's driver takes the values as they are (bytes, str, int, float, None), so they go to it
    directly in one executemany: SQLAlchemy's per-value processing would cost more than SQLite's
    inserts on a million-row import. PostgreSQL gets them through COPY, which parses and logs
    rows several times faster than INSERT statements, in the same transaction.
    """
    if not rows:
        return
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(_insert_sql(conn.dialect, table, tuple(columns)), list(map(tuple, rows)))
        return
    raw = conn.connection.driver_connection
    assert raw is not None
    with raw.cursor() as cursor, cursor.copy(_copy_sql(conn.dialect, table, tuple(columns))) as copy:
        for row in rows:
            copy.write_row(row)


@cache
def _copy_sql(dialect: sa.Dialect, table: sa.Table, columns: tuple[str, ...]) -> str:
    quote = dialect.identifier_preparer.quote
    return f"COPY {quote(table.name)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"


@contextmanager
def indexes_built_after(conn: sa.Connection, tables: Sequence[sa.Table]) -> Iterator[None]:
    """Load empty `tables` without their secondary indexes, and build those once at the end.

    Building an index from every row at once (one sort) costs a fraction of keeping it up to
    date row by row. The indexes are read from the store itself, so exactly what its migrations
    made is built again. On an error the transaction's rollback restores them. SQLite only: its
    DDL is part of the write transaction and readers keep their snapshot (WAL); on PostgreSQL
    dropping an index would lock every reader of the table out until the commit.
    """
    if conn.dialect.name != "sqlite" or not tables:
        yield
        return
    marks = ", ".join("?" for _ in tables)
    indexes = conn.exec_driver_sql(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        f"AND tbl_name IN ({marks}) ORDER BY name",
        tuple(t.name for t in tables),
    ).all()
    quote = conn.dialect.identifier_preparer.quote
    for name, _sql in indexes:
        conn.exec_driver_sql(f"DROP INDEX {quote(name)}")
    yield
    for _name, sql in indexes:
        conn.exec_driver_sql(sql)


@cache
def _insert_sql(dialect: sa.Dialect, table: sa.Table, columns: tuple[str, ...]) -> str:
    quote = dialect.identifier_preparer.quote
    return (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in columns)}) "
        f"VALUES ({', '.join('?' for _ in columns)})"
    )


def refresh_statistics(conn: sa.Connection, tables: Sequence[sa.Table]) -> None:
    """Let the planner see the data an import just wrote.

    PostgreSQL plans from statistics that autovacuum refreshes only later; right after a large
    import, pages and counts run 3-5x slower without them. SQLite plans well without any.
    """
    if conn.dialect.name == "postgresql":
        for table in tables:
            conn.exec_driver_sql(f'ANALYZE "{table.name}"')


def row_counts(conn: sa.Connection, tables: Sequence[sa.Table]) -> dict[str, int]:
    """Rows per table, cheaply: SQLite counts (an index walk); PostgreSQL, whose count(*) reads
    every row, answers with the planner's estimate (ANALYZE after each import keeps it close),
    counting only tables it has never estimated."""
    counts: dict[str, int] = {}
    if conn.dialect.name == "postgresql":
        estimates = conn.execute(
            sa.text("SELECT relname, reltuples FROM pg_class WHERE oid = ANY(CAST(:names AS regclass[]))"),
            {"names": [f'"{table.name}"' for table in tables]},
        )
        counts = {name: int(rows) for name, rows in estimates if rows >= 0}
    for table in tables:
        if table.name not in counts:
            counts[table.name] = int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())
    return counts


class json_member(sa.sql.functions.FunctionElement[str]):
    """The text of one member of a JSON object held in a text column (NULL when absent)."""

    type = sa.Text()
    name = "json_member"
    inherit_cache = True


@compiles(json_member, "sqlite")
def _json_member_sqlite(element: json_member, compiler: Any, **kw: Any) -> str:
    column, key = element.clauses
    return f"json_extract({compiler.process(column, **kw)}, '$.' || {compiler.process(key, **kw)})"


@compiles(json_member, "postgresql")
def _json_member_postgresql(element: json_member, compiler: Any, **kw: Any) -> str:
    column, key = element.clauses
    return f"(CAST({compiler.process(column, **kw)} AS json) ->> {compiler.process(key, **kw)})"


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
    side = sa.create_engine(
        f"sqlite:///{path}", connect_args={"check_same_thread": False, "timeout": busy_timeout_seconds}
    )
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
