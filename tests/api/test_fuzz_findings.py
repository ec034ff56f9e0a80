"""Requests the fuzzer found answered wrongly, each pinned by a test of the right answer."""

from __future__ import annotations

from starlette.testclient import TestClient

from tests.conftest import BASE


def test_an_id_holding_a_newline_is_routed_like_any_other(api: TestClient) -> None:
    # Found: a percent-encoded newline in a path id fell past every route to a plain-text 404.
    missing = api.get(BASE + "/users/stu%0A1")
    assert missing.status_code == 404
    assert missing.json()["statusInfoSet"][0]["imsx_codeMinor"] == "unknown object"
    related = api.get(BASE + "/classes/cls%0Abio/students")
    assert related.status_code == 200 and related.json() == {"users": []}
    assert api.put(BASE + "/categories/a%0Ab", json={"category": {"title": 7}}).status_code == 422


def test_any_method_gets_a_status_payload_and_allow(api: TestClient) -> None:
    # Found: methods outside a fixed list got Starlette's plain-text 405, without Allow.
    for method in ("TRACE", "CONNECT", "PURGE"):
        response = api.request(method, BASE + "/users")
        assert response.status_code == 405, method
        assert response.headers["Allow"] == "GET, HEAD"
        assert response.json()["statusInfoSet"][0]["imsx_codeMinor"] == "unsupported"


def _store_digest(client: TestClient) -> str:
    return client.get(BASE + "/categories", params={"filter": "status='tobedeleted' OR status='active'"}).text


def test_a_nul_character_is_refused_on_every_backend(api: TestClient) -> None:
    # Found on PostgreSQL, which cannot hold a NUL in text: every NUL reaching a query was a 500.
    before = _store_digest(api)
    for path, params in [
        ("/users/a%00b", {}),
        ("/classes/a%00b/students", {}),
        ("/users", {"filter": "givenName='a\x00b'"}),
        ("/users", {"oauth_consumer_key": "\x00"}),
    ]:
        response = api.get(BASE + path, params=params)
        assert response.status_code == 400, (path, response.text)
        assert "NUL" in response.json()["statusInfoSet"][0]["imsx_description"]
    assert api.delete(BASE + "/categories/a%00b").status_code == 400
    refused = api.put(
        BASE + "/categories/cat-nul", json={"category": {"title": "a\x00b", "metadata": {"k\x00": "v"}}}
    )
    assert refused.status_code == 422
    assert "title: must not contain a NUL character" in refused.text and "metadata: must not" in refused.text
    assert (
        api.put(BASE + "/lineItems/li-nul", json={"lineItem": {"class": {"sourcedId": "\x00"}}}).status_code
        == 422
    )
    token = api.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "client_id": "a\x00", "client_secret": "b"},
        headers={"Authorization": ""},
    )
    assert token.status_code == 400 and token.json()["error"] == "invalid_request"
    assert _store_digest(api) == before
