"""The localized OpenAPI 3.1 documents of the 1.2 services, derived from endpoints_v12.py and schema_v12.py.

1.2 consumers discover a provider by its own copy of the service's OpenAPI file, with the real
server URL, token URL and only what it serves (spec §1). Where they look is not settled, so each
document is served under both names in use, below the service's root:
`discovery/onerosterv1p2<service>service_openapi3_v1p0.json` and
`discovery/imsorv1p2_<service>_openapi3_v1p0.json` (and `openapi.json`, as for 1.1).
"""

from __future__ import annotations

from typing import Any

from openroster import __version__
from openroster.api.endpoints import Endpoint, parents
from openroster.api.endpoints_v12 import ENDPOINTS_V12
from openroster.auth import scopes
from openroster.model.schema_v12 import GRADEBOOK_STATUS_SCHEMA, STATUS_SCHEMA, document_schema
from openroster.model.v12 import ENTITIES_V12, GRADEBOOK_ROOT, RESOURCES_ROOT, ROSTERING_ROOT
from openroster.query.params import DEFAULT_LIMIT

Schema = dict[str, Any]
TOKEN_PATH = "/oauth/token"
# The Assessment Results Profile's operations live under the gradebook root: its document has them.
SERVICES = {"rostering": ROSTERING_ROOT, "resources": RESOURCES_ROOT, "gradebook": GRADEBOOK_ROOT}
_FILE_NAMES = {"rostering": "rosters", "resources": "resources", "gradebook": "gradebook"}  # 1EdTech's


def discovery_names(service: str) -> tuple[str, ...]:
    """The paths below the service's root its document is served at."""
    return (
        f"discovery/onerosterv1p2{_FILE_NAMES[service]}service_openapi3_v1p0.json",
        f"discovery/imsorv1p2_{service}_openapi3_v1p0.json",
        "openapi.json",
    )


_SCOPE_TEXT = {
    scopes.ROSTER_CORE: "Collections and single objects of rostering, demographics excepted",
    scopes.ROSTER: "Every rostering read but demographics, relationship reads included",
    scopes.DEMOGRAPHICS: "Demographics",
    scopes.RESOURCE_CORE: "getAllResources and getResource",
    scopes.RESOURCE: "Every resources read",
    scopes.GRADEBOOK_CORE: "Collections and single objects of categories, lineItems, results, scoreScales",
    scopes.GRADEBOOK_READ: "Every gradebook read, the class- and school-scoped ones included",
    scopes.GRADEBOOK_WRITE: "PUT of categories, lineItems, results, scoreScales",
    scopes.GRADEBOOK_POST: "The POSTs that create lineItems and results",
    scopes.GRADEBOOK_DELETE: "DELETE of categories, lineItems, results, scoreScales",
    scopes.ASSESSMENT_READ: "Reads of assessmentLineItems and assessmentResults",
    scopes.ASSESSMENT_WRITE: "PUT of assessmentLineItems and assessmentResults",
    scopes.ASSESSMENT_DELETE: "DELETE of assessmentLineItems and assessmentResults",
}
# The scope that also opens an operation needing the first (either one suffices).
_WIDER = {
    scopes.ROSTER_CORE: scopes.ROSTER,
    scopes.RESOURCE_CORE: scopes.RESOURCE,
    scopes.GRADEBOOK_CORE: scopes.GRADEBOOK_READ,
}


def _schema_name(entity: str) -> str:
    return entity[0].upper() + entity[1:]


def _ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def _error(description: str) -> Schema:
    return {"description": description, "content": {"application/json": {"schema": _ref("StatusInfo")}}}


def _parameters(endpoint: Endpoint, max_limit: int) -> list[Schema]:
    owners = {param: single.entity.name for param, single in parents(endpoint)}
    out: list[Schema] = [
        {
            "name": s[1:-1],
            "in": "path",
            "required": True,
            "description": f"sourcedId of the {owners.get(s[1:-1], endpoint.entity.name)}",
            "schema": {"type": "string", "minLength": 1},
        }
        for s in endpoint.segments
        if s.startswith("{")
    ]
    if endpoint.method != "GET":
        return out
    names = [f.name for f in ENTITIES_V12[endpoint.entity_name].all_fields if not f.secret] + ["metadata"]
    out.append(
        {
            "name": "fields",
            "in": "query",
            "required": False,
            "description": f"Fields to return, of: {', '.join(names)}; an unknown or blank name is 400.",
            "style": "form",
            "explode": False,
            "schema": {"type": "array", "items": {"type": "string"}},
        }
    )
    if endpoint.collection:
        out += [
            {
                "name": "limit",
                "in": "query",
                "required": False,
                "schema": {"type": "integer", "minimum": 1, "maximum": max_limit, "default": DEFAULT_LIMIT},
            },
            {"name": "offset", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 0}},
            {"name": "sort", "in": "query", "required": False, "schema": {"type": "string"}},
            {
                "name": "orderBy",
                "in": "query",
                "required": False,
                "schema": {"type": "string", "enum": ["asc", "desc"]},
            },
            {
                "name": "filter",
                "in": "query",
                "required": False,
                "description": "field op 'value' predicates (ops = != > >= < <= ~) joined by AND / OR, "
                "e.g. roles.role='teacher' AND roles.org.sourcedId='sch-1'",
                "schema": {"type": "string"},
            },
        ]
    return out


def _alternatives(endpoint: Endpoint) -> list[str]:
    """The scope URIs of which any one opens `endpoint`."""
    needed = endpoint.required_scope.removeprefix(scopes.PREFIX_V12)
    return [scopes.PREFIX_V12 + name for name in (needed, _WIDER.get(needed)) if name]


