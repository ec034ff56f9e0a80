"""The 1.1 filter and sort compiler agrees with an evaluation in Python of the same criteria over the records.

A seeded generator makes a district of orgs and users with optional values, lists of every kind,
tombstones and varied times; Hypothesis builds criteria (OR of AND-groups of typed conditions,
as the resolver gives them) over scalar, enum, boolean, date-time, GUIDRef (sourcedId and type),
GUIDRef-list, derived-list, string-list and userIds fields, with values taken from the data or
invented. The SQL the compiler makes selects the records on SQLite and on PostgreSQL; the
reference evaluation below, written from the semantics the compiler documents, selects them from
the generated records themselves.
"""

from __future__ import annotations

import operator
import random
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openroster.model.catalogue import ENTITIES, Entity, Field, Kind
from openroster.query.resolve import Condition, Criteria, Part
from openroster.store.compile import criteria_condition, sort_key
from openroster.store.schema import TABLES
from tests.conftest import BACKENDS
from tests.store.stores import loaded

Record = dict[str, Any]
ALPHABET = "abcxyzABCXYZéÉ0129-_."
BASE_MS = 1_750_000_000_000


def _text(rng: random.Random, low: int = 1, high: int = 6) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(low, high)))


def generated_district(seed: int = 7) -> dict[str, list[Record]]:
    """Orgs in a tree and users pointing at them, every optional value sometimes absent."""
    rng = random.Random(seed)
    orgs: list[Record] = [
        {
            "sourcedId": "org-0",
            "name": "District",
            "type": "district",
            "identifier": "D0",
            "dateLastModified": BASE_MS,
        }
    ]
    for n in range(1, 9):
        org: Record = {
            "sourcedId": f"org-{n}",
            "name": _text(rng),
            "type": rng.choice(["school", "department", "local"]),
            "parent": rng.choice([o["sourcedId"] for o in orgs]),
            "status": rng.choice(["active", "active", "tobedeleted"]),
            "dateLastModified": BASE_MS + rng.randint(-(10**9), 10**9),
        }
        if rng.random() < 0.6:
            org["identifier"] = _text(rng)
        orgs.append(org)
    users: list[Record] = []
    for n in range(60):
        user: Record = {
            "sourcedId": f"u-{n:02d}",
            "status": rng.choice(["active", "active", "active", "tobedeleted"]),
            "dateLastModified": BASE_MS + rng.randint(-(10**9), 10**9),
            "enabledUser": rng.choice(["true", "false"]),
            "orgs": rng.sample([o["sourcedId"] for o in orgs], rng.randint(1, 3)),
            "role": rng.choice(["student", "teacher", "parent", "administrator", "aide"]),
            "username": _text(rng, 2, 8),
            "givenName": _text(rng),
            "familyName": _text(rng),
            "grades": rng.sample(["KG", "01", "07", "09", "10", "12"], rng.randint(0, 3)),
            "userIds": [
                {"type": rng.choice(["LDAP", "LTI", "sis"]), "identifier": _text(rng)}
                for _ in range(rng.randint(0, 2))
            ],
        }
        for name in ("middleName", "email", "phone"):
            if rng.random() < 0.5:
                user[name] = _text(rng)
        if users and rng.random() < 0.4:
            user["agents"] = sorted({rng.choice(users)["sourcedId"] for _ in range(rng.randint(1, 2))})
        users.append(user)
    return {"org": orgs, "user": users}


DATA = generated_district()


@pytest.fixture(scope="module", params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[sa.Engine]:
    yield from loaded(request, tmp_path_factory, DATA)


# --- The reference evaluation.

_ORDERING: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq,
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
}


def compared_values(entity: Entity, record: Record, field: Field, part: Part) -> list[Any]:
    """The values a condition on `field[.part]` compares for `record` (none: it has no value)."""
    if field.derived is not None:
        rule = field.derived
        value = [
            r["sourcedId"]
            for r in DATA[rule.source]
            if r.get(rule.via) == record["sourcedId"] and r.get("status", "active") == "active"
        ]
    else:
        value = record.get(field.name, "active" if field.name == "status" else None)
    values: list[Any] = value if isinstance(value, list) else [] if value is None else [value]
    if field.kind is Kind.USER_IDS:
        return [v[part or "identifier"] for v in values]
    if part == "type":
        return [field.ref] if values else []
    return values


def satisfies(entity: Entity, record: Record, cond: Condition) -> bool:
    values = compared_values(entity, record, cond.field, cond.part)
    op = "=" if cond.op == "!=" else cond.op
    if op == "~":
        found = any(str(cond.value) in str(v).lower() for v in values)
    else:
        found = any(_ORDERING[op](v, cond.value) for v in values)
    return not found if cond.op == "!=" else found


def expected_ids(entity: Entity, criteria: Criteria) -> list[str]:
    return sorted(
        r["sourcedId"]
        for r in DATA[entity.name]
        if any(all(satisfies(entity, r, c) for c in group) for group in criteria.any_of)
    )


def selected_ids(engine: sa.Engine, entity: Entity, criteria: Criteria) -> list[str]:
    main = TABLES[entity.name].main
    with engine.connect() as conn:
        where = criteria_condition(entity, criteria, conn.dialect.name)
        return sorted(conn.execute(sa.select(main.c.sourced_id).where(where)).scalars())


# --- Criteria as the resolver builds them.

