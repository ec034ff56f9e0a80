"""Scopes guard every endpoint; a client limited to some orgs sees nothing outside them, anywhere."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from typing import Any

import orjson
import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from openroster.api.endpoints import ENDPOINTS, Endpoint
from openroster.auth.scopes import ALL, PREFIX, SHORT_NAMES
from openroster.model.catalogue import DEFAULT_CATEGORY_ID
from tests.conftest import BACKENDS, BASE, client_for, load
from tests.district import district

SAMPLE_IDS = {
    "id": "sch-1",
    "school_id": "sch-1",
    "class_id": "cls-bio-1",
    "term_id": "term-1",
    "course_id": "crs-bio",
    "student_id": "stu-1",
    "teacher_id": "tch-1",
    "user_id": "tch-3",
    "li_id": "li-1",
}
SINGLE_IDS = {
    "academicSession": "term-1",
    "class": "cls-bio-1",
    "course": "crs-bio",
    "demographics": "stu-1",
    "enrollment": "enr-1",
    "org": "sch-1",
    "user": "stu-1",
    "resource": "res-1",
    "category": "cat-hw",
    "lineItem": "li-1",
    "result": "rs-1",
}
# Bodies for the write endpoints, on ids of their own so the shared data stays as it is.
WRITES = {
    "category": ("scope-cat", {"category": {"title": "Scope check"}}),
    "lineItem": (
        "scope-li",
        {
            "lineItem": {
                "title": "Scope check",
                "assignDate": "2025-09-01T00:00:00Z",
                "dueDate": "2025-09-02T00:00:00Z",
                "class": {"sourcedId": "cls-bio-1"},
                "resultValueMin": 0,
                "resultValueMax": 10,
            }
        },
    ),
    "result": (
        "scope-rs",
        {
            "result": {
                "lineItem": {"sourcedId": "li-1"},
                "student": {"sourcedId": "stu-2"},
                "scoreStatus": "fully graded",
                "score": 7,
            }
        },
    ),
}
RESTRICTED_SINGLE_IDS = {
    "/gradingPeriods/{id}": "gp-1",
    "/students/{id}": "stu-1",
    "/teachers/{id}": "tch-1",
    "/terms/{id}": "term-1",
    "/schools/{id}": "sch-1",
}


def url(endpoint: Endpoint, ids: dict[str, str] | None = None) -> str:
    values = dict(SAMPLE_IDS, **(ids or {}))
    if not endpoint.collection:
        values["id"] = RESTRICTED_SINGLE_IDS.get(endpoint.path, SINGLE_IDS[endpoint.entity_name])
    return BASE + re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], endpoint.path)


def call(client: TestClient, endpoint: Endpoint) -> Any:
    if endpoint.method == "GET":
        return client.get(url(endpoint))
    sourced_id, body = WRITES[endpoint.entity_name]
    path = BASE + endpoint.path.replace("{id}", sourced_id)
    return client.put(path, json=body) if endpoint.method == "PUT" else client.delete(path)


@pytest.fixture(scope="module", params=BACKENDS)
def writable_engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[sa.Engine]:
    """A district of this module's own, for the writes: the session's shared district stays as loaded."""
    engine = load(tmp_path_factory.mktemp("writable"), district(), backend=request.param)
    yield engine
    engine.dispose()


READ_ENDPOINTS = [e for e in ENDPOINTS if e.method == "GET"]
WRITE_ENDPOINTS = [e for e in ENDPOINTS if e.method != "GET"]


@pytest.mark.parametrize("endpoint", READ_ENDPOINTS, ids=[e.operation for e in READ_ENDPOINTS])
def test_each_read_endpoint_needs_its_scope(district_engine: sa.Engine, endpoint: Endpoint) -> None:
    needs_its_scope(district_engine, endpoint)


@pytest.mark.parametrize("endpoint", WRITE_ENDPOINTS, ids=[e.operation for e in WRITE_ENDPOINTS])
def test_each_write_endpoint_needs_its_scope(writable_engine: sa.Engine, endpoint: Endpoint) -> None:
    needs_its_scope(writable_engine, endpoint)


def needs_its_scope(district_engine: sa.Engine, endpoint: Endpoint) -> None:
    needed = endpoint.required_scope
    if endpoint.method == "DELETE":  # something to delete
        with client_for(district_engine, scopes=["gradebook.createput"]) as writer:
            sourced_id, body = WRITES[endpoint.entity_name]
            assert writer.put(BASE + endpoint.path.replace("{id}", sourced_id), json=body).status_code in (
                200,
                201,
            )
    with client_for(district_engine, scopes=[needed]) as allowed:
        assert call(allowed, endpoint).status_code == {"GET": 200, "PUT": 201, "DELETE": 204}[endpoint.method]
    others = [
        s
        for s in ALL
        if s != needed and not (needed == PREFIX + "roster-core.readonly" and s == PREFIX + "roster.readonly")
    ]
    with client_for(district_engine, scopes=others) as denied:
        response = call(denied, endpoint)
        assert response.status_code == 403
        info = response.json()["statusInfoSet"][0]
        assert (info["imsx_codeMajor"], info["imsx_codeMinor"]) == ("failure", "forbidden")
        assert needed.removeprefix(PREFIX) in info["imsx_description"]


def test_scope_table() -> None:
    by_scope: dict[str, int] = {}
    for endpoint in ENDPOINTS:
        by_scope[endpoint.required_scope.removeprefix(PREFIX)] = (
            by_scope.get(endpoint.required_scope.removeprefix(PREFIX), 0) + 1
        )
    assert by_scope == {
        "roster-core.readonly": 22,
        "roster.readonly": 17,
        "roster-demographics.readonly": 2,
        "resource.readonly": 4,
        "gradebook.readonly": 11,
        "gradebook.createput": 3,
        "gradebook.delete": 3,
    }
    assert set(by_scope) <= set(SHORT_NAMES)


def test_roster_readonly_covers_core_but_not_demographics(district_engine: sa.Engine) -> None:
    with client_for(district_engine, scopes=["roster.readonly"]) as client:
        assert client.get(BASE + "/users").status_code == 200
        assert client.get(BASE + "/demographics").status_code == 403


# --- district boundaries ------------------------------------------------------------------


def _inside_sch2() -> dict[str, set[str]]:
    """What a client limited to sch-2 may see, computed from the district's records by hand."""
    data = district()
    classes = {c["sourcedId"] for c in data["class"] if c["school"] == "sch-2"}
    terms = {t for c in data["class"] if c["sourcedId"] in classes for t in c["terms"]}
    sessions = {s["sourcedId"]: s for s in data["academicSession"]}
    users = {u["sourcedId"] for u in data["user"] if "sch-2" in u["orgs"]}
    return {
        "orgs": {"sch-2"},
        "users": users,
        "classes": classes,
        "enrollments": {e["sourcedId"] for e in data["enrollment"] if e["school"] == "sch-2"},
        "courses": {
            c["sourcedId"]
            for c in data["course"]
            if c["org"] == "sch-2"
            or any(k["course"] == c["sourcedId"] for k in data["class"] if k["sourcedId"] in classes)
        },
        "academicSessions": terms
        | {sessions[t].get("parent") for t in terms} - {None}  # type: ignore[operator]
        | {s for s, r in sessions.items() if r.get("parent") in terms},
        "demographics": {d["sourcedId"] for d in data["demographics"] if d["sourcedId"] in users},
        "lineItems": {li["sourcedId"] for li in data["lineItem"] if li["class"] in classes},
        "results": {
            r["sourcedId"]
            for r in data["result"]
            if any(li["sourcedId"] == r["lineItem"] and li["class"] in classes for li in data["lineItem"])
        },
        # Shared ones (tied to no class), those tied to a class inside, those lineItems inside use.
        "categories": {
            c["sourcedId"]
            for c in data["category"]
            if c.get("metadata", {}).get("classId") in classes | {None}
        }
        | {li["category"] for li in data["lineItem"] if li["class"] in classes},
        "resources": set(),  # res-1 is only linked to sch-1's class and course
    }


