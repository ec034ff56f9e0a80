"""The `openroster` command through its front door: import, demo-data, migrate, serve."""

from __future__ import annotations

import csv
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from openroster.cli import app
from openroster.ingest.writer import write_bundle
from openroster.store.schema import TABLES
from tests.district import district

runner = CliRunner()


def database(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'store.db'}"


def snapshot(url: str) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every openroster table, to prove a failed command changed nothing."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return {
                name: sorted(tuple(r) for r in conn.execute(sa.select(table)))
                for tables in TABLES.values()
                for table in (tables.main, *tables.lists.values())
                for name in [table.name]
            }
    finally:
        engine.dispose()


def rewrite(folder: Path, file_name: str, line: int, column: str, value: str) -> None:
    """Set one cell of a bundle file (line numbers as in error reports: header = 1)."""
    path = folder / file_name
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    rows[line - 1][rows[0].index(column)] = value
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)


@pytest.fixture
def loaded(tmp_path: Path) -> tuple[str, Path]:
    bundle = tmp_path / "good"
    write_bundle(bundle, district())
    url = database(tmp_path)
    result = runner.invoke(app, ["import", str(bundle), "--database", url])
    assert result.exit_code == 0, result.output
    return url, bundle


def test_import_reports_counts(loaded: tuple[str, Path]) -> None:
    url, bundle = loaded
    result = runner.invoke(app, ["import", str(bundle), "--database", url])
    assert result.exit_code == 0
    assert "unchanged" in result.output and "Imported" in result.output
    user_line = next(line for line in result.output.splitlines() if line.startswith("user "))
    assert user_line.split() == ["user", "10", "0", "0", "0", "10"]  # a re-import of the same data


@pytest.mark.parametrize(
    ("file_name", "line", "column", "value", "expected"),
    [
        ("users.csv", 3, "role", "pupil", "users.csv, line 3, column role"),
        (
            "academicSessions.csv",
            2,
            "startDate",
            "2025-13-45",
            "academicSessions.csv, line 2, column startDate",
        ),
        ("users.csv", 4, "enabledUser", "yes", "users.csv, line 4, column enabledUser"),
        ("enrollments.csv", 2, "classSourcedId", "cls-missing", "cls-missing"),
        ("users.csv", 2, "orgSourcedIds", "sch-1,sch-404", "sch-404"),
        ("classes.csv", 3, "sourcedId", "cls-alg-1", "cls-alg-1"),
        ("demographics.csv", 2, "sourcedId", "ghost", "ghost"),
        ("courses.csv", 2, "title", "", "courses.csv, line 2, column title"),
    ],
)
def test_bad_bundle_is_refused_and_changes_nothing(
    loaded: tuple[str, Path],
    tmp_path: Path,
    file_name: str,
    line: int,
    column: str,
    value: str,
    expected: str,
) -> None:
    url, good = loaded
    before = snapshot(url)
    bad = tmp_path / "bad"
    shutil.copytree(good, bad)
    rewrite(bad, file_name, line, column, value)
    result = runner.invoke(app, ["import", str(bad), "--database", url])
    assert result.exit_code == 1
    assert expected in result.output
    assert "nothing was imported" in result.output
    assert snapshot(url) == before


def test_all_problems_are_reported_at_once(loaded: tuple[str, Path], tmp_path: Path) -> None:
    url, good = loaded
    bad = tmp_path / "bad"
    shutil.copytree(good, bad)
    rewrite(bad, "users.csv", 2, "role", "pupil")
    rewrite(bad, "orgs.csv", 3, "type", "campus")
    with (bad / "classes.csv").open("r+", encoding="utf-8") as handle:
        header = handle.readline()
        rest = handle.read()
        handle.seek(0)
        handle.write(header.replace("classType", "classKind") + rest)
        handle.truncate()
    result = runner.invoke(app, ["import", str(bad), "--database", url])
    assert result.exit_code == 1
    for fragment in [
        "users.csv, line 2, column role",
        "orgs.csv, line 3, column type",
        "classes.csv",
        "classKind",
    ]:
        assert fragment in result.output


def test_missing_manifest_and_missing_path(tmp_path: Path) -> None:
    url = database(tmp_path)
    (tmp_path / "empty").mkdir()
    result = runner.invoke(app, ["import", str(tmp_path / "empty"), "--database", url])
    assert result.exit_code == 1 and "manifest.csv" in result.output
    result = runner.invoke(app, ["import", str(tmp_path / "nope.zip"), "--database", url])
    assert result.exit_code == 1 and "does not exist" in result.output


def test_a_failure_while_writing_rolls_back_the_whole_import(
    loaded: tuple[str, Path], tmp_path: Path
) -> None:
    url, good = loaded
    before = snapshot(url)
    engine = sa.create_engine(url)
    with engine.begin() as conn:  # the database itself fails on the very last user row
        conn.exec_driver_sql(
            "CREATE TRIGGER fail_late BEFORE INSERT ON users WHEN NEW.sourced_id = 'tch-3' "
            "BEGIN SELECT RAISE(ABORT, 'disk full'); END"
        )
    engine.dispose()
    changed = tmp_path / "changed"
    shutil.copytree(good, changed)
    rewrite(changed, "orgs.csv", 2, "name", "Renamed District")  # written first...
    rewrite(changed, "users.csv", 4, "givenName", "Emil")  # ...then tch-3 fails
    result = runner.invoke(app, ["import", str(changed), "--database", url])
    assert result.exit_code == 1 and "failed: disk full" in result.output
    assert snapshot(url) == before


