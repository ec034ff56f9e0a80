"""The OpenAPI 3.1 document of the API, derived from the endpoint table and the catalogue.

Nothing here is written per endpoint or per entity: paths, parameters, wrapper keys, status
codes and scopes come from `api/endpoints.py`; the schemas from `api/openapi_schemas.py`, which
derives them from `model/catalogue.py`. The document says what the server really accepts and
answers, so a fuzzer can hold the server to it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from openroster import API_ROOT, __version__
from openroster.api.endpoints import ENDPOINTS, GRADEBOOK, RESOURCES, Endpoint, parents
from openroster.api.openapi_schemas import component_schemas, ref, schema_name
from openroster.auth import scopes
from openroster.model.catalogue import ENTITIES_V11, METADATA, Entity, Kind
from openroster.query.params import DEFAULT_LIMIT

Schema = dict[str, Any]
TOKEN_PATH = "/oauth/token"
# Served below the API root, without authentication: the document and its HTML rendering.
REFERENCE_PAGES = ("openapi.json", "docs")

_SCOPE_TEXT = {
    scopes.ROSTER_CORE: "Collections and single objects of the rostering tables (Table 3.1a)",
    scopes.ROSTER: "Every rostering read, relationship endpoints included",
    scopes.DEMOGRAPHICS: "Demographics",
    scopes.RESOURCE: "Resources (Table 3.1b)",
    scopes.GRADEBOOK_READ: "Gradebook reads: categories, lineItems, results",
    scopes.GRADEBOOK_WRITE: "Gradebook PUT (create or replace)",
    scopes.GRADEBOOK_DELETE: "Gradebook DELETE",
}
_STATUS_TEXT = {
    200: "Success",
    201: "Created: the record was new (or had been deleted)",
    204: "Deleted",
    400: "Bad request: a malformed parameter, filter, body or OAuth 1.0a request",
    401: "Missing or bad credentials",
    403: "The client lacks the scope this operation needs",
    404: "No such record (or outside this client's district boundary)",
    413: "The request body is larger than the server's limit",
    422: "The body's content cannot be stored; every bad field is named",
    500: "Internal server error",
}


# --- shared pieces


def _components(base_url: str) -> Schema:
    token_url = base_url + TOKEN_PATH
    return {
        "schemas": component_schemas(),
        "securitySchemes": {
            "oauth2": {
                "type": "oauth2",
                "description": "OAuth 2.0 client credentials (HTTP Basic or form "
                "client authentication); send the token as `Authorization: Bearer ...`.",
                "flows": {
                    "clientCredentials": {
                        "tokenUrl": token_url,
                        "scopes": {scopes.PREFIX + name: _SCOPE_TEXT[name] for name in scopes.SHORT_NAMES},
                    }
                },
            },
            "oauth1": {
                "type": "http",
                "scheme": "OAuth",
                "description": (
                    "OAuth 1.0a (RFC 5849) one-legged signing with the client id as consumer key and the "
                    "client secret as consumer secret: HMAC-SHA1 or HMAC-SHA256, parameters in the "
                    "`Authorization: OAuth ...` header or in the query string, timestamps within the "
                    "server's window and each nonce used once. The client's configured scopes apply."
                ),
            },
        },
        "headers": {
            "X-Total-Count": {
                "description": "How many records match (1 for a single object)",
                "required": True,
                "schema": {"type": "integer", "minimum": 0},
            },
            "X-Data-Revision": {
                "description": "Changes whenever served data changes; a page walk whose "
                "pages carry one revision saw every record once",
                "required": True,
                "schema": {"type": "integer", "minimum": 0},
            },
            "Link": {
                "description": "RFC 8288 links: next, last, first, prev",
                "required": True,
                "schema": {"type": "string"},
            },
            "WWW-Authenticate": {
                "description": "The accepted schemes (Bearer, OAuth)",
                "required": True,
                "schema": {"type": "string"},
            },
        },
    }


def _error(status: int, *headers: str) -> Schema:
    response: Schema = {
        "description": _STATUS_TEXT[status],
        "content": {"application/json": {"schema": ref("StatusPayload")}},
    }
    if headers:
        response["headers"] = {name: {"$ref": f"#/components/headers/{name}"} for name in headers}
    return response


def _filter_examples(entity: Entity) -> Schema:
    """A full sync, a delta sync and, when the entity has one, a match on its first enumeration."""
    examples: Schema = {
        "active": {"summary": "Active records (a full sync)", "value": "status='active'"},
        "delta": {
            "summary": "Changed or deleted since a moment (a delta sync)",
            "value": "dateLastModified>'2025-09-01T00:00:00.000Z'",
        },
    }
    enum = next((f for f in entity.fields if f.kind is Kind.ENUM), None)
    if enum is not None:
        examples["enumeration"] = {
            "summary": f"By {enum.name}",
            "value": f"{enum.name}='{enum.enum[0]}' AND status='active'",
        }
    return examples


def _query_parameters(endpoint: Endpoint, max_limit: int) -> list[Schema]:
    entity = ENTITIES_V11[endpoint.entity_name]
    names = [f.name for f in entity.all_fields] + [METADATA]
    fields = {
        "name": "fields",
        "in": "query",
        "required": False,
        "description": f"Comma-separated fields to return, of: {', '.join(names)}. An unknown name "
        "is a warning and all fields are returned; a blank name is 400.",
        "schema": {"type": "string", "pattern": r"^\s*[^\s,][^,]*(,\s*[^\s,][^,]*)*$"},
    }
    if not endpoint.collection:
        return [fields]
    return [
        {
            "name": "limit",
            "in": "query",
            "required": False,
            "description": "Records per page",
            "schema": {"type": "integer", "minimum": 1, "maximum": max_limit, "default": DEFAULT_LIMIT},
        },
        {
            "name": "offset",
            "in": "query",
            "required": False,
            "description": "Records to skip",
            "schema": {"type": "integer", "minimum": 0, "default": 0},
        },
        {
            "name": "sort",
            "in": "query",
            "required": False,
            "description": f"Field to sort by (then sourcedId), one of: {', '.join(f.name for f in entity.all_fields)}. "
            "An unknown field is a warning and the default order.",
            "schema": {"type": "string"},
        },
        {
            "name": "orderBy",
            "in": "query",
            "required": False,
            "description": "asc or desc (any case)",
            "schema": {
                "type": "string",
                "pattern": r"^\s*(?:[Aa][Ss][Cc]|[Dd][Ee][Ss][Cc])?\s*$",
                "default": "asc",
            },
        },
        {
            "name": "filter",
            "in": "query",
            "required": False,
            "schema": {"type": "string"},
            "description": "field op 'value' predicates (ops = != > >= < <= ~) joined by AND / OR",
            "examples": _filter_examples(entity),
        },
        fields,
    ]


def _path_parameters(endpoint: Endpoint) -> list[Schema]:
    owners = {param: single.entity.name for param, single in parents(endpoint)}
    out = []
    for segment in endpoint.segments:
        if segment.startswith("{"):
            name = segment[1:-1]
            owner = owners.get(name, endpoint.entity.name)
            out.append(
                {
                    "name": name,
                    "in": "path",
                    "required": True,
                    "description": f"sourcedId of the {owner}",
                    "schema": {"type": "string", "minLength": 1},
                }
            )
    return out


def _summary(operation: str) -> str:
    words = "".join(" " + c.lower() if c.isupper() else c for c in operation).split()
    return " ".join([words[0].capitalize()] + words[1:])


def _tag(endpoint: Endpoint) -> str:
    return "Gradebook" if endpoint in GRADEBOOK else "Resources" if endpoint in RESOURCES else "Rostering"


def _operation(endpoint: Endpoint, max_limit: int) -> Schema:
    key, name = endpoint.wrapper_key, schema_name(endpoint.entity.name)
    scope = endpoint.required_scope
    record: Schema = {"anyOf": [ref(name), ref(f"{name}Fields")]}
    payload = {"type": "array", "items": record} if endpoint.collection else record
    body = {
        "type": "object",
        "additionalProperties": False,
        "required": [key],
        "properties": {
            key: payload,
            "statusInfoSet": {
                "type": "array",
                "items": ref("StatusInfo"),
                "description": "Warnings, only when there are any",
            },
        },
    }
    headers = ["X-Total-Count", "X-Data-Revision"] + (["Link"] if endpoint.collection else [])
    ok = {
        "content": {"application/json": {"schema": body}},
        "headers": {h: {"$ref": f"#/components/headers/{h}"} for h in headers},
    }
    operation: Schema = {
        "operationId": endpoint.operation,
        "summary": _summary(endpoint.operation),
        "tags": [_tag(endpoint)],
        "description": f"Scope: `{scopes.short(scope)}`.",
        "parameters": _path_parameters(endpoint),
        "security": [{"oauth2": [scope]}, {"oauth1": [scope]}],
        "responses": {},
    }
    responses = operation["responses"]
    if endpoint.method == "GET":
        operation["parameters"] += _query_parameters(endpoint, max_limit)
        responses["200"] = {
            "description": f"`{key}`: " + ("a page of records" if endpoint.collection else "the record"),
            **ok,
        }
        responses["400"] = _error(400)
    elif endpoint.method == "PUT":
        single = {
            "type": "object",
            "additionalProperties": False,
            "required": [key],
            "properties": {key: ref(name)},
        }
        stored = {"content": {"application/json": {"schema": single}}}
        operation["requestBody"] = {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {"type": "object", "required": [key], "properties": {key: ref(f"{name}Input")}}
                }
            },
        }
        responses["200"] = {"description": "Replaced; the stored record", **stored}
        responses["201"] = {"description": _STATUS_TEXT[201] + "; the stored record", **stored}
        responses["400"] = _error(400)
    else:
        responses["204"] = {
            "description": _STATUS_TEXT[204] + ": the record is kept as a tobedeleted "
            "tombstone" + (" with its results" if endpoint.entity.name == "lineItem" else "")
        }
        responses["400"] = _error(400)
    responses["401"] = _error(401, "WWW-Authenticate")
    responses["403"] = _error(403)
    if not endpoint.collection and endpoint.method != "PUT":
        responses["404"] = _error(404)
    if endpoint.method == "PUT":
        responses["413"] = _error(413)
        responses["422"] = _error(422)
    responses["500"] = _error(500)
    return operation


def _paths(endpoints: Iterable[Endpoint], max_limit: int) -> Schema:
    paths: Schema = {}
    for endpoint in endpoints:
        paths.setdefault(endpoint.path, {})[endpoint.method.lower()] = _operation(endpoint, max_limit)
    return paths


def openapi_document(base_url: str, *, max_limit: int) -> Schema:
    """The document for a server reached at `base_url` (scheme://host[:port][/prefix])."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "openroster: OneRoster 1.1",
            "version": __version__,
            "description": (
                "OneRoster 1.1 rostering, resources and gradebook. Every error body is a statusInfoSet. "
                "Path segments are case-insensitive; methods not listed for a path answer 405 with an "
                f"Allow header. Access tokens come from {base_url}{TOKEN_PATH} (client credentials)."
            ),
        },
        "servers": [{"url": base_url + API_ROOT}],
        "tags": [
            {"name": "Rostering", "description": "Table 3.1a"},
            {"name": "Resources", "description": "Table 3.1b"},
            {"name": "Gradebook", "description": "Table 3.1c"},
        ],
        "paths": _paths(ENDPOINTS, max_limit),
        "components": _components(base_url),
    }
