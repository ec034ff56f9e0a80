"""The served OpenAPI 3.1 document: valid, complete, true to the real server's answers; and the docs page."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from jsonschema import Draft202012Validator
from openapi_spec_validator import OpenAPIV31SpecValidator
from starlette.testclient import TestClient

from openroster.api.endpoints import ENDPOINTS, Endpoint
from openroster.auth import scopes
from tests.conftest import BASE, app_for, client_for, load
from tests.district import district

README = Path(__file__).resolve().parents[2] / "README.md"
# A record of the test district for each collection a path parameter follows.
SAMPLE_IDS = {
    "academicsessions": "sy-2026",
    "classes": "cls-bio-1",
    "courses": "crs-bio",
    "gradingperiods": "gp-1",
    "demographics": "stu-1",
    "enrollments": "enr-1",
    "orgs": "dist-1",
    "schools": "sch-1",
    "students": "stu-1",
    "teachers": "tch-1",
    "terms": "term-1",
    "users": "stu-1",
    "resources": "res-1",
    "categories": "cat-hw",
    "lineitems": "li-1",
    "results": "rs-1",
}


def served_document(client: TestClient) -> dict[str, Any]:
    response = client.get(BASE + "/openapi.json", headers={"Authorization": ""})
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/json")
    document: dict[str, Any] = response.json()
    return document


@pytest.fixture(scope="module")
def document(api: TestClient) -> dict[str, Any]:
    return served_document(api)


def sample_path(endpoint: Endpoint) -> str:
    segments = endpoint.segments
    return "/" + "/".join(
        SAMPLE_IDS[segments[i - 1].lower()] if s.startswith("{") else s for i, s in enumerate(segments)
    )


def conforms(document: dict[str, Any], schema: dict[str, Any], instance: Any) -> None:
    """Validate `instance` against `schema`, whose $refs point into `document`."""
    root = {**schema, "components": document["components"]}
    validator = Draft202012Validator(root, format_checker=Draft202012Validator.FORMAT_CHECKER)
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(instance)]
    assert not errors, errors[:5]


def response_schema(document: dict[str, Any], endpoint: Endpoint, status: int) -> dict[str, Any]:
    operation = document["paths"][endpoint.path][endpoint.method.lower()]
    assert str(status) in operation["responses"], f"{endpoint.operation} does not document {status}"
    schema: dict[str, Any] = operation["responses"][str(status)]["content"]["application/json"]["schema"]
    return schema


def entity_schema(endpoint: Endpoint) -> dict[str, Any]:
    name = endpoint.entity.name
    return {"$ref": f"#/components/schemas/{name[0].upper() + name[1:]}"}


def test_the_document_is_valid_openapi_3_1(document: dict[str, Any]) -> None:
    assert document["openapi"].startswith("3.1")
    OpenAPIV31SpecValidator(document).validate()


def test_it_is_served_without_credentials_and_names_this_server(document: dict[str, Any]) -> None:
    assert document["servers"] == [{"url": "https://sis.example.org" + BASE}]
    flow = document["components"]["securitySchemes"]["oauth2"]["flows"]["clientCredentials"]
    assert flow["tokenUrl"] == "https://sis.example.org/oauth/token"
    assert sorted(flow["scopes"]) == sorted(scopes.ALL_V11)  # the 1.1 document: 1.1 scopes


def test_the_server_url_follows_the_public_url_and_trusted_proxies(district_engine: sa.Engine) -> None:
    with TestClient(app_for(district_engine, public_url="https://roster.example.org/sis")) as client:
        assert served_document(client)["servers"][0]["url"] == "https://roster.example.org/sis" + BASE
    with TestClient(app_for(district_engine, forwarded_allow_ips="testclient")) as client:
        response = client.get(
            BASE + "/openapi.json",
            headers={"X-Forwarded-Proto": "https", "X-Forwarded-Host": "proxy.example.org"},
        )
        document = response.json()
        assert document["servers"][0]["url"] == "https://proxy.example.org" + BASE
        assert (
            document["components"]["securitySchemes"]["oauth2"]["flows"]["clientCredentials"]["tokenUrl"]
            == "https://proxy.example.org/oauth/token"
        )


def test_every_endpoint_is_an_operation_with_its_scope(document: dict[str, Any]) -> None:
    operations = {
        (path, method): op for path, item in document["paths"].items() for method, op in item.items()
    }
    assert len(operations) == len(ENDPOINTS) == 62  # 1.1's 61 and getCategoriesForClass
    for endpoint in ENDPOINTS:
        operation = operations[(endpoint.path, endpoint.method.lower())]
        assert operation["operationId"] == endpoint.operation
        assert operation["security"] == [
            {"oauth2": [endpoint.required_scope]},
            {"oauth1": [endpoint.required_scope]},
        ]
        documented = {p["name"] for p in operation["parameters"] if p["in"] == "path"}
        assert documented == set(re.findall(r"{(\w+)}", endpoint.path))
        query = {p["name"] for p in operation["parameters"] if p["in"] == "query"}
        expected = (
            {"limit", "offset", "sort", "orderBy", "filter", "fields"} if endpoint.collection else {"fields"}
        )
        assert query == (expected if endpoint.method == "GET" else set())


def _readme_paths() -> tuple[set[str], set[str]]:
    """(every path the README's endpoint tables list, the paths they say take PUT and DELETE).

    In a row, a path of one segment after a longer one continues it (`/schools/{id}/courses`,
    `/classes` is `/schools/{id}/classes`); `(`/{id}`)` and "on `/{id}`" add the single-object path.
    """
    text = README.read_text()
    tables = text[text.index("## Endpoints") : text.index("## Query language")]
    paths, writable = set(), set()
    for row in re.findall(r"^\| `/.*$", tables, flags=re.M):
        cells = row.split("|")[1:-1]
        first = None
        parent = ""
        for cell_index, cell in enumerate(cells):
            if cell_index == 1:
                continue  # wrapper keys
            for item in re.findall(r"`(/[^`]*)`", cell):
                if item == "/{id}":
                    assert first is not None
                    paths.add(first + "/{id}")
                    if cell_index == 2 and "PUT" in cell:
                        writable.add(first + "/{id}")
                    continue
                full = item if item.count("/") > 1 or first is None else parent + item
                first = first or full
                parent = full.rsplit("/", 1)[0]
                paths.add(full)
    normal = {re.sub(r"{\w+}", "{}", p).lower() for p in paths}
    return normal, {re.sub(r"{\w+}", "{}", p).lower() for p in writable}


def test_every_operation_the_readme_lists_is_in_the_document(document: dict[str, Any]) -> None:
    listed, writable = _readme_paths()
    documented = {re.sub(r"{\w+}", "{}", p).lower(): set(item) for p, item in document["paths"].items()}
    assert listed == set(documented)
    assert writable == {p for p, methods in documented.items() if "put" in methods}
    assert all(documented[p] == {"get", "put", "delete"} for p in writable)
    assert f"All {len(ENDPOINTS)} operations" in README.read_text()


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if e.method == "GET"], ids=lambda e: e.operation)
def test_real_answers_conform_to_the_document(
    api: TestClient, document: dict[str, Any], endpoint: Endpoint
) -> None:
    response = api.get(BASE + sample_path(endpoint))
    assert response.status_code == 200, response.text
    body = response.json()
    conforms(document, response_schema(document, endpoint, 200), body)
    records = body[endpoint.wrapper_key] if endpoint.collection else [body[endpoint.wrapper_key]]
    assert records, f"the sample {sample_path(endpoint)} returned nothing to check"
    for record in records:
        conforms(document, entity_schema(endpoint), record)  # a whole record: every required field
    operation = document["paths"][endpoint.path]["get"]
    for header in operation["responses"]["200"]["headers"]:
        assert header in response.headers, header
    selected = api.get(
        BASE + sample_path(endpoint), params={"fields": "sourcedId,status", "sort": "nickname"}
    )
    conforms(document, response_schema(document, endpoint, 200), selected.json())  # a selection and a warning


def test_gradebook_writes_conform_to_the_document(tmp_path: Path, document: dict[str, Any]) -> None:
    by_operation = {e.operation: e for e in ENDPOINTS}
    bodies = {
        "putCategory": ("/categories/cat-new", {"category": {"title": "Labs"}}),
        # what Microsoft's Grade Sync sends: GUIDRefs without href or type, no category
        "putLineItem": (
            "/lineItems/li-new",
            {
                "lineItem": {
                    "title": "Lab report",
                    "assignDate": "2025-09-20T08:00:00Z",
                    "dueDate": "2025-09-27T23:59:00.000Z",
                    "class": {"sourcedId": "cls-bio-1"},
                    "gradingPeriod": {"sourcedId": "term-1", "type": "academicSession"},
                    "resultValueMin": 0,
                    "resultValueMax": "100",
                    "status": "active",
                }
            },
        ),
        "putResult": (
            "/results/rs-new",
            {
                "result": {
                    "lineItem": {"sourcedId": "li-new"},
                    "student": {"sourcedId": "stu-1"},
                    "scoreStatus": "fully graded",
                    "score": 88.5,
                    "scoreDate": "2025-09-28T10:00:00.000Z",
                    "comment": None,
                }
            },
        ),
    }
    with client_for(load(tmp_path, district())) as client:
        for name, (path, body) in bodies.items():
            endpoint = by_operation[name]
            request_schema = document["paths"][endpoint.path]["put"]["requestBody"]["content"][
                "application/json"
            ]
            conforms(document, request_schema["schema"], body)
            for expected in (201, 200):
                response = client.put(BASE + path, json=body)
                assert response.status_code == expected, response.text
                conforms(document, response_schema(document, endpoint, expected), response.json())
        for name, path in [
            ("deleteResult", "/results/rs-new"),
            ("deleteLineItem", "/lineItems/li-new"),
            ("deleteCategory", "/categories/cat-new"),
        ]:
            endpoint = by_operation[name]
            assert client.delete(BASE + path).status_code == 204
            assert "204" in document["paths"][endpoint.path]["delete"]["responses"]
            missing = client.delete(BASE + path)
            assert missing.status_code == 404
            conforms(document, response_schema(document, endpoint, 404), missing.json())


def test_errors_conform_to_the_document(
    district_engine: sa.Engine, api: TestClient, document: dict[str, Any]
) -> None:
    by_operation = {e.operation: e for e in ENDPOINTS}
    reader = client_for(district_engine, scopes=[scopes.PREFIX + scopes.ROSTER_CORE])
    cases = [
        (api.get(BASE + "/users", params={"limit": "0"}), "getAllUsers", 400),
        (api.get(BASE + "/users", params={"filter": "favouriteColour='red'"}), "getAllUsers", 400),
        (api.get(BASE + "/users/stu-1", params={"fields": "a,,b"}), "getUser", 400),
        (api.get(BASE + "/users", headers={"Authorization": ""}), "getAllUsers", 401),
        (reader.get(BASE + "/classes/cls-bio-1/students"), "getStudentsForClass", 403),
        (reader.put(BASE + "/categories/c1", json={"category": {"title": "x"}}), "putCategory", 403),
        (api.get(BASE + "/users/nobody"), "getUser", 404),
        (api.put(BASE + "/categories/c1", content=b"{"), "putCategory", 400),
        (api.put(BASE + "/categories/c1", content=b"x" * 2_000_000), "putCategory", 413),
        (api.put(BASE + "/lineItems/l1", json={"lineItem": {"title": 5}}), "putLineItem", 422),
        (api.delete(BASE + "/lineItems/nothing-here"), "deleteLineItem", 404),
    ]
    for response, operation, status in cases:
        assert response.status_code == status, (operation, response.text)
        conforms(document, response_schema(document, by_operation[operation], status), response.json())
    assert "WWW-Authenticate" in cases[3][0].headers


def test_undocumented_methods_answer_405_with_allow(api: TestClient, document: dict[str, Any]) -> None:
    for method in ("POST", "PATCH", "TRACE", "PURGE"):
        response = api.request(method, BASE + "/lineItems/li-1")
        assert response.status_code == 405, method
        assert response.headers["Allow"] == "DELETE, GET, HEAD, PUT"
        assert response.json()["statusInfoSet"][0]["imsx_codeMinor"] == "unsupported"
        conforms(document, {"$ref": "#/components/schemas/StatusPayload"}, response.json())
    refused = api.post(BASE + "/openapi.json")
    assert refused.status_code == 405 and refused.headers["Allow"] == "GET, HEAD"


def test_the_docs_page_is_self_contained_and_lists_every_operation(api: TestClient) -> None:
    response = api.get(BASE + "/docs", headers={"Authorization": ""})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    page = response.text
    for endpoint in ENDPOINTS:
        assert f'id="{endpoint.operation}"' in page and endpoint.path in page
    assert "https://sis.example.org/oauth/token" in page and scopes.PREFIX + scopes.GRADEBOOK_WRITE in page
    assert not re.search(r"<script|<link|<img|<iframe|src=|@import|url\(", page)  # nothing fetched elsewhere
    assert 'href="http' not in page
    assert api.head(BASE + "/docs").content == b""
