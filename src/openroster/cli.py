"""The `openroster` command: serve, import, export, copy, backup, demo-data, migrate, clients, admins,
changes, prune, check, config."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import inspect
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import make_url as sa_url

from openroster import API_ROOT
from openroster.auth.scopes import short
from openroster.config import BY_NAME, SETTINGS, Settings
from openroster.errors import OpenRosterError
from openroster.model.catalogue import ENTITIES
from openroster.model.values import format_datetime
from openroster.ops.limits import ClientLimits, describe
from openroster.ops.sources import CONFIG_ENV, Effective, load_settings
from openroster.store import migrate
from openroster.store.connect import (
    create_missing_database,
    drop_database,
    explain,
    remove_sqlite_files,
    require_existing,
    sqlite_file,
)
from openroster.store.dialects import create_engine

if TYPE_CHECKING:
    import sqlalchemy as sa

    from openroster.auth.clients import ApiClient, IssuedCredentials
    from openroster.auth.keys import ServerKeys

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="openroster: a OneRoster 1.1 provider for School Data Sync, Grade Sync and others.\n\n"
    'Example: openroster import district.zip && openroster clients add "School Data Sync" '
    "&& openroster serve",
)
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


def _flag(name: str) -> Any:
    """The command-line option of setting `name`, as its declaration describes it."""
    declared = BY_NAME[name]
    default = (
        "" if declared.field.default_factory is not dataclasses.MISSING else f"; default {declared.default()}"
    )
    return typer.Option(
        None,
        str(declared.spec.flag),
        metavar=declared.spec.metavar,
        help=f"{declared.spec.help} (${declared.env}{default})",
        show_default=False,
    )


DatabaseOption = _flag("database_url")
ConfigOption = typer.Option(
    None,
    "--config",
    metavar="PATH",
    help=f"A TOML file of settings (default: ${CONFIG_ENV}); OPENROSTER_* variables and flags override it.",
)
_loaded: list[Effective] = []  # the settings of the running command, loaded before it starts


def _load(kwargs: dict[str, Any]) -> None:
    flags = {d.name: kwargs.get(d.param) for d in SETTINGS if d.param is not None and d.param in kwargs}
    try:
        effective = load_settings(kwargs.get("config"), flags)
    except OpenRosterError as exc:
        _fail(str(exc))
    _loaded[:] = [effective]


def _effective() -> Effective:
    return _loaded[0]


def _settings() -> Settings:
    return _effective().settings


def _fail(message: str, code: int = 1) -> NoReturn:
    err.print(f"[red]error:[/red] {message}", highlight=False)
    raise typer.Exit(code)


_undo: list[Callable[[], None]] = []  # what removes this command's new files and databases if it fails


def _undo_if_new(path: Path, remove: Callable[[Path], None]) -> None:
    if not path.exists():
        _undo.append(functools.partial(remove, path))


def _remove_path(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    elif path.exists():
        path.unlink()


_engines: list[sa.Engine] = []  # engines this command opened: closed when it ends


def _engine(url: str) -> sa.Engine:
    engine = create_engine(url)
    _engines.append(engine)
    return engine


def _drop_new_database(url: str) -> None:
    try:
        drop_database(url)
    except OpenRosterError as exc:
        err.print(f"warning: the new database could not be dropped again: {exc}", highlight=False)


def _new_or_existing_engine(url: str) -> sa.Engine:
    """An engine on `url`, creating a PostgreSQL database the server does not have yet."""
    if create_missing_database(url):
        _undo.append(functools.partial(_drop_new_database, url))
        err.print(f"Created the PostgreSQL database {sa_url(url).database}.", highlight=False)
    return _engine(url)


Command = TypeVar("Command", bound=Callable[..., None])


def _guarded_command(group: typer.Typer, name: str) -> Callable[[Command], Command]:
    """Register `name` on `group` so that it explains database, file and openroster's errors
    instead of printing a traceback, and leaves nothing new behind (SQLite store, server key,
    output) when it fails."""

    def register(command: Command) -> Command:
        parameters = inspect.signature(command).parameters
        takes_database, takes_settings = "database" in parameters, "config" in parameters

        @functools.wraps(command)
        def run(*args: Any, **kwargs: Any) -> None:
            _undo.clear()
            url = ""
            if takes_settings:
                _load(kwargs)
            if takes_database:
                settings = _settings()
                url = settings.database_url
                database_file = sqlite_file(url)
                if database_file is not None:
                    _undo_if_new(database_file, remove_sqlite_files)
                _undo_if_new(settings.key_file, _remove_path)
            out_path = kwargs.get("out_path")
            if isinstance(out_path, Path):
                _undo_if_new(out_path, _remove_path)
            succeeded = False
            try:
                command(*args, **kwargs)
                succeeded = True
            except typer.Exit as exc:
                succeeded = exc.exit_code == 0
                raise
            except sa_exc.DBAPIError as exc:
                _fail(explain(exc, url))
            except OpenRosterError as exc:
                _fail(str(exc))
            except OSError as exc:
                _fail(f"{exc.strerror or exc}: {exc.filename or ''}. Check the path and its permissions.")
            finally:
                while _engines:
                    _engines.pop().dispose()
                while _undo and not succeeded:
                    _undo.pop()()

        group.command(name)(run)
        return command

    return register


@_guarded_command(app, "import")
def import_command(
    path: Path = typer.Argument(..., help="A .zip bundle, or a folder with manifest.csv."),
    database: str | None = DatabaseOption,
    config: str | None = ConfigOption,
) -> None:
    """Import a OneRoster 1.1 or 1.2.1 CSV bundle (all files validated first; one transaction).

    Example: openroster import district-2026.zip --database sqlite:///district.db
    """
    from openroster.ingest.importer import import_bundle
    from openroster.ingest.reader import BundleInvalid

    settings = _settings()
    if not path.exists():
        _fail(f"{path} does not exist; give a .zip bundle or a folder containing manifest.csv.")
    engine = _new_or_existing_engine(settings.database_url)
    try:
        with _progress(f"Importing {path}.") as report:
            summary = import_bundle(engine, path, progress=report)
    except BundleInvalid as exc:
        for problem in exc.problems:
            err.print(str(problem), highlight=False, markup=False)
        shown = "" if exc.total == len(exc.problems) else f" (first {len(exc.problems)} shown)"
        _fail(f"{exc.total} problem(s) in {path}{shown}; nothing was imported.")
    out.print(f"{'':16} {'in file':>10} {'new':>9} {'changed':>9} {'tombstoned':>10} {'unchanged':>10}")
    for name, changes in summary.changes.items():
        count = summary.records.get(name)
        out.print(
            f"{name:16} {'' if count is None else f'{count:,}':>10} {changes.created:>9,} "
            f"{changes.changed:>9,} {changes.tombstoned:>10,} {changes.unchanged:>10,}"
        )
    for name, (count, latest) in summary.future.items():
        err.print(
            f"[yellow]warning:[/yellow] {count:,} {ENTITIES[name].csv_file} row(s) have a dateLastModified "
            f"in the future (the latest {format_datetime(latest)}): every delta sync will carry them "
            f"again until then. Correct the clock of the system that exported them.",
            highlight=False,
        )
    out.print(f"Imported {path} into {engine.url.render_as_string(hide_password=True)}.")


# What a non-terminal is told when an import enters each phase (a terminal sees progress bars).
_PHASES = {
    "reading": "Checking every file before writing anything...",
    "writing": "Writing...",
    "updating": "Updating records that show related ones...",
    "committing": "Committing...",
}


class _progress:
    """Progress of an import or a copy: a line per file (or table) and phase on a terminal, the
    phases elsewhere; `announce` is printed first."""

    def __init__(self, announce: str) -> None:
        self.announce = announce

    def __enter__(self) -> _ProgressReport:
        self._bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed:,} rows"),
            console=err,
            transient=True,
            disable=not err.is_terminal,
        )
        self._bar.__enter__()
        err.print(self.announce, highlight=False)
        return _ProgressReport(self._bar, phases=not err.is_terminal)

    def __exit__(self, *exc: object) -> None:
        self._bar.__exit__(None, None, None)


class _ProgressReport:
    def __init__(self, bar: Progress, *, phases: bool) -> None:
        self.bar, self.phases = bar, phases
        self.tasks: dict[str, Any] = {}
        self.phase = ""

    def __call__(self, stage: str, rows: int, total: int | None = None) -> None:
        phase = stage.split()[0]
        if self.phases and phase != self.phase and phase in _PHASES:
            err.print(_PHASES[phase], highlight=False)
        self.phase = phase
        if stage not in self.tasks:
            self.tasks[stage] = self.bar.add_task(stage, total=total)
        self.bar.update(self.tasks[stage], completed=rows)


@_guarded_command(app, "export")
def export(
    out_path: Path = typer.Argument(..., metavar="OUT", help="Folder to create, or a path ending in .zip."),
    with_passwords: bool = typer.Option(
        False, "--with-passwords", help="Write users' passwords too (left out by default)."
    ),
    active_only: bool = typer.Option(
        False, "--active-only", help="Leave tombstones out (for importers that ignore status in bulk files)."
    ),
    version: str = typer.Option(
        "1.1", "--version", metavar="1.1|1.2", help="The bundle's OneRoster version: 1.1, or 1.2 (CSV 1.2.1)."
    ),
    database: str | None = DatabaseOption,
    config: str | None = ConfigOption,
) -> None:
    """Export the store as a OneRoster CSV bundle (1.1, or 1.2.1 with --version 1.2), grades included.

    Every record is written with its status and dateLastModified, tombstones included: imported
    into an empty store, the bundle serves the same records.

    Example: openroster export grades-2026-01-15.zip    (or: openroster export roster.zip --version 1.2)
    """
    from openroster.ingest.exporter import export_bundle
    from openroster.model.csv_binding import VERSIONS

    if version not in VERSIONS:
        _fail(f"--version {version} is not a bundle version this server writes; give 1.1 or 1.2.")
    if out_path.exists() and (out_path.is_file() or any(out_path.iterdir())):
        _fail(f"{out_path} already exists and is not empty; choose a new path.")
    engine = _ready_engine()
    try:
        counts = export_bundle(
            engine, out_path, active_only=active_only, with_passwords=with_passwords, version=version
        )
    finally:
        engine.dispose()
    for name, count in counts.items():
        out.print(f"{name:16} {count:>10,}")
    out.print(f"Wrote {out_path}.")


@_guarded_command(app, "copy")
def copy(
    to: str = typer.Option(..., "--to", metavar="URL", help="Database URL to copy the store into."),
    force: bool = typer.Option(False, "--force", help="Replace what the target holds."),
    database: str | None = DatabaseOption,
    config: str | None = ConfigOption,
) -> None:
    """Copy the whole store into another database (SQLite to PostgreSQL or back), losing nothing.

    Records with their tombstones, dateLastModified and first-seen times, API clients with their
    secrets, and the data revision. Serve the copy with the same server key.

    Example: openroster copy --to postgresql+psycopg://openroster@db.internal/openroster
    """
    import sqlalchemy as sa

    from openroster.store.copy import copy_store

    source = _ready_engine()
    try:
        target = create_engine(to)
    except sa.exc.ArgumentError as exc:
        source.dispose()
        _fail(
            f"--to {to!r} is not a database URL ({exc}); e.g. postgresql+psycopg://user@host/dbname "
            f"or sqlite:///path/openroster.db"
        )
    try:
        with _progress(f"Copying to {target.url.render_as_string(hide_password=True)}.") as report:
            counts = copy_store(source, target, replace=force, progress=report)
    except OpenRosterError as exc:
        _fail(str(exc))
    except sa.exc.OperationalError as exc:
        _fail(
            f"Cannot copy into {target.url.render_as_string(hide_password=True)}: {exc.orig}; "
            f"nothing was copied."
        )
    finally:
        source.dispose()
        target.dispose()
    for name, count in counts.items():
        out.print(f"{name:34} {count:>10,}")
    out.print(
        f"Copied {source.url.render_as_string(hide_password=True)} to "
        f"{target.url.render_as_string(hide_password=True)}. Serve it with the same server key "
        f"(OPENROSTER_SECRET_KEY or openroster.key): API clients' secrets are sealed with it."
    )


@_guarded_command(app, "backup")
def backup(
    out_path: Path = typer.Argument(..., metavar="OUT", help="The new file to write the copy to."),
    database: str | None = DatabaseOption,
    config: str | None = ConfigOption,
) -> None:
    """Copy the store consistently while it is being served (SQLite: online backup; PostgreSQL: pg_dump).

    Example: openroster backup backups/openroster-2026-01-15.db
    """
    from openroster.store.backup import backup_store

    how = backup_store(_settings().database_url, out_path)
    out.print(f"Wrote {out_path} ({how}).", highlight=False)


@_guarded_command(app, "demo-data")
def demo_data(
    out_path: Path = typer.Argument(..., metavar="OUT", help="Folder to create, or a path ending in .zip."),
    schools: int = typer.Option(3, min=1, help="Number of schools."),
    students: int = typer.Option(300, min=1, help="Number of students."),
    seed: int = typer.Option(1, help="Random seed: the same seed gives the same district."),
) -> None:
    """Write a realistic demo district as a OneRoster 1.1 CSV bundle.

    Example: openroster demo-data demo.zip --schools 5 --students 2000 --seed 7
    """
    from openroster.ingest.demo import write_demo_bundle

    if out_path.exists() and (out_path.is_file() or any(out_path.iterdir())):
        _fail(f"{out_path} already exists and is not empty; choose a new path.")
    counts = write_demo_bundle(out_path, schools=schools, students=students, seed=seed)
    for name, count in counts.items():
        out.print(f"{name:16} {count:>10,}")
    out.print(f"Wrote {out_path}. Load it with: openroster import {out_path}")


@_guarded_command(app, "migrate")
def migrate_command(database: str | None = DatabaseOption, config: str | None = ConfigOption) -> None:
    """Create or upgrade the store's schema to this version's.

    Example: openroster migrate --database postgresql+psycopg://postgres@127.0.0.1/roster
    """
    settings = _settings()
    engine = _new_or_existing_engine(settings.database_url)
    before = migrate.current_revision(engine)
    try:
        migrate.upgrade(engine)
    except OpenRosterError as exc:
        _fail(str(exc))
    out.print(f"Schema at revision {migrate.current_revision(engine)} (was {before or 'empty'}).")


@_guarded_command(app, "changes")
def changes(
    since: str = typer.Option(..., "--since", help="A date-time (2025-09-01T00:00:00Z) or a date."),
    database: str | None = DatabaseOption,
    config: str | None = ConfigOption,
) -> None:
    """Count what changed after a moment: what a delta sync from then will carry.

    Example: openroster changes --since 2025-09-01T06:00:00Z
    """
    from openroster.model.values import BadValue, parse_datetime
    from openroster.store.maintenance import changes_since

    try:
        since_ms = parse_datetime(since)
    except BadValue as exc:
        _fail(f"--since: {exc}")
    engine = _ready_engine()
    with engine.connect() as conn:
        counts = changes_since(conn, since_ms)
    out.print(f"{'':16} {'new':>9} {'changed':>9} {'tombstoned':>10}")
    for name, c in counts.items():
        out.print(f"{name:16} {c.new:>9,} {c.changed:>9,} {c.tombstoned:>10,}")
    total = sum(c.new + c.changed + c.tombstoned for c in counts.values())
    out.print(f"{total:,} record(s) changed since {since}.")


@_guarded_command(app, "prune")
def prune(
    older_than_days: int | None = typer.Option(
        None,
        "--older-than-days",
        min=1,
        help="Remove tombstones older than this (default: the tombstone_days setting, 400).",
    ),
    database: str | None = DatabaseOption,
    config: str | None = ConfigOption,
) -> None:
    """Remove tobedeleted records that delta consumers have had long enough to see.

    Example: openroster prune --older-than-days 400   (run it daily, e.g. from cron)
    """
    from openroster.model.values import now_ms
    from openroster.store.dialects import write_transaction
    from openroster.store.maintenance import prune_tombstones

    settings = _settings()
    days = older_than_days or settings.tombstone_days
    engine = _ready_engine()
    with write_transaction(engine) as conn:
        removed = prune_tombstones(conn, now_ms() - days * 86_400_000)
    out.print(f"Removed {sum(removed.values()):,} tombstone(s) older than {days} days.")


def _ready_engine() -> sa.Engine:
    """An engine on a store whose schema is current (or a clear error)."""
    url = _settings().database_url
    try:
        require_existing(url)
        engine = _engine(url)
        migrate.require_current(engine)
    except OpenRosterError as exc:
        _fail(str(exc))
    return engine


clients_app = typer.Typer(
    no_args_is_help=True,
    help="API clients: who may call the API, with which scopes and "
    'orgs.\n\nExample: openroster clients add "School Data Sync"; openroster clients list',
)
app.add_typer(clients_app, name="clients")


def _keys_and_engine(*, create_key: bool) -> tuple[ServerKeys, sa.Engine]:
    from openroster.auth.keys import load_keys

    settings = _settings()
    engine = _engine(settings.database_url)
    try:
        migrate.prepare(engine)
        return load_keys(settings.secret_key, settings.key_file, create=create_key), engine
    except OpenRosterError as exc:
        _fail(str(exc))


def _show_credentials(issued: IssuedCredentials, note: str) -> None:
    client = issued.client
    out.print(note, highlight=False)
    out.print(f"  client id (OAuth 1.0a consumer key): {client.client_id}", highlight=False)
    out.print(f"  client secret:                       {issued.secret}", highlight=False)
    out.print(f"  scopes: {' '.join(short(s) for s in client.scopes)}", highlight=False)
    out.print(f"  orgs:   {', '.join(client.orgs) if client.orgs else 'all'}", highlight=False)
    if client.allow_passwords:
        out.print("  users' passwords: served to this client", highlight=False)
    if client.limits != ClientLimits():
        out.print(f"  limits: {_own_limits(client)}", highlight=False)
    out.print("The secret is shown only now; store it safely.", highlight=False)


_LIMIT_LABELS = {
    "requests_per_minute": "requests per minute",
    "concurrent_requests": "requests at once",
    "records_per_minute": "records per minute",
}


def _limit_options(**given: str | None) -> ClientLimits:
    """The limits given on the command line (None each: not given), or a clear error."""
    from openroster.ops.limits import OPTIONS, parse_limit

    return ClientLimits(
        **{
            name: parse_limit(name, text, where=f"{OPTIONS[name][0]} ")
            for name, text in given.items()
            if text is not None
        }
    )


def _own_limits(client: ApiClient) -> str:
    """A client's own limits, e.g. 'requests per minute 600, records per minute unlimited'."""
    own = [
        f"{label} {describe(getattr(client.limits, name))}"
        for name, label in _LIMIT_LABELS.items()
        if getattr(client.limits, name) is not None
    ]
    return ", ".join(own) or "the server's defaults"


