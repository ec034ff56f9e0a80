"""The one renderer: a record (plus its derived lists) -> the JSON document served for it.

Documents are stored ready to serve. GUIDRef hrefs are written relative to the server
("/ims/oneroster/v1p1/orgs/x"); `absolute_hrefs` splices the public base URL into assembled
response bytes, so stored documents never depend on the host name the server is reached by.
"""

from __future__ import annotations

import hashlib
from typing import Any, Mapping, Sequence
from urllib.parse import quote

import orjson

from openroster import API_ROOT
from openroster.model.catalogue import ENTITIES, METADATA, Entity, Field, Kind
from openroster.model.values import format_datetime

_HREF_MARK = b'"href":"' + API_ROOT.encode() + b"/"


def guid_ref(target: str, sourced_id: str) -> dict[str, str]:
    entity = ENTITIES[target]
    return {
        "href": f"{API_ROOT}/{entity.path}/{quote(sourced_id, safe='')}",
        "sourcedId": sourced_id,
        "type": target,
    }


def _value(field: Field, value: Any) -> Any:
    kind = field.kind
    if kind is Kind.DATETIME:
        return format_datetime(value)
    if kind is Kind.REF:
        assert field.ref is not None
        return guid_ref(field.ref, value)
    if kind is Kind.REF_LIST:
        assert field.ref is not None
        return [guid_ref(field.ref, v) for v in value]
    return value


def to_json_dict(entity: Entity, record: Mapping[str, Any],
                 derived: Mapping[str, Sequence[str]] | None = None) -> dict[str, Any]:
    """Record -> the JSON object of spec §3.4: absent optional values and empty lists are omitted."""
    out: dict[str, Any] = {}
    for field in entity.all_fields:
        if field.derived is not None:
            value: Any = derived.get(field.name) if derived else None
        else:
            value = record.get(field.name)
        if value is None or (field.is_list and not value):
            continue
        out[field.name] = _value(field, value)
        if field.name == "dateLastModified" and record.get(METADATA):
            out[METADATA] = record[METADATA]
    return out


def render(entity: Entity, record: Mapping[str, Any],
           derived: Mapping[str, Sequence[str]] | None = None) -> bytes:
    return orjson.dumps(to_json_dict(entity, record, derived))


EPOCH_DLM = b'"dateLastModified":"' + format_datetime(0).encode() + b'"'


def content_hash(epoch_doc: bytes) -> str:
    """Digest of a document rendered with dateLastModified at the epoch (see `render_versioned`)."""
    return hashlib.blake2b(epoch_doc, digest_size=16).hexdigest()


def render_versioned(entity: Entity, record: Mapping[str, Any],
                     derived: Mapping[str, Sequence[str]] | None = None) -> tuple[bytes, str]:
    """(document with dateLastModified at the epoch, its content hash); `stamp` sets the real time."""
    doc = render(entity, {**record, "dateLastModified": 0}, derived)
    return doc, content_hash(doc)


def stamp(epoch_doc: bytes, ms: int) -> bytes:
    """Set the dateLastModified of a document rendered by `render_versioned`."""
    return epoch_doc.replace(EPOCH_DLM, b'"dateLastModified":"' + format_datetime(ms).encode() + b'"', 1)


def absolute_hrefs(body: bytes, base_url: str) -> bytes:
    """Make every GUIDRef href in `body` absolute under `base_url` (scheme://host[:port][/prefix])."""
    if not base_url:
        return body
    return body.replace(_HREF_MARK, b'"href":"' + base_url.rstrip("/").encode() + API_ROOT.encode() + b"/")
