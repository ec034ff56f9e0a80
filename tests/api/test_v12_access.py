"""1.2 endpoints take OAuth 2.0 bearer tokens only, with 1.2's scopes, and keep the district boundaries of 1.1."""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa
from oauthlib.oauth1 import Client as OAuth1Client
from starlette.testclient import TestClient

from openroster.api.endpoints import Endpoint
from openroster.api.endpoints_v12 import ENDPOINTS_V12, RESOURCES_V12, ROSTERING_V12
from openroster.auth.clients import add_client
from openroster.auth.scopes import ALL, ALL_V11, PREFIX_V12, short
from tests.api.test_v12_endpoints import ROSTER, check_status
from tests.auth.test_authorization import _inside_sch2, _requests
from tests.conftest import KEYS, app_for, client_for

V12 = PREFIX_V12
READS = ROSTERING_V12 + RESOURCES_V12  # the gradebook's: tests/api/test_v12_gradebook_access.py
# The 1.2 routes to records a 1.1 district holds (1.2's new gradebook entities: the gradebook tests).
BOUNDED = tuple(e for e in ENDPOINTS_V12 if e.entity.since == "1.1")


# An id each path parameter names a record with (`{id}`: by the collection it is in).
_PARAMS = {
    "school_id": "sch-1",
    "class_id": "cls-bio-1",
    "term_id": "term-1",
    "course_id": "crs-bio",
    "student_id": "stu-1",
    "teacher_id": "tch-1",
    "user_id": "tch-1",
    "li_id": "li-1",
}
_IDS = {
    "academicSessions": "sy-2026",
    "classes": "cls-bio-1",
    "courses": "crs-bio",
    "gradingPeriods": "gp-1",
    "demographics": "stu-1",
    "enrollments": "enr-1",
    "orgs": "dist-1",
    "schools": "sch-1",
    "students": "stu-1",
    "teachers": "tch-1",
    "terms": "term-1",
    "users": "tch-1",
    "resources": "res-1",
    "categories": "cat-hw",
    "lineItems": "li-1",
    "results": "rs-1",
}


def _call(client: TestClient, endpoint: Endpoint) -> Any:
    path = endpoint.path.replace("{id}", _IDS[endpoint.segments[0]])
    return client.get(endpoint.root + re.sub(r"\{(\w+)\}", lambda m: _PARAMS[m.group(1)], path))


def test_scope_table() -> None:
    counts: dict[str, int] = {}
    for endpoint in READS:
        counts[short(endpoint.required_scope)] = counts.get(short(endpoint.required_scope), 0) + 1
    assert counts == {
        "v1p2/roster-core.readonly": 22,
        "v1p2/roster.readonly": 17,
        "v1p2/roster-demographics.readonly": 2,
        "v1p2/resource-core.readonly": 2,
        "v1p2/resource.readonly": 3,
    }


# roster.readonly and resource.readonly also open the core reads of their service.
_WIDER = {
    V12 + "roster-core.readonly": V12 + "roster.readonly",
    V12 + "resource-core.readonly": V12 + "resource.readonly",
}


@pytest.mark.parametrize("endpoint", READS, ids=[e.operation for e in READS])
def test_each_endpoint_needs_its_1_2_scope(district_engine: sa.Engine, endpoint: Endpoint) -> None:
    needed = endpoint.required_scope
    with client_for(district_engine, scopes=[needed]) as allowed:
        assert _call(allowed, endpoint).status_code == 200
    # Every other scope, of both versions: 1.1's never open 1.2 endpoints.
    others = [s for s in ALL if s not in (needed, _WIDER.get(needed))]
    with client_for(district_engine, scopes=others) as denied:
        body = check_status(_call(denied, endpoint), 403, "forbidden")
        assert short(needed) in body["imsx_description"]


def test_the_wider_scopes_open_the_core_reads_but_not_demographics(district_engine: sa.Engine) -> None:
    with client_for(district_engine, scopes=["v1p2/roster.readonly", "v1p2/resource.readonly"]) as client:
        assert client.get(ROSTER + "/users").status_code == 200
        assert client.get("/ims/oneroster/resources/v1p2/resources").status_code == 200
        check_status(client.get(ROSTER + "/demographics"), 403, "forbidden")
    with client_for(district_engine, scopes=["v1p2/roster-core.readonly"]) as core:
        assert core.get(ROSTER + "/classes").status_code == 200
        check_status(core.get(ROSTER + "/classes/cls-bio-1/students"), 403, "forbidden")