def _limit_option(name: str) -> Any:
    from openroster.ops.limits import OPTIONS

    return typer.Option(
        None,
        OPTIONS[name][0],
        metavar="N|unlimited|default",
        help=f"Its limit of {_LIMIT_LABELS[name]} (default: the server's {OPTIONS[name][1]}).",
    )


@_guarded_command(clients_app, "add")
def clients_add(
    name: str = typer.Argument(..., help="A name for the client, e.g. 'School Data Sync'."),
    client_id: str | None = typer.Option(None, "--client-id", help="Client id (default: generated)."),
    client_secret: str | None = typer.Option(
        None, "--client-secret", help="Secret (default: generated, 256 bits)."
    ),
    scope: list[str] = typer.Option(
        [],
        "--scope",
        help="A scope to grant (repeatable), e.g. gradebook.createput (OneRoster 1.1) or "
        "v1p2/roster.readonly (1.2), or a scope URI. Default: every read scope of both versions.",
    ),
    org: list[str] = typer.Option(
        [], "--org", help="Limit the client to this org and the orgs below it (repeatable)."
    ),
    allow_passwords: bool = typer.Option(
        False,
        "--allow-passwords",
        help="Serve this client users' passwords (and let it filter and sort on them).",
    ),
    requests_per_minute: str | None = _limit_option("requests_per_minute"),
    concurrent_requests: str | None = _limit_option("concurrent_requests"),
    records_per_minute: str | None = _limit_option("records_per_minute"),
    database: str | None = DatabaseOption,
    config: str | None = ConfigOption,
) -> None:
    """Create an API client and print its credentials once.

    Example: openroster clients add "Grade Sync" --scope roster.readonly --scope gradebook.readonly
    --scope gradebook.createput --scope gradebook.delete --org sch-0001 --requests-per-minute 600

    Example (OneRoster 1.2): openroster clients add "LMS" --scope v1p2/roster.readonly
    --scope v1p2/resource.readonly
    """
    from openroster.auth.clients import add_client

    limits = _limit_options(
        requests_per_minute=requests_per_minute,
        concurrent_requests=concurrent_requests,
        records_per_minute=records_per_minute,
    )
    keys, engine = _keys_and_engine(create_key=True)
    try:
        issued = add_client(
            engine,
            keys,
            name,
            client_id=client_id,
            secret=client_secret,
            scopes=scope,
            orgs=org,
            allow_passwords=allow_passwords,
            limits=limits,
        )
    except OpenRosterError as exc:
        _fail(str(exc))
    _show_credentials(issued, f"Created client {name!r}.")


