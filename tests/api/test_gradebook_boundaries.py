"""District boundaries on gradebook writes: a client limited to one school cannot reach another's categories,
lineItems or results, nor the district's shared categories, and cannot tell them from ids that do not exist."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from openroster.model.values import now_ms
from openroster.store.maintenance import prune_tombstones
from openroster.store.schema import TABLES, category_orgs
from tests.conftest import BACKENDS, BASE, client_for, load
from tests.district import district

DEFAULT = "openroster-default-category"


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sa.Engine]:
    engine = load(tmp_path, district(), backend=request.param)
    yield engine
    engine.dispose()


def rows(engine: sa.Engine) -> dict[str, list[tuple[Any, ...]]]:
    with engine.connect() as conn:
        found = {
            name: sorted(tuple(r) for r in conn.execute(sa.select(TABLES[name].main)))
            for name in ("category", "lineItem", "result")
        }
        found["category_orgs"] = sorted(tuple(r) for r in conn.execute(sa.select(category_orgs)))
        return found


def item(class_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "lineItem": {
            "title": "Quiz",
            "assignDate": "2025-10-01T08:00:00Z",
            "dueDate": "2025-10-08T08:00:00Z",
            "class": {"sourcedId": class_id},
            "resultValueMin": 0,
            "resultValueMax": 10,
            **extra,
        }
    }


def error(response: Any, sourced_id: str) -> tuple[int, str, str]:
    """The status, code and description of an error, with the sourcedId it names blanked out."""
    info = response.json()["statusInfoSet"][0]
    return response.status_code, info["imsx_codeMinor"], info["imsx_description"].replace(sourced_id, "<id>")


@pytest.fixture
def schools(store: sa.Engine) -> Iterator[tuple[TestClient, TestClient, TestClient]]:
    """(a client limited to sch-1, one limited to sch-2, a district-wide one); sch-2 has a category of its own
    (cat-s2) on a lineItem (li-s2), and the district's default category exists."""
    with (
        client_for(store, orgs=["sch-1"]) as one,
        client_for(store, orgs=["sch-2"]) as two,
        client_for(store) as district_wide,
    ):
        assert (
            two.put(BASE + "/categories/cat-s2", json={"category": {"title": "Reading logs"}}).status_code
            == 201
        )
        assert (
            two.put(
                BASE + "/lineItems/li-s2", json=item("cls-eng7-1", category={"sourcedId": "cat-s2"})
            ).status_code
            == 201
        )
        assert district_wide.put(BASE + "/lineItems/li-d", json=item("cls-bio-2")).status_code == 201
        yield one, two, district_wide


def test_another_schools_category_looks_missing_to_a_limited_client(
    store: sa.Engine, schools: tuple[TestClient, TestClient, TestClient]
) -> None:
    one, two, _ = schools
    listed = [c["sourcedId"] for c in one.get(BASE + "/categories").json()["categories"]]
    assert listed == ["cat-hw", DEFAULT]  # shared ones; not cat-s2, nor cat-test (tied to a sch-2 class)
    for hidden in ["cat-s2", "cat-test"]:
        assert error(one.get(f"{BASE}/categories/{hidden}"), hidden) == error(
            one.get(BASE + "/categories/cat-none"), "cat-none"
        )
    before = rows(store)

    attach = one.put(BASE + "/lineItems/li-s1", json=item("cls-bio-1", category={"sourcedId": "cat-s2"}))
    missing = one.put(BASE + "/lineItems/li-s1", json=item("cls-bio-1", category={"sourcedId": "cat-none"}))
    assert attach.status_code == 422 and "category: no category with sourcedId 'cat-s2'" in attach.text
    assert error(attach, "cat-s2") == error(missing, "cat-none")

    for target in ["cat-s2", "cat-test", DEFAULT, "cat-hw"]:  # another school's, tied elsewhere, shared
        renamed = one.put(f"{BASE}/categories/{target}", json={"category": {"title": "Mine now"}})
        assert error(renamed, target) == (
            409,
            "invalid data",
            "sourcedId '<id>' is not available to this client: "
            "sourcedIds are unique across the district; choose another (a GUID)",
        )
        assert error(one.delete(f"{BASE}/categories/{target}"), target) == error(
            one.delete(BASE + "/categories/cat-none"), "cat-none"
        )
    assert one.delete(BASE + "/categories/cat-s2").status_code == 404
    assert rows(store) == before

    again = two.get(BASE + "/lineItems/li-s2").json()["lineItem"]
    assert two.put(BASE + "/lineItems/li-s2", json={"lineItem": again}).status_code == 200  # still whole
    assert two.get(BASE + "/categories/cat-s2").json()["category"]["title"] == "Reading logs"
    assert one.get(f"{BASE}/categories/{DEFAULT}").json()["category"]["title"] == "Uncategorized"


def test_a_limited_client_cannot_claim_the_default_category(store: sa.Engine) -> None:
    with client_for(store, orgs=["sch-1"]) as one:
        claimed = one.put(f"{BASE}/categories/{DEFAULT}", json={"category": {"title": "Ours"}})
        assert claimed.status_code == 409
        assert one.put(BASE + "/lineItems/li-s1", json=item("cls-bio-1")).status_code == 201
        assert one.get(f"{BASE}/categories/{DEFAULT}").json()["category"]["title"] == "Uncategorized"
        assert (
            one.put(f"{BASE}/categories/{DEFAULT}", json={"category": {"title": "Ours"}}).status_code == 409
        )


