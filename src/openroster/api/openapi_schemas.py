"""The JSON Schemas of the OpenAPI document, from the catalogue: records as served, PUT bodies, payloads.

Output schemas are as exact as the renderer (optional fields and empty lists left out, dates and
booleans as strings); input schemas are as tolerant as the PUT reader (model/json_input.py), so
that a request the document calls invalid is one the server refuses.
"""

from __future__ import annotations

from typing import Any

from openroster.api.endpoints import ENDPOINTS
from openroster.model.catalogue import ENTITIES, METADATA, Entity, Field, Kind
from openroster.model.json_input import SERVER_OWNED
from openroster.model.values import DATE_PATTERN, DATETIME_PATTERN, SERVED_DATETIME_PATTERN, YEAR_PATTERN
from openroster.store.gradebook import DEFAULTED_ON_PUT

Schema = dict[str, Any]


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def schema_name(entity_name: str) -> str:
    """`lineItem` -> `LineItem`."""
    return entity_name[0].upper() + entity_name[1:]


# --- output: exactly what the renderer writes (optional fields and empty lists are left out)


def _served(field: Field) -> Schema:
    kind = field.kind
    if kind is Kind.DATE:
        return {"type": "string", "format": "date", "pattern": DATE_PATTERN}
    if kind is Kind.DATETIME:
        return {"type": "string", "format": "date-time", "pattern": SERVED_DATETIME_PATTERN}
    if kind is Kind.YEAR:
        return {"type": "string", "pattern": YEAR_PATTERN}
    if kind is Kind.BOOLEAN:
        return {"type": "string", "enum": ["true", "false"]}
    if kind is Kind.FLOAT:
        return {"type": "number"}
    if kind is Kind.ENUM:
        return {"type": "string", "enum": list(field.enum)}
    if kind is Kind.REF:
        return ref(f"{schema_name(field.ref or '')}Ref")
    if kind is Kind.REF_LIST:
        return {"type": "array", "items": ref(f"{schema_name(field.ref or '')}Ref"), "minItems": 1}
    if kind is Kind.STRING_LIST:
        return {"type": "array", "items": {"type": "string"}, "minItems": 1}
    if kind is Kind.ENUM_LIST:
        return {"type": "array", "items": {"type": "string", "enum": list(field.enum)}, "minItems": 1}
    if kind is Kind.USER_IDS:
        return {"type": "array", "items": ref("UserId"), "minItems": 1}
    return {"type": "string"}


def _entity_schemas(entity: Entity) -> dict[str, Schema]:
    """`<Entity>Fields` (any selection of its fields) and `<Entity>` (a whole record)."""
    properties: dict[str, Schema] = {}
    for field in entity.all_fields:
        properties[field.name] = _served(field)
        if field.name == "dateLastModified":
            properties[METADATA] = ref("Metadata")
    name = schema_name(entity.name)
    required = [f.name for f in entity.all_fields if f.required or f.name in ("status", "dateLastModified")]
    return {
        f"{name}Fields": {
            "type": "object",
            "properties": properties,
            "additionalProperties": False,
            "description": f"Fields of a {entity.name}; with `fields`, only those selected.",
        },
        name: {
            "allOf": [ref(f"{name}Fields")],
            "required": required,
            "description": f"A {entity.name} record, as served without `fields`.",
        },
    }


def _guid_ref(target: str) -> Schema:
    return {
        "type": "object",
        "required": ["href", "sourcedId", "type"],
        "additionalProperties": False,
        "properties": {
            "href": {
                "type": "string",
                "format": "uri",
                "description": f"Absolute URL of the {target} on this server",
            },
            "sourcedId": {"type": "string"},
            "type": {"const": target},
        },
    }


# --- input: what a gradebook PUT accepts (see model/json_input.py)