def test_demo_data_writes_an_importable_bundle(tmp_path: Path) -> None:
    out = tmp_path / "demo.zip"
    result = runner.invoke(app, ["demo-data", str(out), "--schools", "2", "--students", "40", "--seed", "3"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["import", str(out), "--database", database(tmp_path)])
    assert result.exit_code == 0, result.output
    again = runner.invoke(app, ["demo-data", str(out)])
    assert again.exit_code == 1 and "already exists" in again.output


@pytest.mark.parametrize("args", [["--schools", "0"], ["--students", "-3"], ["--seed", "x"]])
def test_demo_data_rejects_bad_arguments(tmp_path: Path, args: list[str]) -> None:
    result = runner.invoke(app, ["demo-data", str(tmp_path / "out"), *args])
    assert result.exit_code == 2
    assert not (tmp_path / "out").exists()


def test_migrate_creates_the_schema(tmp_path: Path) -> None:
    url = database(tmp_path)
    result = runner.invoke(app, ["migrate", "--database", url])
    assert result.exit_code == 0 and "was empty" in result.output
    assert all(rows == [] for rows in snapshot(url).values())


def test_serve_refuses_a_store_without_current_schema(tmp_path: Path) -> None:
    url = database(tmp_path)
    result = runner.invoke(app, ["serve", "--database", url])
    assert result.exit_code == 1
    assert "openroster migrate" in result.output
    assert not (tmp_path / "store.db").exists()  # nothing created


def test_serve_refuses_a_store_from_a_newer_version(loaded: tuple[str, Path]) -> None:
    url, _ = loaded
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
    engine.dispose()
    result = runner.invoke(app, ["serve", "--database", url])
    assert result.exit_code == 1 and "newer" in result.output


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def credentials(output: str) -> tuple[str, str]:
    """Client id and secret from what `clients add` / `serve --demo` print."""
    lines = {
        line.split(":", 1)[0].strip(): line.split(":", 1)[1].strip()
        for line in output.splitlines()
        if ":" in line
    }
    return lines["client id (OAuth 1.0a consumer key)"], lines["client secret"]


def bearer(port: int, client_id: str, secret: str) -> dict[str, str]:
    token = httpx.post(
        f"http://127.0.0.1:{port}/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(client_id, secret),
    ).json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


def test_serve_answers_real_http_and_leaves_data_unchanged(loaded: tuple[str, Path], tmp_path: Path) -> None:
    url, _ = loaded
    env = {"OPENROSTER_KEY_FILE": str(tmp_path / "server.key")}
    added = runner.invoke(app, ["clients", "add", "SDS", "--database", url], env=env)
    assert added.exit_code == 0, added.output
    before = snapshot(url)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "openroster", "serve", "--port", str(port), "--database", url],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, "OPENROSTER_PUBLIC_URL": "", **env},
    )
    try:
        assert wait_for(f"http://127.0.0.1:{port}/ims/oneroster/v1p1/students").status_code == 401
        response = httpx.get(
            f"http://127.0.0.1:{port}/ims/oneroster/v1p1/students?limit=2",
            headers=bearer(port, *credentials(added.output)),
        )
        assert response.status_code == 200
        assert [u["sourcedId"] for u in response.json()["users"]] == ["stu-1", "stu-2"]
        assert (
            response.json()["users"][0]["orgs"][0]["href"]
            == f"http://127.0.0.1:{port}/ims/oneroster/v1p1/orgs/sch-1"
        )
    finally:
        server.terminate()
        output = server.communicate(timeout=20)[0].decode()
    assert "/ims/oneroster/v1p1" in output
    audit = [line for line in output.splitlines() if "openroster.audit" in line]
    assert any('"status":401' in line for line in audit) and any('"status":200' in line for line in audit)
    assert snapshot(url) == before


def start(args: list[str], env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    """Start `openroster ARGS` and read what it prints up to its banner's last line."""
    server = subprocess.Popen(
        [sys.executable, "-m", "openroster", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, **env},
    )
    assert server.stdout is not None
    printed = []
    for line in server.stdout:
        printed.append(line.decode())
        if "OAuth 2.0 token URL" in printed[-1]:
            break
    return server, "".join(printed)


def test_serve_demo_loads_an_empty_store_and_prints_a_client(tmp_path: Path) -> None:
    args = ["serve", "--demo", "--port", str(free_port()), "--database", database(tmp_path)]
    env = {"OPENROSTER_KEY_FILE": str(tmp_path / "server.key")}
    server, output = start(args, env)
    base = f"http://127.0.0.1:{args[3]}"
    try:
        assert f"{base}/ims/oneroster/v1p1" in output and f"{base}/oauth/token" in output
        client_id, secret = credentials(output)
        wait_for(base + "/")
        headers = bearer(int(args[3]), client_id, secret)
        schools = httpx.get(f"{base}/ims/oneroster/v1p1/schools", headers=headers)
        assert schools.status_code == 200 and len(schools.json()["orgs"]) == 3
        students = httpx.get(f"{base}/ims/oneroster/v1p1/students", headers=headers)
        assert students.headers["X-Total-Count"] == "300"
    finally:
        server.terminate()
        server.communicate(timeout=20)
    # A second start serves the same data (not loaded again) with a fresh demo secret.
    server, output = start(args, env)
    server.terminate()
    server.communicate(timeout=20)
    assert "already holds data" in output
    again_id, again_secret = credentials(output)
    assert again_id == client_id and again_secret != secret


def wait_for(url: str, seconds: float = 30) -> httpx.Response:
    deadline = time.monotonic() + seconds
    while True:
        try:
            return httpx.get(url, timeout=5)
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
