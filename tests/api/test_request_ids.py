"""X-Request-Id: a trusted proxy's sane id is kept, anyone else's replaced; every response carries one."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from tests.conftest import BASE, LiveServer, client_for, load
from tests.district import district

GENERATED = re.compile(r"[0-9a-f]{32}")


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sa.Engine]:
    engine = load(tmp_path_factory.mktemp("ids"), district())
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def behind_proxy(engine: sa.Engine) -> Iterator[TestClient]:
    """A client whose peer is a trusted proxy (every peer is trusted)."""
    with client_for(engine, forwarded_allow_ips="*") as client:
        yield client


@pytest.fixture(scope="module")
def direct(engine: sa.Engine) -> Iterator[TestClient]:
    """A client whose peer (testclient) is not among the trusted proxies (127.0.0.1)."""
    with client_for(engine) as client:
        yield client


def test_a_trusted_proxys_id_is_kept(behind_proxy: TestClient) -> None:
    for given in ("b5e8a1f2-3c44-4d0e-9f1a-0c2b7d6e5a41", "Root=1-67891233-abcdef012345678912345678", "a"):
        response = behind_proxy.get(BASE + "/schools", headers={"X-Request-Id": given})
        assert response.status_code == 200 and response.headers["X-Request-Id"] == given


@pytest.mark.parametrize(
    "given",
    ["x" * 129, "two words", 'quote"d', "semi;colon", "tab\there", "caf\u00e9", ""],
    ids=["too long", "space", "quote", "semicolon", "tab", "not ascii", "empty"],
)
def test_a_trusted_proxys_insane_id_is_replaced(behind_proxy: TestClient, given: str) -> None:
    response = behind_proxy.get(BASE + "/schools", headers={"X-Request-Id": given.encode("latin-1")})
    assert response.status_code == 200 and GENERATED.fullmatch(response.headers["X-Request-Id"])


def test_an_untrusted_peers_id_is_replaced(direct: TestClient) -> None:
    response = direct.get(BASE + "/schools", headers={"X-Request-Id": "chosen-by-the-client"})
    assert response.status_code == 200 and GENERATED.fullmatch(response.headers["X-Request-Id"])
    assert response.headers.get_list("X-Request-Id") == [response.headers["X-Request-Id"]]


def test_generated_ids_are_unique(direct: TestClient) -> None:
    ids = [direct.get(BASE + "/orgs/sch-1").headers["X-Request-Id"] for _ in range(200)]
    assert len(set(ids)) == 200 and all(GENERATED.fullmatch(i) for i in ids)


def test_every_response_carries_an_id_errors_and_the_token_endpoint_included(direct: TestClient) -> None:
    anonymous = TestClient(direct.app, base_url="https://sis.example.org")
    responses = [
        direct.get(BASE + "/schools"),
        direct.head(BASE + "/schools"),
        direct.get(BASE + "/schools/nope"),  # 404
        direct.get(BASE + "/schools?filter=nonsense"),  # 400
        direct.post(BASE + "/schools"),  # 405
        direct.put(BASE + "/lineItems/li-1", content=b"x" * 2_000_000),  # 413
        direct.put(BASE + "/lineItems/li-1", content=b"{not json"),  # 400
        anonymous.get(BASE + "/schools"),  # 401
        anonymous.get(BASE + "/openapi.json"),
        anonymous.get("/"),
        anonymous.post("/oauth/token", data={"grant_type": "client_credentials"}),  # 401
        anonymous.get("/oauth/token"),  # 405
        anonymous.post("/oauth/token", content=b"x" * 2_000_000),  # 413
    ]
    assert {r.status_code for r in responses} == {200, 400, 401, 404, 405, 413}
    ids = [r.headers.get("X-Request-Id", "") for r in responses]
    assert all(GENERATED.fullmatch(i) for i in ids), list(zip([r.status_code for r in responses], ids))
    assert len(set(ids)) == len(ids)


def test_over_a_real_socket_the_peer_decides(tmp_path: Path) -> None:
    trusting = LiveServer(load(tmp_path, district()))  # trusts 127.0.0.1, the test's own address
    distrusting = LiveServer(trusting.engine, forwarded_allow_ips="10.9.8.7")
    try:
        headers = {"X-Request-Id": "proxy-7f3a", "X-Forwarded-For": "203.0.113.9"}
        assert (
            httpx.get(trusting.url + BASE + "/schools", headers=headers).headers["X-Request-Id"]
            == "proxy-7f3a"
        )
        replaced = httpx.get(distrusting.url + BASE + "/schools", headers=headers).headers["X-Request-Id"]
        assert GENERATED.fullmatch(replaced)
    finally:
        trusting.stop()
        distrusting.stop()
        trusting.engine.dispose()