def _accepted(field: Field) -> Schema:
    kind = field.kind
    nonblank_ref = {
        "anyOf": [
            {"type": "string", "minLength": 1},
            {
                "type": "object",
                "required": ["sourcedId"],
                "properties": {"sourcedId": {"type": "string", "minLength": 1}},
            },
        ],
        "description": f'A {field.ref}: {{"sourcedId": "..."}} (type and href optional) or its sourcedId',
    }
    if kind is Kind.DATETIME:
        schema: Schema = {
            "type": "string",
            "pattern": r"^\s*" + DATETIME_PATTERN[1:-1] + r"\s*$",
            "description": "ISO 8601, with or without seconds and milliseconds; no zone means UTC",
        }
    elif kind is Kind.DATE:
        schema = {"type": "string", "pattern": DATE_PATTERN}
    elif kind is Kind.YEAR:
        schema = {"anyOf": [{"type": "string", "pattern": YEAR_PATTERN}, {"type": "integer"}]}
    elif kind is Kind.BOOLEAN:
        schema = {
            "anyOf": [
                {"type": "boolean"},
                {
                    "type": "string",
                    "pattern": r"^\s*(?:[Tt][Rr][Uu][Ee]|"
                    r"[Ff][Aa][Ll][Ss][Ee])\s*$",
                },
            ]
        }
    elif kind is Kind.FLOAT:
        schema = {"type": ["number", "string"], "description": "A number, or a string holding one"}
    elif kind is Kind.ENUM:
        schema = {"type": "string", "enum": list(field.enum)}
    elif kind is Kind.REF:
        schema = nonblank_ref
    elif kind is Kind.REF_LIST:
        schema = {"type": "array", "items": nonblank_ref}
    elif kind is Kind.STRING_LIST:
        schema = {"type": "array", "items": {"type": "string"}}
    elif kind is Kind.ENUM_LIST:
        schema = {"type": "array", "items": {"type": "string", "enum": list(field.enum)}}
    elif kind is Kind.USER_IDS:
        schema = {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"type": {"type": "string"}, "identifier": {"type": "string"}},
                "required": ["type", "identifier"],
            },
        }
    else:
        schema = {"type": "string"}
    return schema


def _input_schema(entity: Entity) -> Schema:
    defaulted = DEFAULTED_ON_PUT.get(entity.name, ())
    properties: dict[str, Schema] = {
        "sourcedId": {
            "type": ["string", "number", "null"],
            "description": "Optional; when given, it must be the path's sourcedId",
        }
    }
    required = []
    for field in entity.all_fields:
        if field.name in SERVER_OWNED or field.derived is not None:
            continue
        schema = _accepted(field)
        if field.required and field.name not in defaulted:
            required.append(field.name)
        else:
            schema = {"anyOf": [schema, {"type": "null"}]}  # null means left out
        properties[field.name] = schema
    properties[METADATA] = {"anyOf": [ref("Metadata"), {"type": "null"}]}
    notes = [f"`{name}` may be left out (a default is filled in)" for name in defaulted]
    return {
        "type": "object",
        "properties": properties,
        "required": required,
        "description": f"A {entity.name} as a client writes it. The server sets dateLastModified; "
        "unknown fields are ignored. " + "; ".join(notes),
    }


def component_schemas() -> dict[str, Schema]:
    """Every schema the document refers to, by name."""
    gradebook_entities = sorted({e.entity_name for e in ENDPOINTS if e.method == "PUT"})
    schemas: dict[str, Schema] = {
        "StatusInfo": {
            "type": "object",
            "additionalProperties": False,
            "required": ["imsx_codeMajor", "imsx_severity", "imsx_description", "imsx_codeMinor"],
            "properties": {
                "imsx_codeMajor": {"type": "string", "enum": ["success", "failure"]},
                "imsx_severity": {"type": "string", "enum": ["status", "warning", "error"]},
                "imsx_description": {"type": "string"},
                "imsx_codeMinor": {"type": "string"},
            },
        },
        "StatusPayload": {
            "type": "object",
            "additionalProperties": False,
            "required": ["statusInfoSet"],
            "properties": {"statusInfoSet": {"type": "array", "items": ref("StatusInfo"), "minItems": 1}},
            "description": "The body of every error response (one entry)",
        },
        "Metadata": {
            "type": "object",
            "additionalProperties": {"type": "string"},
            "description": "Extension keys (CSV columns metadata.<key>)",
        },
        "UserId": {
            "type": "object",
            "additionalProperties": False,
            "required": ["type", "identifier"],
            "properties": {"type": {"type": "string"}, "identifier": {"type": "string"}},
        },
    }
    entities = [e for e in ENTITIES.values() if e.since == "1.1"]
    for target in sorted({f.ref for e in entities for f in e.all_fields if f.ref}):
        schemas[f"{schema_name(target)}Ref"] = _guid_ref(target)
    for entity in entities:
        if not entity.association:
            schemas.update(_entity_schemas(entity))
    for name in gradebook_entities:
        schemas[f"{schema_name(name)}Input"] = _input_schema(ENTITIES[name])
    return schemas