@_guarded_command(clients_app, "update")
def clients_update(
    client: str = typer.Argument(..., help="Client id or name."),
    requests_per_minute: str | None = _limit_option("requests_per_minute"),
    concurrent_requests: str | None = _limit_option("concurrent_requests"),
    records_per_minute: str | None = _limit_option("records_per_minute"),
    database: str | None = DatabaseOption,
    config: str | None = ConfigOption,
) -> None:
    """Change a client's limits; every server process applies them from its next request.

    'default' gives a limit back to the server's setting, 'unlimited' lifts it.

    Example: openroster clients update "School Data Sync" --records-per-minute unlimited
    --concurrent-requests 4
    """
    from openroster.auth.clients import set_limits

    given = {
        "requests_per_minute": requests_per_minute,
        "concurrent_requests": concurrent_requests,
        "records_per_minute": records_per_minute,
    }
    if all(text is None for text in given.values()):
        _fail(
            "Nothing to change: give --requests-per-minute, --concurrent-requests or --records-per-minute "
            "(a number, unlimited or default)."
        )
    limits = _limit_options(**given)
    changes = {name: getattr(limits, name) for name, text in given.items() if text is not None}
    defaults = _settings().default_limits
    updated = set_limits(_ready_engine(), client, changes)
    out.print(f"Limits of client {updated.name!r} ({updated.client_id}):", highlight=False)
    for name, label in _LIMIT_LABELS.items():
        own = getattr(updated.limits, name)
        shown = (
            f"{describe(own)} (its own)"
            if own is not None
            else f"{describe(getattr(defaults, name))} (the server's default)"
        )
        out.print(f"  {label}: {shown}", highlight=False)


