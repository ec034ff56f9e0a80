"""Every bad setting stops a command before it starts, with a message naming setting, source, value and fix."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from openroster.ingest.writer import write_bundle
from tests.district import district
from tests.ops.settings_cli import invoke, toml
from tests.test_cli import snapshot


@pytest.fixture
def store(tmp_path: Path) -> Iterator[str]:
    """A loaded store with one API client, and its server key file."""
    bundle = tmp_path / "district"
    write_bundle(bundle, district())
    url = f"sqlite:///{tmp_path / 'store.db'}"
    key = str(tmp_path / "server.key")
    assert invoke(["import", str(bundle), "--database", url]).exit_code == 0
    assert invoke(["clients", "add", "SDS", "--database", url], OPENROSTER_KEY_FILE=key).exit_code == 0
    yield url


def refused(store: str, tmp_path: Path, args: list[str], **env: str) -> str:
    """What `serve ARGS` prints when it refuses to start; it must leave the store and folder as they were."""
    before, files = snapshot(store), sorted(tmp_path.iterdir())
    result = invoke(
        ["serve", "--database", store, *args], OPENROSTER_KEY_FILE=str(tmp_path / "server.key"), **env
    )
    assert result.exit_code == 1, result.output
    assert result.output.startswith("error: ")
    assert "openroster serving" not in result.output  # the banner of a started server
    assert snapshot(store) == before and sorted(tmp_path.iterdir()) == files
    return " ".join(result.output.split())


FILE_CASES = [
    (
        "max_limt = 20000\n",
        "line 1: the key 'max_limt' is not a setting; did you mean max_limit?",
    ),
    ("[server]\nport = 8000\n", "line 1: the table 'server' is not a setting"),
    (
        '\n\nmax_limit = "20000"\n',
        'max_limit = "20000" in {file}, line 3 is a string, not a whole number: write max_limit = 10000 (digits, no quotes).',
    ),
    (
        "token_lifetime = 60\n",
        "token_lifetime = 60 in {file}, line 1 is out of range: give 300 to 86400 seconds (default 3600)",
    ),
    (
        "max_limit = 500\n",
        "max_limit = 500 in {file}, line 1 is too small: School Data Sync and Google request pages of up to 10000 records. Set it to 10000 or more.",
    ),
    (
        'public_url = "sis.example.org"\n',
        'public_url = "sis.example.org" in {file}, line 1 is not a base URL such as https://sis.example.org',
    ),
    (
        "public_url = 443\n",
        'public_url = 443 in {file}, line 1 is a number, not a string: write public_url = "..." (in quotes).',
    ),
    (
        'oauth1_require_body_hash = "yes"\n',
        'oauth1_require_body_hash = "yes" in {file}, line 1 is a string, not true or false',
    ),
    (
        'log_format = "xml"\n',
        'log_format = "xml" in {file}, line 1 is not one of text, json: give one of them (default text).',
    ),
    ('forwarded_allow_ips = "10.0.0.0/8"\n', "holds '10.0.0.0/8', which is not an IP address"),
    (
        "max_limit = 20000\nmax_limit = 30000\n",
        "is not valid TOML: Cannot overwrite a value (at line 2, column 18).",
    ),
    (
        "public_url = https://sis.example.org\n",
        "is not valid TOML: Invalid value (at line 1, column 14). Correct that line",
    ),
]


@pytest.mark.parametrize(("text", "message"), FILE_CASES)
def test_a_bad_file_value_is_refused(store: str, tmp_path: Path, text: str, message: str) -> None:
    file = toml(tmp_path / "openroster.toml", text)
    assert message.format(file=file) in refused(store, tmp_path, ["--config", file])


ENV_CASES = [
    ({"OPENROSTER_MAX_LIMIT": "500"}, "OPENROSTER_MAX_LIMIT=500 (setting max_limit) is too small"),
    (
        {"OPENROSTER_MAX_LIMIT": "lots"},
        "OPENROSTER_MAX_LIMIT=lots (setting max_limit) is not a whole number: give digits, e.g. 10000.",
    ),
    ({"OPENROSTER_MAX_LIMIT": "١٠٠٠٠"}, "is not a whole number"),  # digits, but not ASCII ones
    (
        {"OPENROSTER_PUBLIC_URL": "sis.example.org"},
        "OPENROSTER_PUBLIC_URL=sis.example.org (setting public_url) is not a base URL",
    ),
    ({"OPENROSTER_PUBLIC_URL": "https://sis.exämple.org"}, "ASCII only"),
    (
        {"OPENROSTER_MAX_FILTER_PREDICATES": "501"},
        "(setting max_filter_predicates) is out of range: give 1 to 500 (default 50); more would let one request run for seconds.",
    ),
    (
        {"OPENROSTER_MAX_FILTER_LENGTH": "100000"},
        "OPENROSTER_MAX_FILTER_LENGTH=100000 (setting max_filter_length) is out of range: give 256 to 65536 characters",
    ),
    ({"OPENROSTER_QUERY_TIMEOUT_MS": "50"}, "give 100 to 600000 milliseconds (default 10000)"),
    (
        {"OPENROSTER_REQUEST_READ_TIMEOUT": "0"},
        "OPENROSTER_REQUEST_READ_TIMEOUT=0 (setting request_read_timeout) is out of range: give 1 to 600 seconds",
    ),
    (
        {"OPENROSTER_KEEP_ALIVE_TIMEOUT": "0"},
        "(setting keep_alive_timeout) is out of range: give 1 to 3600 seconds (default 75); keep it above "
        "the idle timeout of a proxy in front",
    ),
    ({"OPENROSTER_OAUTH1_WINDOW": "5"}, "give 30 to 3600 seconds (default 300)"),
    (
        {"OPENROSTER_MAX_BODY_BYTES": "10"},
        "give 1024 to 1073741824 bytes (default 1048576); a gradebook PUT needs at least 1024",
    ),
    (
        {"OPENROSTER_TOMBSTONE_DAYS": "0"},
        "OPENROSTER_TOMBSTONE_DAYS=0 (setting tombstone_days) is out of range: give 1 to 36500 days",
    ),
    (
        {"OPENROSTER_OAUTH1_REQUIRE_BODY_HASH": "sometimes"},
        "(setting oauth1_require_body_hash) is not a yes/no setting: give true or false",
    ),
    (
        {"OPENROSTER_LOG_LEVEL": "loud"},
        "OPENROSTER_LOG_LEVEL=loud (setting log_level) is not one of debug, info, warning, error",
    ),
    ({"OPENROSTER_WORKERS": "0"}, "OPENROSTER_WORKERS=0 (setting workers) is out of range: give 1 to 256"),
    (
        {"OPENROSTER_FORWARDED_ALLOW_IPS": "127.0.0.1,proxy"},
        "holds 'proxy', which is not an IP address: give the proxies' addresses",
    ),
]


@pytest.mark.parametrize(("env", "message"), ENV_CASES)
def test_a_bad_variable_is_refused(store: str, tmp_path: Path, env: dict[str, str], message: str) -> None:
    assert message in refused(store, tmp_path, [], **env)


FLAG_CASES = [
    (["--port", "0"], "--port '0' (setting port) is out of range: give 1 to 65535 (default 8000)."),
    (["--port", "http"], "--port 'http' (setting port) is not a whole number"),
    (["--workers", "many"], "--workers 'many' (setting workers) is not a whole number"),
    (["--log-format", "yaml"], "--log-format 'yaml' (setting log_format) is not one of text, json"),
    (["--host", " "], "--host ' ' (setting host) is empty: give an address such as 127.0.0.1"),
]


@pytest.mark.parametrize(("args", "message"), FLAG_CASES)
def test_a_bad_flag_is_refused(store: str, tmp_path: Path, args: list[str], message: str) -> None:
    assert message in refused(store, tmp_path, args)


def test_a_bad_database_flag_names_the_flag_and_hides_no_password(tmp_path: Path) -> None:
    result = invoke(["serve", "--database", "roster:hunter2@db.internal"])
    assert result.exit_code == 1
    assert "--database" in result.output and "(setting database_url) is not a database URL" in result.output
    assert "hunter2" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_a_secret_in_a_bad_value_is_never_printed(store: str, tmp_path: Path) -> None:
    file = toml(tmp_path / "openroster.toml", "secret_key = 123456789\n")
    message = refused(store, tmp_path, ["--config", file])
    assert "secret_key = (hidden) in" in message and "is a number, not a string" in message
    assert "123456789" not in message


def test_every_problem_is_reported_at_once(store: str, tmp_path: Path) -> None:
    file = toml(tmp_path / "openroster.toml", "max_limit = 5\nport = 70000\n")
    message = refused(store, tmp_path, ["--config", file, "--log-level", "chatty"], OPENROSTER_WORKERS="-1")
    assert message.startswith("error: 4 problems in the settings (the command did not run):")
    for part in ("max_limit = 5", "port = 70000", "OPENROSTER_WORKERS=-1", "--log-level 'chatty'"):
        assert part in message


def test_a_value_a_higher_source_overrides_is_still_checked(store: str, tmp_path: Path) -> None:
    file = toml(tmp_path / "openroster.toml", "max_limit = 5\n")
    assert "max_limit = 5 in" in refused(store, tmp_path, ["--config", file], OPENROSTER_MAX_LIMIT="20000")


def test_a_missing_file_is_refused_naming_where_the_path_came_from(store: str, tmp_path: Path) -> None:
    missing = str(tmp_path / "nowhere.toml")
    assert (
        f"The configuration file {missing} (from --config) does not exist: correct the path, or create it"
        in refused(store, tmp_path, ["--config", missing])
    )
    assert f"{missing} (from OPENROSTER_CONFIG) does not exist" in refused(
        store, tmp_path, [], OPENROSTER_CONFIG=missing
    )


def test_a_folder_or_a_binary_file_is_refused(store: str, tmp_path: Path) -> None:
    assert "is a folder: give the path of a .toml file" in refused(
        store, tmp_path, ["--config", str(tmp_path)]
    )
    binary = tmp_path / "settings.toml"
    binary.write_bytes(b"max_limit = 20000\n\xff\xfe")
    assert "is not UTF-8 text (byte 18): save it as UTF-8" in refused(
        store, tmp_path, ["--config", str(binary)]
    )


@pytest.mark.parametrize(
    "command", [["import", "bundle"], ["export", "out.zip"], ["clients", "add", "X"], ["prune"]]
)
def test_every_command_that_reads_settings_checks_the_file_first(
    store: str, tmp_path: Path, command: list[str]
) -> None:
    file = toml(tmp_path / "openroster.toml", "max_limit = 5\n")
    before, files = snapshot(store), sorted(tmp_path.iterdir())
    result = invoke(
        [*command, "--database", store, "--config", file], OPENROSTER_KEY_FILE=str(tmp_path / "k")
    )
    assert result.exit_code == 1 and "max_limit = 5 in" in result.output
    assert snapshot(store) == before and sorted(tmp_path.iterdir()) == files