def _all_ids() -> dict[str, list[str]]:
    data = district()
    return {
        "school_id": [o["sourcedId"] for o in data["org"]],
        "class_id": [c["sourcedId"] for c in data["class"]],
        "term_id": [s["sourcedId"] for s in data["academicSession"]],
        "course_id": [c["sourcedId"] for c in data["course"]],
        "user_id": [u["sourcedId"] for u in data["user"]],
        "li_id": [li["sourcedId"] for li in data["lineItem"]],
    }


def _requests(endpoints: Iterable[Endpoint] = ENDPOINTS) -> Iterator[tuple[Endpoint, str]]:
    """Every endpoint (of 1.1, by default) with every id of the district in each path parameter."""
    ids = _all_ids()
    ids["student_id"] = ids["teacher_id"] = ids["user_id"]
    data = district()
    singles = {
        "academicSession": ids["term_id"],
        "class": ids["class_id"],
        "course": ids["course_id"],
        "demographics": ids["user_id"],
        "org": ids["school_id"],
        "user": ids["user_id"],
        "enrollment": [e["sourcedId"] for e in data["enrollment"]],
        "lineItem": ids["li_id"],
        "result": [r["sourcedId"] for r in data["result"]],
        "category": [c["sourcedId"] for c in data["category"]],
        "resource": [r["sourcedId"] for r in data["resource"]],
    }
    for endpoint in endpoints:
        if endpoint.method != "GET":
            continue
        params = re.findall(r"\{(\w+)\}", endpoint.path)
        if not endpoint.collection:
            for value in singles[endpoint.entity_name]:
                yield endpoint, endpoint.root + endpoint.path.replace("{id}", value)
            continue
        combos: list[dict[str, str]] = [{}]
        for param in params:
            choices = ids["school_id"] if param == "id" else ids[param]
            combos = [dict(c, **{param: v}) for c in combos for v in choices]
        for combo in combos:
            yield (
                endpoint,
                endpoint.root + re.sub(r"\{(\w+)\}", lambda m, combo=combo: combo[m.group(1)], endpoint.path),
            )


