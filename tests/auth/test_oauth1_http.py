"""OAuth 1.0a over real HTTP: requests signed by requests-oauthlib against the running server."""

from __future__ import annotations

import time

import pytest
import requests
from oauthlib.oauth1 import (
    SIGNATURE_HMAC_SHA1,
    SIGNATURE_HMAC_SHA256,
    SIGNATURE_TYPE_AUTH_HEADER,
    SIGNATURE_TYPE_QUERY,
)
from requests_oauthlib import OAuth1

from tests.conftest import BASE, LiveServer

METHODS = [SIGNATURE_HMAC_SHA1, SIGNATURE_HMAC_SHA256]
PLACES = [SIGNATURE_TYPE_AUTH_HEADER, SIGNATURE_TYPE_QUERY]


def signer(
    client_id: str,
    secret: str,
    method: str = SIGNATURE_HMAC_SHA1,
    place: str = SIGNATURE_TYPE_AUTH_HEADER,
    **extra: object,
) -> OAuth1:
    return OAuth1(client_id, client_secret=secret, signature_method=method, signature_type=place, **extra)


def assert_unauthorized(response: requests.Response, fragment: str) -> None:
    assert response.status_code == 401, response.text
    info = response.json()["statusInfoSet"][0]
    assert info["imsx_codeMinor"] == "unauthorized" and fragment in info["imsx_description"]
    assert "OAuth" in response.headers["WWW-Authenticate"]


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("place", PLACES)
def test_signed_requests_pass(live: LiveServer, method: str, place: str) -> None:
    client_id, secret = live.add_client(client_id=f"sis-connector_{method[-4:]}-{place[:5]}")
    response = requests.get(
        live.url + BASE + "/users",
        params={"filter": "role='student' AND familyName~'R'", "limit": "50"},
        auth=signer(client_id, secret, method, place),
        timeout=10,
    )
    assert response.status_code == 200, response.text
    assert [u["sourcedId"] for u in response.json()["users"]] == ["stu-2", "stu-3", "stu-4"]


def test_a_relationship_endpoint_with_a_filter(live: LiveServer) -> None:
    client_id, secret = live.add_client()
    response = requests.get(
        live.url + BASE + "/teachers/tch-1/classes",
        params={"filter": "sourcedId='cls-bio-1'"},
        auth=signer(client_id, secret),
        timeout=10,
    )
    assert [c["sourcedId"] for c in response.json()["classes"]] == ["cls-bio-1"]


def test_wrong_secret(live: LiveServer) -> None:
    client_id, secret = live.add_client()
    response = requests.get(live.url + BASE + "/users", auth=signer(client_id, secret + "x"), timeout=10)
    assert_unauthorized(response, "signature")
    assert secret not in response.text


def test_unknown_consumer_key(live: LiveServer) -> None:
    response = requests.get(live.url + BASE + "/users", auth=signer("nobody-here", "s" * 32), timeout=10)
    assert_unauthorized(response, "OAuth 1.0a")


@pytest.mark.parametrize("place", PLACES)
def test_a_query_parameter_changed_after_signing(live: LiveServer, place: str) -> None:
    client_id, secret = live.add_client()
    prepared = requests.Request(
        "GET",
        live.url + BASE + "/users",
        params={"filter": "role='student'"},
        auth=signer(client_id, secret, place=place),
    ).prepare()
    assert prepared.url is not None
    prepared.url = prepared.url.replace("student", "teacher")
    assert_unauthorized(requests.Session().send(prepared, timeout=10), "signature")


def test_an_expired_timestamp(live: LiveServer) -> None:
    client_id, secret = live.add_client()
    stale = signer(client_id, secret, timestamp=str(int(time.time()) - 3600))
    assert_unauthorized(requests.get(live.url + BASE + "/users", auth=stale, timeout=10), "timestamp")


def test_a_replayed_nonce(live: LiveServer) -> None:
    client_id, secret = live.add_client()
    prepared = requests.Request("GET", live.url + BASE + "/orgs", auth=signer(client_id, secret)).prepare()
    with requests.Session() as session:
        assert session.send(prepared, timeout=10).status_code == 200
        assert_unauthorized(session.send(prepared, timeout=10), "nonce")


def test_oauth1_clients_get_their_granted_scopes(live: LiveServer) -> None:
    client_id, secret = live.add_client(scopes=["roster-core.readonly"])
    auth = signer(client_id, secret)
    assert requests.get(live.url + BASE + "/classes", auth=auth, timeout=10).status_code == 200
    denied = requests.get(live.url + BASE + "/demographics", auth=signer(client_id, secret), timeout=10)
    assert denied.status_code == 403
    assert denied.json()["statusInfoSet"][0]["imsx_codeMinor"] == "forbidden"


