"""Endpoint restrictions (Match, Through, Via, HasRole, OfferedToClass, Boundary) select what they declare,
checked against the same selection worked out over the district's records in Python."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from openroster.model.catalogue import ENTITIES
from openroster.store.restrictions import (
    Boundary,
    HasRole,
    Match,
    OfferedToClass,
    Param,
    Restriction,
    Through,
    Via,
    restriction_condition,
)
from openroster.store.schema import TABLES
from openroster.store.writes import apply
from tests.conftest import BACKENDS, BASE, IMPORT_TIME, client_for, load
from tests.district import district
from tests.store.stores import loaded

DATA = district()


@pytest.fixture(scope="module", params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[sa.Engine]:
    yield from loaded(request, tmp_path_factory, DATA)


def selected(
    engine: sa.Engine, entity: str, restriction: Restriction, params: dict[str, str] | None = None
) -> set[str]:
    main = TABLES[entity].main
    where = restriction_condition(ENTITIES[entity], restriction, params or {})
    with engine.connect() as conn:
        return set(conn.execute(sa.select(main.c.sourced_id).where(where)).scalars())


def ids(entity: str, keep: Any) -> set[str]:
    return {r["sourcedId"] for r in DATA[entity] if keep(r)}


def test_no_restriction_selects_every_record(store: sa.Engine) -> None:
    assert selected(store, "user", ()) == ids("user", lambda r: True)


@pytest.mark.parametrize("role", ["student", "teacher", "parent", "administrator", "aide"])
def test_a_match_on_a_scalar_field_selects_the_records_holding_that_value(
    store: sa.Engine, role: str
) -> None:
    assert selected(store, "user", (Match("role", role),)) == ids("user", lambda r: r["role"] == role)


@pytest.mark.parametrize("org", ["sch-1", "sch-2", "dist-1", "nowhere"])
def test_a_match_on_a_list_field_selects_records_with_one_such_element(store: sa.Engine, org: str) -> None:
    assert selected(store, "user", (Match("orgs", org),)) == ids("user", lambda r: org in r["orgs"])
    assert selected(store, "class", (Match("terms", "term-2"),)) == ids(
        "class", lambda r: "term-2" in r["terms"]
    )


def test_a_parameter_takes_its_value_from_the_path(store: sa.Engine) -> None:
    restriction = (Match("school", Param("school_id")), Match("role", "student"))
    expected = ids("enrollment", lambda r: r["school"] == "sch-1" and r["role"] == "student")
    assert selected(store, "enrollment", restriction, {"school_id": "sch-1"}) == expected
    assert selected(store, "enrollment", restriction, {"school_id": "sch-9"}) == set()


@pytest.mark.parametrize("class_id", ["cls-bio-1", "cls-eng7-1", "cls-alg-1", "cls-none"])
def test_through_selects_users_an_enrollment_names_for_that_class_and_role(
    store: sa.Engine, class_id: str
) -> None:
    restriction = (
        Through("enrollment", "user", (Match("class", Param("class_id")), Match("role", "student"))),
    )
    named = {e["user"] for e in DATA["enrollment"] if e["class"] == class_id and e["role"] == "student"}
    assert selected(store, "user", restriction, {"class_id": class_id}) == named


def test_through_a_list_field_selects_terms_a_class_lists(store: sa.Engine) -> None:
    restriction = (Through("class", "terms", (Match("school", "sch-1"),)),)
    listed = {t for c in DATA["class"] if c["school"] == "sch-1" for t in c["terms"]}
    assert selected(store, "academicSession", restriction) == listed


@pytest.mark.parametrize("class_id", ["cls-bio-1", "cls-eng7-1", "cls-alg-1"])
def test_via_selects_results_whose_line_item_is_of_the_class(store: sa.Engine, class_id: str) -> None:
    restriction = (Via("lineItem", "lineItem", (Match("class", Param("class_id")),)),)
    items = ids("lineItem", lambda r: r["class"] == class_id)
    assert selected(store, "result", restriction, {"class_id": class_id}) == ids(
        "result", lambda r: r["lineItem"] in items
    )


def test_restrictions_together_must_all_hold(store: sa.Engine) -> None:
    restriction = (Match("role", "student"), Match("orgs", "sch-2"), Match("status", "active"))
    assert selected(store, "user", restriction) == {"stu-4"}


def test_a_boundary_keeps_the_records_inside_its_orgs(store: sa.Engine) -> None:
    assert selected(store, "class", (Boundary(frozenset({"sch-2"})),)) == {"cls-eng7-1"}
    assert selected(store, "class", (Boundary(frozenset()),)) == set()


def test_offered_to_class_selects_the_categories_its_line_items_may_use(store: sa.Engine) -> None:
    restriction = (OfferedToClass(Param("class_id")),)
    assert selected(store, "category", restriction, {"class_id": "cls-eng7-1"}) == {"cat-hw", "cat-test"}
    assert selected(store, "category", restriction, {"class_id": "cls-bio-2"}) == {"cat-hw"}


def test_has_role_uses_the_1_1_role_of_a_user_without_role_records(store: sa.Engine) -> None:
    assert selected(store, "user", (HasRole("teacher"),)) == ids("user", lambda r: r["role"] == "teacher")


def test_has_role_uses_the_active_role_records_of_a_user_that_has_them(store: sa.Engine) -> None:
    role = {"user": "tch-3", "roleType": "primary", "org": "sch-1", "status": "active"}
    with store.connect() as conn, conn.begin() as transaction:
        apply(
            conn,
            ENTITIES["role"],
            [
                {**role, "sourcedId": "r-1", "role": "principal"},
                {**role, "sourcedId": "r-2", "role": "teacher", "status": "tobedeleted"},
                {**role, "sourcedId": "r-3", "user": "stu-3", "role": "student", "roleType": "secondary"},
            ],
            {},
            IMPORT_TIME,
            tombstone_missing=False,
        )
        users = TABLES["user"].main

        def having(name: str) -> set[str]:
            where = restriction_condition(ENTITIES["user"], (HasRole(name),), {})
            return set(conn.execute(sa.select(users.c.sourced_id).where(where)).scalars())

        # tch-3's records say principal (its tombstoned teacher record no longer counts)
        assert having("teacher") == {"tch-1", "tch-2"}
        assert having("principal") == {"tch-3"}
        assert having("student") == ids("user", lambda r: r["role"] == "student")  # stu-3 by its record
        transaction.rollback()


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_school_s_terms_are_only_those_its_classes_are_taught_in(
    tmp_path_factory: pytest.TempPathFactory, backend: str
) -> None:
    """GET /schools/{id}/terms: a term no class of the school lists is not one of its terms."""
    records = district()
    unused = {**records["academicSession"][1], "sourcedId": "term-3", "title": "Summer 2026"}
    records["academicSession"].append(unused)
    records["class"] = [{**c, "terms": ["term-1"]} if c["school"] == "sch-2" else c for c in records["class"]]
    engine = load(tmp_path_factory.mktemp("terms"), records, backend=backend)
    with client_for(engine) as api:
        for school, terms in (("sch-1", ["term-1", "term-2"]), ("sch-2", ["term-1"])):
            page = api.get(f"{BASE}/schools/{school}/terms")
            assert page.status_code == 200, page.text
            assert [t["sourcedId"] for t in page.json()["academicSessions"]] == terms, school
    engine.dispose()