def test_a_limited_clients_own_category_is_its_own(
    schools: tuple[TestClient, TestClient, TestClient],
) -> None:
    one, two, district_wide = schools
    assert one.put(BASE + "/categories/cat-s1", json={"category": {"title": "Labs"}}).status_code == 201
    assert (
        one.put(BASE + "/categories/cat-s1", json={"category": {"title": "Lab reports"}}).status_code == 200
    )
    assert (
        one.put(
            BASE + "/lineItems/li-s1", json=item("cls-bio-1", category={"sourcedId": "cat-s1"})
        ).status_code
        == 201
    )
    assert two.get(BASE + "/categories/cat-s1").status_code == 404
    taken = two.put(BASE + "/lineItems/li-x", json=item("cls-eng7-1", category={"sourcedId": "cat-s1"}))
    assert taken.status_code == 422 and "no category with sourcedId 'cat-s1'" in taken.text
    assert two.put(BASE + "/categories/cat-s1", json={"category": {"title": "x"}}).status_code == 409
    # The district-wide client sees and writes everything, as before.
    assert district_wide.get(BASE + "/categories/cat-s1").json()["category"]["title"] == "Lab reports"
    assert (
        district_wide.put(BASE + "/categories/cat-s2", json={"category": {"title": "Logs"}}).status_code
        == 200
    )
    assert one.delete(BASE + "/categories/cat-s1").status_code == 204
    assert one.get(BASE + "/categories/cat-s1").status_code == 404
    assert one.put(BASE + "/categories/cat-s1", json={"category": {"title": "Back"}}).status_code == 201
    assert district_wide.delete(f"{BASE}/categories/{DEFAULT}").status_code == 204


def test_a_category_tied_to_another_schools_class_is_refused_as_a_missing_class(store: sa.Engine) -> None:
    with client_for(store, orgs=["sch-1"]) as one:
        before = rows(store)
        elsewhere = one.put(
            BASE + "/categories/c-1", json={"category": {"title": "T", "metadata": {"classId": "cls-eng7-1"}}}
        )
        nowhere = one.put(
            BASE + "/categories/c-1", json={"category": {"title": "T", "metadata": {"classId": "cls-none"}}}
        )
        assert error(elsewhere, "cls-eng7-1") == error(nowhere, "cls-none")
        assert elsewhere.status_code == 422 and "metadata.classId: no class with sourcedId" in elsewhere.text
        assert rows(store) == before
        tied = one.put(
            BASE + "/categories/c-1", json={"category": {"title": "T", "metadata": {"classId": "cls-bio-2"}}}
        )
        assert tied.status_code == 201


def test_another_schools_line_items_and_results_look_missing(
    store: sa.Engine, schools: tuple[TestClient, TestClient, TestClient]
) -> None:
    one, _, _ = schools
    before = rows(store)
    for path, body in [
        ("/lineItems/li-2", item("cls-bio-1")),
        ("/lineItems/li-s2", item("cls-bio-1")),
        ("/results/rs-3", {"result": {"lineItem": "li-1", "student": "stu-1", "scoreStatus": "submitted"}}),
    ]:
        assert one.put(BASE + path, json=body).status_code == 409
        assert one.delete(BASE + path).status_code == 404
        assert one.get(BASE + path).status_code == 404
    other = one.put(
        BASE + "/results/rs-x",
        json={"result": {"lineItem": "li-2", "student": "stu-1", "scoreStatus": "submitted"}},
    )
    assert other.status_code == 422 and "lineItem: no lineItem with sourcedId 'li-2'" in other.text
    assert rows(store) == before


def test_deleted_records_of_another_school_cannot_be_revived(store: sa.Engine) -> None:
    with client_for(store) as district_wide, client_for(store, orgs=["sch-1"]) as one:
        assert district_wide.delete(BASE + "/lineItems/li-2").status_code == 204
        before = rows(store)
        assert one.put(BASE + "/lineItems/li-2", json=item("cls-bio-1")).status_code == 409
        assert rows(store) == before


def test_pruning_a_schools_deleted_category_removes_which_orgs_it_belonged_to(
    schools: tuple[TestClient, TestClient, TestClient], store: sa.Engine
) -> None:
    _, two, _ = schools
    assert ("cat-s2", "sch-2") in rows(store)["category_orgs"]
    assert two.delete(BASE + "/lineItems/li-s2").status_code == 204
    assert two.delete(BASE + "/categories/cat-s2").status_code == 204
    # A tombstone keeps its orgs, so only sch-2's delta consumers learn of the deletion.
    assert ("cat-s2", "sch-2") in rows(store)["category_orgs"]
    with store.begin() as conn:
        removed = prune_tombstones(conn, now_ms() + 1)
    assert removed["category"] == 1
    left = rows(store)
    assert [r for r in left["category_orgs"] if r[0] == "cat-s2"] == []
    assert "cat-s2" not in [r[0] for r in left["category"]]
