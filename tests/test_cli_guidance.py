"""The CLI guides a new user: one root cause, no tracebacks, nothing left behind by a failure, whole ids."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner, Result

from openroster.auth.keys import generate_master_key
from openroster.cli import app
from openroster.ingest.writer import write_bundle
from openroster.model.values import format_datetime, now_ms
from tests.conftest import PG_SERVER, free_port, new_database
from tests.district import district
from tests.test_cli import snapshot

runner = CliRunner()


def invoke(args: list[str], **env: str) -> Result:
    result = runner.invoke(app, args, env={"OPENROSTER_SECRET_KEY": "", **env})
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), (
        f"a traceback instead of a message: {result.exception!r}"
    )
    return result


@pytest.fixture
def store(tmp_path: Path) -> Iterator[str]:
    bundle = tmp_path / "district"
    write_bundle(bundle, district())
    url = f"sqlite:///{tmp_path / 'store.db'}"
    assert invoke(["import", str(bundle), "--database", url]).exit_code == 0
    yield url


def users_delta(tmp_path: Path, *rows: dict[str, object], name: str = "delta") -> Path:
    """A delta bundle with only users.csv, whose rows reference orgs already stored."""
    bundle = tmp_path / name
    write_bundle(bundle, {"user": list(rows)}, mode="delta")
    return bundle


def student(sourced_id: str, **fields: object) -> dict[str, object]:
    return {
        "sourcedId": sourced_id,
        "status": "active",
        "enabledUser": "true",
        "orgs": ["sch-1"],
        "role": "student",
        "username": sourced_id,
        "givenName": "New",
        "familyName": "Student",
        "identifier": sourced_id,
        **fields,
    }


# --- one root cause ---------------------------------------------------------------------------


def test_a_bundle_without_manifest_is_one_problem(store: str, tmp_path: Path) -> None:
    # Checked as bulk files, this delta's references to stored orgs would each be a "problem".
    bundle = users_delta(tmp_path, *(student(f"new-{i}", dateLastModified=now_ms()) for i in range(30)))
    (bundle / "manifest.csv").unlink()
    before = snapshot(store)
    result = invoke(["import", str(bundle), "--database", store])
    assert result.exit_code == 1
    assert "The bundle has no manifest.csv" in result.output
    assert "error: 1 problem(s)" in result.output and "users.csv" not in result.output.replace(
        "file.users,bulk", ""
    )
    assert snapshot(store) == before


# --- nothing left on disk by a failure --------------------------------------------------------


def test_a_failed_import_into_a_new_sqlite_path_creates_no_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad"
    write_bundle(bad, district())
    (bad / "manifest.csv").unlink()
    result = invoke(["import", str(bad), "--database", f"sqlite:///{tmp_path / 'new.db'}"])
    assert result.exit_code == 1 and "nothing was imported" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad"]


def test_a_failed_clients_add_on_a_new_path_leaves_neither_store_nor_key(tmp_path: Path) -> None:
    key = tmp_path / "server.key"
    result = invoke(
        ["clients", "add", "LMS", "--org", "sch-404", "--database", f"sqlite:///{tmp_path / 'new.db'}"],
        OPENROSTER_KEY_FILE=str(key),
    )
    assert result.exit_code == 1 and "No org with sourcedId sch-404" in result.output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "args",
    [
        ["serve"],
        ["changes", "--since", "2025-01-01"],
        ["export", "OUT"],
        ["clients", "list"],
        ["clients", "remove", "SDS"],
        ["prune"],
        ["backup", "copy.db"],
    ],
)
def test_reading_commands_refuse_a_missing_sqlite_file_without_creating_it(
    tmp_path: Path, args: list[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'missing.db'}"
    args = [str(tmp_path / a) if a in ("OUT", "copy.db") else a for a in args]
    result = invoke([*args, "--database", url], OPENROSTER_KEY_FILE=str(tmp_path / "server.key"))
    assert result.exit_code == 1
    assert f"There is no database at {tmp_path / 'missing.db'}" in result.output
    assert "openroster import BUNDLE" in result.output
    assert list(tmp_path.iterdir()) == []


# --- PostgreSQL: a missing database, an unreachable server -------------------------------------


def pg_database_exists(name: str) -> bool:
    admin = sa.create_engine(f"{PG_SERVER}/postgres")
    try:
        with admin.connect() as conn:
            return (
                conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first()
                is not None
            )
    finally:
        admin.dispose()


@pytest.fixture
def missing_pg_database() -> Iterator[str]:
    name = f"openroster_missing_{os.getpid()}_{free_port()}"
    yield name
    admin = sa.create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    admin.dispose()


def test_import_creates_a_missing_postgresql_database(tmp_path: Path, missing_pg_database: str) -> None:
    bundle = tmp_path / "district"
    write_bundle(bundle, district())
    url = f"{PG_SERVER}/{missing_pg_database}"
    result = invoke(["import", str(bundle), "--database", url])
    assert result.exit_code == 0, result.output
    assert f"Created the PostgreSQL database {missing_pg_database}." in result.output
    assert snapshot(url)["users"]


def test_a_failed_import_drops_the_postgresql_database_it_created(
    tmp_path: Path, missing_pg_database: str
) -> None:
    bundle = tmp_path / "district"
    write_bundle(bundle, district())
    (bundle / "manifest.csv").unlink()
    result = invoke(["import", str(bundle), "--database", f"{PG_SERVER}/{missing_pg_database}"])
    assert result.exit_code == 1 and "nothing was imported" in result.output
    assert not pg_database_exists(missing_pg_database)


def test_migrate_creates_a_missing_postgresql_database(missing_pg_database: str) -> None:
    result = invoke(["migrate", "--database", f"{PG_SERVER}/{missing_pg_database}"])
    assert result.exit_code == 0, result.output
    assert pg_database_exists(missing_pg_database) and "was empty" in result.output


def test_a_missing_postgresql_database_names_the_command_that_creates_it(missing_pg_database: str) -> None:
    url = f"{PG_SERVER}/{missing_pg_database}"
    for args in (["changes", "--since", "2025-01-01"], ["serve"], ["clients", "list"]):
        result = invoke([*args, "--database", url])
        assert result.exit_code == 1
        assert f"has no database '{missing_pg_database}'" in result.output
        assert f"openroster migrate --database '{url}'" in result.output
        assert "Traceback" not in result.output
    assert not pg_database_exists(missing_pg_database)


def test_an_unreachable_postgresql_server_is_one_line(tmp_path: Path) -> None:
    url = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/roster"
    for args in (["migrate"], ["import", str(tmp_path)], ["changes", "--since", "2025-01-01"]):
        result = invoke([*args, "--database", url])
        assert result.exit_code == 1
        assert "No PostgreSQL server answers at 127.0.0.1:" in result.output
        assert "Start it, or correct the host and port" in result.output


# --- schema and server key --------------------------------------------------------------------


def test_migrate_on_a_newer_schema_says_to_upgrade_openroster(store: str) -> None:
    engine = sa.create_engine(store)
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
    engine.dispose()
    before = snapshot(store)
    result = invoke(["migrate", "--database", store])
    assert result.exit_code == 1
    assert (
        "revision 9999" in result.output
        and "newer" in result.output
        and "Upgrade openroster" in result.output
    )
    assert snapshot(store) == before


def test_serve_refuses_a_server_key_that_cannot_open_the_client_secrets(store: str, tmp_path: Path) -> None:
    key_file = tmp_path / "server.key"
    added = invoke(
        ["clients", "add", "SDS", "--client-id", "sds-connector", "--database", store],
        OPENROSTER_KEY_FILE=str(key_file),
    )
    assert added.exit_code == 0, added.output
    result = invoke(
        ["serve", "--port", str(free_port()), "--database", store],
        OPENROSTER_SECRET_KEY=generate_master_key(),
    )
    assert result.exit_code == 1
    assert "cannot decrypt the secrets of 1 of 1 API client(s) (sds-connector)" in result.output
    assert "openroster clients rotate-secret" in result.output and "OPENROSTER_KEY_FILE" in result.output


def test_serve_names_a_port_in_use(store: str, tmp_path: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        key = {"OPENROSTER_KEY_FILE": str(tmp_path / "server.key")}
        assert invoke(["clients", "add", "SDS", "--database", store], **key).exit_code == 0
        result = invoke(["serve", "--port", str(port), "--database", store], **key)
    assert result.exit_code == 1
    assert (
        f"Cannot listen on 127.0.0.1:{port}: the port is in use" in result.output
        and "--port" in result.output
    )


# --- clients list -----------------------------------------------------------------------------

LONG_ID = "district-sis-connector-" + "x" * 90


def test_clients_list_never_cuts_a_client_id(store: str, tmp_path: Path) -> None:
    key = {"OPENROSTER_KEY_FILE": str(tmp_path / "server.key")}
    assert (
        invoke(
            [
                "clients",
                "add",
                "Very Long Named Client",
                "--client-id",
                LONG_ID,
                "--org",
                "sch-1",
                "--database",
                store,
            ],
            **key,
        ).exit_code
        == 0
    )
    result = invoke(["clients", "list", "--database", store], COLUMNS="40", **key)
    assert result.exit_code == 0
    row = next(line for line in result.output.splitlines() if line.startswith(LONG_ID))
    assert row.split()[:5] == [LONG_ID, "Very", "Long", "Named", "Client"] and row.split()[-2:] == [
        "sch-1",
        "default",
    ]  # orgs, then limits

    as_json = invoke(["clients", "list", "--json", "--database", store], COLUMNS="40", **key)
    assert as_json.exit_code == 0
    assert json.loads(as_json.output) == [
        {
            "client_id": LONG_ID,
            "name": "Very Long Named Client",
            "scopes": [
                "roster-core.readonly",
                "roster.readonly",
                "roster-demographics.readonly",
                "resource.readonly",
                "gradebook.readonly",
                "v1p2/roster-core.readonly",
                "v1p2/roster.readonly",
                "v1p2/roster-demographics.readonly",
                "v1p2/resource-core.readonly",
                "v1p2/resource.readonly",
                "v1p2/gradebook-core.readonly",
                "v1p2/gradebook.readonly",
                "v1p2/assessment.readonly",
            ],
            "orgs": ["sch-1"],
            "passwords": False,
            "limits": {"requests_per_minute": None, "concurrent_requests": None, "records_per_minute": None},
        }
    ]


# --- import output ----------------------------------------------------------------------------


def summary_line(output: str, entity: str) -> list[str]:
    return next(line.split() for line in output.splitlines() if line.startswith(entity + " "))


def test_import_and_changes_count_a_delta_deletion_as_tombstoned(store: str, tmp_path: Path) -> None:
    since = format_datetime(now_ms())  # after the store's first import
    time.sleep(0.01)
    gone = next(u for u in district()["user"] if u["sourcedId"] == "stu-2")
    bundle = users_delta(
        tmp_path,
        dict(gone, status="tobedeleted", dateLastModified=now_ms()),
        student("stu-new", dateLastModified=now_ms()),
    )
    result = invoke(["import", str(bundle), "--database", store])
    assert result.exit_code == 0, result.output
    assert summary_line(result.output, "user") == [
        "user",
        "2",
        "1",
        "0",
        "1",
        "0",
    ]  # in file, new, changed, tombstoned
    changes = invoke(["changes", "--since", since, "--database", store])
    assert summary_line(changes.output, "user") == ["user", "1", "0", "1"]  # new, changed, tombstoned


def test_import_warns_of_dates_in_the_future(store: str, tmp_path: Path) -> None:
    later = now_ms() + 30 * 86_400_000
    bundle = users_delta(
        tmp_path,
        student("stu-later", dateLastModified=later),
        student("stu-later-2", dateLastModified=later - 1000),
        student("stu-now", dateLastModified=now_ms()),
    )
    result = invoke(["import", str(bundle), "--database", store])
    assert result.exit_code == 0, result.output
    assert (
        f"warning: 2 users.csv row(s) have a dateLastModified in the future (the latest "
        f"{format_datetime(later)})"
    ) in result.output
    assert "every delta sync will carry them again until then" in result.output
    ordinary = invoke(
        ["import", str(users_delta(tmp_path, student("stu-now"), name="ordinary")), "--database", store]
    )
    assert ordinary.exit_code == 0 and "warning" not in ordinary.output


def test_import_names_each_phase_when_not_on_a_terminal(tmp_path: Path) -> None:
    bundle = tmp_path / "district"
    write_bundle(bundle, district())
    result = invoke(["import", str(bundle), "--database", f"sqlite:///{tmp_path / 'store.db'}"])
    assert result.exit_code == 0
    phases = [
        "Checking every file before writing anything...",
        "Writing...",
        "Updating records that show related ones...",
        "Committing...",
    ]
    positions = [result.output.index(p) for p in phases]
    assert positions == sorted(positions) and positions[-1] < result.output.index("Imported")


@pytest.mark.skipif(shutil.which("script") is None, reason="util-linux script is not installed")
def test_import_shows_progress_bars_on_a_terminal(tmp_path: Path) -> None:
    bundle = tmp_path / "district"
    write_bundle(bundle, district())
    # `script` gives the command a terminal, as an admin's shell would.
    command = f"{sys.executable} -m openroster import {bundle} --database sqlite:///{tmp_path / 'store.db'}"
    done = subprocess.run(
        ["script", "-qec", command, "/dev/null"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COLUMNS": "100", "TERM": "xterm"},
    )
    assert done.returncode == 0, done.stdout
    for stage in ["reading users.csv", "writing enrollments.csv"]:
        assert stage in done.stdout
    assert "Checking every file" not in done.stdout  # phases are for logs; a terminal has the bars


# --- backup -----------------------------------------------------------------------------------


def test_backup_of_a_live_sqlite_store_includes_what_is_still_in_the_wal(store: str, tmp_path: Path) -> None:
    database = Path(store.removeprefix("sqlite:///"))
    writer = sqlite3.connect(database)  # a server process that has just written, before any checkpoint
    writer.execute("PRAGMA wal_autocheckpoint=0")
    writer.execute("UPDATE users SET given_name = 'Renamed' WHERE sourced_id = 'stu-1'")
    writer.commit()
    try:
        shutil.copy(database, tmp_path / "plain-copy.db")
        result = invoke(["backup", str(tmp_path / "backup.db"), "--database", store])
        assert result.exit_code == 0, result.output
        assert "SQLite online backup" in result.output
    finally:
        writer.close()

    def given_name(path: Path) -> str | None:
        with sqlite3.connect(path) as conn:
            try:
                return str(
                    conn.execute("SELECT given_name FROM users WHERE sourced_id = 'stu-1'").fetchone()[0]
                )
            except sqlite3.OperationalError:  # the copy lacks even the tables: they are in the WAL
                return None

    assert given_name(tmp_path / "backup.db") == "Renamed"
    assert given_name(tmp_path / "plain-copy.db") != "Renamed"  # why copying openroster.db is not a backup
    assert snapshot(f"sqlite:///{tmp_path / 'backup.db'}") == snapshot(store)


def test_backup_refuses_an_existing_file_and_changes_nothing(store: str, tmp_path: Path) -> None:
    target = tmp_path / "taken.db"
    target.write_bytes(b"keep me")
    result = invoke(["backup", str(target), "--database", store])
    assert result.exit_code == 1 and "already exists" in result.output
    assert target.read_bytes() == b"keep me"
    missing_folder = invoke(["backup", str(tmp_path / "no" / "such.db"), "--database", store])
    assert missing_folder.exit_code == 1 and "does not exist" in missing_folder.output


@pytest.mark.skipif(shutil.which("pg_dump") is None, reason="pg_dump is not installed")
def test_backup_of_a_postgresql_store_runs_pg_dump(tmp_path: Path) -> None:
    url = new_database("postgresql", tmp_path)
    bundle = tmp_path / "district"
    write_bundle(bundle, district())
    assert invoke(["import", str(bundle), "--database", url]).exit_code == 0
    result = invoke(["backup", str(tmp_path / "roster.dump"), "--database", url])
    assert result.exit_code == 0, result.output
    assert "pg_dump" in result.output
    listing = subprocess.run(
        ["pg_restore", "--list", str(tmp_path / "roster.dump")], capture_output=True, text=True, check=True
    ).stdout
    assert "TABLE DATA public users" in listing


def test_backup_without_pg_dump_prints_the_command_to_run(tmp_path: Path) -> None:
    url = new_database("postgresql", tmp_path)
    assert invoke(["migrate", "--database", url]).exit_code == 0
    result = invoke(["backup", str(tmp_path / "roster.dump"), "--database", url], PATH=str(tmp_path))
    assert result.exit_code == 1
    assert "pg_dump is not on PATH" in result.output
    assert f"pg_dump --format=custom --file {tmp_path / 'roster.dump'} 'postgresql://" in result.output
    assert not (tmp_path / "roster.dump").exists()


# --- help -------------------------------------------------------------------------------------


def command_paths() -> list[list[str]]:
    import typer.main

    root = typer.main.get_command(app)
    paths = [[]]
    for name, command in root.commands.items():  # type: ignore[attr-defined]
        paths.append([name])
        paths += [[name, sub] for sub in getattr(command, "commands", {})]
    return paths


@pytest.mark.parametrize("path", command_paths(), ids=lambda p: " ".join(p) or "openroster")
def test_every_help_has_an_example(path: list[str]) -> None:
    result = invoke([*path, "--help"])
    assert result.exit_code == 0
    text = " ".join(result.output.replace("│", " ").split())  # however the help box wraps its lines
    assert "Example: openroster " in text


def test_a_demo_server_stopped_with_ctrl_c_keeps_its_new_store(tmp_path: Path) -> None:
    import signal

    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENROSTER_")}
    server = subprocess.Popen(
        [sys.executable, "-m", "openroster", "serve", "--demo", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert server.stdout is not None
    for line in server.stdout:
        if "OAuth 2.0 token URL" in line:
            break
    for _ in range(300):
        if "Application startup complete" in (line := server.stdout.readline()) or not line:
            break
    server.send_signal(signal.SIGINT)
    server.communicate(timeout=30)
    assert (tmp_path / "openroster.db").exists() and (tmp_path / "openroster.key").exists()
    assert snapshot(f"sqlite:///{tmp_path / 'openroster.db'}")["users"]


@pytest.mark.parametrize("command", ["export", "demo-data"])
def test_an_output_path_that_cannot_be_written_is_one_line(store: str, tmp_path: Path, command: str) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    args = [command, str(blocker / "out.zip")] + (["--database", store] if command == "export" else [])
    result = invoke(args)
    assert result.exit_code == 1
    assert result.output.startswith("error: ") and str(blocker) in result.output  # names the path in the way
    assert result.output.rstrip().endswith("Check the path and its permissions.")
    assert blocker.read_text() == "not a folder"


def test_a_sqlite_path_in_a_missing_folder_names_the_folder(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'no-such-folder' / 'store.db'}"
    for args in (["migrate"], ["clients", "add", "SDS"]):
        result = invoke([*args, "--database", url], OPENROSTER_KEY_FILE=str(tmp_path / "server.key"))
        assert result.exit_code == 1
        assert "cannot be opened (unable to open database file)" in result.output
        assert "Check that its folder exists and is writable" in result.output
    assert list(tmp_path.iterdir()) == []
