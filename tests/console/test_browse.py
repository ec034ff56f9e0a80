"""Browsing: each kind found by its own fields, tombstones marked, hits bounded, every record kind readable."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from openroster.console.browse import MAX_HITS, SEARCHED
from openroster.ingest.importer import import_bundle
from openroster.ingest.writer import write_bundle
from openroster.model.catalogue import ENTITIES_V11
from openroster.store.schema import TABLES
from tests.console.conftest import signed_in
from tests.district import district


def _hits(page: str) -> list[str]:
    return re.findall(r'<li><a href="/console/records/\w+/([^"]+)">', page.split('id="hits"')[1])


@pytest.mark.parametrize(("kind", "column"), [(k, c) for k, columns in SEARCHED.items() for c in columns])
def test_each_kind_is_found_by_each_of_its_fields(store: sa.Engine, kind: str, column: str) -> None:
    table = TABLES[kind].main
    with store.connect() as conn:
        sourced_id, value = conn.execute(
            sa.select(table.c.sourced_id, table.c[column]).where(table.c[column].is_not(None)).limit(1)
        ).one()
    client, _ = signed_in(store, "vic")
    page = client.get("/console/browse", params={"kind": kind, "q": value.swapcase()}).text
    assert sourced_id in _hits(page)


def test_a_tombstoned_record_is_found_and_marked(store: sa.Engine, tmp_path: Path) -> None:
    records = district()
    gone = records["user"].pop()
    write_bundle(tmp_path / "next", records)
    import_bundle(store, tmp_path / "next")
    client, _ = signed_in(store, "vic")
    page = client.get("/console/browse", params={"kind": "user", "q": gone["sourcedId"]}).text
    assert _hits(page) == [gone["sourcedId"]] and "<strong>(tobedeleted)</strong>" in page
    record = client.get(f"/console/records/user/{gone['sourcedId']}").text
    assert "<dt>Status</dt><dd>tobedeleted</dd>" in record


def test_hits_are_bounded(store: sa.Engine) -> None:
    enrollments = TABLES["enrollment"].main
    with store.connect() as conn:
        total = conn.execute(sa.select(sa.func.count()).select_from(TABLES["user"].main)).scalar_one()
    assert total < MAX_HITS  # the test district: every user is found by "e" or "a" below
    client, _ = signed_in(store, "vic")
    page = client.get("/console/browse", params={"kind": "user", "q": "-"}).text
    assert 0 < len(_hits(page)) <= MAX_HITS
    assert enrollments is not None


def _shown_json(page: str, element: str) -> object:
    shown = re.search(rf'<pre id="{element}">(.*?)</pre>', page, re.S)
    assert shown, element
    return json.loads(html.unescape(shown.group(1)))


def _served_json(path: str, store: sa.Engine) -> object:
    from tests.conftest import client_for

    served = client_for(store).get(path.removeprefix("http://sis.example.org"))
    assert served.status_code == 200, path
    return json.loads(served.text.replace("https://sis.example.org", "http://sis.example.org"))


@pytest.mark.parametrize("entity", [name for name, e in ENTITIES_V11.items() if not e.association])
def test_every_kind_of_record_is_shown_as_each_api_version_serves_it(store: sa.Engine, entity: str) -> None:
    table = TABLES[entity].main
    with store.connect() as conn:
        sourced_id, doc_v12 = conn.execute(sa.select(table.c.sourced_id, table.c.doc_v12).limit(1)).one()
    client, _ = signed_in(store, "vic")
    page = client.get(f"/console/records/{entity}/{sourced_id}")
    assert page.status_code == 200
    api_url = re.search(r"<dt>API URL</dt><dd><code>([^<]+)</code>", page.text)
    assert api_url and "/ims/oneroster/v1p1/" in api_url.group(1)
    assert _shown_json(page.text, "record-json") == _served_json(api_url.group(1), store)
    if entity in ("user", "org", "class", "course", "academicSession", "enrollment"):
        assert doc_v12 is not None  # a 1.1 district's records are served by 1.2 too
    if doc_v12 is None:
        assert 'id="record-json-v12"' not in page.text
        return
    url_v12 = re.search(r'<code id="api-url-v12">([^<]+)</code>', page.text)
    assert url_v12 and f"/{sourced_id}" in url_v12.group(1) and "/v1p2/" in url_v12.group(1)
    assert _shown_json(page.text, "record-json-v12") == _served_json(url_v12.group(1), store)


def test_a_search_needs_a_known_kind_and_an_empty_one_lists_nothing(store: sa.Engine) -> None:
    client, _ = signed_in(store, "vic")
    empty = client.get("/console/browse", params={"kind": "class", "q": "  "})
    assert empty.status_code == 200 and 'id="hits"' not in empty.text
    assert client.get("/console/browse", params={"kind": "enrollment", "q": "x"}).status_code == 400
