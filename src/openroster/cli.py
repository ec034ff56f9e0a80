"""The `openroster` command: serve, import, export, demo-data, migrate, clients, changes, prune, check."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from openroster import API_ROOT
from openroster.config import Settings
from openroster.auth.scopes import short
from openroster.errors import OpenRosterError
from openroster.store import migrate
from openroster.store.dialects import create_engine

if TYPE_CHECKING:
    import sqlalchemy as sa

    from openroster.auth.clients import IssuedCredentials
    from openroster.auth.keys import ServerKeys

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="openroster: a OneRoster 1.1 provider for School Data Sync, Grade Sync and others.")
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

DatabaseOption = typer.Option(None, "--database", help="Database URL (default: $OPENROSTER_DATABASE_URL "
                              "or sqlite:///openroster.db in the working directory).")


def _settings(database: Optional[str]) -> Settings:
    try:
        return Settings.from_env(database)
    except OpenRosterError as exc:
        _fail(str(exc))


def _fail(message: str, code: int = 1) -> NoReturn:
    err.print(f"[red]error:[/red] {message}", highlight=False)
    raise typer.Exit(code)


@app.command("import")
def import_command(path: Path = typer.Argument(..., help="A .zip bundle, or a folder with manifest.csv."),
                   database: Optional[str] = DatabaseOption) -> None:
    """Import a OneRoster 1.1 CSV bundle (all files validated first; one transaction).

    Example: openroster import district-2026.zip --database sqlite:///district.db
    """
    from openroster.ingest.importer import import_bundle
    from openroster.ingest.reader import BundleInvalid

    settings = _settings(database)
    if not path.exists():
        _fail(f"{path} does not exist; give a .zip bundle or a folder containing manifest.csv.")
    engine = create_engine(settings.database_url)
    try:
        with _progress() as report:
            summary = import_bundle(engine, path, progress=report)
    except BundleInvalid as exc:
        for problem in exc.problems:
            err.print(str(problem), highlight=False, markup=False)
        shown = "" if exc.total == len(exc.problems) else f" (first {len(exc.problems)} shown)"
        _fail(f"{exc.total} problem(s) in {path}{shown}; nothing was imported.")
    except OpenRosterError as exc:
        _fail(str(exc))
    out.print(f"{'':16} {'in file':>10} {'new':>9} {'changed':>9} {'tombstoned':>10} {'unchanged':>10}")
    for name, changes in summary.changes.items():
        count = summary.records.get(name)
        out.print(f"{name:16} {'' if count is None else f'{count:,}':>10} {changes.created:>9,} "
                  f"{changes.changed:>9,} {changes.tombstoned:>10,} {changes.unchanged:>10,}")
    out.print(f"Imported {path} into {engine.url.render_as_string(hide_password=True)}.")


class _progress:
    """A progress line per CSV file while reading and writing, on a terminal only."""

    def __enter__(self) -> "_ProgressReport":
        self._bar = Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed:,} rows"),
                             console=err, transient=True, disable=not err.is_terminal)
        self._bar.__enter__()
        return _ProgressReport(self._bar)

    def __exit__(self, *exc: object) -> None:
        self._bar.__exit__(None, None, None)


class _ProgressReport:
    def __init__(self, bar: Progress) -> None:
        self.bar, self.tasks = bar, {}  # type: ignore[var-annotated]

    def __call__(self, stage: str, rows: int) -> None:
        if stage not in self.tasks:
            self.tasks[stage] = self.bar.add_task(stage, total=None)
        self.bar.update(self.tasks[stage], completed=rows)


@app.command("export")
def export(out_path: Path = typer.Argument(..., metavar="OUT", help="Folder to create, or a path ending in .zip."),
           database: Optional[str] = DatabaseOption) -> None:
    """Export the store as a OneRoster 1.1 CSV bundle, grades included (categories, lineItems, results).

    Example: openroster export grades-2026-01-15.zip
    """
    from openroster.ingest.exporter import export_bundle

    if out_path.exists() and (out_path.is_file() or any(out_path.iterdir())):
        _fail(f"{out_path} already exists and is not empty; choose a new path.")
    counts = export_bundle(_ready_engine(database), out_path)
    for name, count in counts.items():
        out.print(f"{name:16} {count:>10,}")
    out.print(f"Wrote {out_path}.")


@app.command("demo-data")
def demo_data(out_path: Path = typer.Argument(..., metavar="OUT", help="Folder to create, or a path ending in .zip."),
              schools: int = typer.Option(3, min=1, help="Number of schools."),
              students: int = typer.Option(300, min=1, help="Number of students."),
              seed: int = typer.Option(1, help="Random seed: the same seed gives the same district.")) -> None:
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


@app.command("migrate")
def migrate_command(database: Optional[str] = DatabaseOption) -> None:
    """Create or upgrade the store's schema to this version's.

    Example: openroster migrate --database postgresql+psycopg://postgres@127.0.0.1/roster
    """
    settings = _settings(database)
    engine = create_engine(settings.database_url)
    before = migrate.current_revision(engine)
    migrate.upgrade(engine)
    out.print(f"Schema at revision {migrate.current_revision(engine)} (was {before or 'empty'}).")


@app.command("changes")
def changes(since: str = typer.Option(..., "--since", help="A date-time (2025-09-01T00:00:00Z) or a date."),
            database: Optional[str] = DatabaseOption) -> None:
    """Count what changed after a moment: what a delta sync from then will carry.

    Example: openroster changes --since 2025-09-01T06:00:00Z
    """
    from openroster.model.values import BadValue, parse_datetime
    from openroster.store.maintenance import changes_since

    try:
        since_ms = parse_datetime(since)
    except BadValue as exc:
        _fail(f"--since: {exc}")
    engine = _ready_engine(database)
    with engine.connect() as conn:
        counts = changes_since(conn, since_ms)
    out.print(f"{'':16} {'new':>9} {'changed':>9} {'tombstoned':>10}")
    for name, c in counts.items():
        out.print(f"{name:16} {c.new:>9,} {c.changed:>9,} {c.tombstoned:>10,}")
    total = sum(c.new + c.changed + c.tombstoned for c in counts.values())
    out.print(f"{total:,} record(s) changed since {since}.")


@app.command("prune")
def prune(older_than_days: Optional[int] = typer.Option(
              None, "--older-than-days", min=1,
              help="Remove tombstones older than this (default: $OPENROSTER_TOMBSTONE_DAYS or 400)."),
          database: Optional[str] = DatabaseOption) -> None:
    """Remove tobedeleted records that delta consumers have had long enough to see.

    Example: openroster prune --older-than-days 400   (run it daily, e.g. from cron)
    """
    from openroster.model.values import now_ms
    from openroster.store.maintenance import prune_tombstones

    settings = _settings(database)
    days = older_than_days or settings.tombstone_days
    engine = _ready_engine(database)
    with engine.begin() as conn:
        removed = prune_tombstones(conn, now_ms() - days * 86_400_000)
    out.print(f"Removed {sum(removed.values()):,} tombstone(s) older than {days} days.")


def _ready_engine(database: Optional[str]) -> "sa.Engine":
    """An engine on a store whose schema is current (or a clear error)."""
    engine = create_engine(_settings(database).database_url)
    try:
        migrate.require_current(engine)
    except OpenRosterError as exc:
        _fail(str(exc))
    return engine


clients_app = typer.Typer(no_args_is_help=True, help="API clients: who may call the API, with which scopes and orgs.")
app.add_typer(clients_app, name="clients")


def _keys_and_engine(database: Optional[str], *, create_key: bool) -> tuple["ServerKeys", "sa.Engine"]:
    from openroster.auth.keys import load_keys

    settings = _settings(database)
    engine = create_engine(settings.database_url)
    try:
        migrate.prepare(engine)
        return load_keys(settings.secret_key, settings.key_file, create=create_key), engine
    except OpenRosterError as exc:
        _fail(str(exc))


def _show_credentials(issued: "IssuedCredentials", note: str) -> None:
    client = issued.client
    out.print(note, highlight=False)
    out.print(f"  client id (OAuth 1.0a consumer key): {client.client_id}", highlight=False)
    out.print(f"  client secret:                       {issued.secret}", highlight=False)
    out.print(f"  scopes: {' '.join(short(s) for s in client.scopes)}", highlight=False)
    out.print(f"  orgs:   {', '.join(client.orgs) if client.orgs else 'all'}", highlight=False)
    out.print("The secret is shown only now; store it safely.", highlight=False)


@clients_app.command("add")
def clients_add(name: str = typer.Argument(..., help="A name for the client, e.g. 'School Data Sync'."),
                client_id: Optional[str] = typer.Option(None, "--client-id", help="Client id (default: generated)."),
                client_secret: Optional[str] = typer.Option(None, "--client-secret",
                                                            help="Secret (default: generated, 256 bits)."),
                scope: list[str] = typer.Option([], "--scope", help="A scope to grant (repeatable), e.g. "
                                                "gradebook.createput. Default: every read scope."),
                org: list[str] = typer.Option([], "--org", help="Limit the client to this org and the orgs "
                                              "below it (repeatable)."),
                database: Optional[str] = DatabaseOption) -> None:
    """Create an API client and print its credentials once.

    Example: openroster clients add "Grade Sync" --scope roster.readonly --scope gradebook.readonly
    --scope gradebook.createput --scope gradebook.delete --org sch-0001
    """
    from openroster.auth.clients import add_client

    keys, engine = _keys_and_engine(database, create_key=True)
    try:
        issued = add_client(engine, keys, name, client_id=client_id, secret=client_secret, scopes=scope, orgs=org)
    except OpenRosterError as exc:
        _fail(str(exc))
    _show_credentials(issued, f"Created client {name!r}.")


@clients_app.command("list")
def clients_list(database: Optional[str] = DatabaseOption) -> None:
    """List API clients (never their secrets).

    Example: openroster clients list
    """
    from rich.table import Table

    from openroster.auth.clients import list_clients

    _, engine = _keys_and_engine(database, create_key=True)
    table = Table("client id", "name", "scopes", "orgs")
    for client in list_clients(engine):
        table.add_row(client.client_id, client.name, " ".join(short(s) for s in client.scopes),
                      ", ".join(client.orgs) or "all")
    out.print(table)


@clients_app.command("remove")
def clients_remove(client: str = typer.Argument(..., help="Client id or name."),
                   database: Optional[str] = DatabaseOption) -> None:
    """Remove a client: its tokens and signatures stop working at once.

    Example: openroster clients remove "School Data Sync"
    """
    from openroster.auth.clients import remove_client

    _, engine = _keys_and_engine(database, create_key=True)
    try:
        removed = remove_client(engine, client)
    except OpenRosterError as exc:
        _fail(str(exc))
    out.print(f"Removed client {removed}.", highlight=False)


@clients_app.command("rotate-secret")
def clients_rotate(client: str = typer.Argument(..., help="Client id or name."),
                   client_secret: Optional[str] = typer.Option(None, "--client-secret",
                                                               help="New secret (default: generated)."),
                   database: Optional[str] = DatabaseOption) -> None:
    """Give a client a new secret; tokens issued with the old one stop working.

    Example: openroster clients rotate-secret "School Data Sync"
    """
    from openroster.auth.clients import rotate_secret

    keys, engine = _keys_and_engine(database, create_key=True)
    try:
        issued = rotate_secret(engine, keys, client, client_secret)
    except OpenRosterError as exc:
        _fail(str(exc))
    _show_credentials(issued, f"New secret for client {issued.client.name!r}.")


@app.command("serve")
def serve(host: str = typer.Option("127.0.0.1", help="Address to listen on."),
          port: int = typer.Option(8000, min=1, max=65535, help="Port to listen on."),
          database: Optional[str] = DatabaseOption,
          workers: int = typer.Option(1, min=1, help="Server processes."),
          demo: bool = typer.Option(False, "--demo", help="Load a small demo district into an empty store first.")) -> None:
    """Serve the OneRoster 1.1 API (never changes stored data, except --demo on an empty store).

    Example: openroster serve --port 8000 --database sqlite:///district.db
    """
    import uvicorn

    from openroster.auth.keys import load_keys

    settings = _settings(database)
    engine = create_engine(settings.database_url)
    try:
        if demo:
            _load_demo(engine)
        migrate.require_current(engine)
        keys = load_keys(settings.secret_key, settings.key_file, create=demo)
        if demo:
            _show_credentials(_demo_client(engine, keys), "Demo API client (all scopes):")
    except OpenRosterError as exc:
        _fail(str(exc))
    engine.dispose()
    os.environ["OPENROSTER_DATABASE_URL"] = settings.database_url
    shown = settings.public_url or f"http://{host}:{port}"
    out.print(f"openroster serving {settings.database_url}\nOneRoster base URL: {shown}{API_ROOT}\n"
              f"OAuth 2.0 token URL: {shown}/oauth/token", highlight=False)
    uvicorn.run("openroster.api.asgi:build", factory=True, host=host, port=port, workers=workers,
                log_level="info", proxy_headers=False,  # X-Forwarded-*: openroster.api.forwarded
                access_log=False)  # every request is on the openroster.audit log instead


@app.command("check")
def check(base: str = typer.Argument(..., metavar="BASE_URL", help="The provider's OneRoster base URL, e.g. "
                                     "https://sis.example.org/ims/oneroster/v1p1 (or just its host)."),
          client_id: Optional[str] = typer.Option(None, "--client-id", envvar="OPENROSTER_CHECK_CLIENT_ID",
                                                  help="Client id / consumer key ($OPENROSTER_CHECK_CLIENT_ID)."),
          client_secret: Optional[str] = typer.Option(None, "--client-secret", envvar="OPENROSTER_CHECK_CLIENT_SECRET",
                                                      help="Secret ($OPENROSTER_CHECK_CLIENT_SECRET).",
                                                      show_envvar=False),
          auth: str = typer.Option("oauth2", "--auth", help="oauth2 (client credentials) or oauth1 (signed)."),
          token_url: Optional[str] = typer.Option(None, "--token-url", help="OAuth 2.0 token URL (default: the "
                                                  "host's /oauth/token)."),
          signature: str = typer.Option("HMAC-SHA1", "--signature", help="OAuth 1.0a: HMAC-SHA1 or HMAC-SHA256."),
          scope: Optional[str] = typer.Option(None, "--scope", help="Scope to ask for if the provider refuses a "
                                              "token without one (space-separated)."),
          profile: str = typer.Option("sds", "--profile", help="Comma-separated: sds, grade-sync, google."),
          school: Optional[str] = typer.Option(None, "--school", help="sourcedId of the school SDS (Classic) "
                                               "reads per school (default: the first)."),
          page_size: int = typer.Option(5000, "--page-size", help="Records per page of the simulated sync."),
          max_records: Optional[int] = typer.Option(None, "--max-records", help="Stop walking a collection after "
                                                    "this many records (huge districts)."),
          report: Optional[Path] = typer.Option(None, "--report", help="Write a report: FILE.json or FILE.html."),
          yes_write: bool = typer.Option(False, "--yes-write", help="Let grade-sync and google write (and delete "
                                         "again) a temporary lineItem and results in a real class.")) -> None:
    """Check any OneRoster 1.1 provider for what SDS, Grade Sync and Google will reject.

    Exit status: 0 all passed (warnings allowed), 1 a check failed, 2 bad arguments or no connection.

    Example: OPENROSTER_CHECK_CLIENT_SECRET=... openroster check https://sis.example.org --client-id sds
    --profile sds,grade-sync --yes-write --report readiness.html
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
        problems.append("give --client-id and --client-secret (or OPENROSTER_CHECK_CLIENT_ID and "
                        "OPENROSTER_CHECK_CLIENT_SECRET)")
    if auth not in ("oauth2", "oauth1"):
        problems.append(f"--auth {auth!r} is not oauth2 or oauth1")
    if signature not in ("HMAC-SHA1", "HMAC-SHA256"):
        problems.append(f"--signature {signature!r} is not HMAC-SHA1 or HMAC-SHA256")
    if not profiles or any(p not in CONSUMER_PROFILES for p in profiles):
        problems.append(f"--profile {profile!r}: use a comma-separated list of {', '.join(CONSUMER_PROFILES)}")
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
    options = CheckOptions(base, Credentials(client_id, client_secret, auth, token_url, signature, scope),
                           profiles, school, page_size, max_records, yes_write)
    bar = Progress(TextColumn("{task.description:28}"), BarColumn(), MofNCompleteColumn(), console=err,
                   transient=True, disable=not err.is_terminal)
    tasks: dict[str, object] = {}

    def progress(name: str, done: int, total: int | None) -> None:
        if name not in tasks:
            tasks[name] = bar.add_task(name, total=total)
        bar.update(tasks[name], completed=done, total=total)  # type: ignore[arg-type]

    try:
        with bar:
            result = run_checks(options, progress=progress,
                                announce=lambda message: err.print(message, highlight=False, markup=False))
    except CheckAborted as exc:
        _fail(f"cannot check {base}: {exc}", code=2)
    print_summary(result, out)
    if report is not None:
        write_report(result, report)
        out.print(f"Wrote {report}.", highlight=False)
    raise typer.Exit(1 if result.failed else 0)


def _demo_client(engine: "sa.Engine", keys: "ServerKeys") -> "IssuedCredentials":
    """The `demo` client with every scope: created, or given a fresh secret on each --demo start."""
    from openroster.auth.clients import add_client, list_clients, rotate_secret
    from openroster.auth.scopes import ALL

    if any(c.name == "demo" for c in list_clients(engine)):
        return rotate_secret(engine, keys, "demo")
    return add_client(engine, keys, "demo", scopes=ALL)


def _load_demo(engine: "sa.Engine") -> None:
    from openroster.ingest.demo import write_demo_bundle
    from openroster.ingest.importer import import_bundle
    from openroster.store.records import has_records

    migrate.prepare(engine)
    with engine.connect() as conn:
        loaded = has_records(conn)
    if loaded:
        out.print("The store already holds data: serving it as it is (--demo loads only into an empty store).")
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
