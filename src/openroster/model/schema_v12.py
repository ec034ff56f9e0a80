"""JSON Schemas (draft 2020-12) of the 1.2 documents, wrappers and status payload, derived from model/v12.py.

Every object is closed (`additionalProperties: false`, as 1.2's schemas are) except `metadata`
and a credential; a GUIDRef's `type` is the one its target allows and its `href` an absolute URL
under the target's 1.2 service root. Tests hold every served document to these.
"""

from __future__ import annotations

from typing import Any

from openroster.model.catalogue import ENTITIES, EXT_PATTERN, ROLE_KIND, USER_ROLE, Kind
from openroster.model.v12 import (
    CODE_MINOR,
    GRADEBOOK_CODE_MINOR,
    Entity12,
    Field12,
    href_root,
)
from openroster.model.values import DATE_PATTERN, SERVED_DATETIME_PATTERN, YEAR_PATTERN

Schema = dict[str, Any]
_STRING: Schema = {"type": "string"}
_DATE: Schema = {"type": "string", "pattern": DATE_PATTERN}


def _closed(properties: dict[str, Schema], required: list[str]) -> Schema:
    return {"type": "object", "additionalProperties": False, "required": required, "properties": properties}


def _tokens(tokens: tuple[str, ...], extensible: bool) -> Schema:
    listed: Schema = {"type": "string", "enum": list(tokens)}
    return {"anyOf": [listed, {"type": "string", "pattern": EXT_PATTERN}]} if extensible else listed


def guid_ref_schema(target: str) -> Schema:
    prefix = f"{href_root(target)}/{ENTITIES[target].path}/".replace(".", r"\.")
    return _closed(
        {
            "href": {"type": "string", "format": "uri", "pattern": f"^https?://[^/]+(/.*)?{prefix}[^/]+$"},
            "sourcedId": _STRING,
            "type": {"const": target},
        },
        ["href", "sourcedId", "type"],
    )


def _array(items: Schema, required: bool) -> Schema:
    return {"type": "array", "items": items, "minItems": 1} if required else {"type": "array", "items": items}


def _role_schema() -> Schema:
    return _closed(
        {
            "roleType": {"type": "string", "enum": list(ROLE_KIND)},
            "role": _tokens(USER_ROLE, True),
            "org": guid_ref_schema("org"),
            "userProfile": {"type": "string", "format": "uri"},
            "beginDate": _DATE,
            "endDate": _DATE,
        },
        ["roleType", "role", "org"],
    )


def _user_profile_schema() -> Schema:
    credential = {
        "type": "object",
        "additionalProperties": True,  # the one open type of 1.2 besides metadata
        "required": ["type", "username"],
        "properties": {"type": _STRING, "username": _STRING, "password": _STRING},
    }
    return _closed(
        {
            "profileId": {"type": "string", "format": "uri"},
            "profileType": _STRING,
            "vendorId": _STRING,
            "applicationId": _STRING,
            "description": _STRING,
            "credentials": {"type": "array", "items": credential},
        },
        ["profileId", "profileType", "vendorId"],
    )


def field_schema(field: Field12) -> Schema:
    kind = field.kind
    if kind is Kind.DATE:
        return _DATE
    if kind is Kind.DATETIME:
        return {"type": "string", "pattern": SERVED_DATETIME_PATTERN}
    if kind is Kind.YEAR:
        return {"type": "string", "pattern": YEAR_PATTERN}
    if kind is Kind.BOOLEAN:
        return {"type": "string", "enum": ["true", "false"]}
    if kind is Kind.FLOAT:
        return {"type": "number"}
    if kind is Kind.ENUM:
        return _tokens(field.enum, field.extensible)
    if kind is Kind.STRING_LIST:
        return _array(_STRING, field.required)
    if kind is Kind.ENUM_LIST:
        return _array(_tokens(field.enum, field.extensible), field.required)
    if kind is Kind.REF:
        assert field.ref is not None
        return guid_ref_schema(field.ref)
    if kind is Kind.REF_LIST:
        assert field.ref is not None
        return _array(guid_ref_schema(field.ref), field.required)
    if kind is Kind.USER_IDS:
        return _array(
            _closed({"type": _STRING, "identifier": _STRING}, ["type", "identifier"]), field.required
        )
    if kind is Kind.ROLES:
        return _array(_role_schema(), True)
    if kind is Kind.USER_PROFILES:
        return _array(_user_profile_schema(), field.required)
    if kind is Kind.LEARNING_OBJECTIVES:
        return _array(
            _closed(
                {"source": _STRING, "learningObjectiveIds": _array(_STRING, True)},
                ["source", "learningObjectiveIds"],
            ),
            False,
        )
    if kind is Kind.LEARNING_OBJECTIVE_RESULTS:
        result = _closed(
            {"learningObjectiveId": _STRING, "score": {"type": "number"}, "textScore": _STRING},
            ["learningObjectiveId"],
        )
        group = _closed(
            {"source": _STRING, "learningObjectiveResults": _array(result, True)},
            ["source", "learningObjectiveResults"],
        )
        return _array(group, False)
    if kind is Kind.SCORE_SCALE_VALUES:
        pair = _closed({"itemValueLHS": _STRING, "itemValueRHS": _STRING}, ["itemValueLHS", "itemValueRHS"])
        return _array(pair, field.required)
    return _STRING


def document_schema(entity: Entity12) -> Schema:
    """The schema of one 1.2 document of `entity` (secret fields included: some clients get them)."""
    properties = {f.name: field_schema(f) for f in entity.all_fields}
    properties["metadata"] = {"type": "object"}
    return _closed(properties, [f.name for f in entity.all_fields if f.required])


def collection_schema(entity: Entity12, key: str) -> Schema:
    return _closed({key: {"type": "array", "items": document_schema(entity)}}, [key])


def single_schema(entity: Entity12, key: str) -> Schema:
    return _closed({key: document_schema(entity)}, [key])


def status_schema(code_minor: tuple[str, ...]) -> Schema:
    """The whole body of a 1.2 error (spec §5.2), with a service's codeMinor vocabulary."""
    return _closed(
        {
            "imsx_codeMajor": {"type": "string", "enum": ["success", "processing", "failure", "unsupported"]},
            "imsx_severity": {"type": "string", "enum": ["status", "warning", "error"]},
            "imsx_description": _STRING,
            "imsx_CodeMinor": _closed(
                {
                    "imsx_codeMinorField": {
                        "type": "array",
                        "minItems": 1,
                        "items": _closed(
                            {
                                "imsx_codeMinorFieldName": _STRING,
                                "imsx_codeMinorFieldValue": {"type": "string", "enum": list(code_minor)},
                            },
                            ["imsx_codeMinorFieldName", "imsx_codeMinorFieldValue"],
                        ),
                    }
                },
                ["imsx_codeMinorField"],
            ),
        },
        ["imsx_codeMajor", "imsx_severity"],
    )


# Rostering and resources errors; the gradebook's may also carry its own tokens.
STATUS_SCHEMA: Schema = status_schema(CODE_MINOR)
GRADEBOOK_STATUS_SCHEMA: Schema = status_schema(GRADEBOOK_CODE_MINOR)