def test_the_token_endpoint_issues_1_2_scopes_asked_for_by_uri(district_engine: sa.Engine) -> None:
    issued = add_client(
        district_engine, KEYS, "a 1.2 consumer", scopes=["v1p2/roster.readonly", "roster.readonly"]
    )
    client = TestClient(app_for(district_engine), base_url="https://sis.example.org")
    auth = (issued.client.client_id, issued.secret)
    response = client.post(
        "/oauth/token", data={"grant_type": "client_credentials", "scope": V12 + "roster.readonly"}, auth=auth
    )
    assert response.status_code == 200, response.text
    assert response.json()["scope"] == V12 + "roster.readonly"
    client.headers["Authorization"] = "Bearer " + response.json()["access_token"]
    assert client.get(ROSTER + "/classes/cls-bio-1/students").status_code == 200
    assert client.get("/ims/oneroster/v1p1/users").status_code == 403  # the token holds 1.2's scope only
    refused = client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "scope": V12 + "roster-demographics.readonly"},
        auth=auth,
    )
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_scope"


def test_a_new_client_gets_the_read_scopes_of_both_versions(district_engine: sa.Engine) -> None:
    issued = add_client(district_engine, KEYS, "defaults")
    assert {V12 + "roster.readonly", V12 + "roster-demographics.readonly", V12 + "resource.readonly"} <= set(
        issued.client.scopes
    )
    assert set(ALL_V11) & set(issued.client.scopes)


# --- authentication


def test_no_credentials_is_401_with_a_bearer_challenge(district_engine: sa.Engine) -> None:
    client = TestClient(app_for(district_engine), base_url="https://sis.example.org")
    response = client.get(ROSTER + "/users")
    body = check_status(response, 401, "unauthorisedrequest")
    assert "bearer token" in body["imsx_description"]
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="openroster"'


def test_a_bad_token_is_401(district_engine: sa.Engine) -> None:
    client = TestClient(app_for(district_engine), base_url="https://sis.example.org")
    response = client.get(ROSTER + "/users", headers={"Authorization": "Bearer not-a-token"})
    check_status(response, 401, "unauthorisedrequest")
    assert response.headers["WWW-Authenticate"].startswith('Bearer realm="openroster", error="invalid_token"')
    assert "OAuth" not in response.headers["WWW-Authenticate"]


@pytest.mark.parametrize("signature_type", ["AUTH_HEADER", "QUERY"])
def test_an_oauth1_signature_that_1_1_accepts_is_refused_by_1_2(
    district_engine: sa.Engine, signature_type: str
) -> None:
    issued = add_client(district_engine, KEYS, f"sis connector {signature_type}")
    client = TestClient(app_for(district_engine), base_url="https://sis.example.org")
    signer = OAuth1Client(issued.client.client_id, client_secret=issued.secret, signature_type=signature_type)

    def signed_get(path: str) -> Any:
        uri, headers, _ = signer.sign("https://sis.example.org" + path, http_method="GET")
        return client.get(uri.removeprefix("https://sis.example.org"), headers=headers)

    assert signed_get("/ims/oneroster/v1p1/users/tch-1").status_code == 200
    body = check_status(signed_get(ROSTER + "/users/tch-1"), 401, "unauthorisedrequest")
    assert "do not accept OAuth 1.0a" in body["imsx_description"]


# --- district boundaries


def test_a_client_limited_to_one_school_sees_nothing_of_another_on_any_1_2_route(
    district_engine: sa.Engine,
) -> None:
    inside = _inside_sch2()
    seen: dict[str, set[str]] = {key: set() for key in inside}
    with client_for(district_engine, orgs=["sch-2"]) as client:
        count = 0
        for endpoint, path in _requests(BOUNDED):
            response = client.get(path)
            count += 1
            if response.status_code == 404:  # outside, or not there at all: alike for this client
                check_status(response, 404, "unknownobject")
                continue
            assert response.status_code == 200, (path, response.text)
            body: Any = response.json()
            records = body[endpoint.wrapper_key] if endpoint.collection else [body[endpoint.wrapper_key]]
            key = endpoint.entity.collection_key
            returned = {r["sourcedId"] for r in records}
            assert returned <= inside[key], (path, returned - inside[key])
            seen[key] |= returned
        assert count > 200
    served = {e.entity.collection_key for e in BOUNDED}
    assert {k: v for k, v in seen.items() if k in served} == {k: v for k, v in inside.items() if k in served}


def test_a_parent_outside_the_boundary_is_404_as_if_it_did_not_exist(district_engine: sa.Engine) -> None:
    with client_for(district_engine, orgs=["sch-2"]) as client:
        check_status(client.get(ROSTER + "/schools/sch-1/teachers"), 404, "unknownobject")
        check_status(client.get(ROSTER + "/classes/cls-bio-2/teachers"), 404, "unknownobject")
        check_status(client.get(ROSTER + "/users/stu-1"), 404, "unknownobject")
        classes = client.get(ROSTER + "/users/tch-3/classes").json()["classes"]
        assert [c["sourcedId"] for c in classes] == ["cls-eng7-1"]
        escaped = client.get(
            ROSTER + "/users", params={"filter": "roles.org.sourcedId='sch-1' OR roles.role='teacher'"}
        )
        assert [u["sourcedId"] for u in escaped.json()["users"]] == ["tch-2", "tch-3"]
