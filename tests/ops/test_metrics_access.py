"""Who may read /metrics on the API's port: the token when one is set, else this machine only."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient
from typer.testing import CliRunner

from openroster.cli import app as cli
from openroster.ingest.writer import write_bundle
from tests.conftest import LiveServer, app_for, client_for
from tests.district import district
from tests.ops.scrape import parse, value
from tests.ops.test_metrics import SCRAPE, TOKEN
from tests.test_cli import snapshot

REMOTE = ("203.0.113.9", 40000)  # an address of the Internet's documentation range


@pytest.fixture
def with_token(district_engine: sa.Engine) -> Iterator[TestClient]:
    with TestClient(app_for(district_engine, metrics_token=TOKEN), client=REMOTE) as client:
        yield client


def test_without_the_token_metrics_are_refused(with_token: TestClient) -> None:
    response = with_token.get("/metrics")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer realm="openroster metrics"'
    assert response.json()["error"] == "unauthorized"
    assert "OPENROSTER_METRICS_TOKEN" in response.json()["error_description"]
    assert "openroster_" not in response.text
    basic = with_token.get("/metrics", auth=("metrics", TOKEN))
    assert basic.status_code == 401


def test_a_wrong_token_is_refused_and_counted(with_token: TestClient) -> None:
    before = parse(with_token.get("/metrics", headers=SCRAPE).text)
    for wrong in (TOKEN[:-1], TOKEN + "0", "x" * len(TOKEN)):
        response = with_token.get("/metrics", headers={"Authorization": f"Bearer {wrong}"})
        assert response.status_code == 401
        assert response.json()["error"] == "invalid_token"
        assert "openroster_" not in response.text and TOKEN not in response.text
    after = parse(with_token.get("/metrics", headers=SCRAPE).text)
    reason = {"reason": "metrics_token"}
    assert (
        value(after, "openroster_auth_failures_total", **reason)
        - value(before, "openroster_auth_failures_total", **reason)
        == 3
    )


def test_the_right_token_reads_the_metrics_from_anywhere(with_token: TestClient) -> None:
    response = with_token.get("/metrics", headers=SCRAPE)
    assert response.status_code == 200
    assert "openroster_http_requests_total" in response.text
    assert TOKEN not in response.text
    assert with_token.head("/metrics", headers=SCRAPE).content == b""


def test_an_api_access_token_is_not_the_metrics_token(district_engine: sa.Engine) -> None:
    with client_for(district_engine, metrics_token=TOKEN) as api:  # sends its OAuth 2.0 bearer token
        assert api.get("/metrics").status_code == 401


@pytest.mark.parametrize("address", ["127.0.0.1", "::1"])
def test_without_a_token_this_machine_may_read_them(district_engine: sa.Engine, address: str) -> None:
    with TestClient(app_for(district_engine), client=(address, 40000)) as local:
        assert local.get("/metrics").status_code == 200
        # A proxy on this machine makes every client look local: what it forwards is refused.
        forwarded = local.get("/metrics", headers={"X-Forwarded-For": REMOTE[0]})
        assert forwarded.status_code == 403
        assert local.get("/metrics", headers={"X-Real-IP": REMOTE[0]}).status_code == 403


def test_without_a_token_other_machines_are_refused_with_the_fix(district_engine: sa.Engine) -> None:
    with TestClient(app_for(district_engine), client=REMOTE) as remote:
        response = remote.get("/metrics")
    assert response.status_code == 403
    assert response.json()["error"] == "forbidden"
    description = response.json()["error_description"]
    assert "OPENROSTER_METRICS_TOKEN" in description and "--metrics-port" in description
    assert "openroster_" not in response.text


def test_with_a_metrics_port_the_api_port_does_not_serve_them(district_engine: sa.Engine) -> None:
    with TestClient(app_for(district_engine, metrics_port=9109), client=("127.0.0.1", 40000)) as local:
        response = local.get("/metrics")
    assert response.status_code == 404
    assert "--metrics-port" in response.json()["error_description"]


def test_over_real_http_from_loopback(district_engine: sa.Engine) -> None:
    server = LiveServer(district_engine)
    try:
        response = httpx.get(server.url + "/metrics")
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
        assert value(parse(response.text), "openroster_store_reachable") == 1
    finally:
        server.stop()


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"OPENROSTER_METRICS_TOKEN": "short"},
            "(setting metrics_token) must be at least 16 printable ASCII",
        ),
        ({"OPENROSTER_METRICS_TOKEN": "a token with spaces in it"}, "without spaces"),
        (
            {"OPENROSTER_METRICS_PORT": "70000"},
            "OPENROSTER_METRICS_PORT=70000 (setting metrics_port) is out of range",
        ),
        (
            {"OPENROSTER_METRICS_PORT": "nine"},
            "OPENROSTER_METRICS_PORT=nine (setting metrics_port) is not a whole number",
        ),
    ],
)
def test_bad_metrics_settings_fail_at_start(tmp_path: Path, env: dict[str, str], message: str) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    write_bundle(tmp_path / "bundle", district())
    runner = CliRunner()
    assert runner.invoke(cli, ["import", str(tmp_path / "bundle"), "--database", url]).exit_code == 0
    before = snapshot(url)
    result = runner.invoke(cli, ["serve", "--database", url], env=env)
    assert result.exit_code == 1 and message in result.output, result.output
    if "OPENROSTER_METRICS_TOKEN" in env:  # a secret, even a bad one, is never printed
        assert env["OPENROSTER_METRICS_TOKEN"] not in result.output
    assert snapshot(url) == before