@_guarded_command(clients_app, "list")
def clients_list(
    as_json: bool = typer.Option(False, "--json", help="Print a JSON array (for scripts)."),
    database: str | None = DatabaseOption,
    config: str | None = ConfigOption,
) -> None:
    """List API clients (never their secrets); ids are printed whole, however wide the terminal.

    Example: openroster clients list --json
    """
    from dataclasses import asdict

    import orjson

    from openroster.auth.clients import list_clients

    clients = list_clients(_ready_engine())
    if as_json:
        rows = [
            {
                "client_id": c.client_id,
                "name": c.name,
                "scopes": [short(s) for s in c.scopes],
                "orgs": list(c.orgs),
                "passwords": c.allow_passwords,
                # The client's own limits: null the server's default, "unlimited", or a number.
                "limits": {
                    name: "unlimited" if value == 0 else value for name, value in asdict(c.limits).items()
                },
            }
            for c in clients
        ]
        out.print(orjson.dumps(rows, option=orjson.OPT_INDENT_2).decode(), highlight=False, markup=False)
        return
    table = [("client id", "name", "passwords", "scopes", "orgs", "limits")] + [
        (
            c.client_id,
            c.name,
            "served" if c.allow_passwords else "-",
            " ".join(short(s) for s in c.scopes),
            ", ".join(c.orgs) or "all",
            "default" if c.limits == ClientLimits() else _own_limits(c),
        )
        for c in clients
    ]
    widths = [max(len(row[i]) for row in table) for i in range(5)]
    for row in table:
        out.print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[5],
            highlight=False,
            markup=False,
            crop=False,
            overflow="ignore",
        )


