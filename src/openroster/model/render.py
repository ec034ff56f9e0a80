"""The one renderer: a record (plus its derived lists) -> the JSON document served for it.

Documents are stored ready to serve. GUIDRef hrefs are written relative to the server
("/ims/oneroster/v1p1/orgs/x"); `absolute_hrefs` splices the public base URL into assembled
response bytes, so stored documents never depend on the host name the server is reached by.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from functools import cache, lru_cache
from typing import Any, NamedTuple
from urllib.parse import quote

import orjson

from openroster import API_ROOT
from openroster.model.catalogue import ENTITIES, METADATA, Entity, Field, Kind
from openroster.model.values import format_datetime

_HREF_MARK = b'"href":"' + API_ROOT.encode() + b"/"


# Characters quote(..., safe="") leaves as they are: most sourcedIds need no quoting at all.
_UNRESERVED = re.compile(r"[A-Za-z0-9_.~-]*")


@cache
def _guid_ref_maker(target: str) -> Callable[[str], dict[str, str]]:
    prefix = f"{API_ROOT}/{ENTITIES[target].path}/"
    unreserved = _UNRESERVED.fullmatch

    def make(sourced_id: str) -> dict[str, str]:
        quoted = sourced_id if unreserved(sourced_id) else quote(sourced_id, safe="")
        return {"href": prefix + quoted, "sourcedId": sourced_id, "type": target}

    return make


def _converter(field: Field) -> Callable[[Any], Any] | None:
    """How a record value of `field` becomes its JSON value (None: it is the same)."""
    kind = field.kind
    if field.enum12:  # a token only 1.2 has is no value in 1.1
        tokens = frozenset(field.enum)
        return lambda value: value if value in tokens else None
    if kind is Kind.DATETIME:
        return format_datetime
    if kind is Kind.REF or kind is Kind.REF_LIST:
        assert field.ref is not None
        one = _guid_ref_maker(field.ref)
        return one if kind is Kind.REF else (lambda values: [one(v) for v in values])
    return None


class _Step(NamedTuple):
    name: str
    derived: bool  # computed from other records, given apart from the record
    is_list: bool  # an empty list is omitted
    convert: Callable[[Any], Any] | None


# Each entity's field renderings, worked out once (records are rendered by the million); the
# fields only 1.2 has (catalogue.Entity.fields12) are not in 1.1 documents.
_STEPS = {
    e.name: tuple(_Step(f.name, f.derived is not None, f.is_list, _converter(f)) for f in e.all_fields)
    for e in ENTITIES.values()
}


_DLM = "dateLastModified"


def _json_dict(
    entity: Entity, record: Mapping[str, Any], derived: Mapping[str, Sequence[Any]] | None, dlm: Any
) -> dict[str, Any]:
    """`to_json_dict`, with `dlm` in place of the record's dateLastModified."""
    out: dict[str, Any] = {}
    get = record.get
    for name, is_derived, is_list, convert in _STEPS[entity.name]:
        if is_derived:
            value: Any = derived.get(name) if derived else None
        elif name == _DLM:
            value = dlm
        else:
            value = get(name)
        if value is None or (is_list and not value):
            continue
        if convert is not None and (value := convert(value)) is None:
            continue
        out[name] = value
        if name == _DLM and get(METADATA):
            out[METADATA] = record[METADATA]
    return out


EPOCH_DLM = b'"dateLastModified":"' + format_datetime(0).encode() + b'"'


def content_hash(epoch_doc: bytes) -> str:
    """Digest of a document rendered with dateLastModified at the epoch (see `render_versioned`)."""
    return hashlib.blake2b(epoch_doc, digest_size=16).hexdigest()


def render_versioned(
    entity: Entity, record: Mapping[str, Any], derived: Mapping[str, Sequence[Any]] | None = None
) -> tuple[bytes, str]:
    """(document with dateLastModified at the epoch, its content hash); `stamp` sets the real time.

    The document leaves out secret fields (passwords), which are spliced in only for clients
    allowed them (`with_secrets`); the hash covers them, so changing one moves dateLastModified.
    """
    data = _json_dict(entity, record, derived, 0)
    doc = orjson.dumps(data)
    secret = [f.name for f in entity.secret_fields if f.name in data]
    if not secret:
        return doc, content_hash(doc)
    digest = content_hash(doc)
    for name in secret:
        del data[name]
    return orjson.dumps(data), digest


def with_secrets(doc: bytes, values: Mapping[str, Any]) -> bytes:
    """A stored document with its secret fields (`values`, None: absent) put back.

    Secret fields come last in their entity (checked below), so they go at the document's end,
    where rendering with them would have put them.
    """
    present = {name: value for name, value in values.items() if value is not None}
    if not present:
        return doc
    return doc[:-1] + b"," + orjson.dumps(present)[1:]


def _secret_fields_come_last() -> None:
    for e in ENTITIES.values():
        count = len(e.secret_fields)
        if count and e.fields[-count:] != e.secret_fields:
            raise AssertionError(f"{e.name}: secret fields must be the last fields (see with_secrets)")


_secret_fields_come_last()


def stamp(epoch_doc: bytes, ms: int) -> bytes:
    """Set the dateLastModified of a document rendered by `render_versioned`."""
    return epoch_doc.replace(EPOCH_DLM, _dlm_member(ms), 1)


@lru_cache(maxsize=4096)
def _dlm_member(ms: int) -> bytes:
    # An import stamps its million records with a handful of times: format each once.
    return b'"dateLastModified":"' + format_datetime(ms).encode() + b'"'


def absolute_hrefs(body: bytes, base_url: str) -> bytes:
    """Make every GUIDRef href in `body` absolute under `base_url` (scheme://host[:port][/prefix])."""
    if not base_url:
        return body
    return body.replace(_HREF_MARK, b'"href":"' + base_url.rstrip("/").encode() + API_ROOT.encode() + b"/")
