"""District boundaries: the records a client limited to some orgs sees, against the rules worked out in Python.

Each rule of store/boundaries.py is evaluated here over the district's own records (never SQL)
for clients limited to a district, a school, a department and two schools, on both backends.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from openroster.model.catalogue import ENTITIES
from openroster.store.boundaries import inside, offered_to_class, roots, visible_orgs, writable
from openroster.store.schema import TABLES, category_orgs
from openroster.store.writes import apply
from tests.conftest import BACKENDS
from tests.district import district
from tests.store.stores import loaded

DATA = district()
LIMITS = {
    "district": (["dist-1"], {"dist-1", "sch-1", "sch-2", "dept-1"}),
    "school 1": (["sch-1"], {"sch-1", "dept-1"}),
    "school 2": (["sch-2"], {"sch-2"}),
    "department": (["dept-1"], {"dept-1"}),
    "both schools": (["sch-1", "sch-2"], {"sch-1", "sch-2", "dept-1"}),
}


@pytest.fixture(scope="module", params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[sa.Engine]:
    yield from loaded(request, tmp_path_factory, DATA)


def records(name: str) -> list[dict[str, Any]]:
    return DATA.get(name, [])


def by_id(name: str) -> dict[str, dict[str, Any]]:
    return {r["sourcedId"]: r for r in records(name)}


def classes_inside(visible: Collection[str]) -> set[str]:
    return {c["sourcedId"] for c in records("class") if c["school"] in visible}


def expected_inside(entity: str, visible: Collection[str]) -> set[str]:
    """The rule of the boundaries module docstring for `entity`, over the district's records."""
    classes = classes_inside(visible)
    users = by_id("user")
    if entity == "org":
        return {o["sourcedId"] for o in records("org") if o["sourcedId"] in visible}
    if entity == "user":
        return {u["sourcedId"] for u in records("user") if set(u["orgs"]) & set(visible)}
    if entity in ("class", "enrollment"):
        return {r["sourcedId"] for r in records(entity) if r["school"] in visible}
    if entity == "course":
        used = {c["course"] for c in records("class") if c["sourcedId"] in classes}
        return {
            c["sourcedId"] for c in records("course") if c.get("org") in visible or c["sourcedId"] in used
        }
    if entity == "demographics":
        return {
            d["sourcedId"]
            for d in records("demographics")
            if set(users[d["sourcedId"]]["orgs"]) & set(visible)
        }
    if entity == "academicSession":
        terms = {t for c in records("class") if c["sourcedId"] in classes for t in c["terms"]}
        parents = {by_id("academicSession")[t].get("parent") for t in terms}
        return {
            s["sourcedId"]
            for s in records("academicSession")
            if s["sourcedId"] in terms | parents or s.get("parent") in terms
        }
    if entity == "resource":
        courses = expected_inside("course", visible)
        return {r["resource"] for r in records("classResource") if r["class"] in classes} | {
            r["resource"] for r in records("courseResource") if r["course"] in courses
        }
    if entity == "lineItem":
        return {i["sourcedId"] for i in records("lineItem") if i["class"] in classes}
    if entity == "result":
        items = expected_inside("lineItem", visible)
        return {r["sourcedId"] for r in records("result") if r["lineItem"] in items}
    if entity == "category":
        used = {i["category"] for i in records("lineItem") if i["class"] in classes}
        return {
            c["sourcedId"]
            for c in records("category")
            if "classId" not in (c.get("metadata") or {})  # shared: imported, tied to no class
            or c["metadata"]["classId"] in classes
            or c["sourcedId"] in used
        }
    raise AssertionError(entity)


def selected(engine: sa.Engine, entity: str, condition: sa.ColumnElement[bool]) -> set[str]:
    main = TABLES[entity].main
    with engine.connect() as conn:
        return set(conn.execute(sa.select(main.c.sourced_id).where(condition)).scalars())


@pytest.mark.parametrize("limit", LIMITS)
def test_visible_orgs_are_the_orgs_given_and_every_org_below_them(store: sa.Engine, limit: str) -> None:
    given, visible = LIMITS[limit]
    with store.connect() as conn:
        assert visible_orgs(conn, given) == visible


@pytest.mark.parametrize("limit", LIMITS)
def test_the_roots_of_the_visible_orgs_are_the_orgs_given(store: sa.Engine, limit: str) -> None:
    given, visible = LIMITS[limit]
    with store.connect() as conn:
        assert roots(conn, visible) == sorted(given)


