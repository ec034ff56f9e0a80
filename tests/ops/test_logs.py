"""Logs of a real served process, text and JSON: every line has its request id, and no secret ever appears."""

from __future__ import annotations

import base64
import json
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import httpx
import pytest
import requests
from requests_oauthlib import OAuth1

from openroster.auth.clients import add_client
from openroster.auth.keys import load_keys
from openroster.auth.scopes import ALL
from tests.conftest import BASE, load
from tests.district import district
from tests.ops.served import Served


@dataclass
class Store:
    url: str
    key_file: Path
    client_id: str
    secret: str


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    engine = load(tmp_path, district())
    key_file = tmp_path / "server.key"
    issued = add_client(engine, load_keys("", key_file, create=True), "Grade Sync", scopes=ALL)
    url = engine.url.render_as_string(hide_password=False)
    engine.dispose()
    yield Store(url, key_file, issued.client.client_id, issued.secret)


def serve(store: Store, *args: str) -> Served:
    return Served(["--database", store.url, *args], OPENROSTER_KEY_FILE=str(store.key_file))


def token(served: Served, store: Store) -> str:
    response = httpx.post(
        served.url + "/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(store.client_id, store.secret),
    )
    assert response.status_code == 200
    return str(response.json()["access_token"])


def test_json_logs_are_one_object_a_line_with_the_audit_fields_and_the_request_id(store: Store) -> None:
    served = serve(store, "--log-format", "json")
    try:
        bearer = {"Authorization": f"Bearer {token(served, store)}"}
        page = httpx.get(served.url + BASE + "/schools?limit=1", headers=bearer)
        missing = httpx.get(served.url + BASE + "/schools/nope", headers=bearer)
        # This test is a trusted proxy (127.0.0.1): its id is the one logged.
        proxied = httpx.get(served.url + BASE + "/orgs", headers={**bearer, "X-Request-Id": "lb-42-abc"})
    finally:
        served.stop()
    lines = served.json_lines()  # every line parses, uvicorn's own too
    assert all({"time", "level", "logger", "message", "request_id", "pid"} <= set(line) for line in lines)
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", line["time"]) for line in lines)
    assert any(line["logger"].startswith("uvicorn") and line["request_id"] == "-" for line in lines)
    audit = {line["request_id"]: line for line in lines if line["logger"] == "openroster.audit"}
    entry = audit[page.headers["X-Request-Id"]]
    assert entry["level"] == "INFO" and entry["message"] == f"GET {BASE}/schools 200"
    assert (entry["client"], entry["method"], entry["path"], entry["status"], entry["records"]) == (
        store.client_id,
        "GET",
        BASE + "/schools",
        200,
        1,
    )
    assert isinstance(entry["ms"], float)
    refused = audit[missing.headers["X-Request-Id"]]
    assert refused["status"] == 404 and "nope" in refused["reason"]
    assert proxied.headers["X-Request-Id"] == "lb-42-abc" and audit["lb-42-abc"]["path"] == BASE + "/orgs"
    assert len(audit) == 5  # the first GET / (is it up?), the token, the page, the 404, the proxied


def test_text_logs_are_todays_lines_with_the_request_id(store: Store) -> None:
    served = serve(store, "--log-format", "text")
    try:
        bearer = {"Authorization": f"Bearer {token(served, store)}"}
        page = httpx.get(served.url + BASE + "/schools", headers=bearer)
    finally:
        served.stop()
    request_id = page.headers["X-Request-Id"]
    (line,) = [line for line in served.stderr if f"[{request_id}]" in line]
    stamp, level, logger, pid, shown_id, entry = line.split(" ", 6)[1:]
    assert re.fullmatch(r"\d\d:\d\d:\d\d,\d{3}", stamp)
    assert (level, logger, shown_id) == ("INFO", "openroster.audit", f"[{request_id}]") and pid.startswith(
        "pid="
    )
    assert json.loads(entry)["status"] == 200 and json.loads(entry)["client"] == store.client_id


def test_the_log_level_leaves_out_less_severe_lines(store: Store) -> None:
    served = serve(store, "--log-format", "json", "--log-level", "warning")
    try:
        token(served, store)
    finally:
        served.stop()
    assert [line for line in served.json_lines() if line["level"] == "INFO"] == []


@pytest.mark.parametrize("log_format", ["json", "text"])
def test_no_secret_token_signature_password_or_put_body_is_ever_logged(store: Store, log_format: str) -> None:
    served = serve(store, "--log-format", log_format, "--log-level", "debug")
    basic = base64.b64encode(f"{store.client_id}:{store.secret}".encode()).decode()
    never: list[str] = [store.secret, basic]
    try:
        # HTTP Basic credentials on the token endpoint (what SDS sends)
        assert token(served, store)
        # client_secret in a token request's body, and a wrong one (refused, so its reason is logged)
        form = {
            "grant_type": "client_credentials",
            "client_id": store.client_id,
            "client_secret": store.secret,
        }
        access = httpx.post(served.url + "/oauth/token", data=form).json()["access_token"]
        wrong = "wrong-" + secrets.token_urlsafe(24)
        refused = httpx.post(served.url + "/oauth/token", data={**form, "client_secret": wrong})
        assert refused.status_code == 401
        never += [access, wrong]
        # a bearer token, good and bad
        assert (
            httpx.get(served.url + BASE + "/orgs", headers={"Authorization": f"Bearer {access}"}).status_code
            == 200
        )
        forged = access[:-6] + "AAAAAA"
        assert (
            httpx.get(served.url + BASE + "/orgs", headers={"Authorization": f"Bearer {forged}"}).status_code
            == 401
        )
        never.append(forged)
        # OAuth 1.0a signatures in the Authorization header and in the query
        for signature_type in ("auth_header", "query"):
            signed = requests.Request(
                "GET",
                served.url + BASE + "/orgs",
                auth=OAuth1(store.client_id, client_secret=store.secret, signature_type=signature_type),
            ).prepare()
            assert requests.Session().send(signed, timeout=10).status_code == 200
            never.append(_signature(signed))
        # a PUT body, accepted and refused
        marker = "put-body-" + secrets.token_hex(8)
        body = {
            "lineItem": {
                "title": marker,
                "description": marker,
                "assignDate": "2025-10-01T08:00:00Z",
                "dueDate": "2025-10-08T08:00:00.000Z",
                "class": {"sourcedId": "cls-bio-1"},
                "resultValueMin": 0.0,
                "resultValueMax": 100.0,
            }
        }
        bearer = {"Authorization": f"Bearer {access}"}
        assert (
            httpx.put(served.url + BASE + "/lineItems/li-log", json=body, headers=bearer).status_code == 201
        )
        incomplete = {"lineItem": {"title": marker}}
        assert (
            httpx.put(served.url + BASE + "/lineItems/li-log2", json=incomplete, headers=bearer).status_code
            == 422
        )
        never.append(marker)
    finally:
        output = served.stop()
    assert "openroster.audit" in output or '"logger":"openroster.audit"' in output
    assert sum("lineItems/li-log" in line for line in served.stderr) == 2  # both PUTs are logged
    for value in never:
        assert value not in output, f"{value[:12]}... is in the log"
        assert value[:16] not in output


def _signature(signed: requests.PreparedRequest) -> str:
    """The oauth_signature a prepared request carries, decoded."""
    header = str(signed.headers.get("Authorization", ""))
    found = re.search(r'oauth_signature="([^"]+)"', header)
    if found:
        return unquote(found.group(1))
    return parse_qs(urlsplit(str(signed.url)).query)["oauth_signature"][0]
