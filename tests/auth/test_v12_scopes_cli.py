"""`openroster clients add --scope` grants OneRoster 1.2 scopes as it grants 1.1's; a wrong one changes nothing."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from openroster.auth.scopes import PREFIX, PREFIX_V12, UnknownScope, canonical, parse, short
from openroster.cli import app
from tests.auth.test_clients_cli import clients_rows, env  # noqa: F401 (env is a fixture)
from tests.test_cli import snapshot

runner = CliRunner()


def test_short_names_of_both_versions() -> None:
    assert canonical("roster.readonly") == PREFIX + "roster.readonly"
    assert canonical("v1p2/roster.readonly") == PREFIX_V12 + "roster.readonly"
    assert canonical(PREFIX_V12 + "resource-core.readonly") == PREFIX_V12 + "resource-core.readonly"
    assert short(PREFIX_V12 + "roster.readonly") == "v1p2/roster.readonly"
    assert short(PREFIX + "roster.readonly") == "roster.readonly"
    assert parse("v1p2/roster.readonly roster.readonly v1p2/roster.readonly") == (
        PREFIX_V12 + "roster.readonly",
        PREFIX + "roster.readonly",
    )


@pytest.mark.parametrize(
    "name",
    ["resource-core.readonly", "gradebook-core.readonly", "v1p2/gradebook.write", "v1p3/roster.readonly"],
)
def test_scopes_not_of_a_version_are_unknown(name: str) -> None:
    with pytest.raises(UnknownScope, match="v1p2/roster-core.readonly"):
        canonical(name)


def test_add_grants_1_2_scopes(env: dict[str, str]) -> None:  # noqa: F811
    result = runner.invoke(
        app,
        ["clients", "add", "LMS", "--scope", "v1p2/roster.readonly", "--scope", "v1p2/resource.readonly"],
        env=env,
    )
    assert result.exit_code == 0, result.output
    assert "v1p2/roster.readonly v1p2/resource.readonly" in result.output
    (row,) = clients_rows(env)
    assert row["scopes"] == f"{PREFIX_V12}roster.readonly {PREFIX_V12}resource.readonly"
    listed = runner.invoke(app, ["clients", "list"], env=env)
    assert "v1p2/roster.readonly" in listed.output


GRADEBOOK_SCOPES = [
    "gradebook-core.readonly",
    "gradebook.readonly",
    "gradebook.createput",
    "gradebook.createpost",
    "gradebook.delete",
    "assessment.readonly",
    "assessment.createput",
    "assessment.delete",
]


def test_add_grants_the_1_2_gradebook_and_assessment_scopes(env: dict[str, str]) -> None:  # noqa: F811
    options = [part for name in GRADEBOOK_SCOPES for part in ("--scope", "v1p2/" + name)]
    result = runner.invoke(app, ["clients", "add", "Google Classroom", *options], env=env)
    assert result.exit_code == 0, result.output
    (row,) = clients_rows(env)
    assert row["scopes"] == " ".join(PREFIX_V12 + name for name in GRADEBOOK_SCOPES)


def test_a_scope_1_2_does_not_have_is_refused_and_changes_nothing(env: dict[str, str]) -> None:  # noqa: F811
    assert runner.invoke(app, ["clients", "add", "First"], env=env).exit_code == 0
    before = (clients_rows(env), snapshot(env["OPENROSTER_DATABASE_URL"]))
    result = runner.invoke(app, ["clients", "add", "Second", "--scope", "v1p2/gradebook.write"], env=env)
    assert result.exit_code == 1
    assert "unknown scope 'v1p2/gradebook.write'" in result.output and "v1p2/roster.readonly" in result.output
    assert (clients_rows(env), snapshot(env["OPENROSTER_DATABASE_URL"])) == before