@_guarded_command(clients_app, "remove")
def clients_remove(
    client: str = typer.Argument(..., help="Client id or name."),
    database: str | None = DatabaseOption,
    config: str | None = ConfigOption,
) -> None:
    """Remove a client: its tokens and signatures stop working at once.

    Example: openroster clients remove "School Data Sync"
    """
    from openroster.auth.clients import remove_client

    removed = remove_client(_ready_engine(), client)
    out.print(f"Removed client {removed}.", highlight=False)


@_guarded_command(clients_app, "rotate-secret")
def clients_rotate(
    client: str = typer.Argument(..., help="Client id or name."),
    client_secret: str | None = typer.Option(
        None, "--client-secret", help="New secret (default: generated)."
    ),
    database: str | None = DatabaseOption,
    config: str | None = ConfigOption,
) -> None:
    """Give a client a new secret; tokens issued with the old one stop working.

    Example: openroster clients rotate-secret "School Data Sync"
    """
    from openroster.auth.clients import rotate_secret

    keys, engine = _keys_and_engine(create_key=True)
    try:
        issued = rotate_secret(engine, keys, client, client_secret)
    except OpenRosterError as exc:
        _fail(str(exc))
    _show_credentials(issued, f"New secret for client {issued.client.name!r}.")


admins_app = typer.Typer(
    no_args_is_help=True,
    help="Console accounts: the people who sign in to the web console (/console), as admin or viewer."
    "\n\nExample: openroster admins add dana --role admin; openroster admins list",
)
app.add_typer(admins_app, name="admins")
GeneratePasswordOption = typer.Option(
    False, "--generate-password", help="Generate a password and print it once instead of asking for one."
)


def _password(generate: bool) -> tuple[str, bool]:
    """The new password: generated, or asked for twice without echo; and whether it was generated."""
    from openroster.console.accounts import check_password, new_password

    if generate:
        return new_password(), True
    password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    check_password(password)
    return password, False


@_guarded_command(admins_app, "add")
def admins_add(
    name: str = typer.Argument(..., help="The account's name, e.g. dana or dana@district.example.org."),
    role: str = typer.Option(..., "--role", help="admin (may change things) or viewer (sees everything)."),
    generate_password: bool = GeneratePasswordOption,
    database: str | None = DatabaseOption,
    config: str | None = ConfigOption,
) -> None:
    """Create a console account; the password is asked for, or generated and printed once.

    Example: openroster admins add dana --role admin --generate-password
    """
    from openroster.console.accounts import ROLES, add_account

    if role not in ROLES:
        _fail(f"--role {role!r} is not a role: give admin or viewer.")
    engine = _ready_engine()
    password, generated = _password(generate_password)
    add_account(engine, name, role, password)
    out.print(f"Created console account {name!r} ({role}).", highlight=False)
    if generated:
        out.print(f"  password: {password}\nThe password is shown only now.", highlight=False)


@_guarded_command(admins_app, "list")
def admins_list(database: str | None = DatabaseOption, config: str | None = ConfigOption) -> None:
    """List console accounts (never their passwords).

    Example: openroster admins list
    """
    from openroster.console.accounts import list_accounts

    accounts = list_accounts(_ready_engine())
    if not accounts:
        out.print("No console accounts yet; add one with: openroster admins add NAME --role admin")
    for account in accounts:
        out.print(
            f"{account.name:24} {account.role:7} created {format_datetime(account.created_ms)}",
            highlight=False,
            markup=False,
        )


