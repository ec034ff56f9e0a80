"""`openroster config show`: every setting's effective value and where it came from, secrets masked."""

from __future__ import annotations

from pathlib import Path

from openroster.auth.keys import generate_master_key
from openroster.config import SETTINGS
from tests.ops.settings_cli import invoke, shown, toml

PASSWORD = "hunter2-Secret"


def test_the_text_lists_every_setting_with_its_value_and_source(tmp_path: Path) -> None:
    path = toml(tmp_path / "openroster.toml", '\nmax_limit = 20000\npublic_url = "https://sis.example.org"\n')
    result = invoke(["config", "show", "--config", path, "--port", "9000"], OPENROSTER_TOKEN_LIFETIME="7200")
    assert result.exit_code == 0, result.output
    rows = {line.split()[0]: line.split(None, 2)[1:] for line in result.output.splitlines()[1:-1]}
    assert list(rows) == [d.name for d in SETTINGS]
    assert rows["max_limit"] == ["20000", f"file ({path}, line 2)"]
    assert rows["public_url"] == ["https://sis.example.org", f"file ({path}, line 3)"]
    assert rows["token_lifetime"] == ["7200", "env (OPENROSTER_TOKEN_LIFETIME)"]
    assert rows["port"] == ["9000", "flag (--port)"]
    assert rows["oauth1_window"] == ["300", "default"]
    assert rows["oauth1_require_body_hash"] == ["false", "default"]
    assert result.output.splitlines()[0].split() == ["setting", "value", "from"]
    assert result.output.splitlines()[-1] == f"Configuration file: {path}"


def test_without_a_file_the_text_says_how_to_give_one() -> None:
    result = invoke(["config", "show"])
    assert result.output.splitlines()[-1] == "Configuration file: none (--config, OPENROSTER_CONFIG)"


def test_the_database_password_and_the_server_key_are_masked(tmp_path: Path) -> None:
    key = generate_master_key()
    url = f"postgresql+psycopg://roster:{PASSWORD}@db.internal:5432/roster"
    path = toml(tmp_path / "openroster.toml", f'secret_key = "{key}"\n')
    for args in (["config", "show", "--config", path], ["config", "show", "--config", path, "--json"]):
        result = invoke(args, OPENROSTER_DATABASE_URL=url)
        assert result.exit_code == 0, result.output
        assert PASSWORD not in result.output and key not in result.output and key[:12] not in result.output
        assert "postgresql+psycopg://roster:***@db.internal:5432/roster" in result.output
    settings = shown(["--config", path], OPENROSTER_DATABASE_URL=url)["settings"]
    assert settings["secret_key"] == {
        "value": "(hidden)",
        "source": "file",
        "where": f"{path}, line 1",
        "env": "OPENROSTER_SECRET_KEY",
        "secret": True,
    }
    assert settings["database_url"]["secret"] is True and settings["max_limit"]["secret"] is False
    assert shown([])["settings"]["secret_key"]["value"] == "(not set)"


def test_a_password_given_as_a_flag_is_masked_too() -> None:
    url = f"postgresql+psycopg://roster:{PASSWORD}@db.internal/roster"
    result = invoke(["config", "show", "--database", url])
    assert PASSWORD not in result.output and "roster:***@db.internal/roster" in result.output
    assert "flag (--database)" in result.output


def test_config_show_refuses_what_a_start_would_refuse(tmp_path: Path) -> None:
    path = toml(tmp_path / "openroster.toml", "max_limit = 20\n")
    result = invoke(["config", "show", "--config", path, "--json"])
    assert result.exit_code == 1 and result.output.startswith("error: max_limit = 20 in")
    assert list(tmp_path.iterdir()) == [tmp_path / "openroster.toml"]