def test_an_org_not_stored_is_visible_alone_and_its_own_root(store: sa.Engine) -> None:
    with store.connect() as conn:
        assert visible_orgs(conn, ["nowhere"]) == {"nowhere"}
        assert roots(conn, {"nowhere", "sch-2"}) == ["nowhere", "sch-2"]


ENTITIES_WITH_RULES = [
    "org",
    "user",
    "demographics",
    "class",
    "enrollment",
    "course",
    "academicSession",
    "resource",
    "lineItem",
    "result",
    "category",
]


@pytest.mark.parametrize("limit", LIMITS)
@pytest.mark.parametrize("entity", ENTITIES_WITH_RULES)
def test_the_records_inside_are_those_the_rule_names(store: sa.Engine, entity: str, limit: str) -> None:
    _, visible = LIMITS[limit]
    assert selected(store, entity, inside(entity, visible)) == expected_inside(entity, visible)


def test_a_district_wide_limit_sees_every_record_but_sessions_no_class_is_taught_in(store: sa.Engine) -> None:
    _, visible = LIMITS["district"]
    for entity in ENTITIES_WITH_RULES:
        unused = {"sem-old"} if entity == "academicSession" else set()
        assert selected(store, entity, inside(entity, visible)) == set(by_id(entity)) - unused, entity


def test_a_school_sees_its_own_and_its_shared_records_only(store: sa.Engine) -> None:
    visible = LIMITS["school 2"][1]
    assert selected(store, "user", inside("user", visible)) == {"tch-2", "tch-3", "stu-4", "stu-5"}
    assert selected(store, "academicSession", inside("academicSession", visible)) == {
        "sy-2026",
        "term-1",
        "term-2",
        "gp-1",
        "gp-2",
        "gp-3",
    }
    assert selected(store, "category", inside("category", visible)) == {"cat-hw", "cat-test"}
    assert selected(store, "category", inside("category", LIMITS["school 1"][1])) == {"cat-hw"}


def test_association_records_are_never_inside(store: sa.Engine) -> None:
    for entity in ("classResource", "courseResource"):
        assert selected(store, entity, inside(entity, LIMITS["district"][1])) == set()


@pytest.mark.parametrize("limit", LIMITS)
def test_a_limited_client_may_write_owned_categories_only_not_shared_ones(
    store: sa.Engine, limit: str
) -> None:
    _, visible = LIMITS[limit]
    owned = {
        c["sourcedId"]
        for c in records("category")
        if (c.get("metadata") or {}).get("classId") in classes_inside(visible)
    }
    assert selected(store, "category", writable("category", visible)) == owned


@pytest.mark.parametrize("limit", LIMITS)
def test_line_items_and_results_are_writable_where_they_are_inside(store: sa.Engine, limit: str) -> None:
    _, visible = LIMITS[limit]
    for entity in ("lineItem", "result"):
        assert selected(store, entity, writable(entity, visible)) == expected_inside(entity, visible)


@pytest.mark.parametrize(
    ("class_id", "offered"),
    [
        ("cls-bio-1", {"cat-hw"}),  # its lineItem's, and the shared one
        ("cls-eng7-1", {"cat-hw", "cat-test"}),  # tied to it, and the shared one
        ("cls-alg-1", {"cat-hw"}),  # no lineItems: the shared one
        ("cls-none", set()),  # no such class: nothing untied is offered
    ],
)
def test_the_categories_offered_to_a_class(store: sa.Engine, class_id: str, offered: set[str]) -> None:
    assert selected(store, "category", offered_to_class(class_id)) == offered


def test_category_orgs_make_a_category_owned_by_those_orgs_and_no_longer_shared(store: sa.Engine) -> None:
    with store.begin() as conn:
        apply(
            conn,
            ENTITIES["category"],
            [{"sourcedId": "cat-s2", "title": "Mine"}],
            {},
            1,
            tombstone_missing=False,
        )
        conn.execute(category_orgs.insert().values(category_sourced_id="cat-s2", org_sourced_id="sch-2"))
    try:
        assert "cat-s2" in selected(store, "category", writable("category", LIMITS["school 2"][1]))
        assert "cat-s2" in selected(store, "category", inside("category", LIMITS["district"][1]))
        assert "cat-s2" not in selected(store, "category", inside("category", LIMITS["school 1"][1]))
        assert "cat-s2" in selected(store, "category", offered_to_class("cls-eng7-1"))
        assert "cat-s2" not in selected(store, "category", offered_to_class("cls-bio-1"))
    finally:
        with store.begin() as conn:
            conn.execute(category_orgs.delete())
            conn.execute(
                TABLES["category"].main.delete().where(TABLES["category"].main.c.sourced_id == "cat-s2")
            )
