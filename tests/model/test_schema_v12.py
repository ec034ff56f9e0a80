"""The 1.2 JSON Schemas: what the 1.2 renderer writes validates, and each departure from 1.2 is caught."""

from __future__ import annotations

from typing import Any

import jsonschema
import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from openroster.model.render_v12 import absolute_hrefs_v12, render_v12
from openroster.model.schema_v12 import STATUS_SCHEMA, collection_schema, document_schema, single_schema
from openroster.model.v12 import ENTITIES_V12
from openroster.model.values import parse_datetime
from tests.model.test_v12 import LINE_ITEM as LINE_ITEM_V12
from tests.model.test_v12 import user

BASE = "https://sis.example.org"
TYPES = {"dist-1": "district", "sch-1": "school"}.get


def served(entity: str, record: dict[str, Any], derived: dict[str, Any] | None = None) -> dict[str, Any]:
    body = absolute_hrefs_v12(render_v12(ENTITIES_V12[entity], record, derived, TYPES), BASE)
    parsed: dict[str, Any] = orjson.loads(body)
    return parsed


def errors(entity: str, doc: dict[str, Any]) -> list[str]:
    validator = jsonschema.Draft202012Validator(
        document_schema(ENTITIES_V12[entity]), format_checker=jsonschema.FormatChecker()
    )
    return [e.message for e in validator.iter_errors(doc)]


LINE_ITEM = {**LINE_ITEM_V12, "learningObjectiveSet": [{"source": "case", "learningObjectiveIds": ["a"]}]}
RECORDS: dict[str, dict[str, Any]] = {
    "org": {"sourcedId": "sch-1", "status": "active", "name": "S", "type": "school", "parent": "dist-1"},
    "academicSession": {
        "sourcedId": "t-1",
        "status": "active",
        "title": "Fall",
        "type": "term",
        "startDate": "2025-08-20",
        "endDate": "2025-12-19",
        "schoolYear": "2026",
    },
    "course": {"sourcedId": "c-1", "status": "active", "title": "Bio", "org": "sch-1"},
    "class": {
        "sourcedId": "cls-1",
        "status": "active",
        "title": "Bio 1",
        "course": "c-1",
        "school": "sch-1",
        "terms": ["t-1"],
        "classType": "scheduled",
    },
    "enrollment": {
        "sourcedId": "e-1",
        "status": "tobedeleted",
        "user": "u-1",
        "class": "cls-1",
        "school": "sch-1",
        "role": "aide",
        "primary": "false",
    },
    "user": user(
        role="administrator", orgs=["dist-1", "sch-1"], userIds=[{"type": "LDAP", "identifier": "j"}]
    ),
    "demographics": {"sourcedId": "u-1", "status": "active", "sex": "unspecified", "birthDate": "2010-01-01"},
    "resource": {"sourcedId": "r-1", "status": "active", "vendorResourceId": "V", "roles": ["student"]},
    "category": {"sourcedId": "cat-1", "status": "active", "title": "HW", "weight": 0.5},
    "lineItem": LINE_ITEM,
    "result": {
        "sourcedId": "rs-1",
        "status": "active",
        "lineItem": "li-1",
        "student": "u-1",
        "scoreStatus": "ext:pending",
        "score": 9.5,
        "scoreDate": parse_datetime("2025-09-16T10:00:00Z"),
        "late": "true",
    },
    "scoreScale": {
        "sourcedId": "ss-1",
        "status": "active",
        "title": "Letters",
        "type": "letter",
        "class": "cls-1",
        "scoreScaleValue": [{"itemValueLHS": "A", "itemValueRHS": "90"}],
    },
}


@pytest.mark.parametrize("entity", RECORDS)
def test_a_rendered_document_of_each_entity_validates(entity: str) -> None:
    assert errors(entity, served(entity, RECORDS[entity])) == []


def test_the_wrappers_hold_their_documents() -> None:
    doc = served("org", RECORDS["org"])
    binding = ENTITIES_V12["org"]
    jsonschema.validate({"orgs": [doc, doc]}, collection_schema(binding, "orgs"))
    jsonschema.validate({"org": doc}, single_schema(binding, "org"))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"org": doc}, collection_schema(binding, "orgs"))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"org": doc, "orgs": []}, single_schema(binding, "org"))


