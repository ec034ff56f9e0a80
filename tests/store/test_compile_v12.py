"""The 1.2 filter and sort compiler sees exactly the values the stored 1.2 documents show.

Filters are written as a client writes them (text, parsed and resolved for the 1.2 binding) over
fields each kind of 1.2 source gives: values the same as 1.1's, an identifier that is the
sourcedId when none is stored, a sole org as primaryOrg, roles derived from a 1.1 role and orgs
(an administrator named by the type of each org), 1.1's `role` and `orgs` as their aliases. The
reference evaluation reads each record's stored 1.2 document, never SQL.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator
from typing import Any

import orjson
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openroster.model.catalogue import ENTITIES, Kind
from openroster.model.v12 import ENTITIES_V12
from openroster.model.values import format_datetime, parse_datetime
from openroster.query.filter import parse_filter
from openroster.query.resolve import TEXT_KINDS
from openroster.query.resolve_v12 import Criteria12, resolve_field, resolve_v12
from openroster.store.conditions import criteria_condition, sort_key
from openroster.store.schema import TABLES
from tests.conftest import BACKENDS
from tests.district import district
from tests.store.stores import loaded
from tests.store.test_compile import ALPHABET, generated_district

Doc = dict[str, Any]
DATA = generated_district(seed=11)
for _org in DATA["org"][1:4]:
    _org["type"] = "local"  # district-level: its administrators are district administrators


@pytest.fixture(scope="module", params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[sa.Engine]:
    # The district's other records name its own orgs and users: the generated ones go beside them.
    records = district()
    records["org"] += DATA["org"]
    records["user"] += DATA["user"]
    yield from loaded(request, tmp_path_factory, records)


def documents(engine: sa.Engine, entity: str) -> dict[str, Doc]:
    main = TABLES[entity].main
    with engine.connect() as conn:
        return {
            sid: orjson.loads(doc) for sid, doc in conn.execute(sa.select(main.c.sourced_id, main.c.doc_v12))
        }


def shown(doc: Doc, path: str, entity: str) -> list[Any]:
    """The values a filter on `path` compares, read from a 1.2 document."""
    field, part, _ = resolve_field(ENTITIES_V12[entity], path)
    value = doc.get(field.name)
    values: list[Any] = value if isinstance(value, list) else [] if value is None else [value]
    if field.kind is Kind.DATETIME:
        return [parse_datetime(v) for v in values]
    if part is None:
        return values
    out = []
    for item in values:
        for key in part.split("."):
            item = item.get(key) if isinstance(item, dict) else None
        if isinstance(item, dict):  # roles.org names the org by its sourcedId
            item = item["sourcedId"]
        if item is not None:
            out.append(item)
    return out


_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq,
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
}


def holds(doc: Doc, entity: str, path: str, op: str, value: Any) -> bool:
    values = shown(doc, path, entity)
    positive = "=" if op == "!=" else op
    if positive == "~":
        found = any(value in str(v).lower() for v in values)
    else:
        found = any(_OPS[positive](v, value) for v in values)
    return not found if op == "!=" else found


PATHS = {
    "user": [
        "sourcedId",
        "status",
        "dateLastModified",
        "givenName",
        "middleName",
        "enabledUser",
        "grades",
        "roles.role",
        "roles.roleType",
        "roles.org",
        "roles.org.sourcedId",
        "roles.org.type",
        "role",
        "orgs",
        "primaryOrg.sourcedId",
        "primaryOrg.type",
        "agents.sourcedId",
        "userIds.identifier",
        "userIds.type",
        "preferredFirstName",
        "userProfiles.profileType",
    ],
    "org": ["identifier", "name", "type", "parent.sourcedId", "children.sourcedId", "parent.type"],
}


def known(docs: dict[str, Doc], entity: str, path: str) -> list[str]:
    values = {v for doc in docs.values() for v in shown(doc, path, entity)}
    return sorted(format_datetime(v) if isinstance(v, int) else str(v) for v in values) or ["none"]


@st.composite
def predicates(draw: st.DrawFn, entity: str, docs: dict[str, Doc]) -> str:
    path = draw(st.sampled_from(PATHS[entity]))
    kind = resolve_field(ENTITIES_V12[entity], path)[2]
    op = draw(st.sampled_from(["=", "!=", ">", ">=", "<", "<="] + (["~"] if kind in TEXT_KINDS else [])))
    values = st.sampled_from(known(docs, entity, path))
    if kind is not Kind.DATETIME:
        words = st.sampled_from(["districtAdministrator", "siteAdministrator", "org", "primary"])
        values = values | words | st.text(ALPHABET, min_size=1, max_size=3)
    value = draw(values)
    return f"{path}{op}'{value}'"


def filters(entity: str, docs: dict[str, Doc]) -> st.SearchStrategy[str]:
    group = st.lists(predicates(entity, docs), min_size=1, max_size=3).map(" AND ".join)
    return st.lists(group, min_size=1, max_size=2).map(" OR ".join)


def selected(engine: sa.Engine, entity: str, criteria: Criteria12) -> list[str]:
    main = TABLES[entity].main
    with engine.connect() as conn:
        where = criteria_condition(ENTITIES[entity], criteria, conn.dialect.name)
        return sorted(conn.execute(sa.select(main.c.sourced_id).where(where)).scalars())


def expected(docs: dict[str, Doc], entity: str, criteria: Criteria12) -> list[str]:
    return sorted(
        sid
        for sid, doc in docs.items()
        if any(all(holds(doc, entity, path_of(c), c.op, c.value) for c in group) for group in criteria.any_of)
    )


def path_of(condition: Any) -> str:
    return condition.field.name + ("" if condition.part is None else "." + condition.part)


@pytest.mark.parametrize("entity", ["user", "org"])
def test_every_generated_1_2_filter_selects_the_records_whose_documents_satisfy_it(
    store: sa.Engine, entity: str
) -> None:
    docs = documents(store, entity)

    @settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(filters(entity, docs))
    def check(text: str) -> None:
        criteria = resolve_v12(ENTITIES_V12[entity], parse_filter(text))
        assert selected(store, entity, criteria) == expected(docs, entity, criteria), text

    check()


@pytest.mark.parametrize(
    ("entity", "text"),
    [
        ("user", "roles.role='districtAdministrator'"),
        ("user", "roles.role='siteAdministrator'"),
        ("user", "role='administrator'"),  # 1.2 has no such role token
        ("user", "roles.roleType='primary'"),
        ("user", "roles.org.type='org'"),
        ("user", "primaryOrg.sourcedId!='org-1'"),
        ("user", "userProfiles.profileType!='lms'"),  # no profiles: != holds for every user
        ("user", "preferredFirstName~'a'"),
        ("org", "identifier='org-2'"),  # no identifier stored: the sourcedId is shown
        ("org", "identifier~'d0'"),
        ("enrollment", "role='ext:aide'"),
        ("enrollment", "role='aide'"),
        ("course", "courseCode='BIO1'"),
        ("lineItem", "academicSession.sourcedId='gp-1'"),
        ("lineItem", "school.sourcedId='sch-2'"),
    ],
)
def test_each_kind_of_1_2_source_is_filtered_on_as_its_document_shows_it(
    store: sa.Engine, entity: str, text: str
) -> None:
    docs = documents(store, entity)
    criteria = resolve_v12(ENTITIES_V12[entity], parse_filter(text))
    assert selected(store, entity, criteria) == expected(docs, entity, criteria)


def test_administrators_are_named_by_the_type_of_each_of_their_orgs(store: sa.Engine) -> None:
    docs = documents(store, "user")
    criteria = resolve_v12(ENTITIES_V12["user"], parse_filter("roles.role='districtAdministrator'"))
    chosen = selected(store, "user", criteria)
    assert "adm-1" in chosen  # the district's administrator, of dist-1
    assert chosen  # the generated district-level ("local") orgs have some too
    assert all(any(r["role"] == "districtAdministrator" for r in docs[sid]["roles"]) for sid in chosen)


@pytest.mark.parametrize(
    ("entity", "name"),
    [("org", "identifier"), ("user", "primaryOrg"), ("user", "givenName"), ("enrollment", "role")],
)
def test_1_2_sort_keys_are_the_values_documents_show(store: sa.Engine, entity: str, name: str) -> None:
    docs = documents(store, entity)
    field = ENTITIES_V12[entity].by_name[name]
    main = TABLES[entity].main
    with store.connect() as conn:
        keys = dict(conn.execute(sa.select(main.c.sourced_id, sort_key(ENTITIES[entity], field))).all())
    for sid, doc in docs.items():
        value = doc.get(name)
        assert keys[sid] == (value["sourcedId"] if isinstance(value, dict) else value), sid