@_guarded_command(admins_app, "remove")
def admins_remove(
    name: str = typer.Argument(..., help="The account's name."),
    database: str | None = DatabaseOption,
    config: str | None = ConfigOption,
) -> None:
    """Remove a console account; its sessions end at once.

    Example: openroster admins remove dana
    """
    from openroster.console.accounts import remove_account

    remove_account(_ready_engine(), name)
    out.print(f"Removed console account {name!r}.", highlight=False)


@_guarded_command(admins_app, "passwd")
def admins_passwd(
    name: str = typer.Argument(..., help="The account's name."),
    generate_password: bool = GeneratePasswordOption,
    database: str | None = DatabaseOption,
    config: str | None = ConfigOption,
) -> None:
    """Give a console account a new password; its sessions end at once.

    Example: openroster admins passwd dana
    """
    from openroster.console.accounts import find_account, set_password

    engine = _ready_engine()
    with engine.connect() as conn:
        if find_account(conn, name) is None:
            _fail(f"There is no account named {name!r}; see them with: openroster admins list")
    password, generated = _password(generate_password)
    set_password(engine, name, password)
    out.print(f"New password for console account {name!r}.", highlight=False)
    if generated:
        out.print(f"  password: {password}\nThe password is shown only now.", highlight=False)


config_app = typer.Typer(
    no_args_is_help=True,
    help="Settings: what a command would use, and where each value comes from.\n\n"
    "Example: openroster config show --config /etc/openroster.toml",
)
app.add_typer(config_app, name="config")


@_guarded_command(config_app, "show")
def config_show(
    as_json: bool = typer.Option(False, "--json", help="Print a JSON document (for scripts)."),
    config: str | None = ConfigOption,
    database: str | None = DatabaseOption,
    host: str | None = _flag("host"),
    port: str | None = _flag("port"),
    workers: str | None = _flag("workers"),
    log_level: str | None = _flag("log_level"),
    log_format: str | None = _flag("log_format"),
    console_host: str | None = _flag("console_host"),
    console_port: str | None = _flag("console_port"),
) -> None:
    """Print the effective settings and where each came from (default, file, env, flag), secrets masked.

    Takes serve's flags, to show what serve would run with. Settings are checked as at a start:
    a bad value is an error here too.

    Example: openroster config show --config /etc/openroster.toml --json
    """
    from openroster.ops import show

    if as_json:
        out.print(show.as_json(_effective()), highlight=False, markup=False, soft_wrap=True)
        return
    for line in show.as_text(_effective()):
        out.print(line, highlight=False, markup=False, crop=False, overflow="ignore")


@_guarded_command(app, "serve")
def serve(
    host: str | None = _flag("host"),
    port: str | None = _flag("port"),
    database: str | None = DatabaseOption,
    config: str | None = ConfigOption,
    workers: str | None = _flag("workers"),
    log_level: str | None = _flag("log_level"),
    log_format: str | None = _flag("log_format"),
    demo: bool = typer.Option(False, "--demo", help="Load a small demo district into an empty store first."),
    metrics_port: int | None = typer.Option(
        None,
        "--metrics-port",
        min=1,
        max=65535,
        help="Serve /metrics on this port of its own, without a token (default: $OPENROSTER_METRICS_PORT; "
        "none: /metrics on the API's port).",
    ),
    metrics_host: str = typer.Option("127.0.0.1", "--metrics-host", help="Address of the metrics port."),
    no_console: bool = typer.Option(
        False, "--no-console", help="Do not serve the web console (default: /console; $OPENROSTER_CONSOLE)."
    ),
    console_host: str | None = _flag("console_host"),
    console_port: str | None = _flag("console_port"),
) -> None:
    """Serve the OneRoster 1.1 API (never changes stored data, except --demo on an empty store).

    /health, /ready and /metrics answer beside the API (see the README's Health and metrics), and
    the web console under /console (or on --console-port).

    Example: openroster serve --port 8000 --workers 2 --metrics-port 9109 --config /etc/openroster.toml

    At district scale, one worker per core, behind a reverse proxy (see the README):
    openroster serve --workers 2 --database postgresql+psycopg://openroster@db.internal/roster
    """
    from openroster.auth.clients import check_server_key
    from openroster.auth.keys import load_keys
    from openroster.ops.logs import configure_logging
    from openroster.store import page_memory

    settings = _settings()
    if no_console:
        settings = dataclasses.replace(settings, console=False)
    metrics_port = metrics_port or settings.metrics_port
    try:
        if not demo:
            require_existing(settings.database_url)
        engine = _new_or_existing_engine(settings.database_url) if demo else _engine(settings.database_url)
        if demo:
            _load_demo(engine)
        migrate.require_current(engine)
        keys = load_keys(settings.secret_key, settings.key_file, create=demo)
        if demo:
            issued = _demo_client(engine, keys)
            _show_credentials(issued, "Demo API client (all scopes):")
            out.print(
                "In a second terminal, set these to follow the README's examples:\n"
                f"  export CLIENT_ID={issued.client.client_id} CLIENT_SECRET={issued.secret}",
                highlight=False,
                markup=False,
            )
        check_server_key(engine, keys)
        demo_admin = _demo_admin(engine) if demo and settings.console else None
    except OpenRosterError as exc:
        _fail(str(exc))
    if not _can_listen(settings.host, settings.port):
        _fail(
            f"Cannot listen on {settings.host}:{settings.port}: the port is in use (or the address is not this machine's). "
            f"Stop the other server, or choose another port with --port."
        )
    if metrics_port == settings.port:
        _fail(f"--metrics-port {metrics_port} is the API's port too: give the metrics a port of their own.")
    if metrics_port and not _can_listen(metrics_host, metrics_port):
        _fail(
            f"Cannot listen on {metrics_host}:{metrics_port} for metrics: the port is in use (or the "
            f"address is not this machine's). Choose another with --metrics-port."
        )
    if settings.console and settings.console_port and settings.console_port in (settings.port, metrics_port):
        _fail(
            f"--console-port {settings.console_port} is taken by the API or the metrics: give the console a port of its own."
        )
    if (
        settings.console
        and settings.console_port
        and not _can_listen(settings.console_host, settings.console_port)
    ):
        _fail(
            f"Cannot listen on {settings.console_host}:{settings.console_port} for the console: the port is in use "
            f"(or the address is not this machine's). Choose another with --console-port."
        )
    engine.dispose()
    _undo.clear()  # the store is ready: stopping the server (Ctrl-C) must not remove it
    # Server processes read their settings from the environment: the effective ones, whatever
    # their sources here (flags, file, variables), so that every process serves the same.
    os.environ.update(_effective().environ())
    os.environ.pop(CONFIG_ENV, None)
    os.environ["OPENROSTER_METRICS_PORT"] = str(metrics_port or 0)
    os.environ["OPENROSTER_CONSOLE"] = "true" if settings.console else "false"
    configure_logging(settings.log_level, settings.log_format)
    # The workers' memory of counts and page ends, shared so a walk seeks whichever one it reaches.
    shared = page_memory.create_file()
    os.environ[page_memory.ENV] = str(shared)
    shown = settings.public_url or f"http://{settings.host}:{settings.port}"
    out.print(
        f"openroster serving {sa_url(settings.database_url).render_as_string(hide_password=True)}\n"
        f"OneRoster base URL: {shown}{API_ROOT}\nOAuth 2.0 token URL: {shown}/oauth/token",
        highlight=False,
    )
    if metrics_port:
        out.print(f"Metrics: http://{metrics_host}:{metrics_port}/metrics", highlight=False)
    if settings.console:
        console_at = (
            f"http://{settings.console_host}:{settings.console_port}" if settings.console_port else shown
        )
        out.print(f"Web console: {console_at}/console/", highlight=False)
    if demo_admin is not None:
        out.print(
            f"Demo console admin: {demo_admin[0]}  password: {demo_admin[1]} (a new password on each start)",
            highlight=False,
            markup=False,
        )
    try:
        with _metrics_folder():
            _run_server(settings, metrics_host, metrics_port)
    finally:
        shared.unlink(missing_ok=True)


