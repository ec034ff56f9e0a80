"""Response bodies and headers: wrapper envelopes from stored bytes, status payloads, Link headers."""

from __future__ import annotations

from typing import Iterable, Sequence

import orjson

from openroster.errors import StatusInfo
from openroster.model.render import absolute_hrefs

JSON = "application/json; charset=utf-8"


def project(doc: bytes, fields: Sequence[str]) -> bytes:
    """Only the selected top-level fields of one stored document."""
    data = orjson.loads(doc)
    return orjson.dumps({name: data[name] for name in fields if name in data})


def collection_body(key: str, docs: Sequence[bytes], base_url: str,
                    warnings: Sequence[StatusInfo] = ()) -> bytes:
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
    return ", ".join(f'<{url_without_query}?{_with_paging(raw_query, limit, value)}>; rel="{rel}"'
                     for rel, value in relations)


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


def first_values(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Query parameters by name; when a name repeats, the first value counts."""
    params: dict[str, str] = {}
    for name, value in pairs:
        params.setdefault(name, value)
    return params