@given(
    st.fixed_dictionaries(
        {"givenName": st.text(min_size=1), "familyName": st.text(min_size=1)},
        optional={
            "middleName": st.text(min_size=1),
            "email": st.text(min_size=1),
            "grades": st.lists(st.text(min_size=1), max_size=3),
            "agents": st.lists(st.text(min_size=1), max_size=3),
            "preferredFirstName": st.text(min_size=1),
            "primaryOrg": st.sampled_from(["dist-1", "sch-1"]),
        },
    ),
    st.sampled_from(["student", "teacher", "administrator", "parent", "aide"]),
    st.lists(st.sampled_from(["dist-1", "sch-1", "other"]), min_size=1, max_size=3, unique=True),
)
def test_every_user_document_validates_whatever_its_values(
    values: dict[str, Any], role: str, orgs: list[str]
) -> None:
    assert errors("user", served("user", user(**values, role=role, orgs=orgs))) == []


def test_an_unknown_member_is_refused_as_1_2_s_objects_are_closed() -> None:
    doc = {**served("org", RECORDS["org"]), "colour": "red"}
    assert errors("org", doc) == ["Additional properties are not allowed ('colour' was unexpected)"]


def test_metadata_is_an_open_object() -> None:
    assert errors("org", {**served("org", RECORDS["org"]), "metadata": {"any": {"thing": 1}}}) == []


def test_a_missing_required_field_is_refused() -> None:
    doc = served("org", RECORDS["org"])
    del doc["identifier"]
    assert errors("org", doc) == ["'identifier' is a required property"]


def test_a_guid_ref_of_the_wrong_type_or_with_a_relative_href_is_refused() -> None:
    doc = served("class", RECORDS["class"])
    wrong_type = {**doc, "course": {**doc["course"], "type": "class"}}
    assert errors("class", wrong_type) == ["'course' was expected"]
    stored = orjson.loads(
        render_v12(ENTITIES_V12["class"], RECORDS["class"], None, TYPES)
    )  # not yet absolute
    assert errors("class", stored) != []
    wrong_root = {**doc, "school": {**doc["school"], "href": BASE + "/ims/oneroster/v1p1/orgs/sch-1"}}
    assert len(errors("class", wrong_root)) == 1


@pytest.mark.parametrize(
    ("entity", "field", "value", "valid"),
    [
        ("enrollment", "role", "ext:aide", True),
        ("enrollment", "role", "aide", False),  # 1.2 narrowed enrollment roles
        ("org", "type", "ext:region", True),
        ("org", "type", "region", False),
        ("result", "scoreStatus", "ext:bad token", False),
        ("resource", "importance", "ext:major", False),  # not extensible
    ],
)
def test_extension_tokens_are_allowed_only_where_1_2_allows_them(
    entity: str, field: str, value: str, valid: bool
) -> None:
    doc = {**served(entity, RECORDS[entity]), field: value}
    assert (errors(entity, doc) == []) is valid


@pytest.mark.parametrize(
    ("entity", "field", "value"),
    [
        ("result", "scoreDate", "2025-09-16T10:00:00Z"),  # served with milliseconds always
        ("academicSession", "startDate", "2025-8-20"),
        ("academicSession", "schoolYear", "26"),
        ("enrollment", "primary", True),  # booleans are served as strings in 1.2 as in 1.1
        ("result", "score", "9.5"),
        ("user", "roles", []),  # every user has a role
    ],
)
def test_values_not_in_the_served_forms_are_refused(entity: str, field: str, value: Any) -> None:
    assert errors(entity, {**served(entity, RECORDS[entity]), field: value}) != []


def test_the_status_payload_schema_allows_only_1_2_s_code_minor_tokens() -> None:
    payload = {
        "imsx_codeMajor": "failure",
        "imsx_severity": "error",
        "imsx_description": "No org with sourcedId x",
        "imsx_CodeMinor": {
            "imsx_codeMinorField": [
                {"imsx_codeMinorFieldName": "sourcedId", "imsx_codeMinorFieldValue": "unknownobject"}
            ]
        },
    }
    jsonschema.validate(payload, STATUS_SCHEMA)
    field = payload["imsx_CodeMinor"]["imsx_codeMinorField"][0]  # type: ignore[index]
    field["imsx_codeMinorFieldValue"] = "invalid_sort_field"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(payload, STATUS_SCHEMA)
