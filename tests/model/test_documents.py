"""Both documents of a record and the one content hash over them: a change to either moves it."""

from __future__ import annotations

from typing import Any

import orjson

from openroster.model.catalogue import ENTITIES
from openroster.model.documents import both_hash, render_documents
from openroster.model.render import render_versioned

USER: dict[str, Any] = {
    "sourcedId": "u-1",
    "status": "active",
    "enabledUser": "true",
    "orgs": ["sch-1"],
    "role": "teacher",
    "username": "u1",
    "givenName": "Jo",
    "familyName": "Smith",
}


def no_org_types(org: str) -> str | None:
    return None


def test_an_entity_with_a_1_2_binding_gets_both_documents() -> None:
    docs = render_documents(ENTITIES["user"], USER, None, no_org_types)
    assert docs.doc == render_versioned(ENTITIES["user"], USER)[0]
    assert docs.doc_v12 is not None
    assert orjson.loads(docs.doc_v12)["roles"][0]["role"] == "teacher"


def test_an_entity_without_a_binding_keeps_its_1_1_hash() -> None:
    link = {"sourcedId": "cr-1", "status": "active", "class": "c", "resource": "r"}
    docs = render_documents(ENTITIES["classResource"], link, None, no_org_types)
    assert docs.doc_v12 is None
    assert docs.digest == render_versioned(ENTITIES["classResource"], link)[1] == both_hash(docs.digest, None)


def test_a_change_only_the_1_2_document_shows_moves_the_hash() -> None:
    plain = render_documents(ENTITIES["user"], USER, None, no_org_types)
    preferred = render_documents(ENTITIES["user"], {**USER, "preferredFirstName": "Joey"}, None, no_org_types)
    assert preferred.doc == plain.doc
    assert preferred.doc_v12 != plain.doc_v12
    assert preferred.digest != plain.digest


def test_a_change_only_the_1_1_hash_sees_moves_the_hash() -> None:
    plain = render_documents(ENTITIES["user"], USER, None, no_org_types)
    secret = render_documents(ENTITIES["user"], {**USER, "password": "pw"}, None, no_org_types)
    assert (secret.doc, secret.doc_v12) == (plain.doc, plain.doc_v12)
    assert secret.digest != plain.digest


def test_both_hash_depends_on_each_part() -> None:
    assert both_hash("a", b"{}") != both_hash("b", b"{}")
    assert both_hash("a", b"{}") != both_hash("a", b"{ }")
    assert both_hash("a", b"{}") == both_hash("a", b"{}")
    assert len(both_hash("a", b"{}")) == 32
