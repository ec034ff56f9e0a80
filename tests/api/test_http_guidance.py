"""HTTP answers that tell a client what to do: Allow on 405, the token endpoint's own errors, a bad server key."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa
from requests_oauthlib import OAuth1
from starlette.testclient import TestClient

from openroster.auth.clients import add_client
from openroster.auth.keys import generate_master_key, load_keys
from tests.conftest import BACKENDS, BASE, LiveServer, app_for, client_for, load
from tests.district import district


@pytest.fixture(scope="module", params=BACKENDS)
def engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[sa.Engine]:
    engine = load(tmp_path_factory.mktemp("guidance"), district(), backend=request.param)
    yield engine
    engine.dispose()


def line_items(engine: sa.Engine) -> list[tuple[object, ...]]:
    with engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.exec_driver_sql(
                "SELECT sourced_id, status, date_last_modified FROM line_items ORDER BY sourced_id"
            )
        ]


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("DELETE", "/users/stu-1", "GET, HEAD"),
        ("POST", "/users", "GET, HEAD"),
        ("POST", "/lineItems/li-1", "DELETE, GET, HEAD, PUT"),
        ("PATCH", "/results/rs-1", "DELETE, GET, HEAD, PUT"),
        ("PUT", "/classes/cls-bio-1/lineItems", "GET, HEAD"),
    ],
)
def test_a_405_names_the_allowed_methods(engine: sa.Engine, method: str, path: str, allow: str) -> None:
    before = line_items(engine)
    with client_for(engine) as api:
        response = api.request(method, BASE + path, json={"lineItem": {"title": "x"}})
    assert response.status_code == 405
    assert response.headers["Allow"] == allow
    info = response.json()["statusInfoSet"][0]
    assert info["imsx_codeMinor"] == "unsupported" and allow in info["imsx_description"]
    assert line_items(engine) == before


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_the_token_endpoint_answers_other_methods_with_405(engine: sa.Engine, method: str) -> None:
    with TestClient(app_for(engine)) as client:
        response = client.request(method, "/oauth/token")
    assert response.status_code == 405
    assert response.headers["Allow"] == "POST"
    assert response.json()["error"] == "invalid_request"  # the token endpoint speaks OAuth (RFC 6749)
    assert "POST" in response.json()["error_description"]


def test_a_token_request_without_a_body_names_grant_type(engine: sa.Engine) -> None:
    with TestClient(app_for(engine)) as client:
        bare = client.post("/oauth/token")
        authenticated = client.post("/oauth/token", auth=("someone", "some secret of sixteen"))
    for response in (bare, authenticated):
        assert response.status_code == 400
        assert response.json()["error"] == "invalid_request"
        assert "grant_type is missing" in response.json()["error_description"]
        assert "grant_type=client_credentials" in response.json()["error_description"]


def test_oauth1_with_a_changed_server_key_is_a_clear_error(engine: sa.Engine, tmp_path: Path) -> None:
    old_keys = load_keys(generate_master_key(), Path("unused"), create=False)
    issued = add_client(engine, old_keys, f"made with another key {tmp_path.name}")
    server = LiveServer(engine)  # serves with the test suite's key, not the one the secret was sealed with
    try:
        response = requests.get(
            server.url + BASE + "/users",
            timeout=10,
            auth=OAuth1(issued.client.client_id, client_secret=issued.secret),
        )
    finally:
        server.stop()
    assert response.status_code == 500
    description = response.json()["statusInfoSet"][0]["imsx_description"]
    assert "another server key" in description and "new secret" in description
