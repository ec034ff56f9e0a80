"""`openroster clients ...`: create, list, rotate and remove API clients; bad arguments change nothing."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from openroster.cli import app
from openroster.store.schema import api_clients
from tests.test_cli import credentials, snapshot

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        "OPENROSTER_KEY_FILE": str(tmp_path / "server.key"),
        "OPENROSTER_DATABASE_URL": f"sqlite:///{tmp_path / 'store.db'}",
    }


def clients_rows(env: dict[str, str]) -> list[dict[str, object]]:
    engine = sa.create_engine(env["OPENROSTER_DATABASE_URL"])
    with engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(sa.select(api_clients)).mappings()]
    engine.dispose()
    return rows


def test_add_prints_credentials_once_and_stores_no_plain_secret(env: dict[str, str], tmp_path: Path) -> None:
    result = runner.invoke(app, ["clients", "add", "School Data Sync", "--scope", "roster.readonly"], env=env)
    assert result.exit_code == 0, result.output
    client_id, secret = credentials(result.output)
    assert len(secret) >= 40 and "roster.readonly" in result.output
    (row,) = clients_rows(env)
    assert row["client_id"] == client_id and secret not in str(row)
    assert stat.S_IMODE((tmp_path / "server.key").stat().st_mode) == 0o600
    listed = runner.invoke(app, ["clients", "list"], env=env)
    assert client_id in listed.output and "School Data Sync" in listed.output and secret not in listed.output


def test_passwords_are_served_only_to_a_client_added_with_allow_passwords(env: dict[str, str]) -> None:
    allowed = runner.invoke(app, ["clients", "add", "Password sync", "--allow-passwords"], env=env)
    assert allowed.exit_code == 0 and "passwords: served to this client" in allowed.output
    assert runner.invoke(app, ["clients", "add", "SDS"], env=env).exit_code == 0
    assert {r["name"]: bool(r["allow_passwords"]) for r in clients_rows(env)} == {
        "Password sync": True,
        "SDS": False,
    }
    listed = [line for line in runner.invoke(app, ["clients", "list"], env=env).output.splitlines()]
    assert [("served" in line) for line in listed if "Password sync" in line or "SDS" in line] == [
        True,
        False,
    ]


def test_given_id_and_secret_are_used(env: dict[str, str]) -> None:
    result = runner.invoke(
        app,
        [
            "clients",
            "add",
            "ClassLink",
            "--client-id",
            "classlink-key_01",
            "--client-secret",
            "a-long-enough-secret-value",
        ],
        env=env,
    )
    assert result.exit_code == 0
    assert credentials(result.output) == ("classlink-key_01", "a-long-enough-secret-value")


def test_rotate_and_remove(env: dict[str, str]) -> None:
    client_id, secret = credentials(runner.invoke(app, ["clients", "add", "Google"], env=env).output)
    rotated = runner.invoke(app, ["clients", "rotate-secret", "Google"], env=env)
    assert rotated.exit_code == 0
    new_id, new_secret = credentials(rotated.output)
    assert new_id == client_id and new_secret != secret
    assert clients_rows(env)[0]["secret_version"] == 2
    removed = runner.invoke(app, ["clients", "remove", client_id], env=env)
    assert removed.exit_code == 0 and clients_rows(env) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["clients", "add", "First"], "already exists"),
        (["clients", "add", "Other", "--scope", "roster.writeall"], "unknown scope"),
        (["clients", "add", "Other", "--org", "sch-404"], "No org with sourcedId sch-404"),
        (["clients", "add", "Other", "--client-secret", "short"], "at least 16 characters"),
        (["clients", "add", "Other", "--client-id", "has space"], "must be 3-128"),
        (["clients", "remove", "nobody"], "No client with id or name 'nobody'"),
        (["clients", "rotate-secret", "nobody"], "No client with id or name 'nobody'"),
    ],
)
def test_bad_client_commands_fail_clearly_and_change_nothing(
    env: dict[str, str], args: list[str], message: str
) -> None:
    assert runner.invoke(app, ["clients", "add", "First"], env=env).exit_code == 0
    before = (clients_rows(env), snapshot(env["OPENROSTER_DATABASE_URL"]))
    result = runner.invoke(app, args, env=env)
    assert result.exit_code == 1
    assert message in result.output
    assert (clients_rows(env), snapshot(env["OPENROSTER_DATABASE_URL"])) == before


def test_a_bad_server_key_is_refused_at_start(env: dict[str, str]) -> None:
    result = runner.invoke(app, ["clients", "add", "X"], env={**env, "OPENROSTER_SECRET_KEY": "too-short"})
    assert result.exit_code == 1 and "OPENROSTER_SECRET_KEY" in result.output


def test_serve_without_a_server_key_says_how_to_make_one(env: dict[str, str]) -> None:
    assert runner.invoke(app, ["migrate"], env=env).exit_code == 0
    result = runner.invoke(app, ["serve"], env=env)
    assert result.exit_code == 1 and "openroster clients add" in result.output