# (field name, part) pairs filtered on, per entity.
PATHS: dict[str, list[tuple[str, Part]]] = {
    "user": [
        ("sourcedId", None),
        ("status", None),
        ("dateLastModified", None),
        ("enabledUser", None),
        ("role", None),
        ("username", None),
        ("givenName", None),
        ("middleName", None),
        ("email", None),
        ("grades", None),
        ("orgs", "sourcedId"),
        ("orgs", "type"),
        ("agents", "sourcedId"),
        ("agents", "type"),
        ("userIds", "identifier"),
        ("userIds", "type"),
    ],
    "org": [
        ("sourcedId", None),
        ("name", None),
        ("type", None),
        ("identifier", None),
        ("parent", "sourcedId"),
        ("parent", "type"),
        ("children", "sourcedId"),
        ("dateLastModified", None),
    ],
}
TEXT_KINDS = {Kind.STRING, Kind.ENUM, Kind.BOOLEAN, Kind.STRING_LIST}


def _known_values(entity: Entity, field: Field, part: Part) -> list[Any]:
    return sorted(
        {v for r in DATA[entity.name] for v in compared_values(entity, r, field, part)}, key=repr
    ) or ["none"]


@st.composite
def conditions(draw: st.DrawFn, entity: Entity) -> Condition:
    name, part = draw(st.sampled_from(PATHS[entity.name]))
    field = entity.by_name[name]
    textual = part is not None or field.kind in TEXT_KINDS
    ops = ["=", "!=", ">", ">=", "<", "<="] + (["~"] if textual else [])
    op = draw(st.sampled_from(ops))
    if field.kind is Kind.DATETIME and part is None:
        value: Any = draw(
            st.sampled_from(_known_values(entity, field, part))
            | st.integers(min_value=BASE_MS - 2 * 10**9, max_value=BASE_MS + 2 * 10**9)
        )
    else:
        known = st.sampled_from([str(v) for v in _known_values(entity, field, part)])
        value = draw(
            known | st.text(ALPHABET, min_size=1, max_size=3) | st.sampled_from(["org", "user", "o"])
        )
    if op == "~":
        value = str(value).lower()
        if draw(st.booleans()) and len(value) > 1:  # a substring of a value
            start = draw(st.integers(min_value=0, max_value=len(value) - 1))
            value = value[start : start + draw(st.integers(min_value=1, max_value=len(value) - start))]
    return Condition(field, part, op, value)


def criteria(entity: Entity) -> st.SearchStrategy[Criteria]:
    group = st.lists(conditions(entity), min_size=1, max_size=3).map(tuple)
    return st.lists(group, min_size=1, max_size=2).map(lambda groups: Criteria(tuple(groups)))


FEW = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.mark.parametrize("entity_name", ["user", "org"])
def test_every_generated_filter_selects_the_records_the_reference_evaluation_selects(
    store: sa.Engine, entity_name: str
) -> None:
    entity = ENTITIES[entity_name]

    @FEW
    @given(criteria(entity))
    def check(chosen: Criteria) -> None:
        assert selected_ids(store, entity, chosen) == expected_ids(entity, chosen)

    check()


def one(entity_name: str, name: str, op: str, value: Any, part: Part = None) -> Criteria:
    entity = ENTITIES[entity_name]
    return Criteria(((Condition(entity.by_name[name], part, op, value),),))


@pytest.mark.parametrize(
    ("criteria_", "reason"),
    [
        (one("user", "middleName", "!=", "zzz"), "a record without the field matches !="),
        (one("user", "middleName", "<", "zzz"), "ordering is false on absent values"),
        (one("user", "middleName", "~", "a"), "~ is false on absent values"),
        (one("user", "grades", "=", "09"), "any element of a list that matches is enough"),
        (one("user", "grades", "!=", "09"), "!= on a list: no element is 09"),
        (one("user", "givenName", "~", "é"), "~ folds case beyond ASCII"),
        (one("user", "orgs", "=", "org", "type"), "a GUIDRef's type is its target's name"),
        (one("user", "agents", "!=", "user", "type"), "no agents: no GUIDRef, so no type"),
        (one("org", "children", "=", "org-1", "sourcedId"), "children are derived from active orgs"),
        (one("org", "parent", "~", "rg", "type"), "~ on a GUIDRef type"),
    ],
)
def test_each_documented_semantic_holds_on_the_generated_district(
    store: sa.Engine, criteria_: Criteria, reason: str
) -> None:
    entity = ENTITIES["org" if criteria_.any_of[0][0].field.name in ("children", "parent") else "user"]
    assert selected_ids(store, entity, criteria_) == expected_ids(entity, criteria_), reason


def test_a_percent_or_underscore_in_a_contains_value_is_matched_literally(store: sa.Engine) -> None:
    entity = ENTITIES["user"]
    for value in ("_", "%", "a_", "x%"):
        chosen = one("user", "givenName", "~", value)
        assert selected_ids(store, entity, chosen) == expected_ids(entity, chosen), value
    assert selected_ids(store, entity, one("user", "givenName", "~", "%")) == []


@pytest.mark.parametrize(
    ("entity_name", "name", "part"),
    [
        ("user", "givenName", None),
        ("user", "dateLastModified", None),
        ("user", "grades", None),
        ("user", "orgs", "sourcedId"),
        ("user", "userIds", "identifier"),
        ("org", "children", "sourcedId"),
    ],
)
def test_records_sort_by_their_value_or_the_least_element_of_their_list(
    store: sa.Engine, entity_name: str, name: str, part: Part
) -> None:
    entity = ENTITIES[entity_name]
    field = entity.by_name[name]
    main = TABLES[entity.name].main
    with store.connect() as conn:
        keys = dict(conn.execute(sa.select(main.c.sourced_id, sort_key(entity, field))).all())
    expected = {}
    for record in DATA[entity_name]:
        values = compared_values(entity, record, field, part)
        expected[record["sourcedId"]] = min(values) if values else None
    assert keys == expected
