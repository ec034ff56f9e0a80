"""Two server processes on one database accept each other's tokens and share the nonce store."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import requests
from requests_oauthlib import OAuth1

from openroster.auth.clients import add_client
from openroster.auth.keys import load_keys
from tests.conftest import BACKENDS, BASE, free_port, load
from tests.district import district
from tests.test_cli import wait_for

PUBLIC = "https://roster.example.org"  # both processes sit behind one load balancer


@pytest.fixture(params=BACKENDS)
def two_servers(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str, str, str]]:
    engine = load(tmp_path, district(), backend=request.param)
    key_file = tmp_path / "server.key"
    issued = add_client(engine, load_keys("", key_file, create=True), "shared")
    database = engine.url.render_as_string(hide_password=False)
    engine.dispose()
    env = {**os.environ, "OPENROSTER_KEY_FILE": str(key_file), "OPENROSTER_PUBLIC_URL": PUBLIC}
    ports = [free_port(), free_port()]
    servers = [
        subprocess.Popen(
            [sys.executable, "-m", "openroster", "serve", "--port", str(port), "--database", database],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for port in ports
    ]
    try:
        for port in ports:
            wait_for(f"http://127.0.0.1:{port}/")
        yield (
            f"http://127.0.0.1:{ports[0]}",
            f"http://127.0.0.1:{ports[1]}",
            issued.client.client_id,
            issued.secret,
        )
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=20)


def test_a_token_from_one_process_works_on_the_other(two_servers: tuple[str, str, str, str]) -> None:
    first, second, client_id, secret = two_servers
    token = httpx.post(
        first + "/oauth/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret)
    ).json()["access_token"]
    response = httpx.get(second + BASE + "/schools", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and len(response.json()["orgs"]) == 2


def test_a_nonce_used_on_one_process_is_a_replay_on_the_other(two_servers: tuple[str, str, str, str]) -> None:
    first, second, client_id, secret = two_servers
    signed = requests.Request(
        "GET", PUBLIC + BASE + "/orgs", auth=OAuth1(client_id, client_secret=secret)
    ).prepare()
    headers = {"Authorization": signed.headers["Authorization"]}
    assert requests.get(first + BASE + "/orgs", headers=headers, timeout=10).status_code == 200
    replay = requests.get(second + BASE + "/orgs", headers=headers, timeout=10)
    assert replay.status_code == 401
    assert "nonce" in replay.json()["statusInfoSet"][0]["imsx_description"]
    fresh = requests.Request(
        "GET", PUBLIC + BASE + "/orgs", auth=OAuth1(client_id, client_secret=secret)
    ).prepare()
    assert (
        requests.get(
            second + BASE + "/orgs", headers={"Authorization": fresh.headers["Authorization"]}, timeout=10
        ).status_code
        == 200
    )
