"""GET /classes/{class_id}/categories (1.2's getCategoriesForClass, which Google Classroom's 1.1 client calls)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from openroster.auth import scopes
from tests.conftest import BACKENDS, BASE, client_for, load
from tests.district import district


@pytest.fixture(scope="module", params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[sa.Engine]:
    """The district, plus: a category sch-1's client made (cat-s1), one tied to cls-bio-2 (cat-bio2) and one
    deleted (cat-gone); cat-test is tied to cls-eng7-1 (metadata.classId) and used by its lineItem li-2."""
    engine = load(tmp_path_factory.mktemp("class-categories"), district(), backend=request.param)
    with client_for(engine, orgs=["sch-1"]) as school, client_for(engine) as district_wide:
        assert (
            school.put(BASE + "/categories/cat-s1", json={"category": {"title": "Labs"}}).status_code == 201
        )
        assert (
            district_wide.put(
                BASE + "/categories/cat-bio2",
                json={"category": {"title": "Bio 2 quizzes", "metadata": {"classId": "cls-bio-2"}}},
            ).status_code
            == 201
        )
        assert (
            district_wide.put(BASE + "/categories/cat-gone", json={"category": {"title": "Old"}}).status_code
            == 201
        )
        assert district_wide.delete(BASE + "/categories/cat-gone").status_code == 204
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def api(store: sa.Engine) -> Iterator[TestClient]:
    with client_for(store, scopes=[scopes.PREFIX + scopes.GRADEBOOK_READ]) as client:
        yield client


def ids(response: object) -> list[str]:
    assert response.status_code == 200, response.text  # type: ignore[attr-defined]
    return [c["sourcedId"] for c in response.json()["categories"]]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("class_id", "expected"),
    [
        ("cls-bio-1", ["cat-hw", "cat-s1"]),  # li-1's cat-hw; the untied shared one; sch-1's own
        ("cls-bio-2", ["cat-bio2", "cat-hw", "cat-s1"]),  # and the one tied to it
        ("cls-eng7-1", ["cat-hw", "cat-test"]),  # sch-2: not sch-1's cat-s1
        ("cls-none", []),
    ],
)
def test_the_categories_a_class_may_use(api: TestClient, class_id: str, expected: list[str]) -> None:
    assert ids(api.get(f"{BASE}/classes/{class_id}/categories", params={"limit": "10000"})) == expected


def test_paging_filtering_and_tombstones_work_as_on_every_list(api: TestClient) -> None:
    page = api.get(BASE + "/classes/cls-bio-2/categories", params={"limit": "1", "offset": "1"})
    assert (
        ids(page) == ["cat-hw"]
        and page.headers["X-Total-Count"] == "3"
        and 'rel="next"' in page.headers["Link"]
    )
    assert ids(api.get(BASE + "/classes/cls-bio-2/categories", params={"filter": "title~'quiz'"})) == [
        "cat-bio2"
    ]
    delta = api.get(BASE + "/classes/cls-bio-1/categories", params={"filter": "status='tobedeleted'"})
    assert ids(delta) == ["cat-gone"]
    assert list(api.get(BASE + "/Classes/cls-bio-1/Categories/").json()) == ["categories"]


def test_boundaries_and_scope(store: sa.Engine) -> None:
    with client_for(store, orgs=["sch-2"]) as school_2:
        assert ids(school_2.get(BASE + "/classes/cls-bio-1/categories")) == []  # a class outside
        assert ids(school_2.get(BASE + "/classes/cls-eng7-1/categories")) == ["cat-hw", "cat-test"]
    with client_for(store, scopes=[scopes.PREFIX + scopes.ROSTER]) as roster_only:
        response = roster_only.get(BASE + "/classes/cls-bio-1/categories")
        assert response.status_code == 403 and "gradebook.readonly" in response.text
