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
