"""`clients add/update --requests-per-minute ...`: a client's own limits; bad values change nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from openroster.cli import app
from tests.auth.test_clients_cli import clients_rows

runner = CliRunner()
LIMITS = ("requests_per_minute", "concurrent_requests", "records_per_minute")


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        "OPENROSTER_KEY_FILE": str(tmp_path / "server.key"),
        "OPENROSTER_DATABASE_URL": f"sqlite:///{tmp_path / 'store.db'}",
    }


def limits(env: dict[str, str]) -> dict[str, tuple[object, ...]]:
    return {str(r["name"]): tuple(r[name] for name in LIMITS) for r in clients_rows(env)}


def test_add_stores_own_limits_and_list_shows_them(env: dict[str, str]) -> None:
    added = runner.invoke(
        app,
        ["clients", "add", "Vendor", "--requests-per-minute", "600", "--records-per-minute", "unlimited"],
        env=env,
    )
    assert added.exit_code == 0, added.output
    assert "limits: requests per minute 600, records per minute unlimited" in added.output
    assert runner.invoke(app, ["clients", "add", "SDS"], env=env).exit_code == 0
    assert limits(env) == {"Vendor": (600, None, 0), "SDS": (None, None, None)}
    listed = runner.invoke(app, ["clients", "list"], env=env).output
    assert [line.endswith("default") for line in listed.splitlines() if "SDS" in line] == [True]
    assert any(line.endswith("records per minute unlimited") for line in listed.splitlines())
    rows = json.loads(runner.invoke(app, ["clients", "list", "--json"], env=env).output)
    assert {r["name"]: r["limits"] for r in rows} == {
        "SDS": {"requests_per_minute": None, "concurrent_requests": None, "records_per_minute": None},
        "Vendor": {
            "requests_per_minute": 600,
            "concurrent_requests": None,
            "records_per_minute": "unlimited",
        },
    }


def test_update_changes_only_the_limits_given_and_default_gives_one_back(env: dict[str, str]) -> None:
    assert (
        runner.invoke(app, ["clients", "add", "SDS", "--requests-per-minute", "100"], env=env).exit_code == 0
    )
    updated = runner.invoke(
        app,
        ["clients", "update", "SDS", "--concurrent-requests", "4", "--records-per-minute", "1,000,000"],
        env=env,
    )
    assert updated.exit_code == 0, updated.output
    assert "requests per minute: 100 (its own)" in updated.output
    assert "requests at once: 4 (its own)" in updated.output
    assert "records per minute: 1,000,000 (its own)" in updated.output
    assert limits(env) == {"SDS": (100, 4, 1_000_000)}
    back = runner.invoke(
        app,
        ["clients", "update", "SDS", "--requests-per-minute", "default"],
        env={**env, "OPENROSTER_REQUESTS_PER_MINUTE": "9000"},
    )
    assert back.exit_code == 0 and "requests per minute: 9,000 (the server's default)" in back.output
    assert limits(env) == {"SDS": (None, 4, 1_000_000)}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--requests-per-minute", "0"],
            "--requests-per-minute '0' is not a limit: give a whole number, 'unlimited'",
        ),
        (["--requests-per-minute", "-5"], "--requests-per-minute '-5' is not a limit"),
        (["--records-per-minute", "lots"], "--records-per-minute 'lots' is not a limit"),
        (["--concurrent-requests", "5000"], "numbers from 1 to 1,024"),
        (["--concurrent-requests", "2.5"], "--concurrent-requests '2.5' is not a limit"),
    ],
)
def test_bad_limits_are_refused_and_change_nothing(
    env: dict[str, str], args: list[str], message: str
) -> None:
    assert (
        runner.invoke(app, ["clients", "add", "SDS", "--requests-per-minute", "100"], env=env).exit_code == 0
    )
    before = clients_rows(env)
    updated = runner.invoke(app, ["clients", "update", "SDS", *args], env=env)
    assert updated.exit_code == 1 and message in updated.output
    added = runner.invoke(app, ["clients", "add", "Another", *args], env=env)
    assert added.exit_code == 1 and message in added.output
    assert clients_rows(env) == before


def test_update_without_a_limit_or_of_an_unknown_client_is_refused(env: dict[str, str]) -> None:
    assert runner.invoke(app, ["clients", "add", "SDS"], env=env).exit_code == 0
    before = clients_rows(env)
    nothing = runner.invoke(app, ["clients", "update", "SDS"], env=env)
    assert nothing.exit_code == 1 and "Nothing to change: give --requests-per-minute" in nothing.output
    unknown = runner.invoke(app, ["clients", "update", "Nobody", "--concurrent-requests", "2"], env=env)
    assert unknown.exit_code == 1 and "No client with id or name 'Nobody'" in unknown.output
    assert clients_rows(env) == before


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        (
            "OPENROSTER_RECORDS_PER_MINUTE",
            "default",
            "OPENROSTER_RECORDS_PER_MINUTE=default (setting records_per_minute) is not a whole number",
        ),
        ("OPENROSTER_CONCURRENT_REQUESTS", "-1", "is not a limit: give a whole number from 1 to"),
        (
            "OPENROSTER_LIMITS_WINDOW",
            "0",
            "OPENROSTER_LIMITS_WINDOW=0 (setting limits_window) is out of range",
        ),
        (
            "OPENROSTER_MAX_IN_FLIGHT",
            "2",
            "OPENROSTER_MAX_IN_FLIGHT=2 (setting max_in_flight) is out of range",
        ),
        (
            "OPENROSTER_MAX_MEMORY_MB",
            "-1",
            "OPENROSTER_MAX_MEMORY_MB=-1 (setting max_memory_mb) is out of range",
        ),
        ("OPENROSTER_AUTH_FAILURES_BEFORE_SLOWING", "50", "slowing must come no later than blocking"),
        (
            "OPENROSTER_AUTH_BLOCK_SECONDS",
            "0",
            "OPENROSTER_AUTH_BLOCK_SECONDS=0 (setting auth_block_seconds) is out of range",
        ),
    ],
)
def test_bad_limit_settings_stop_every_command_with_the_setting_named(
    env: dict[str, str], setting: str, value: str, message: str
) -> None:
    assert runner.invoke(app, ["clients", "add", "SDS"], env=env).exit_code == 0
    before = clients_rows(env)
    result = runner.invoke(
        app, ["clients", "update", "SDS", "--concurrent-requests", "2"], env={**env, setting: value}
    )
    assert result.exit_code == 1 and message in result.output
    assert clients_rows(env) == before
