"""Finding records (users, classes, courses, orgs) and reading one as the API serves it, with its links."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import orjson
import sqlalchemy as sa

from openroster.api.responses import single_body
from openroster.model.catalogue import ENTITIES
from openroster.model.render_v12 import absolute_hrefs_v12
from openroster.store.schema import TABLES

# What each searchable kind is found by (besides its sourcedId), and the columns that name a hit.
SEARCHED: dict[str, tuple[str, ...]] = {
    "user": ("given_name", "family_name", "email", "identifier", "username"),
    "class": ("title", "class_code"),
    "course": ("title", "course_code"),
    "org": ("name", "identifier"),
}
MAX_HITS = 50


@dataclass(frozen=True)
class Hit:
    entity: str
    sourced_id: str
    label: str
    detail: str
    status: str


@dataclass(frozen=True)
class Record:
    entity: str
    sourced_id: str
    status: str
    date_last_modified: int
    first_seen_ms: int
    body: bytes  # the 1.1 API's answer to GET <collection>/<sourcedId>, byte for byte
    body_v12: bytes | None  # the 1.2 API's, when the record has a 1.2 document
    references: list[tuple[str, str, str]]  # (field, type, sourcedId) of each GUIDRef


def _label(entity: str, row: sa.Row[Any]) -> tuple[str, str]:
    if entity == "user":
        name = " ".join(part for part in (row.given_name, row.family_name) if part)
        return name or row.sourced_id, " · ".join(p for p in (row.role, row.email, row.identifier) if p)
    if entity == "org":
        return row.name or row.sourced_id, " · ".join(p for p in (row.type, row.identifier) if p)
    code = row.class_code if entity == "class" else row.course_code
    return row.title or row.sourced_id, code or ""


def search(conn: sa.Connection, kind: str, text: str) -> list[Hit]:
    """Records of `kind` whose sourcedId is `text`, or one of whose searched columns holds it (any case)."""
    table = TABLES[kind].main
    needle = "%" + text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    matches = [table.c.sourced_id == text] + [
        sa.func.lower(table.c[column]).like(needle, escape="\\") for column in SEARCHED[kind]
    ]
    rows = conn.execute(sa.select(table).where(sa.or_(*matches)).order_by(table.c.sourced_id).limit(MAX_HITS))
    hits = []
    for row in rows:
        label, detail = _label(kind, row)
        hits.append(Hit(kind, row.sourced_id, label, detail, row.status))
    return hits


def _references(value: Any, where: str = "") -> Iterator[tuple[str, str, str]]:
    if isinstance(value, dict):
        if {"href", "sourcedId", "type"} <= value.keys():
            yield where, str(value["type"]), str(value["sourcedId"])
            return
        for key, item in value.items():
            yield from _references(item, key)
    elif isinstance(value, list):
        for item in value:
            yield from _references(item, where)


def read_record(conn: sa.Connection, entity: str, sourced_id: str, base_url: str) -> Record | None:
    table = TABLES[entity].main
    row = conn.execute(
        sa.select(
            table.c.status, table.c.date_last_modified, table.c.first_seen_ms, table.c.doc, table.c.doc_v12
        ).where(table.c.sourced_id == sourced_id)
    ).first()
    if row is None:
        return None
    key = ENTITIES[entity].single_key
    body = single_body(key, row.doc, base_url)
    body_v12 = None
    if row.doc_v12 is not None:
        body_v12 = absolute_hrefs_v12(b'{"' + key.encode() + b'":' + row.doc_v12 + b"}", base_url)
    references = list(_references(orjson.loads(row.doc)))
    return Record(
        entity,
        sourced_id,
        row.status,
        row.date_last_modified,
        row.first_seen_ms,
        body,
        body_v12,
        references,
    )


@dataclass(frozen=True)
class Member:
    sourced_id: str
    name: str
    role: str
    status: str


def class_members(conn: sa.Connection, class_id: str) -> list[Member]:
    """The users enrolled in a class (active enrollments), teachers first."""
    enrollments, users = TABLES["enrollment"].main, TABLES["user"].main
    rows = conn.execute(
        sa.select(
            users.c.sourced_id, users.c.given_name, users.c.family_name, enrollments.c.role, users.c.status
        )
        .join(users, users.c.sourced_id == enrollments.c.user_sourced_id)
        .where(enrollments.c.class_sourced_id == class_id, enrollments.c.status == "active")
        .order_by(enrollments.c.role.desc(), users.c.family_name, users.c.given_name, users.c.sourced_id)
    )
    return [
        Member(r.sourced_id, " ".join(p for p in (r.given_name, r.family_name) if p), r.role, r.status)
        for r in rows
    ]


def user_classes(conn: sa.Connection, user_id: str) -> list[Member]:
    """The classes a user is enrolled in (active enrollments), with the role they have there."""
    enrollments, classes = TABLES["enrollment"].main, TABLES["class"].main
    rows = conn.execute(
        sa.select(classes.c.sourced_id, classes.c.title, enrollments.c.role, classes.c.status)
        .join(classes, classes.c.sourced_id == enrollments.c.class_sourced_id)
        .where(enrollments.c.user_sourced_id == user_id, enrollments.c.status == "active")
        .order_by(classes.c.title, classes.c.sourced_id)
    )
    return [Member(r.sourced_id, r.title or r.sourced_id, r.role, r.status) for r in rows]
