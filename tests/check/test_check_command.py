"""`openroster check` through its front door: summary, exit status, secrets from the environment, bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from openroster.cli import app
from tests.check import breakage as b
from tests.check.conftest import PAGE_SIZE, serve
from tests.conftest import free_port

runner = CliRunner()


def test_a_passing_provider_exits_0_with_secrets_from_the_environment(sqlite_district: sa.Engine) -> None:
    server, credentials = serve(sqlite_district)
    try:
        result = runner.invoke(
            app,
            ["check", server.url, "--page-size", str(PAGE_SIZE)],
            env={
                "OPENROSTER_CHECK_CLIENT_ID": credentials.client_id,
                "OPENROSTER_CHECK_CLIENT_SECRET": credentials.client_secret,
            },
        )
    finally:
        server.stop()
    assert result.exit_code == 0, result.output
    assert "Simulated sync" in result.output and "enrollments" in result.output
    assert "FAIL" not in result.output and credentials.client_secret not in result.output


def test_a_failing_check_exits_1_and_is_shown_with_its_fix(sqlite_district: sa.Engine) -> None:
    server, credentials = serve(sqlite_district, b.user_without_orgs())
    try:
        result = runner.invoke(
            app,
            [
                "check",
                server.url + "/ims/oneroster/v1p1",
                "--client-id",
                credentials.client_id,
                "--client-secret",
                credentials.client_secret,
                "--page-size",
                str(PAGE_SIZE),
            ],
        )
    finally:
        server.stop()
    assert result.exit_code == 1, result.output
    assert "FAIL fields.user-orgs: Every user names at least one org" in result.output
    assert "fix: Give every user the orgs" in result.output and "orgs is missing or empty" in result.output


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["sis.example.org"], "must start with http:// or https://"),
        (["http://127.0.0.1:1", "--auth", "saml"], "--auth 'saml' is not oauth2 or oauth1"),
        (
            ["http://127.0.0.1:1", "--signature", "RSA-SHA1"],
            "--signature 'RSA-SHA1' is not HMAC-SHA1 or HMAC-SHA256",
        ),
        (
            ["http://127.0.0.1:1", "--profile", "sds,canvas"],
            "use a comma-separated list of sds, grade-sync, google",
        ),
        (["http://127.0.0.1:1", "--page-size", "0"], "--page-size 0 must be between 1 and 100000"),
        (["http://127.0.0.1:1", "--max-records", "0"], "--max-records 0 must be at least 1"),
        (["http://127.0.0.1:1", "--report", "readiness.pdf"], "the name must end in .json or .html"),
        (
            ["http://127.0.0.1:1", "--report", "/no/such/folder/r.json"],
            "the folder /no/such/folder does not exist",
        ),
    ],
)
def test_bad_arguments_exit_2_with_the_reason(arguments: list[str], message: str) -> None:
    result = runner.invoke(app, ["check", *arguments, "--client-id", "a", "--client-secret", "b"])
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output


def test_missing_credentials_exit_2_naming_the_environment_variables() -> None:
    result = runner.invoke(
        app,
        ["check", "http://127.0.0.1:1"],
        env={"OPENROSTER_CHECK_CLIENT_ID": "", "OPENROSTER_CHECK_CLIENT_SECRET": ""},
    )
    assert result.exit_code == 2
    assert "OPENROSTER_CHECK_CLIENT_ID and OPENROSTER_CHECK_CLIENT_SECRET" in result.output


def test_nothing_listening_exits_2() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    result = runner.invoke(app, ["check", url, "--client-id", "a", "--client-secret", "b"])
    assert result.exit_code == 2, result.output
    assert f"cannot check {url}" in result.output and "cannot connect" in result.output


def test_a_wrong_token_url_exits_2_saying_so(sqlite_district: sa.Engine) -> None:
    server, credentials = serve(sqlite_district)
    try:
        result = runner.invoke(
            app,
            [
                "check",
                server.url,
                "--client-id",
                credentials.client_id,
                "--client-secret",
                credentials.client_secret,
                "--token-url",
                server.url + "/token",
            ],
        )
    finally:
        server.stop()
    assert result.exit_code == 2, result.output
    assert "answered 404: it is not the provider's OAuth 2.0 token endpoint" in result.output


@pytest.mark.parametrize("auth", ["oauth2", "oauth1"])
def test_a_wrong_secret_exits_2_saying_so(sqlite_district: sa.Engine, auth: str) -> None:
    server, credentials = serve(sqlite_district)
    try:
        result = runner.invoke(
            app,
            [
                "check",
                server.url,
                "--auth",
                auth,
                "--client-id",
                credentials.client_id,
                "--client-secret",
                credentials.client_secret + "x",
            ],
        )
    finally:
        server.stop()
    assert result.exit_code == 2, result.output
    assert (
        "check the client id and secret" in result.output
        or "check the consumer key and secret" in result.output
    )
    assert credentials.client_secret not in result.output


def test_a_report_is_written_only_as_asked(sqlite_district: sa.Engine, tmp_path: Path) -> None:
    server, credentials = serve(sqlite_district)
    target = tmp_path / "readiness.json"
    try:
        result = runner.invoke(
            app,
            [
                "check",
                server.url,
                "--client-id",
                credentials.client_id,
                "--client-secret",
                credentials.client_secret,
                "--page-size",
                str(PAGE_SIZE),
                "--report",
                str(target),
            ],
        )
    finally:
        server.stop()
    assert result.exit_code == 0, result.output
    assert target.exists() and f"Wrote {target}." in result.output


def test_a_redirect_exits_2_naming_where_it_goes(sqlite_district: sa.Engine) -> None:
    server, credentials = serve(sqlite_district, b.redirects_everything("https://elsewhere.example.org"))
    try:
        result = runner.invoke(
            app,
            [
                "check",
                server.url,
                "--client-id",
                credentials.client_id,
                "--client-secret",
                credentials.client_secret,
            ],
        )
    finally:
        server.stop()
    assert result.exit_code == 2, result.output
    assert "redirects to https://elsewhere.example.org/oauth/token" in result.output


def test_tls_trouble_exits_2_saying_so(sqlite_district: sa.Engine) -> None:
    server, credentials = serve(sqlite_district)
    try:
        result = runner.invoke(
            app,
            [
                "check",
                server.url.replace("http://", "https://"),
                "--client-id",
                credentials.client_id,
                "--client-secret",
                credentials.client_secret,
            ],
        )
    finally:
        server.stop()
    assert result.exit_code == 2, result.output
    assert "TLS failed" in result.output and "Traceback" not in result.output
