"""`Prefer: count=none` leaves X-Total-Count out of collection reads; paging by `next` still works."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from tests.conftest import BASE, client_for
from tests.test_cli import snapshot

NO_COUNT = {"Prefer": "count=none"}


@pytest.fixture(scope="module")
def api(demo_engine: sa.Engine) -> Iterator[TestClient]:
    with client_for(demo_engine) as client:
        yield client


def links(response: object) -> dict[str, str]:
    header = response.headers.get("Link", "")  # type: ignore[attr-defined]
    out = {}
    for part in header.split(", "):
        url, rel = part.split("; ")
        out[rel.removeprefix('rel="').removesuffix('"')] = url.strip("<>")
    return out


def test_a_page_without_the_count_has_the_same_records_and_says_the_preference_was_applied(
    api: TestClient,
) -> None:
    path = f"{BASE}/users?limit=40&offset=40&filter=role%3D%27student%27"
    counted, uncounted = api.get(path), api.get(path, headers=NO_COUNT)
    assert counted.status_code == uncounted.status_code == 200
    assert uncounted.content == counted.content
    assert "X-Total-Count" not in uncounted.headers and "Preference-Applied" not in counted.headers
    assert uncounted.headers["Preference-Applied"] == "count=none"
    assert set(links(counted)) == {"next", "last", "first", "prev"}
    # Without the count there is no last page to name; next, first and prev are the same links.
    assert links(uncounted) == {k: v for k, v in links(counted).items() if k != "last"}


def test_walking_by_next_without_the_count_reads_every_record_once_and_stops(api: TestClient) -> None:
    everyone = [u["sourcedId"] for u in api.get(f"{BASE}/users?limit=10000").json()["users"]]
    walked: list[str] = []
    url: str | None = f"{BASE}/users?limit=50"
    while url:
        page = api.get(url, headers=NO_COUNT)
        walked += [u["sourcedId"] for u in page.json()["users"]]
        url = links(page).get("next")
    assert walked == everyone
    # A collection that ends exactly at a page boundary has no next on its last page either.
    exact = len(everyone) // 2
    last = api.get(f"{BASE}/users?limit={exact}&offset={len(everyone) - exact}", headers=NO_COUNT)
    assert len(last.json()["users"]) == exact and "next" not in links(last)


@pytest.mark.parametrize(
    "prefer",
    ["count=none", "COUNT=NONE", "respond-async, count=none", 'count="none"', "count=none; strict"],
)
def test_every_spelling_of_the_preference_is_honoured(api: TestClient, prefer: str) -> None:
    response = api.get(f"{BASE}/enrollments?limit=5", headers={"Prefer": prefer})
    assert "X-Total-Count" not in response.headers and len(response.json()["enrollments"]) == 5


@pytest.mark.parametrize("prefer", ["count=exact", "return=minimal", "count=nonexistent", ""])
def test_other_preferences_and_a_count_query_parameter_change_nothing(api: TestClient, prefer: str) -> None:
    response = api.get(f"{BASE}/users?limit=5&count=none", headers={"Prefer": prefer})
    assert response.status_code == 200 and response.headers["X-Total-Count"].isdigit()
    assert "Preference-Applied" not in response.headers
    assert "count=none" in links(response)["next"]  # an unknown parameter is kept, as sent


def test_a_single_record_keeps_its_count_and_a_head_request_is_answered_alike(api: TestClient) -> None:
    first = api.get(f"{BASE}/users?limit=1").json()["users"][0]["sourcedId"]
    single = api.get(f"{BASE}/users/{first}", headers=NO_COUNT)
    assert single.headers["X-Total-Count"] == "1" and "Preference-Applied" not in single.headers
    head = api.head(f"{BASE}/users?limit=3", headers=NO_COUNT)
    assert head.status_code == 200 and head.content == b"" and "X-Total-Count" not in head.headers
    assert "next" in links(head)


def test_a_bad_page_request_without_the_count_is_refused_and_changes_nothing(
    api: TestClient, demo_engine: sa.Engine
) -> None:
    url = demo_engine.url.render_as_string(hide_password=False)
    before = snapshot(url)
    response = api.get(f"{BASE}/users?limit=0", headers=NO_COUNT)
    assert response.status_code == 400
    assert "limit" in response.json()["statusInfoSet"][0]["imsx_description"]
    assert snapshot(url) == before
