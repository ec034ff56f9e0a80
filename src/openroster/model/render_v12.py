"""The 1.2 renderer: a stored record (plus its derived lists) -> its OneRoster 1.2 JSON document.

Each field's value comes from the record as its declaration in v12.py says. GUIDRefs carry the
fixed 1.2 `type` of their target and an href under the target's 1.2 service root, written
relative to the server like 1.1's; `absolute_hrefs_v12` splices the public base URL in.
Documents are rendered with dateLastModified at the epoch and stamped like 1.1's (render.stamp).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import cache
from typing import Any
from urllib.parse import quote

import orjson

from openroster.model.catalogue import ENTITIES, METADATA, Kind
from openroster.model.roles import OrgType, derived_roles, profile_entry, role_entry
from openroster.model.v12 import (
    HREF_PREFIX,
    Entity12,
    Field12,
    NoSource,
    OrSourcedId,
    Renamed,
    RolesFromRoleAndOrgs,
    Same,
    SoleElement,
    StoredOr,
    href_root,
)
from openroster.model.values import format_datetime

_HREF_MARK = b'"href":"' + HREF_PREFIX.encode()


@cache
def guid_ref(target: str) -> Callable[[str], dict[str, str]]:
    """The 1.2 GUIDRef maker for records of `target`."""
    prefix = f"{href_root(target)}/{ENTITIES[target].path}/"
    return lambda sourced_id: {
        "href": prefix + quote(sourced_id, safe=""),
        "sourcedId": sourced_id,
        "type": target,
    }


def _no_org_types(org: str) -> str | None:
    raise AssertionError(f"the type of org {org} is needed to render an administrator's roles")


def field_value(
    field: Field12,
    record: Mapping[str, Any],
    derived: Mapping[str, Sequence[Any]] | None,
    org_type: OrgType = _no_org_types,
) -> Any:
    """The 1.2 value of `field` for `record`, in the record representation (None: absent)."""
    source = field.source
    if isinstance(source, StoredOr):
        own = _own(field.kind, source.field, record, derived)
        return own if own else _from_source(source.fallback, record, org_type)
    if isinstance(source, Same):
        return _own(field.kind, source.field, record, derived)
    return _from_source(source, record, org_type)


# Lists derived from whole records (a user's role records), and the entries 1.2 shows for each.
_ENTRIES = {Kind.ROLES: role_entry, Kind.USER_PROFILES: profile_entry}


def _own(
    kind: Kind, name: str, record: Mapping[str, Any], derived: Mapping[str, Sequence[Any]] | None
) -> Any:
    """The record's own value of field `name` (derived lists among them)."""
    if derived is None or name not in derived:
        return record.get(name)
    entry = _ENTRIES.get(kind)
    return derived[name] if entry is None else [entry(r) for r in derived[name]]


def _from_source(
    source: OrSourcedId | Renamed | RolesFromRoleAndOrgs | SoleElement | NoSource,
    record: Mapping[str, Any],
    org_type: OrgType,
) -> Any:
    if isinstance(source, OrSourcedId):
        return record.get(source.field) or record["sourcedId"]
    if isinstance(source, Renamed):
        value = record.get(source.field)
        return None if value is None else source.tokens.get(value, value)
    if isinstance(source, SoleElement):
        values: Sequence[Any] = record.get(source.field) or ()
        return values[0] if len(values) == 1 else None
    if isinstance(source, RolesFromRoleAndOrgs):
        return derived_roles(record[source.role], record.get(source.orgs) or (), org_type)
    assert isinstance(source, NoSource)
    return None


def _json(field: Field12, value: Any) -> Any:
    kind = field.kind
    if kind is Kind.DATETIME:
        return format_datetime(value)
    if kind is Kind.REF:
        assert field.ref is not None
        return guid_ref(field.ref)(value)
    if kind is Kind.REF_LIST:
        assert field.ref is not None
        make = guid_ref(field.ref)
        return [make(v) for v in value]
    if kind is Kind.ROLES:
        make = guid_ref("org")
        return [dict(entry, org=make(entry["org"])) for entry in value]
    return value


def render_v12(
    entity: Entity12,
    record: Mapping[str, Any],
    derived: Mapping[str, Sequence[Any]] | None,
    org_type: OrgType = _no_org_types,
) -> bytes:
    """The record's 1.2 document with dateLastModified at the epoch, secret fields left out."""
    out: dict[str, Any] = {}
    for field in entity.all_fields:
        if field.secret:
            continue
        if field.name == "dateLastModified":
            out[field.name] = format_datetime(0)
            if record.get(METADATA):
                out[METADATA] = record[METADATA]
            continue
        value = field_value(field, record, derived, org_type)
        if value is None or (field.is_list and not value):
            continue
        out[field.name] = _json(field, value)
    return orjson.dumps(out)


def absolute_hrefs_v12(body: bytes, base_url: str) -> bytes:
    """Make every 1.2 GUIDRef href in `body` absolute under `base_url` (scheme://host[:port][/prefix])."""
    if not base_url:
        return body
    return body.replace(_HREF_MARK, b'"href":"' + base_url.rstrip("/").encode() + HREF_PREFIX.encode())
