"""A sweep of every GET endpoint over the demo district `serve --demo` loads, ids discovered as a client would."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient
from typer.testing import CliRunner

from openroster.api.endpoints import ENDPOINTS, Endpoint
from openroster.cli import app
from openroster.store.dialects import create_engine
from tests.conftest import BACKENDS, BASE, client_for, new_database

# Endpoints that answer an empty list on the demo by design. There are none: every GET endpoint
# of the table has records, so a client evaluating openroster on the demo can try each one.
EMPTY_BY_DESIGN: frozenset[str] = frozenset()

# The path segment before a parameter -> the kind of id it takes.
_KIND_BEFORE = {
    "schools": "school",
    "classes": "class",
    "lineItems": "lineItem",
    "students": "student",
    "terms": "term",
    "courses": "course",
    "teachers": "teacher",
    "users": "user",
}


@pytest.fixture(scope="module", params=BACKENDS)
def demo_client(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestClient]:
    """The demo district `serve --demo` loads (3 schools, 300 students, seed 1), through the CLI."""
    folder = tmp_path_factory.mktemp("sweep")
    url = new_database(request.param, folder)
    runner = CliRunner()
    for arguments in (
        ["demo-data", str(folder / "demo"), "--schools", "3", "--students", "300", "--seed", "1"],
        ["import", str(folder / "demo"), "--database", url],
    ):
        result = runner.invoke(app, arguments)
        assert result.exit_code == 0, result.output
    engine = create_engine(url)
    with client_for(engine) as client:
        yield client
    engine.dispose()


def _get(client: TestClient, path: str) -> dict[str, Any]:
    response = client.get(BASE + path)
    assert response.status_code == 200, (path, response.text)
    body: dict[str, Any] = response.json()
    return body


def _first(client: TestClient, path: str, key: str) -> dict[str, Any]:
    records = _get(client, f"{path}?limit=1")[key]
    assert records, f"{path} is empty"
    first: dict[str, Any] = records[0]
    return first


def discover(client: TestClient) -> dict[str, str]:
    """Ids found by following the data from the collections: the first result, its lineItem,
    student and class, and that class's school, course, term and first teacher."""
    result = _first(client, "/results", "results")
    line_item = _get(client, f"/lineItems/{result['lineItem']['sourcedId']}")["lineItem"]
    klass = _get(client, f"/classes/{line_item['class']['sourcedId']}")["class"]
    teacher = _first(client, f"/classes/{klass['sourcedId']}/teachers", "users")
    return {
        "lineItem": line_item["sourcedId"],
        "student": result["student"]["sourcedId"],
        "user": result["student"]["sourcedId"],
        "class": klass["sourcedId"],
        "school": klass["school"]["sourcedId"],
        "course": klass["course"]["sourcedId"],
        "term": klass["terms"][0]["sourcedId"],
        "teacher": teacher["sourcedId"],
    }


def concrete_path(client: TestClient, endpoint: Endpoint, ids: dict[str, str]) -> str:
    """The endpoint's path with discovered ids; a single object's id is the collection's first."""
    segments = list(endpoint.segments)
    if not endpoint.collection and len(segments) == 2:
        collection = next(e for e in ENDPOINTS if e.path == "/" + segments[0] and e.method == "GET")
        segments[1] = _first(client, collection.path, collection.wrapper_key)["sourcedId"]
        return "/" + "/".join(segments)
    for index, segment in enumerate(segments):
        if segment.startswith("{"):
            kind = _KIND_BEFORE.get(segments[index - 1])
            assert kind is not None, f"the sweep does not know which id {segment} of {endpoint.path} takes"
            segments[index] = ids[kind]
    return "/" + "/".join(segments)


def test_every_get_endpoint_answers_records_on_the_demo(demo_client: TestClient) -> None:
    ids = discover(demo_client)
    swept, empty = [], []
    for endpoint in ENDPOINTS:
        if endpoint.method != "GET":
            continue
        path = concrete_path(demo_client, endpoint, ids)
        body = _get(demo_client, path)
        records = body[endpoint.wrapper_key]
        count = len(records) if endpoint.collection else 1
        assert endpoint.collection or records["sourcedId"] == path.rsplit("/", 1)[1]
        swept.append(endpoint.path)
        if count == 0:
            empty.append(endpoint.path)
    assert sorted(empty) == sorted(EMPTY_BY_DESIGN)
    assert len(swept) == len({e.path for e in ENDPOINTS if e.method == "GET"}) >= 49


def test_the_sweep_reaches_every_kind_of_grade(demo_client: TestClient) -> None:
    ids = discover(demo_client)
    results = _get(demo_client, f"/classes/{ids['class']}/results?limit=10000")["results"]
    line_items = {
        item["sourcedId"]: item
        for item in _get(demo_client, f"/classes/{ids['class']}/lineItems")["lineItems"]
    }
    assert results and {r["lineItem"]["sourcedId"] for r in results} <= set(line_items)
    all_results = _get(demo_client, "/results?limit=10000")["results"]
    assert {"fully graded", "exempt", "not submitted"} <= {r["scoreStatus"] for r in all_results}
    maxima = {
        item["sourcedId"]: float(item["resultValueMax"])
        for item in _get(demo_client, "/lineItems?limit=10000")["lineItems"]
    }
    assert any(float(r["score"]) > maxima[r["lineItem"]["sourcedId"]] for r in all_results if "score" in r)
    assert {item["gradingPeriod"]["sourcedId"] for item in line_items.values()} >= {"gp-2026-1", "gp-2026-2"}
