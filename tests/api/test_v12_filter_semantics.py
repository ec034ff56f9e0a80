"""Property test: every 1.2 filter the database runs agrees with an evaluation of the served 1.2 documents.

The 1.2 fields are computed in SQL from the stored 1.1 columns (store/compile_v12.py): roles[]
from role and orgs (an administrator's by the org's type), primaryOrg, ext: enrollment roles,
identifiers that fall back to the sourcedId. Here the same filters are evaluated on the JSON
the 1.2 endpoints serve, never on SQL, as the 1.1 property test does.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from tests.api.test_filter_semantics import Fields, evaluate, filters

ROSTER = "/ims/oneroster/rostering/v1p2"

FIELDS_V12: Fields = {
    "users": {
        "sourcedId": ("sourcedId", "text"),
        "status": ("status", "text"),
        "dateLastModified": ("dateLastModified", "datetime"),
        "familyName": ("familyName", "text"),
        "enabledUser": ("enabledUser", "boolean"),
        "roles.role": ("roles[].role", "text"),
        "role": ("roles[].role", "text"),  # 1.1's name, accepted on users
        "roles.roleType": ("roles[].roleType", "text"),
        "roles.org.sourcedId": ("roles[].org.sourcedId", "text"),
        "orgs": ("roles[].org.sourcedId", "text"),
        "roles.beginDate": ("roles[].beginDate", "date"),
        "primaryOrg.sourcedId": ("primaryOrg.sourcedId", "text"),
        "primaryOrg.type": ("primaryOrg.type", "text"),
        "userIds.type": ("userIds[].type", "text"),
        "pronouns": ("pronouns", "text"),
        "grades": ("grades[]", "text"),
    },
    "enrollments": {
        "role": ("role", "text"),
        "primary": ("primary", "boolean"),
        "user.sourcedId": ("user.sourcedId", "text"),
        "classSourcedId": ("class.sourcedId", "text"),
    },
    "orgs": {
        "identifier": ("identifier", "text"),
        "type": ("type", "text"),
        "name": ("name", "text"),
        "parent.sourcedId": ("parent.sourcedId", "text"),
        "children.sourcedId": ("children[].sourcedId", "text"),
    },
    "courses": {
        "courseCode": ("courseCode", "text"),
        "title": ("title", "text"),
        "org.sourcedId": ("org.sourcedId", "text"),
        "schoolYear.sourcedId": ("schoolYear.sourcedId", "text"),
    },
    "classes": {
        "classType": ("classType", "text"),
        "school.sourcedId": ("school.sourcedId", "text"),
        "terms.sourcedId": ("terms[].sourcedId", "text"),
        "terms.type": ("terms[].type", "text"),
        "periods": ("periods[]", "text"),
    },
}


@pytest.fixture(scope="module")
def documents_v12(demo_api: TestClient) -> dict[str, list[dict[str, Any]]]:
    return {name: demo_api.get(f"{ROSTER}/{name}?limit=10000").json()[name] for name in FIELDS_V12}


@settings(
    max_examples=200,
    deadline=None,
    database=None,  # draws depend on fixture data
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_database_filter_agrees_with_the_served_1_2_documents(
    demo_api: TestClient, documents_v12: dict[str, Any], data: st.DataObject
) -> None:
    collection, groups = data.draw(filters(documents_v12, FIELDS_V12))
    expression = " OR ".join(" AND ".join(f"{p}{op}'{v}'" for p, op, v in group) for group in groups)
    expected = [
        d["sourcedId"]
        for d in documents_v12[collection]
        if any(all(evaluate(d, collection, p, FIELDS_V12) for p in group) for group in groups)
    ]
    response = demo_api.get(f"{ROSTER}/{collection}", params={"filter": expression, "limit": "10000"})
    assert response.status_code == 200, (expression, response.text)
    assert [r["sourcedId"] for r in response.json()[collection]] == expected, expression
    assert response.headers["X-Total-Count"] == str(len(expected))


def test_every_value_of_every_few_valued_field_filters_as_the_documents_show(
    demo_api: TestClient, documents_v12: dict[str, Any]
) -> None:
    """Each distinct value (rare tokens such as districtAdministrator or ext:aide too), with = and ~."""
    from tests.api.test_filter_semantics import read

    checked = 0
    for collection, fields in FIELDS_V12.items():
        docs = documents_v12[collection]
        for path, (how, kind) in fields.items():
            values = sorted({str(v) for d in docs for v in read(d, how)})
            if len(values) > 20 or kind == "datetime":
                continue
            for value in values:
                for op in ("=", "~"):
                    wanted = value if op == "=" else value[1:]
                    expected = [
                        d["sourcedId"]
                        for d in docs
                        if evaluate(d, collection, (path, op, wanted), FIELDS_V12)
                    ]
                    response = demo_api.get(
                        f"{ROSTER}/{collection}", params={"filter": f"{path}{op}'{wanted}'", "limit": "10000"}
                    )
                    assert [r["sourcedId"] for r in response.json()[collection]] == expected, (
                        path,
                        op,
                        wanted,
                    )
                    checked += 1
    assert checked > 100
