"""`openroster admins`: console accounts added, listed, given new passwords and removed; bad input refused."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from openroster.console.accounts import verify
from openroster.store.dialects import create_engine
from openroster.store.schema import console_accounts
from tests.conftest import BACKENDS, load
from tests.console.conftest import snapshot
from tests.district import district
from tests.ops.settings_cli import invoke


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    engine = load(tmp_path, district(), backend=request.param)
    engine.dispose()
    return str(engine.url.render_as_string(hide_password=False))


def _admins(url: str, *args: str, given: str | None = None) -> tuple[int, str]:
    from typer.testing import CliRunner

    from openroster.cli import app
    from tests.ops.settings_cli import CLEAN

    result = CliRunner().invoke(app, ["admins", *args, "--database", url], input=given, env=CLEAN)
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def _engine(url: str) -> sa.Engine:
    return create_engine(url)


def test_an_account_with_a_typed_password_is_stored_hashed_and_signs_in(url: str) -> None:
    code, output = _admins(
        url, "add", "dana", "--role", "admin", given="a long passphrase\na long passphrase\n"
    )
    assert code == 0, output
    assert "Created console account 'dana' (admin)." in output and "a long passphrase" not in output
    engine = _engine(url)
    with engine.connect() as conn:
        stored = conn.execute(sa.select(console_accounts.c.password_hash)).scalar_one()
    assert stored.startswith("scrypt$16384$8$1$") and "a long passphrase" not in stored
    account = verify(engine, "dana", "a long passphrase")
    assert account is not None and account.may_change
    assert verify(engine, "dana", "a long passphrasE") is None
    engine.dispose()


def test_a_generated_password_is_printed_once_and_works(url: str) -> None:
    code, output = _admins(url, "add", "vic", "--role", "viewer", "--generate-password")
    assert code == 0, output
    found = re.search(r"password: (\S+)", output)
    assert found and "shown only now" in output
    engine = _engine(url)
    account = verify(engine, "vic", found.group(1))
    assert account is not None and not account.may_change
    engine.dispose()


def test_list_shows_names_and_roles_never_passwords(url: str) -> None:
    _admins(url, "add", "vic", "--role", "viewer", "--generate-password")
    _admins(url, "add", "ada", "--role", "admin", "--generate-password")
    code, output = _admins(url, "list")
    assert code == 0
    lines = output.splitlines()
    assert [line.split()[:2] for line in lines] == [["ada", "admin"], ["vic", "viewer"]]
    assert "scrypt" not in output


def test_list_without_accounts_says_how_to_add_one(url: str) -> None:
    assert "openroster admins add NAME --role admin" in _admins(url, "list")[1]


@pytest.mark.parametrize(
    ("args", "given", "said", "password"),
    [
        (
            ["passwd", "ada"],
            "another passphrase\nanother passphrase\n",
            "New password for console account 'ada'.",
            "another passphrase",
        ),
        (["remove", "ada"], None, "Removed console account 'ada'.", None),
    ],
)
def test_passwd_and_remove_end_the_accounts_sessions(
    url: str, args: list[str], given: str | None, said: str, password: str | None
) -> None:
    from openroster.console.accounts import find_account
    from openroster.console.sessions import find_session, open_session

    _admins(url, "add", "ada", "--role", "admin", given="the first password\nthe first password\n")
    engine = _engine(url)
    with engine.connect() as conn:
        account = find_account(conn, "ada")
    assert account is not None
    token, _ = open_session(engine, account, 60)
    code, output = _admins(url, *args, given=given)
    assert code == 0 and said in output
    assert find_session(engine, token) is None
    assert verify(engine, "ada", "the first password") is None
    assert (verify(engine, "ada", password) is not None) if password else True
    engine.dispose()


@pytest.mark.parametrize(
    ("args", "given", "message"),
    [
        (["add", "dana", "--role", "owner", "--generate-password"], None, "--role 'owner' is not a role"),
        (["add", "da na", "--role", "admin", "--generate-password"], None, "is not an account name"),
        (["add", "dana", "--role", "admin"], "short\nshort\n", "The password is too short"),
        (["add", "dana", "--role", "admin"], "a long passphrase\nanother one here\n", "do not match"),
        (["add", "ada", "--role", "viewer", "--generate-password"], None, "already an account named 'ada'"),
        (["remove", "nobody"], None, "There is no account named 'nobody'"),
        (["passwd", "nobody", "--generate-password"], None, "There is no account named 'nobody'"),
        (["passwd", "ada"], "short\nshort\n", "The password is too short"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(
    url: str, args: list[str], given: str | None, message: str
) -> None:
    _admins(url, "add", "ada", "--role", "admin", given="the first password\nthe first password\n")
    engine = _engine(url)
    before = snapshot(engine)
    code, output = _admins(url, *args, given=given)
    assert code != 0
    assert message in " ".join(output.split())
    assert snapshot(engine) == before
    assert verify(engine, "ada", "the first password") is not None
    engine.dispose()


def test_admins_refuses_a_store_without_a_schema(tmp_path: Path) -> None:
    result = invoke(["admins", "list", "--database", f"sqlite:///{tmp_path / 'none.db'}"])
    assert result.exit_code == 1
    assert "There is no database at" in result.output
