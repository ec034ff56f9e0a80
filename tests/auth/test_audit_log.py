"""The audit log names a client only once it authenticated, never holds a secret, and bounds client input."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from requests_oauthlib import OAuth1
from starlette.testclient import TestClient

from openroster.api.audit import MAX_REASON, MAX_TEXT
from openroster.auth.clients import add_client
from tests.conftest import BACKENDS, BASE, KEYS, LiveServer, app_for, load
from tests.district import district

GRANT = {"grant_type": "client_credentials"}


@pytest.fixture(params=BACKENDS)
def http(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[TestClient]:
    engine = load(tmp_path, district(), backend=request.param)
    with TestClient(app_for(engine), base_url="https://sis.example.org") as client:
        client.app.state.engine = engine  # type: ignore[attr-defined]
        yield client
    engine.dispose()


def audit_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "openroster.audit"]


def test_a_client_that_swaps_id_and_secret_never_has_its_secret_logged(
    http: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    issued = add_client(http.app.state.engine, KEYS, "SDS")  # type: ignore[attr-defined]
    client_id, secret = issued.client.client_id, issued.secret
    caplog.set_level(logging.INFO, logger="openroster.audit")
    for _ in range(2):
        assert http.post("/oauth/token", data=GRANT, auth=(secret, client_id)).status_code == 401
    assert (
        http.post("/oauth/token", data={**GRANT, "client_id": secret, "client_secret": client_id}).status_code
        == 401
    )
    refused = [json.loads(line) for line in audit_lines(caplog)]
    assert all(secret not in line and secret[:8] not in line for line in audit_lines(caplog))
    assert all(entry["client"] is None for entry in refused)
    # The claim is logged as a tag: the same claim, the same tag, so repeated failures can be counted.
    assert refused[0]["claimed"].startswith("tag:") and len({e["claimed"] for e in refused}) == 1

    caplog.clear()
    assert http.post("/oauth/token", data=GRANT, auth=(client_id, secret)).status_code == 200
    (entry,) = [json.loads(line) for line in audit_lines(caplog)]
    assert entry["client"] == client_id and "claimed" not in entry


def test_an_oauth1_consumer_key_that_is_a_secret_is_not_logged(
    caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    server = LiveServer(load(tmp_path, district()))
    try:
        client_id, secret = server.add_client()
        caplog.set_level(logging.INFO, logger="openroster.audit")
        swapped = requests.get(
            server.url + BASE + "/orgs", auth=OAuth1(secret, client_secret=client_id), timeout=10
        )
        assert swapped.status_code == 401
        (line,) = audit_lines(caplog)
        assert secret not in line and json.loads(line)["claimed"].startswith("tag:")
    finally:
        server.stop()
        server.engine.dispose()


def test_every_client_supplied_string_in_a_line_is_bounded_and_escaped(
    http: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    issued = add_client(http.app.state.engine, KEYS, "SDS")  # type: ignore[attr-defined]
    token = http.post("/oauth/token", data=GRANT, auth=(issued.client.client_id, issued.secret)).json()[
        "access_token"
    ]
    caplog.set_level(logging.INFO, logger="openroster.audit")
    assert http.post("/oauth/token", data=GRANT, auth=("i" * 100_000, "s" * 40)).status_code == 401
    assert (
        http.get(
            BASE + "/users/" + "p" * 10_000 + "%0Dforged%20line%1B[31m\u2028",
            headers={"Authorization": "Bearer " + "t" * 50_000},
        ).status_code
        == 401
    )
    # An unknown filter field: the reason quotes it.
    assert (
        http.get(
            BASE + "/users?filter=" + "x" * 4_000 + "%3D'1'", headers={"Authorization": f"Bearer {token}"}
        ).status_code
        == 400
    )
    lines = audit_lines(caplog)
    assert len(lines) == 3
    for line in lines:
        assert "\n" not in line and "\r" not in line and "\x1b" not in line and line.isascii()
        assert len(line) < MAX_TEXT * 2 + MAX_REASON + 400
        entry = json.loads(line)
        assert len(entry["path"]) <= MAX_TEXT + 40 and len(entry.get("claimed") or "") <= MAX_TEXT
        assert len(entry["reason"]) <= MAX_REASON + 40
    assert json.loads(lines[1])["path"].endswith(" more characters)")
    assert json.loads(lines[2])["reason"].startswith("Unknown filter field: xxx")
