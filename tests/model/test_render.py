"""The 1.1 renderer: which fields a document holds, in what form, and how its hash, stamp and hrefs behave."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from openroster.model.catalogue import ENTITIES
from openroster.model.render import (
    EPOCH_DLM,
    absolute_hrefs,
    content_hash,
    render_versioned,
    stamp,
    with_secrets,
)
from openroster.model.values import format_datetime, parse_datetime

USER: dict[str, Any] = {
    "sourcedId": "stu-1",
    "status": "active",
    "dateLastModified": parse_datetime("2025-07-15T08:30:00.250Z"),
    "enabledUser": "true",
    "orgs": ["sch-1", "sch 2/ß"],
    "role": "student",
    "username": "jsmith",
    "givenName": "Jo",
    "familyName": "Smith",
    "grades": [],
    "agents": ["par-1"],
    "userIds": [{"type": "LDAP", "identifier": "jsmith"}],
    "metadata": {"microsoft.userFlags": "ELL"},
}


def rendered(entity: str, record: dict[str, Any], derived: dict[str, Any] | None = None) -> dict[str, Any]:
    doc, _ = render_versioned(ENTITIES[entity], record, derived)
    parsed: dict[str, Any] = orjson.loads(doc)
    return parsed


def test_a_document_is_rendered_with_date_last_modified_at_the_epoch() -> None:
    doc, _ = render_versioned(ENTITIES["user"], USER)
    assert EPOCH_DLM in doc
    assert orjson.loads(doc)["dateLastModified"] == "1970-01-01T00:00:00.000Z"


def test_stamp_sets_the_real_date_last_modified_and_nothing_else() -> None:
    doc, _ = render_versioned(ENTITIES["user"], USER)
    ms = parse_datetime("2025-09-01T12:00:00.125Z")
    stamped = orjson.loads(stamp(doc, ms))
    assert stamped["dateLastModified"] == "2025-09-01T12:00:00.125Z"
    assert {**stamped, "dateLastModified": format_datetime(0)} == orjson.loads(doc)


def test_fields_come_in_catalogue_order_with_metadata_right_after_date_last_modified() -> None:
    names = list(rendered("user", USER))
    assert names == [
        "sourcedId",
        "status",
        "dateLastModified",
        "metadata",
        "enabledUser",
        "orgs",
        "role",
        "username",
        "userIds",
        "givenName",
        "familyName",
        "agents",
    ]


def test_absent_values_and_empty_lists_are_left_out() -> None:
    doc = rendered("user", {**USER, "middleName": None, "grades": []})
    assert "middleName" not in doc and "grades" not in doc
    assert "metadata" not in rendered("user", {**USER, "metadata": {}})


def test_guid_refs_carry_href_sourced_id_and_the_target_type_with_the_id_quoted_in_the_href() -> None:
    doc = rendered("user", USER)
    assert doc["orgs"] == [
        {"href": "/ims/oneroster/v1p1/orgs/sch-1", "sourcedId": "sch-1", "type": "org"},
        {"href": "/ims/oneroster/v1p1/orgs/sch%202%2F%C3%9F", "sourcedId": "sch 2/ß", "type": "org"},
    ]
    assert doc["agents"] == [
        {"href": "/ims/oneroster/v1p1/users/par-1", "sourcedId": "par-1", "type": "user"}
    ]
    enrollment = {
        "sourcedId": "e",
        "status": "active",
        "class": "c-1",
        "user": "u",
        "school": "s",
        "role": "x",
    }
    assert rendered("enrollment", enrollment)["class"]["href"] == "/ims/oneroster/v1p1/classes/c-1"


def test_date_times_are_written_in_the_served_form_and_other_values_as_stored() -> None:
    item = {
        "sourcedId": "li-1",
        "status": "active",
        "title": "Lab",
        "assignDate": parse_datetime("2025-09-08T10:00:00+02:00"),
        "dueDate": parse_datetime("2025-09-15"),
        "class": "cls-1",
        "category": "cat-1",
        "gradingPeriod": "gp-1",
        "resultValueMin": 0.0,
        "resultValueMax": 12.5,
    }
    doc = rendered("lineItem", item)
    assert doc["assignDate"] == "2025-09-08T08:00:00.000Z"
    assert doc["dueDate"] == "2025-09-15T00:00:00.000Z"
    assert doc["resultValueMax"] == 12.5


def test_fields_only_1_2_has_are_not_in_the_1_1_document() -> None:
    user = {**USER, "preferredFirstName": "Joanna", "pronouns": "she/her", "primaryOrg": "sch-1"}
    doc = rendered("user", user)
    assert not {"preferredFirstName", "pronouns", "primaryOrg"} & doc.keys()
    assert rendered("user", user) == rendered("user", USER)


@pytest.mark.parametrize(("sex", "shown"), [("female", "female"), ("unspecified", None), ("other", None)])
def test_a_sex_token_only_1_2_has_is_no_value_in_1_1(sex: str, shown: str | None) -> None:
    doc = rendered("demographics", {"sourcedId": "stu-1", "status": "active", "sex": sex})
    assert doc.get("sex") == shown


def test_derived_lists_come_from_what_is_given_apart_not_from_the_record() -> None:
    org = {"sourcedId": "dist-1", "status": "active", "name": "D", "type": "district", "children": ["x"]}
    assert "children" not in rendered("org", org)
    doc = rendered("org", org, {"children": ["sch-1", "sch-2"]})
    assert [c["sourcedId"] for c in doc["children"]] == ["sch-1", "sch-2"]


def test_the_password_is_left_out_of_the_document_but_covered_by_its_hash() -> None:
    doc, digest = render_versioned(ENTITIES["user"], {**USER, "password": "s3cret"})
    plain_doc, plain_digest = render_versioned(ENTITIES["user"], USER)
    assert doc == plain_doc
    assert b"s3cret" not in doc
    assert digest != plain_digest
    assert digest != render_versioned(ENTITIES["user"], {**USER, "password": "other"})[1]


def test_the_hash_of_a_document_without_secrets_is_its_content_hash() -> None:
    doc, digest = render_versioned(ENTITIES["user"], USER)
    assert digest == content_hash(doc)
    assert len(digest) == 32


def test_the_hash_does_not_depend_on_date_last_modified_but_on_every_other_value() -> None:
    _, digest = render_versioned(ENTITIES["user"], USER)
    assert render_versioned(ENTITIES["user"], {**USER, "dateLastModified": 5})[1] == digest
    assert render_versioned(ENTITIES["user"], {**USER, "givenName": "Joe"})[1] != digest
    assert render_versioned(ENTITIES["user"], {**USER, "metadata": {"k": "v"}})[1] != digest


def test_with_secrets_appends_the_password_where_rendering_with_it_would_put_it() -> None:
    doc, _ = render_versioned(ENTITIES["user"], USER)
    with_password = orjson.loads(with_secrets(doc, {"password": "s3cret"}))
    assert list(with_password)[-1] == "password"
    assert with_password == {**orjson.loads(doc), "password": "s3cret"}


def test_with_secrets_leaves_a_document_alone_when_no_secret_is_set() -> None:
    doc, _ = render_versioned(ENTITIES["user"], USER)
    assert with_secrets(doc, {"password": None}) is doc
    assert with_secrets(doc, {}) is doc


@pytest.mark.parametrize(
    ("base", "href"),
    [
        ("https://sis.example.org", "https://sis.example.org/ims/oneroster/v1p1/orgs/sch-1"),
        ("https://sis.example.org/", "https://sis.example.org/ims/oneroster/v1p1/orgs/sch-1"),
        ("https://h:8443/roster", "https://h:8443/roster/ims/oneroster/v1p1/orgs/sch-1"),
        ("", "/ims/oneroster/v1p1/orgs/sch-1"),
    ],
)
def test_absolute_hrefs_put_the_public_base_url_in_front_of_every_href(base: str, href: str) -> None:
    doc, _ = render_versioned(ENTITIES["user"], USER)
    body = b'{"users":[' + doc + b"," + doc + b"]}"
    users = orjson.loads(absolute_hrefs(body, base))["users"]
    assert [u["orgs"][0]["href"] for u in users] == [href, href]
    assert users[0]["agents"][0]["href"] == href.replace("orgs/sch-1", "users/par-1")


def test_absolute_hrefs_change_only_hrefs() -> None:
    user = {**USER, "givenName": '"href":"/ims/oneroster/v1p1/x'}
    doc, _ = render_versioned(ENTITIES["user"], user)
    assert orjson.loads(absolute_hrefs(doc, "https://h"))["givenName"] == user["givenName"]
