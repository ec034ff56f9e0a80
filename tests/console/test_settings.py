"""The console's settings: a bad value stops `serve` before it starts, saying which and how to fix it."""

from __future__ import annotations

from pathlib import Path

import pytest

from openroster.config import Settings
from tests.ops.settings_cli import shown
from tests.ops.test_settings_errors import refused, store, toml

__all__ = ["store"]  # the fixture, shared with the settings' own tests

CASES = [
    (
        ["--console-port", "70000"],
        "--console-port '70000' (setting console_port) is out of range: give 0 to 65535",
    ),
    (["--console-host", " "], "--console-host ' ' (setting console_host) is empty: give an address"),
]
ENV_CASES = [
    ({"OPENROSTER_CONSOLE": "maybe"}, "OPENROSTER_CONSOLE=maybe (setting console) is not a yes/no setting"),
    (
        {"OPENROSTER_CONSOLE_SESSION_MINUTES": "1"},
        "(setting console_session_minutes) is out of range: give 5 to 10080",
    ),
    (
        {"OPENROSTER_CONSOLE_ACTIVITY_DAYS": "0"},
        "(setting console_activity_days) is out of range: give 1 to 400",
    ),
]


@pytest.mark.parametrize(("args", "message"), CASES)
def test_a_bad_console_flag_is_refused(store: str, tmp_path: Path, args: list[str], message: str) -> None:
    assert message in refused(store, tmp_path, args)


@pytest.mark.parametrize(("env", "message"), ENV_CASES)
def test_a_bad_console_variable_is_refused(
    store: str, tmp_path: Path, env: dict[str, str], message: str
) -> None:
    assert message in refused(store, tmp_path, [], **env)


def test_a_console_setting_in_the_file_that_is_not_a_boolean_is_refused(store: str, tmp_path: Path) -> None:
    file = toml(tmp_path / "openroster.toml", 'console = "off"\n')
    assert 'console = "off" in ' in refused(store, tmp_path, ["--config", file])


def test_the_console_is_on_by_default_on_the_apis_port() -> None:
    settings = Settings()
    assert (settings.console, settings.console_port, settings.console_host) == (True, 0, "127.0.0.1")
    assert (settings.console_session_minutes, settings.console_activity_days) == (480, 14)


def test_config_show_tells_where_the_console_settings_come_from() -> None:
    settings = shown(["--console-port", "8001"], OPENROSTER_CONSOLE="false")["settings"]
    assert settings["console_port"]["value"] == 8001 and settings["console_port"]["source"] == "flag"
    assert settings["console"]["value"] is False and settings["console"]["source"] == "env"
