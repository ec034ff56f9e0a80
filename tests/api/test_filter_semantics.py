"""Property test: every filter the database runs agrees with an independent evaluation in Python.

Hypothesis builds filters of 1-4 predicates joined by AND/OR, over scalar, date, datetime,
enum, GUIDRef, GUIDRef-list, string-list and userIds fields (dotted paths and CSV aliases
included), with values taken from the data (so they match) or invented (so they do not). The
evaluation here reads the served JSON documents, never SQL.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from openroster.model.values import parse_datetime
from tests.conftest import BASE

# path -> (how to read the compared values from a document, kind of comparison)
FIELDS: dict[str, dict[str, tuple[str, str]]] = {
    "users": {
        "sourcedId": ("sourcedId", "text"),
        "status": ("status", "text"),
        "dateLastModified": ("dateLastModified", "datetime"),
        "username": ("username", "text"),
        "givenName": ("givenName", "text"),
        "familyName": ("familyName", "text"),
        "middleName": ("middleName", "text"),
        "role": ("role", "text"),
        "email": ("email", "text"),
        "identifier": ("identifier", "text"),
        "enabledUser": ("enabledUser", "boolean"),
        "grades": ("grades[]", "text"),
        "orgs.sourcedId": ("orgs[].sourcedId", "text"),
        "orgSourcedIds": ("orgs[].sourcedId", "text"),
        "agents.sourcedId": ("agents[].sourcedId", "text"),
        "userIds.identifier": ("userIds[].identifier", "text"),
        "userIds.type": ("userIds[].type", "text"),
    },
    "classes": {
        "sourcedId": ("sourcedId", "text"),
        "title": ("title", "text"),
        "classCode": ("classCode", "text"),
        "classType": ("classType", "text"),
        "location": ("location", "text"),
        "course.sourcedId": ("course.sourcedId", "text"),
        "schoolSourcedId": ("school.sourcedId", "text"),
        "terms.sourcedId": ("terms[].sourcedId", "text"),
        "periods": ("periods[]", "text"),
        "grades": ("grades[]", "text"),
        "subjects": ("subjects[]", "text"),
        "dateLastModified": ("dateLastModified", "datetime"),
    },
    "enrollments": {
        "sourcedId": ("sourcedId", "text"),
        "role": ("role", "text"),
        "primary": ("primary", "boolean"),
        "classSourcedId": ("class.sourcedId", "text"),
        "user.sourcedId": ("user.sourcedId", "text"),
        "school.sourcedId": ("school.sourcedId", "text"),
        "status": ("status", "text"),
    },
    "academicSessions": {
        "sourcedId": ("sourcedId", "text"),
        "title": ("title", "text"),
        "type": ("type", "text"),
        "startDate": ("startDate", "date"),
        "endDate": ("endDate", "date"),
        "schoolYear": ("schoolYear", "text"),
        "parent.sourcedId": ("parent.sourcedId", "text"),
        "children.sourcedId": ("children[].sourcedId", "text"),
    },
}
OPS = ("=", "!=", ">", ">=", "<", "<=", "~")
SAFE = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFG0123456789-_.@ ", min_size=0, max_size=8)


def read(doc: dict[str, Any], how: str) -> list[Any]:
    values: list[Any] = [doc]
    for step in how.split("."):
        many = step.endswith("[]")
        name = step[:-2] if many else step
        found = []
        for value in values:
            item = value.get(name) if isinstance(value, dict) else None
            if item is None:
                continue
            found.extend(item if many else [item])
        values = found
    return values


def typed(kind: str, text: str) -> Any:
    if kind == "datetime":
        return parse_datetime(text)
    if kind == "boolean":  # 'True' and 'true' are the same value
        return text.strip().lower()
    if kind == "date":
        return text.split("T", 1)[0]
    return text


def holds(kind: str, op: str, actual: Any, wanted: Any) -> bool:
    if op == "~":
        return str(wanted).lower() in str(actual).lower()
    actual = typed(kind, actual)
    return {
        "=": actual == wanted,
        ">": actual > wanted,
        ">=": actual >= wanted,
        "<": actual < wanted,
        "<=": actual <= wanted,
    }[op]


Fields = dict[str, dict[str, tuple[str, str]]]


def evaluate(
    doc: dict[str, Any], collection: str, predicate: tuple[str, str, str], fields: Fields = FIELDS
) -> bool:
    path, op, value = predicate
    how, kind = fields[collection][path]
    values = read(doc, how)
    wanted = value if op == "~" else typed(kind, value)
    if op == "!=":
        return not any(holds(kind, "=", v, wanted) for v in values)
    return any(holds(kind, op, v, wanted) for v in values)


@pytest.fixture(scope="module")
def documents(demo_api: TestClient) -> dict[str, list[dict[str, Any]]]:
    return {name: demo_api.get(f"{BASE}/{name}?limit=10000").json()[name] for name in FIELDS}


@st.composite
def filters(
    draw: st.DrawFn, docs: dict[str, list[dict[str, Any]]], fields: Fields = FIELDS
) -> tuple[str, list[list[tuple[str, str, str]]]]:
    collection = draw(st.sampled_from(sorted(fields)))
    groups: list[list[tuple[str, str, str]]] = [[]]
    for index in range(draw(st.integers(1, 4))):
        if index:
            if draw(st.booleans()):
                groups.append([])
        path = draw(st.sampled_from(sorted(fields[collection])))
        how, kind = fields[collection][path]
        op = draw(st.sampled_from(OPS if kind != "datetime" else OPS[:-1]))
        seen = [v for d in docs[collection] for v in read(d, how)]
        if kind == "datetime":
            value = (
                draw(st.sampled_from(seen))
                if seen and draw(st.booleans())
                else draw(
                    st.sampled_from(["2025-01-01", "2030-01-01T00:00:00Z", "2026-06-01T10:00:00.5+01:00"])
                )
            )
        elif seen and draw(st.integers(0, 2)):
            value = draw(st.sampled_from(seen))
            if op == "~" and value:
                start = draw(st.integers(0, len(value) - 1))
                value = value[start : start + draw(st.integers(1, 4))]
        else:
            value = draw(SAFE)
        groups[-1].append((path, op, value))
    return collection, groups


@settings(
    max_examples=300,
    deadline=None,
    database=None,  # draws depend on fixture data
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_database_filter_agrees_with_python_evaluation(
    demo_api: TestClient, documents: dict[str, Any], data: st.DataObject
) -> None:
    collection, groups = data.draw(filters(documents))
    expression = " OR ".join(" AND ".join(f"{p}{op}'{v}'" for p, op, v in group) for group in groups)
    expected = [
        d["sourcedId"]
        for d in documents[collection]
        if any(all(evaluate(d, collection, p) for p in group) for group in groups)
    ]
    event(
        "no match"
        if not expected
        else "all match"
        if len(expected) == len(documents[collection])
        else "some match"
    )
    response = demo_api.get(f"{BASE}/{collection}", params={"filter": expression, "limit": "10000"})
    assert response.status_code == 200, (expression, response.text)
    got = [r["sourcedId"] for r in response.json()[collection]]
    assert got == expected, expression
    assert response.headers["X-Total-Count"] == str(len(expected))