_PAIRS: Schema = {
    "type": "object",
    "additionalProperties": False,
    "required": ["sourcedIdPairs"],
    "properties": {
        "sourcedIdPairs": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["allocatedSourcedId"],
                "properties": {
                    "suppliedSourcedId": {"type": "string"},
                    "allocatedSourcedId": {"type": "string"},
                },
            },
        }
    },
}


def _write(endpoint: Endpoint) -> Schema:
    """A PUT, DELETE or POST of the gradebook service."""
    key, item = endpoint.wrapper_key, _ref(_schema_name(endpoint.entity_name))
    errors = {
        "400": _error("The body is not JSON, or lacks its wrapper key"),
        "401": _error("Missing or bad bearer token (OAuth 1.0a signatures are not accepted)"),
        "403": _error("The token lacks the scope this operation needs"),
        "404": _error("No such object, or no such parent in the path"),
        "409": _error("The sourcedId belongs to a record this client may not write"),
        "422": _error("The body names what does not exist, misses required fields, or has bad values"),
        "500": _error("Internal server error"),
    }
    operation: Schema = {
        "operationId": endpoint.operation,
        "parameters": _parameters(endpoint, 0),
        "security": [{"OAuth2CC": [scope]} for scope in _alternatives(endpoint)],
    }
    if endpoint.method == "DELETE":
        return operation | {"responses": {"204": {"description": "Deleted (a tombstone remains)"}, **errors}}
    given = 'GUIDRefs may be given as {"sourcedId": ...} alone'
    if endpoint.method == "POST":
        body: Schema = {"type": "object", "required": [key], "properties": {key: {"type": "array"}}}
        answers = {"201": {"description": "Created", "content": {"application/json": {"schema": _PAIRS}}}}
    else:
        body = {"type": "object", "required": [key], "properties": {key: {"type": "object"}}}
        single = {
            "type": "object",
            "additionalProperties": False,
            "required": [key],
            "properties": {key: item},
        }
        content = {"application/json": {"schema": single}}
        answers = {
            "200": {"description": "Replaced", "content": content},
            "201": {"description": "Created", "content": content},
        }
    request = {"required": True, "description": given, "content": {"application/json": {"schema": body}}}
    return operation | {"requestBody": request, "responses": answers | errors}


def _operation(endpoint: Endpoint, max_limit: int) -> Schema:
    if endpoint.method != "GET":
        return _write(endpoint)
    key, name = endpoint.wrapper_key, _schema_name(endpoint.entity_name)
    item = _ref(name)
    body = {
        "type": "object",
        "additionalProperties": False,
        "required": [key],
        "properties": {key: {"type": "array", "items": item} if endpoint.collection else item},
    }
    headers: Schema = {"X-Total-Count": {"schema": {"type": "integer", "minimum": 0}}}
    if endpoint.collection:
        headers["Link"] = {"schema": {"type": "string"}, "description": "RFC 8288: next, last, first, prev"}
    return {
        "operationId": endpoint.operation,
        "parameters": _parameters(endpoint, max_limit),
        "security": [{"OAuth2CC": [scope]} for scope in _alternatives(endpoint)],
        "responses": {
            "200": {
                "description": f"`{key}`",
                "headers": headers,
                "content": {"application/json": {"schema": body}},
            },
            "400": _error("A malformed parameter or filter, or an unknown filter or selection field"),
            "401": _error("Missing or bad bearer token (OAuth 1.0a signatures are not accepted)"),
            "403": _error("The token lacks the scope this operation needs"),
            "404": _error("No such object, or no such parent of a relationship"),
            "405": _error("A method this path does not take"),
            "500": _error("Internal server error"),
        },
    }


def _paths(endpoints: list[Endpoint], max_limit: int) -> Schema:
    paths: Schema = {}
    for endpoint in endpoints:
        paths.setdefault(endpoint.path, {})[endpoint.method.lower()] = _operation(endpoint, max_limit)
    return paths


def openapi_document_v12(service: str, base_url: str, *, max_limit: int) -> Schema:
    """The document of the 1.2 `service` (rostering, resources or gradebook) for a server at `base_url`."""
    root = SERVICES[service]
    endpoints = [e for e in ENDPOINTS_V12 if e.root == root]
    entities = sorted({e.entity_name for e in endpoints})
    service_scopes = sorted({scope for e in endpoints for scope in _alternatives(e)})
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"openroster: OneRoster 1.2 {service}",
            "version": __version__,
            "description": f"OneRoster 1.2 {service} service. Access tokens: OAuth 2.0 client credentials "
            f"at {base_url}{TOKEN_PATH}. Every error body is a 1.2 status payload.",
        },
        "servers": [{"url": base_url + root}],
        "paths": _paths(endpoints, max_limit),
        "components": {
            "schemas": {
                **{_schema_name(name): document_schema(ENTITIES_V12[name]) for name in entities},
                "StatusInfo": GRADEBOOK_STATUS_SCHEMA if root == GRADEBOOK_ROOT else STATUS_SCHEMA,
            },
            "securitySchemes": {
                "OAuth2CC": {
                    "type": "oauth2",
                    "flows": {
                        "clientCredentials": {
                            "tokenUrl": base_url + TOKEN_PATH,
                            "scopes": {
                                s: _SCOPE_TEXT[s.removeprefix(scopes.PREFIX_V12)] for s in service_scopes
                            },
                        }
                    },
                }
            },
        },
    }
