"""The 1.2 services' localized OpenAPI documents: served where consumers look, valid, and true to the answers."""

from __future__ import annotations

import re
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import OpenAPIV31SpecValidator
from starlette.testclient import TestClient

from openroster.api.endpoints_v12 import ENDPOINTS_V12
from openroster.api.openapi_v12 import SERVICES, discovery_names
from tests.api.test_v12_access import _IDS, _PARAMS, BOUNDED
from tests.api.test_v12_endpoints import check_status

NAMES = [(service, name) for service in SERVICES for name in discovery_names(service)]


def _document(api: TestClient, service: str, name: str = "openapi.json") -> dict[str, Any]:
    response = api.get(f"{SERVICES[service]}/{name}", headers={"Authorization": ""})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    document: dict[str, Any] = response.json()
    return document


@pytest.mark.parametrize(("service", "name"), NAMES, ids=[f"{s}:{n}" for s, n in NAMES])
def test_each_document_is_served_without_credentials_under_each_name(
    api: TestClient, service: str, name: str
) -> None:
    document = _document(api, service, name)
    OpenAPIV31SpecValidator(document).validate()
    assert document["servers"] == [{"url": "https://sis.example.org" + SERVICES[service]}]
    flow = document["components"]["securitySchemes"]["OAuth2CC"]["flows"]["clientCredentials"]
    assert flow["tokenUrl"] == "https://sis.example.org/oauth/token"
    assert all(scope.startswith("https://purl.imsglobal.org/spec/or/v1p2/scope/") for scope in flow["scopes"])


@pytest.mark.parametrize("service", list(SERVICES))
def test_each_document_lists_exactly_the_operations_served(api: TestClient, service: str) -> None:
    document = _document(api, service)
    listed = {(path, op["operationId"]) for path, item in document["paths"].items() for op in item.values()}
    assert listed == {(e.path, e.operation) for e in ENDPOINTS_V12 if e.root == SERVICES[service]}


def test_every_answer_fits_the_document(api: TestClient) -> None:
    documents = {service: _document(api, service) for service in SERVICES}
    for endpoint in (e for e in BOUNDED if e.method == "GET"):
        document = documents[next(s for s, root in SERVICES.items() if root == endpoint.root)]
        operation = document["paths"][endpoint.path]["get"]
        path = endpoint.path.replace("{id}", _IDS[endpoint.segments[0]])
        response = api.get(endpoint.root + re.sub(r"\{(\w+)\}", lambda m: _PARAMS[m.group(1)], path))
        assert response.status_code == 200, (endpoint.path, response.text)
        schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
        Draft202012Validator({**schema, "components": document["components"]}).validate(response.json())
        missing = api.get(endpoint.root + path.replace(_IDS[endpoint.segments[0]], "nobody", 1).split("?")[0])
        if missing.status_code != 200:
            error = operation["responses"][str(missing.status_code)]["content"]["application/json"]["schema"]
            Draft202012Validator({**error, "components": document["components"]}).validate(missing.json())


def test_only_get_and_head(api: TestClient) -> None:
    path = SERVICES["rostering"] + "/discovery/onerosterv1p2rostersservice_openapi3_v1p0.json"
    head = api.head(path)
    assert head.status_code == 200 and head.content == b""
    response = api.post(path)
    check_status(response, 405, None)
    assert response.headers["Allow"] == "GET, HEAD"


def test_the_gradebook_405_fits_the_gradebook_document(api: TestClient) -> None:
    document = _document(api, "gradebook")
    response = api.post(SERVICES["gradebook"] + "/lineItems/li-1", json={})
    check_status(response, 405, "unsupported", document["components"]["schemas"]["StatusInfo"])
    error = document["paths"]["/lineItems/{id}"]["get"]["responses"]["405"]["content"]["application/json"]
    Draft202012Validator({**error["schema"], "components": document["components"]}).validate(response.json())
