"""Flags over OPENROSTER_* variables over the TOML file over defaults, for every kind of setting."""

from __future__ import annotations

from pathlib import Path

from openroster.config import SETTINGS
from tests.ops.settings_cli import shown, toml


def test_without_file_variables_or_flags_every_setting_is_its_default(tmp_path: Path) -> None:
    document = shown([])
    assert document["config_file"] is None
    settings = document["settings"]
    assert list(settings) == [d.name for d in SETTINGS]
    assert {entry["source"] for entry in settings.values()} == {"default"}
    assert settings["max_limit"]["value"] == 10000 and settings["log_format"]["value"] == "text"
    assert settings["oauth1_require_body_hash"]["value"] is False


def test_the_file_overrides_defaults_and_names_its_line(tmp_path: Path) -> None:
    path = toml(
        tmp_path / "openroster.toml",
        '# the district\'s server\npublic_url = "https://sis.example.org/roster/"\nmax_limit = 20000\n'
        "oauth1_require_body_hash = true\n",
    )
    settings = shown(["--config", path])["settings"]
    assert settings["public_url"] == {
        "value": "https://sis.example.org/roster",  # a trailing slash is dropped
        "source": "file",
        "where": f"{path}, line 2",
        "env": "OPENROSTER_PUBLIC_URL",
        "secret": False,
    }
    assert (settings["max_limit"]["value"], settings["max_limit"]["where"]) == (20000, f"{path}, line 3")
    assert settings["oauth1_require_body_hash"]["value"] is True
    assert settings["token_lifetime"]["source"] == "default"


def test_a_variable_overrides_the_file(tmp_path: Path) -> None:
    path = toml(tmp_path / "a.toml", "max_limit = 20000\ntoken_lifetime = 600\n")
    settings = shown(["--config", path], OPENROSTER_MAX_LIMIT="30000")["settings"]
    assert settings["max_limit"] == {
        "value": 30000,
        "source": "env",
        "where": "OPENROSTER_MAX_LIMIT",
        "env": "OPENROSTER_MAX_LIMIT",
        "secret": False,
    }
    assert (settings["token_lifetime"]["value"], settings["token_lifetime"]["source"]) == (600, "file")


def test_an_empty_variable_is_an_unset_one(tmp_path: Path) -> None:
    path = toml(tmp_path / "a.toml", "max_limit = 20000\n")
    settings = shown(["--config", path], OPENROSTER_MAX_LIMIT="")["settings"]
    assert (settings["max_limit"]["value"], settings["max_limit"]["source"]) == (20000, "file")


def test_a_flag_overrides_the_variable_and_the_file(tmp_path: Path) -> None:
    path = toml(
        tmp_path / "a.toml", 'log_level = "warning"\ndatabase_url = "sqlite:///from-file.db"\nport = 8100\n'
    )
    env = {"OPENROSTER_LOG_LEVEL": "error", "OPENROSTER_DATABASE_URL": "sqlite:///from-env.db"}
    settings = shown(["--config", path, "--log-level", "debug", "--database", "sqlite:///flag.db"], **env)[
        "settings"
    ]
    assert (settings["log_level"]["value"], settings["log_level"]["source"]) == ("debug", "flag")
    assert settings["log_level"]["where"] == "--log-level"
    assert (settings["database_url"]["value"], settings["database_url"]["source"]) == (
        "sqlite:///flag.db",
        "flag",
    )
    assert (settings["port"]["value"], settings["port"]["source"]) == (8100, "file")
    # Without the flags, the variables win over the file.
    settings = shown(["--config", path], **env)["settings"]
    assert (
        settings["log_level"]["source"] == "env"
        and settings["database_url"]["value"] == "sqlite:///from-env.db"
    )


def test_openroster_config_names_the_file_and_config_overrides_it(tmp_path: Path) -> None:
    first = toml(tmp_path / "first.toml", "max_limit = 20000\n")
    second = toml(tmp_path / "second.toml", "max_limit = 40000\n")
    document = shown([], OPENROSTER_CONFIG=first)
    assert document["config_file"] == first and document["settings"]["max_limit"]["value"] == 20000
    document = shown(["--config", second], OPENROSTER_CONFIG=first)
    assert document["config_file"] == second and document["settings"]["max_limit"]["value"] == 40000


def test_defaults_that_depend_on_the_working_directory_are_computed_there(tmp_path: Path) -> None:
    import os

    here = os.getcwd()
    settings = shown([])["settings"]
    assert settings["database_url"]["value"] == f"sqlite:///{Path(here) / 'openroster.db'}"
    assert settings["key_file"]["value"] == str(Path(here) / "openroster.key")
