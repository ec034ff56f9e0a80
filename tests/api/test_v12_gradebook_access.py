"""The 1.2 gradebook takes bearer tokens only, opens each operation to its 1.2 scope, and keeps district boundaries."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from oauthlib.oauth1 import Client as OAuth1Client
from starlette.testclient import TestClient

from openroster.api.endpoints import Endpoint
from openroster.api.endpoints_v12 import ASSESSMENT_V12, GRADEBOOK_V12
from openroster.auth.clients import add_client
from openroster.auth.scopes import ALL, PREFIX_V12, short
from tests.api.gradebook12 import GRADEBOOK, district_with_v12, ids
from tests.api.test_v12_endpoints import check_status
from tests.api.test_v12_gradebook_writes import LINE_ITEM, RESULT, rows
from tests.conftest import BACKENDS, KEYS, app_for, client_for

OPERATIONS = GRADEBOOK_V12 + ASSESSMENT_V12
_PARAMS = {
    "class_id": "cls-bio-1",
    "school_id": "sch-1",
    "li_id": "li-1",
    "student_id": "stu-1",
    "session_id": "gp-1",
}
_IDS = {
    "categories": "cat-hw",
    "lineItems": "li-1",
    "results": "rs-1",
    "scoreScales": "ss-1",
    "assessmentLineItems": "ali-1",
    "assessmentResults": "ar-1",
}
# A body each write could take (the scope check comes first, so its content does not matter).
_BODIES = {
    "category": {"title": "T"},
    "lineItem": LINE_ITEM,
    "result": RESULT,
    "scoreScale": {"title": "T"},
    "assessmentLineItem": {"title": "T"},
    "assessmentResult": {"scoreStatus": "exempt"},
}


@pytest.fixture(scope="module", params=BACKENDS)
def engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[sa.Engine]:
    for engine, _ in district_with_v12(request.param, tmp_path_factory):
        yield engine


def _call(client: TestClient, endpoint: Endpoint, sourced_id: str | None = None) -> Any:
    path = endpoint.path
    if "{id}" in path:
        path = path.replace("{id}", sourced_id or _IDS[endpoint.segments[0]])
    url = endpoint.root + re.sub(r"\{(\w+)\}", lambda m: _PARAMS[m.group(1)], path)
    body = _BODIES[endpoint.entity_name]
    if endpoint.method == "POST":
        return client.post(url, json={endpoint.wrapper_key: [body]})
    if endpoint.method == "PUT":
        return client.put(url, json={endpoint.wrapper_key: body})
    return client.request(endpoint.method, url)


def test_scope_table() -> None:
    assert Counter(short(e.required_scope) for e in OPERATIONS) == {
        "v1p2/gradebook-core.readonly": 8,
        "v1p2/gradebook.readonly": 7,
        "v1p2/gradebook.createput": 4,
        "v1p2/gradebook.createpost": 4,
        "v1p2/gradebook.delete": 4,
        "v1p2/assessment.readonly": 4,
        "v1p2/assessment.createput": 2,
        "v1p2/assessment.delete": 2,
    }


_WIDER = {PREFIX_V12 + "gradebook-core.readonly": PREFIX_V12 + "gradebook.readonly"}


@pytest.mark.parametrize("endpoint", OPERATIONS, ids=[e.operation for e in OPERATIONS])
def test_each_operation_needs_its_1_2_scope(engine: sa.Engine, endpoint: Endpoint) -> None:
    needed = endpoint.required_scope
    others = [s for s in ALL if s not in (needed, _WIDER.get(needed))]
    before = rows(engine)
    with client_for(engine, scopes=others) as denied:
        body = check_status(_call(denied, endpoint, "s-denied"), 403, "forbidden")
        assert short(needed) in body["imsx_description"]
    assert rows(engine) == before  # a refused write wrote nothing
    with client_for(engine, scopes=[needed]) as allowed:
        response = _call(allowed, endpoint, None if endpoint.method == "GET" else "s-allowed")
        assert response.status_code not in (401, 403), response.text
        if endpoint.method == "GET":
            assert response.status_code == 200


def test_gradebook_readonly_opens_the_core_reads_but_not_the_writes(engine: sa.Engine) -> None:
    with client_for(engine, scopes=["v1p2/gradebook.readonly"]) as reader:
        assert reader.get(GRADEBOOK + "/lineItems").status_code == 200
        assert reader.get(GRADEBOOK + "/classes/cls-bio-1/lineItems").status_code == 200
        check_status(
            reader.put(GRADEBOOK + "/categories/s-x", json={"category": {"title": "T"}}), 403, "forbidden"
        )
        check_status(reader.get(GRADEBOOK + "/assessmentResults"), 403, "forbidden")
    with client_for(engine, scopes=["v1p2/gradebook-core.readonly"]) as core:
        assert core.get(GRADEBOOK + "/results/rs-1").status_code == 200
        check_status(core.get(GRADEBOOK + "/classes/cls-bio-1/results"), 403, "forbidden")
    with client_for(
        engine, scopes=["gradebook.readonly", "gradebook.createput"]
    ) as v11:  # 1.1's never open 1.2
        check_status(v11.get(GRADEBOOK + "/lineItems"), 403, "forbidden")
        check_status(
            v11.put(GRADEBOOK + "/categories/s-x", json={"category": {"title": "T"}}), 403, "forbidden"
        )


def test_no_token_and_oauth1_signatures_are_401(engine: sa.Engine) -> None:
    issued = add_client(engine, KEYS, "signing consumer", scopes=ALL)
    client = TestClient(app_for(engine), base_url="https://sis.example.org")
    check_status(client.get(GRADEBOOK + "/lineItems"), 401, "unauthorisedrequest")
    signer = OAuth1Client(issued.client.client_id, client_secret=issued.secret)
    url = "https://sis.example.org" + GRADEBOOK + "/categories/s-oauth1"
    signed_url, headers, _ = signer.sign(url, http_method="DELETE")
    before = rows(engine)
    body = check_status(client.delete(signed_url, headers=headers), 401, "unauthorisedrequest")
    assert "do not accept OAuth 1.0a" in body["imsx_description"]
    assert rows(engine) == before


# --- district boundaries


def test_a_client_limited_to_one_school_reads_only_inside_it(engine: sa.Engine) -> None:
    with client_for(engine, orgs=["sch-2"]) as client:
        assert ids(client.get(GRADEBOOK + "/scoreScales")) == ["ss-2"]
        assert ids(client.get(GRADEBOOK + "/lineItems")) == ["li-2"]
        assert ids(client.get(GRADEBOOK + "/assessmentResults")) == ["ar-2"]  # stu-4 is in sch-2
        assert ids(client.get(GRADEBOOK + "/assessmentLineItems")) == []  # ali-1: sch-1; ali-2: no class
        check_status(client.get(GRADEBOOK + "/scoreScales/ss-1"), 404, "unknownobject")
        check_status(client.get(GRADEBOOK + "/schools/sch-1/scoreScales"), 404, "unknownobject")
        check_status(client.get(GRADEBOOK + "/classes/cls-bio-1/lineItems"), 404, "unknownobject")
        assert ids(client.get(GRADEBOOK + "/classes/cls-eng7-1/scoreScales")) == ["ss-2"]


def test_a_client_limited_to_one_school_writes_only_inside_it(engine: sa.Engine) -> None:
    before = rows(engine)
    with client_for(engine, orgs=["sch-2"]) as client:
        refused = client.put(GRADEBOOK + "/lineItems/s-out", json={"lineItem": LINE_ITEM})
        assert (
            "no class with sourcedId 'cls-bio-1'"
            in check_status(refused, 422, "invaliddata")["imsx_description"]
        )
        check_status(client.delete(GRADEBOOK + "/lineItems/li-1"), 404, "unknownobject")
        check_status(client.delete(GRADEBOOK + "/scoreScales/ss-1"), 404, "unknownobject")
        posted = client.post(GRADEBOOK + "/classes/cls-bio-1/lineItems", json={"lineItems": [LINE_ITEM]})
        check_status(posted, 404, "unknownobject")
        taken = client.put(GRADEBOOK + "/results/rs-1", json={"result": RESULT})
        check_status(taken, 409, "invaliddata")
        assert rows(engine) == before
        inside = {**LINE_ITEM, "class": {"sourcedId": "cls-eng7-1"}, "school": {"sourcedId": "sch-2"}}
        assert client.put(GRADEBOOK + "/lineItems/s-in", json={"lineItem": inside}).status_code == 201
