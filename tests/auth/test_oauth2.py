"""OAuth 2.0 client credentials over real HTTP with httpx: the token endpoint and bearer tokens."""

from __future__ import annotations

import time

import httpx
import jwt
import pytest

from openroster.auth import tokens
from openroster.auth.clients import list_clients, remove_client, rotate_secret
from openroster.auth.scopes import PREFIX, READ_V12
from tests.conftest import BASE, KEYS, LiveServer

TOKEN = "/oauth/token"
GRANT = {"grant_type": "client_credentials"}


def token(live: LiveServer, client_id: str, secret: str, **form: str) -> str:
    response = httpx.post(live.url + TOKEN, data={**GRANT, **form}, auth=(client_id, secret))
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def get(live: LiveServer, path: str, access_token: str) -> httpx.Response:
    return httpx.get(live.url + BASE + path, headers={"Authorization": f"Bearer {access_token}"})


def assert_unauthorized(response: httpx.Response, fragment: str = "") -> None:
    assert response.status_code == 401
    info = response.json()["statusInfoSet"][0]
    assert (info["imsx_codeMajor"], info["imsx_severity"], info["imsx_codeMinor"]) == (
        "failure",
        "error",
        "unauthorized",
    )
    assert fragment in info["imsx_description"]
    assert "Bearer" in response.headers["WWW-Authenticate"]


def test_basic_authentication_issues_a_jwt_with_exp(live: LiveServer) -> None:
    client_id, secret = live.add_client()
    response = httpx.post(live.url + TOKEN, data=GRANT, auth=(client_id, secret))
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    assert set(body["scope"].split()) == {
        PREFIX + s
        for s in (
            "roster-core.readonly",
            "roster.readonly",
            "roster-demographics.readonly",
            "resource.readonly",
            "gradebook.readonly",
        )
    } | set(READ_V12)  # and the 1.2 read scopes, as every new client
    assert response.headers["Cache-Control"] == "no-store"
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["sub"] == client_id and 3590 <= claims["exp"] - time.time() <= 3600
    assert get(live, "/users/stu-1", body["access_token"]).status_code == 200


def test_form_credentials_work_too(live: LiveServer) -> None:
    client_id, secret = live.add_client()
    response = httpx.post(live.url + TOKEN, data={**GRANT, "client_id": client_id, "client_secret": secret})
    assert response.status_code == 200
    assert get(live, "/orgs", response.json()["access_token"]).status_code == 200


def test_requested_scopes_narrow_the_token(live: LiveServer) -> None:
    client_id, secret = live.add_client()
    narrow = token(live, client_id, secret, scope=PREFIX + "roster-core.readonly")
    assert get(live, "/classes", narrow).status_code == 200
    forbidden = get(live, "/classes/cls-bio-1/students", narrow)
    assert forbidden.status_code == 403
    assert forbidden.json()["statusInfoSet"][0]["imsx_codeMinor"] == "forbidden"
    assert "roster.readonly" in forbidden.json()["statusInfoSet"][0]["imsx_description"]


@pytest.mark.parametrize(
    ("form", "auth", "status", "error"),
    [
        ({**GRANT, "scope": PREFIX + "gradebook.createput"}, True, 400, "invalid_scope"),
        ({**GRANT, "scope": "roster.readonly made-up.scope"}, True, 400, "invalid_scope"),
        ({}, True, 400, "invalid_request"),
        ({"grant_type": "password"}, True, 400, "unsupported_grant_type"),
        ({**GRANT, "client_secret": "x" * 20}, True, 400, "invalid_request"),
        (GRANT, False, 401, "invalid_client"),
    ],
)
def test_token_endpoint_errors_follow_rfc_6749(
    live: LiveServer, form: dict[str, str], auth: bool, status: int, error: str
) -> None:
    client_id, secret = live.add_client()
    response = httpx.post(live.url + TOKEN, data=form, auth=(client_id, secret) if auth else None)
    assert response.status_code == status
    assert response.json()["error"] == error and response.json()["error_description"]


def test_wrong_secret_and_unknown_client_are_invalid_client(live: LiveServer) -> None:
    client_id, secret = live.add_client()
    for credentials in [(client_id, secret + "x"), ("no-such-client", secret)]:
        response = httpx.post(live.url + TOKEN, data=GRANT, auth=credentials)
        assert response.status_code == 401
        assert response.json()["error"] == "invalid_client"
        assert response.headers["WWW-Authenticate"].startswith("Basic")
        assert secret not in response.text


def test_a_json_body_is_refused(live: LiveServer) -> None:
    client_id, secret = live.add_client()
    response = httpx.post(live.url + TOKEN, json=GRANT, auth=(client_id, secret))
    assert response.status_code == 400 and response.json()["error"] == "invalid_request"


def test_missing_credentials(live: LiveServer) -> None:
    assert_unauthorized(httpx.get(live.url + BASE + "/users"), "bearer token")


def test_tampered_token(live: LiveServer) -> None:
    access = token(live, *live.add_client())
    header, payload, signature = access.split(".")
    forged_payload = jwt.utils.base64url_encode(
        jwt.utils.base64url_decode(payload).replace(b'"scope":"', b'"scope":"x ')
    ).decode()
    for forged in [
        f"{header}.{forged_payload}.{signature}",
        access[:-3] + ("AAA" if access[-3:] != "AAA" else "BBB"),
        "not-a-jwt",
        jwt.encode({"sub": "x", "exp": time.time() + 60}, "another key of thirty-two bytes!"),
    ]:
        response = get(live, "/users", forged)
        assert_unauthorized(response, "not valid")
        assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_expired_token(live: LiveServer) -> None:
    client_id, _ = live.add_client()
    (client,) = [c for c in list_clients(live.engine) if c.client_id == client_id]
    old = tokens.issue(
        KEYS,
        client_id=client_id,
        scopes=(PREFIX + "roster-core.readonly",),
        identity=client.identity,
        lifetime_seconds=300,
        now=time.time() - 3600,
    )
    assert_unauthorized(get(live, "/users", old), "expired")


def test_token_for_unknown_removed_or_rotated_client(live: LiveServer) -> None:
    ghost = tokens.issue(
        KEYS,
        client_id="ghost",
        scopes=(PREFIX + "roster-core.readonly",),
        identity="x",
        lifetime_seconds=300,
        now=time.time(),
    )
    assert_unauthorized(get(live, "/users", ghost), "request a new token")

    client_id, secret = live.add_client()
    access = token(live, client_id, secret)
    rotate_secret(live.engine, KEYS, client_id)
    assert_unauthorized(get(live, "/users", access), "given a new secret")

    client_id, secret = live.add_client()
    access = token(live, client_id, secret)
    remove_client(live.engine, client_id)
    assert_unauthorized(get(live, "/users", access), "removed")


def test_tokens_are_not_accepted_in_the_query_string(live: LiveServer) -> None:
    access = token(live, *live.add_client())
    assert_unauthorized(httpx.get(live.url + BASE + "/users", params={"access_token": access}))


def test_an_oversized_token_request_is_refused(live: LiveServer) -> None:
    response = httpx.post(live.url + TOKEN, data={**GRANT, "padding": "x" * 2_000_000})
    assert response.status_code == 413 and response.json()["error"] == "invalid_request"
