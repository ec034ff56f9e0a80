"""Response bodies and headers: wrapper envelopes from stored bytes, status payloads, Link headers."""

from __future__ import annotations

import re
import string
from collections.abc import Sequence

import orjson

from openroster.errors import StatusInfo
from openroster.model.render import absolute_hrefs

JSON = "application/json; charset=utf-8"


def project(doc: bytes, fields: Sequence[str]) -> bytes:
    """Only the selected top-level fields of one stored document."""
    data = orjson.loads(doc)
    return orjson.dumps({name: data[name] for name in fields if name in data})


def collection_body(
    key: str, docs: Sequence[bytes], base_url: str, warnings: Sequence[StatusInfo] = ()
) -> bytes:
    body = b'{"' + key.encode() + b'":[' + b",".join(docs) + b"]" + _status_set(warnings) + b"}"
    return absolute_hrefs(body, base_url)


def single_body(key: str, doc: bytes, base_url: str, warnings: Sequence[StatusInfo] = ()) -> bytes:
    return absolute_hrefs(b'{"' + key.encode() + b'":' + doc + _status_set(warnings) + b"}", base_url)


def _status_set(infos: Sequence[StatusInfo]) -> bytes:
    if not infos:
        return b""
    return b',"statusInfoSet":' + orjson.dumps([i.as_json() for i in infos])


def status_body(info: StatusInfo) -> bytes:
    """The body of every error response: a statusInfoSet array with one entry."""
    return orjson.dumps({"statusInfoSet": [info.as_json()]})


def link_header(url_without_query: str, raw_query: str, *, limit: int, offset: int, total: int) -> str:
    """Link header with next, last, first, prev (in that order), RFC 8288 style.

    The caller's other query parameters are kept exactly as they were encoded; only limit and
    offset change (Microsoft's Grade Sync stops paging when the URL equals the `last` link).
    """
    last = ((total - 1) // limit) * limit if total > 0 else 0
    relations: list[tuple[str, int]] = []
    if offset + limit < total:
        relations.append(("next", offset + limit))
    relations.append(("last", last))
    relations.append(("first", 0))
    if offset > 0:
        relations.append(("prev", max(offset - limit, 0)))
    url = uri_text(url_without_query)
    return ", ".join(
        f'<{url}?{uri_text(_with_paging(raw_query, limit, value))}>; rel="{rel}"' for rel, value in relations
    )


# RFC 3986: what a URI's path and query may hold as they are; everything else is percent-encoded.
_URI_CHARS = frozenset(string.ascii_letters + string.digits + "-._~" + "!$&'()*+,;=" + ":@/?")
_NOT_URI = re.compile(r"%(?![0-9A-Fa-f]{2})|[^" + re.escape("".join(sorted(_URI_CHARS))) + "%]")


def uri_text(text: str) -> str:
    """`text` (request bytes read as latin-1) with each character a URI cannot hold percent-encoded.

    A well-formed `%XX` stays as the client sent it; a `<`, `>`, `"`, space, control character or
    non-ASCII byte cannot end up in a `Link` header as itself, so no client input breaks out of
    `<...>` or adds link parameters.
    """
    return _NOT_URI.sub(lambda m: "".join(f"%{byte:02X}" for byte in _bytes_of(m.group())), text)


def _bytes_of(char: str) -> bytes:
    return char.encode("latin-1") if ord(char) < 256 else char.encode("utf-8")


def _with_paging(raw_query: str, limit: int, offset: int) -> str:
    items = [item for item in raw_query.split("&") if item] if raw_query else []
    names = [item.split("=", 1)[0] for item in items]
    out: list[str] = []
    for name, item in zip(names, items):
        if name == "limit":
            out.append(f"limit={limit}")
        elif name == "offset":
            out.append(f"offset={offset}")
        else:
            out.append(item)
    if "limit" not in names:
        out.append(f"limit={limit}")
    if "offset" not in names:
        out.append(f"offset={offset}")
    return "&".join(out)