def test_a_client_limited_to_one_school_sees_nothing_of_another_on_any_route(
    district_engine: sa.Engine,
) -> None:
    inside = _inside_sch2()
    seen: dict[str, set[str]] = {key: set() for key in inside}
    with client_for(district_engine, orgs=["sch-2"]) as client:
        count = 0
        for endpoint, path in _requests():
            for query in ("", "?filter=" + "status%3D%27active%27%20OR%20status%3D%27tobedeleted%27"):
                if query and not endpoint.collection:
                    continue
                response = client.get(path + query)
                count += 1
                key = endpoint.entity.collection_key
                if response.status_code == 404:
                    assert not endpoint.collection
                    continue
                assert response.status_code == 200, (path, response.text)
                body: Any = response.json()
                records = body[endpoint.wrapper_key] if endpoint.collection else [body[endpoint.wrapper_key]]
                # Shared categories other tests may have created: the default one, a district client's.
                returned = {r["sourcedId"] for r in records} - {DEFAULT_CATEGORY_ID, WRITES["category"][0]}
                assert returned <= inside[key], (path, returned - inside[key])
                seen[key] |= returned
                assert int(response.headers["X-Total-Count"]) == len(records)
        assert count > 300
    assert seen == inside  # and everything inside is reachable


def test_outside_records_answer_as_if_they_did_not_exist(district_engine: sa.Engine) -> None:
    with client_for(district_engine, orgs=["sch-2"]) as client:
        for path in [
            "/users/stu-1",
            "/classes/cls-bio-1",
            "/orgs/sch-1",
            "/orgs/dist-1",
            "/courses/crs-bio",
            "/enrollments/enr-1",
            "/demographics/stu-1",
            "/academicSessions/sem-old",
        ]:
            assert client.get(BASE + path).status_code == 404, path
        # The parent is outside: empty, even where a child would be inside (tch-3 teaches in both schools).
        assert client.get(BASE + "/schools/sch-1/teachers").json() == {"users": []}
        assert client.get(BASE + "/classes/cls-bio-2/teachers").json() == {"users": []}
        assert [c["sourcedId"] for c in client.get(BASE + "/users/tch-3/classes").json()["classes"]] == [
            "cls-eng7-1"
        ]
        escaped = client.get(BASE + "/users", params={"filter": "orgs.sourcedId='sch-1' OR role='teacher'"})
        assert [u["sourcedId"] for u in escaped.json()["users"]] == ["tch-2", "tch-3"]


def test_a_client_limited_to_the_district_sees_its_schools(district_engine: sa.Engine) -> None:
    with client_for(district_engine, orgs=["dist-1"]) as client:
        assert len(client.get(BASE + "/users").json()["users"]) == 10
        assert [o["sourcedId"] for o in client.get(BASE + "/orgs").json()["orgs"]] == [
            "dept-1",
            "dist-1",
            "sch-1",
            "sch-2",
        ]


# --- audit -------------------------------------------------------------------------------


def test_every_request_is_audited_without_secrets(
    district_engine: sa.Engine, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="openroster.audit"), client_for(district_engine) as client:
        caplog.clear()
        client.get(BASE + "/classes/cls-bio-1/students?limit=1")
        client.get(BASE + "/users", headers={"Authorization": "Bearer forged.token.value"})
    entries = [orjson.loads(r.getMessage()) for r in caplog.records if r.name == "openroster.audit"]
    ok, failed = entries[-2], entries[-1]
    assert ok["client"] and ok["method"] == "GET" and ok["path"] == BASE + "/classes/cls-bio-1/students"
    assert ok["status"] == 200 and ok["records"] == 1 and ok["ms"] >= 0
    assert failed["status"] == 401 and failed["client"] is None and "not valid" in failed["reason"]
    assert "forged.token.value" not in caplog.text