@contextlib.contextmanager
def _metrics_folder() -> Iterator[None]:
    """A fresh folder where every server process of this run keeps its metrics, removed at the end.

    Set before anything imports prometheus_client, which chooses its multiprocess mode then. A
    single uvicorn server ends on SIGTERM by raising the signal again once it has shut down, which
    would kill this process before the folder is removed: the signal ends it with SystemExit instead.
    """
    folder = tempfile.mkdtemp(prefix="openroster-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder
    previous = signal.signal(signal.SIGTERM, _exit_on_signal)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
        del os.environ["PROMETHEUS_MULTIPROC_DIR"]
        shutil.rmtree(folder, ignore_errors=True)


def _exit_on_signal(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def _run_server(settings: Settings, metrics_host: str, metrics_port: int) -> None:
    import uvicorn

    # Imported only now: openroster.api loads prometheus_client, which must find the metrics folder.
    from openroster.api.asgi import PROTOCOL
    from openroster.api.malloc import raise_thresholds

    raise_thresholds()  # before the worker processes start: glibc reads them at start-up

    if settings.console and settings.console_port:
        from openroster.console.listener import serve_console

        try:
            serve_console(settings)
        except OSError as exc:
            _fail(
                f"Cannot listen on {settings.console_host}:{settings.console_port} for the console ({exc.strerror})."
            )
    if metrics_port:
        from openroster.ops.listener import serve_metrics

        try:
            serve_metrics(metrics_host, metrics_port, settings.database_url)
        except OSError as exc:
            _fail(f"Cannot listen on {metrics_host}:{metrics_port} for metrics ({exc.strerror}).")
    uvicorn.run(
        "openroster.api.asgi:build",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        http=PROTOCOL,  # bounds the time and size of each request's head
        timeout_keep_alive=settings.keep_alive_timeout,
        log_level=settings.log_level,
        log_config=None,  # uvicorn's own lines go through openroster's handler and format
        proxy_headers=False,  # X-Forwarded-*: openroster.api.forwarded
        access_log=False,
    )  # every request is on the openroster.audit log instead


def _can_listen(host: str, port: int) -> bool:
    import socket

    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((host, port))
        return True
    except OSError:
        return False


@app.command("check")
def check(
    base: str = typer.Argument(
        ...,
        metavar="BASE_URL",
        help="The provider's OneRoster base URL, e.g. "
        "https://sis.example.org/ims/oneroster/v1p1 (or just its host).",
    ),
    client_id: str | None = typer.Option(
        None,
        "--client-id",
        envvar="OPENROSTER_CHECK_CLIENT_ID",
        help="Client id / consumer key ($OPENROSTER_CHECK_CLIENT_ID).",
    ),
    client_secret: str | None = typer.Option(
        None,
        "--client-secret",
        envvar="OPENROSTER_CHECK_CLIENT_SECRET",
        help="Secret ($OPENROSTER_CHECK_CLIENT_SECRET).",
        show_envvar=False,
    ),
    auth: str = typer.Option("oauth2", "--auth", help="oauth2 (client credentials) or oauth1 (signed)."),
    token_url: str | None = typer.Option(
        None, "--token-url", help="OAuth 2.0 token URL (default: the host's /oauth/token)."
    ),
    signature: str = typer.Option("HMAC-SHA1", "--signature", help="OAuth 1.0a: HMAC-SHA1 or HMAC-SHA256."),
    scope: str | None = typer.Option(
        None,
        "--scope",
        help="Scope to ask for if the provider refuses a token without one (space-separated).",
    ),
    profile: str = typer.Option("sds", "--profile", help="Comma-separated: sds, grade-sync, google."),
    school: str | None = typer.Option(
        None, "--school", help="sourcedId of the school SDS (Classic) reads per school (default: the first)."
    ),
    page_size: int = typer.Option(5000, "--page-size", help="Records per page of the simulated sync."),
    max_records: int | None = typer.Option(
        None, "--max-records", help="Stop walking a collection after this many records (huge districts)."
    ),
    report: Path | None = typer.Option(None, "--report", help="Write a report: FILE.json or FILE.html."),
    yes_write: bool = typer.Option(
        False,
        "--yes-write",
        help="Let grade-sync and google write (and delete "
        "again) a temporary lineItem and results in a real class.",
    ),
) -> None:
    """Check any OneRoster 1.1 provider for what SDS, Grade Sync and Google will reject.

    Exit status: 0 all passed (warnings allowed), 1 a check failed, 2 bad arguments or no connection.

    Example: openroster check https://sis.example.org --client-id sds --profile sds,grade-sync
    --yes-write --report readiness.html (the secret in OPENROSTER_CHECK_CLIENT_SECRET)
    """
    from openroster.check import CONSUMER_PROFILES, CheckOptions, Credentials, run_checks
    from openroster.check.report import write_report
    from openroster.check.summary import print_summary
    from openroster.errors import CheckAborted

    profiles = tuple(p.strip() for p in profile.split(",") if p.strip())
    problems = []
    if not base.startswith(("http://", "https://")):
        problems.append(f"BASE_URL {base!r} must start with http:// or https://")
    if not client_id or not client_secret:
        problems.append(
            "give --client-id and --client-secret (or OPENROSTER_CHECK_CLIENT_ID and "
            "OPENROSTER_CHECK_CLIENT_SECRET)"
        )
    if auth not in ("oauth2", "oauth1"):
        problems.append(f"--auth {auth!r} is not oauth2 or oauth1")
    if signature not in ("HMAC-SHA1", "HMAC-SHA256"):
        problems.append(f"--signature {signature!r} is not HMAC-SHA1 or HMAC-SHA256")
    if not profiles or any(p not in CONSUMER_PROFILES for p in profiles):
        problems.append(
            f"--profile {profile!r}: use a comma-separated list of {', '.join(CONSUMER_PROFILES)}"
        )
    if not 1 <= page_size <= 100_000:
        problems.append(f"--page-size {page_size} must be between 1 and 100000")
    if max_records is not None and max_records < 1:
        problems.append(f"--max-records {max_records} must be at least 1")
    if report is not None and report.suffix.lower() not in (".json", ".html", ".htm"):
        problems.append(f"--report {report}: the name must end in .json or .html")
    elif report is not None and not report.parent.is_dir():
        problems.append(f"--report {report}: the folder {report.parent} does not exist")
    if problems:
        _fail("; ".join(problems) + ".", code=2)
    assert client_id is not None and client_secret is not None
    options = CheckOptions(
        base,
        Credentials(client_id, client_secret, auth, token_url, signature, scope),
        profiles,
        school,
        page_size,
        max_records,
        yes_write,
    )
    bar = Progress(
        TextColumn("{task.description:28}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )
    tasks: dict[str, object] = {}

    def progress(name: str, done: int, total: int | None) -> None:
        if name not in tasks:
            tasks[name] = bar.add_task(name, total=total)
        bar.update(tasks[name], completed=done, total=total)  # type: ignore[arg-type]

    try:
        with bar:
            result = run_checks(
                options,
                progress=progress,
                announce=lambda message: err.print(message, highlight=False, markup=False),
            )
    except CheckAborted as exc:
        _fail(f"cannot check {base}: {exc}", code=2)
    print_summary(result, out)
    if report is not None:
        write_report(result, report)
        out.print(f"Wrote {report}.", highlight=False)
    raise typer.Exit(1 if result.failed else 0)


def _demo_client(engine: sa.Engine, keys: ServerKeys) -> IssuedCredentials:
    """The `demo` client with every scope: created, or given a fresh secret on each --demo start."""
    from openroster.auth.clients import add_client, list_clients, rotate_secret
    from openroster.auth.scopes import ALL

    if any(c.name == "demo" for c in list_clients(engine)):
        return rotate_secret(engine, keys, "demo")
    return add_client(engine, keys, "demo", scopes=ALL)


DEMO_ADMIN = "demo-admin"


def _demo_admin(engine: sa.Engine) -> tuple[str, str]:
    """The demo console admin and its password: created, or given a fresh password on each --demo start."""
    from openroster.console.accounts import add_account, list_accounts, new_password, set_password

    password = new_password()
    if any(a.name == DEMO_ADMIN for a in list_accounts(engine)):
        set_password(engine, DEMO_ADMIN, password)
    else:
        add_account(engine, DEMO_ADMIN, "admin", password)
    return DEMO_ADMIN, password


def _load_demo(engine: sa.Engine) -> None:
    from openroster.ingest.demo import write_demo_bundle
    from openroster.ingest.importer import import_bundle
    from openroster.store.records import has_records

    migrate.prepare(engine)
    with engine.connect() as conn:
        loaded = has_records(conn)
    if loaded:
        out.print(
            "The store already holds data: serving it as it is (--demo loads only into an empty store)."
        )
        return
    with tempfile.TemporaryDirectory() as folder:
        bundle = Path(folder) / "demo"
        write_demo_bundle(bundle, schools=3, students=300, seed=1)
        import_bundle(engine, bundle)
    out.print("Loaded the demo district (3 schools, 300 students).")


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
