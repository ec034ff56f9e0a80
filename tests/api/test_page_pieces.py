"""A page body sent in pieces is byte for byte the body assembled whole, over a real socket too."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import sqlalchemy as sa

from openroster.api.responses import CHUNK_DOCS, collection_body, collection_chunks
from openroster.auth.scopes import PREFIX_V12
from openroster.errors import StatusInfo
from openroster.model.render_v12 import absolute_hrefs_v12
from openroster.model.v12 import ROSTERING_ROOT
from openroster.store.schema import TABLES
from tests.conftest import BASE, LiveServer

PUBLIC = "https://roster.example.org/district"


@pytest.fixture(scope="module")
def live(demo_engine: sa.Engine) -> Iterator[tuple[LiveServer, dict[str, str]]]:
    server = LiveServer(demo_engine, public_url=PUBLIC)
    client_id, secret = server.add_client()
    token = httpx.post(
        f"{server.url}/oauth/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret)
    ).json()["access_token"]
    yield server, {"Authorization": f"Bearer {token}"}
    server.stop()


def stored_docs(
    engine: sa.Engine, entity: str, limit: int, offset: int = 0, document: str = "doc"
) -> list[bytes]:
    table = TABLES[entity].main
    with engine.connect() as conn:
        query = sa.select(table.c[document]).order_by(table.c.sourced_id).limit(limit).offset(offset)
        return [bytes(doc) for doc in conn.execute(query).scalars()]


@pytest.mark.parametrize(("limit", "offset"), [(CHUNK_DOCS * 3 + 17, 0), (CHUNK_DOCS, 5), (1, 0), (7, 10**6)])
def test_a_page_over_http_is_the_assembled_body_of_its_stored_documents(
    live: tuple[LiveServer, dict[str, str]], demo_engine: sa.Engine, limit: int, offset: int
) -> None:
    server, headers = live
    response = httpx.get(f"{server.url}{BASE}/enrollments?limit={limit}&offset={offset}", headers=headers)
    expected = collection_body("enrollments", stored_docs(demo_engine, "enrollment", limit, offset), PUBLIC)
    assert response.status_code == 200
    assert response.content == expected
    assert response.headers["content-length"] == str(len(expected))
    assert "transfer-encoding" not in response.headers


@pytest.mark.parametrize(("limit", "offset"), [(CHUNK_DOCS * 2 + 9, 0), (CHUNK_DOCS, 3), (7, 10**6)])
def test_a_12_page_over_http_is_the_assembled_body_of_its_stored_12_documents(
    live: tuple[LiveServer, dict[str, str]], demo_engine: sa.Engine, limit: int, offset: int
) -> None:
    server, _ = live
    client_id, secret = server.add_client()
    token = httpx.post(
        f"{server.url}/oauth/token",
        data={"grant_type": "client_credentials", "scope": f"{PREFIX_V12}roster-core.readonly"},
        auth=(client_id, secret),
    ).json()["access_token"]
    response = httpx.get(
        f"{server.url}{ROSTERING_ROOT}/enrollments?limit={limit}&offset={offset}",
        headers={"Authorization": f"Bearer {token}"},
    )
    docs = stored_docs(demo_engine, "enrollment", limit, offset, "doc_v12")
    expected = absolute_hrefs_v12(b'{"enrollments":[' + b",".join(docs) + b"]}", PUBLIC)
    assert response.status_code == 200
    assert response.content == expected
    assert response.headers["content-length"] == str(len(expected))
    assert "transfer-encoding" not in response.headers


def test_a_page_with_a_warning_ends_with_its_status_set_as_assembled(
    live: tuple[LiveServer, dict[str, str]], demo_engine: sa.Engine
) -> None:
    server, headers = live
    response = httpx.get(f"{server.url}{BASE}/users?limit=600&sort=shoeSize", headers=headers)
    warning = response.json()["statusInfoSet"][0]
    assert warning["imsx_codeMinor"] == "invalid_sort_field"
    expected = collection_body(
        "users",
        stored_docs(demo_engine, "user", 600),
        PUBLIC,
        [StatusInfo("success", "warning", "invalid_sort_field", warning["imsx_description"])],
    )
    assert response.content == expected


@pytest.mark.parametrize("count", [0, 1, CHUNK_DOCS - 1, CHUNK_DOCS, CHUNK_DOCS + 1, 5 * CHUNK_DOCS + 3])
def test_pieces_split_between_documents_and_join_to_the_assembled_body(count: int) -> None:
    docs = [
        b'{"sourcedId":"%d","org":{"href":"/ims/oneroster/v1p1/orgs/o","type":"org"}}' % i
        for i in range(count)
    ]
    pieces = collection_chunks("users", docs, "http://h:8000")
    assert b"".join(pieces) == collection_body("users", docs, "http://h:8000")
    assert len(pieces) == 2 + -(-count // CHUNK_DOCS)
    assert all(b"/ims/oneroster/v1p1/orgs" not in p or b'"href":"http://h:8000/ims' in p for p in pieces)