def test_unsupported_signature_method_is_a_bad_request(live: LiveServer) -> None:
    client_id, secret = live.add_client()
    response = requests.get(
        live.url + BASE + "/users", auth=signer(client_id, secret, "PLAINTEXT"), timeout=10
    )
    assert response.status_code == 400
    assert "HMAC-SHA1" in response.json()["statusInfoSet"][0]["imsx_description"]
    assert secret not in response.text


def test_behind_a_proxy_the_public_url_is_signed(tmp_path: object) -> None:
    from tests.conftest import load
    from tests.district import district

    server = LiveServer(load(tmp_path, district()), public_url="https://sis.example.org/roster")  # type: ignore[arg-type]
    try:
        client_id, secret = server.add_client()
        signed_for_public = requests.Request(
            "GET", "https://sis.example.org/roster" + BASE + "/orgs", auth=signer(client_id, secret)
        ).prepare()
        assert signed_for_public.headers["Authorization"]
        # The proxy strips /roster and forwards to the server's own address.
        response = requests.get(
            server.url + BASE + "/orgs",
            headers={"Authorization": signed_for_public.headers["Authorization"]},
            timeout=10,
        )
        assert response.status_code == 200, response.text
        assert response.json()["orgs"][0]["parent"]["href"].startswith(
            "https://sis.example.org/roster/ims/oneroster/v1p1/orgs/"
        )
        # Signed for the internal address instead: refused.
        assert (
            requests.get(server.url + BASE + "/orgs", auth=signer(client_id, secret), timeout=10).status_code
            == 401
        )
    finally:
        server.stop()
        server.engine.dispose()


def test_behind_a_proxy_forwarded_headers_from_a_trusted_address_are_signed(tmp_path: object) -> None:
    from tests.conftest import load
    from tests.district import district

    engine = load(tmp_path, district())  # type: ignore[arg-type]
    proxy = {
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "sis.example.org",
        "X-Forwarded-For": "203.0.113.9",
    }
    for trusted, expected in [("127.0.0.1", 200), ("10.0.0.1", 401)]:
        server = LiveServer(engine, forwarded_allow_ips=trusted)
        try:
            client_id, secret = server.add_client()
            signed = requests.Request(
                "GET", "https://sis.example.org" + BASE + "/orgs", auth=signer(client_id, secret)
            ).prepare()
            response = requests.get(
                server.url + BASE + "/orgs",
                timeout=10,
                headers={**proxy, "Authorization": signed.headers["Authorization"]},
            )
            assert response.status_code == expected, (trusted, response.text)
            if expected == 200:
                assert response.json()["orgs"][0]["parent"]["href"].startswith("https://sis.example.org/ims/")
                assert response.headers["Link"].startswith(
                    "<https://sis.example.org/ims/oneroster/v1p1/orgs?"
                )
        finally:
            server.stop()
    engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_server_can_require_the_body_to_be_signed(tmp_path: object, backend: str) -> None:
    import json

    import sqlalchemy as sa

    from openroster.auth.scopes import ALL
    from openroster.store.schema import TABLES
    from tests.conftest import load
    from tests.district import district

    engine = load(tmp_path, district(), backend=backend)  # type: ignore[arg-type]
    body = json.dumps({"category": {"title": "Signed"}})
    headers = {"Content-Type": "application/json"}
    server = LiveServer(engine, oauth1_require_body_hash=True)
    try:
        client_id, secret = server.add_client(scopes=ALL)
        url = server.url + BASE + "/categories/cat-signed"
        unsigned = requests.put(url, data=body, headers=headers, auth=signer(client_id, secret), timeout=10)
        assert_unauthorized(unsigned, "oauth_body_hash is required")
        with engine.connect() as conn:
            categories = TABLES["category"].main
            assert (
                conn.execute(
                    sa.select(categories.c.sourced_id).where(categories.c.sourced_id == "cat-signed")
                ).first()
                is None
            )
        signed = signer(client_id, secret, force_include_body=True)
        assert requests.put(url, data=body, headers=headers, auth=signed, timeout=10).status_code == 201
        assert requests.get(url, auth=signer(client_id, secret), timeout=10).status_code == 200  # no body
    finally:
        server.stop()
    default = LiveServer(engine)  # off by default: Microsoft's OAuth 1.0a collection sends no body hash
    try:
        client_id, secret = default.add_client(scopes=ALL)
        response = requests.put(
            default.url + BASE + "/categories/cat-plain",
            data=body,
            headers=headers,
            auth=signer(client_id, secret),
            timeout=10,
        )
        assert response.status_code == 201
    finally:
        default.stop()
    engine.dispose()
