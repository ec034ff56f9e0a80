"""Response bodies and headers: wrapper envelopes from stored bytes, status payloads, Link headers."""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Sequence

import orjson
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

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


CHUNK_DOCS = 256  # documents per piece of a page body: pieces of ~100 KB, well inside CPU caches


def collection_chunks(
    key: str,
    docs: Sequence[bytes],
    base_url: str,
    warnings: Sequence[StatusInfo] = (),
    rewrite: Callable[[bytes, str], bytes] = absolute_hrefs,
) -> list[bytes]:
    """The bytes of `collection_body` in pieces of CHUNK_DOCS documents, never joined into one;
    `rewrite` makes a piece's hrefs absolute (1.2 documents have hrefs of their own roots).

    Joining a page of thousands of documents and then rewriting its hrefs would copy the whole
    page twice more in buffers of megabytes; each piece is made and rewritten while it is small.
    An href is never split between pieces: pieces end between documents.
    """
    pieces = [b'{"' + key.encode() + b'":[']
    for start in range(0, len(docs), CHUNK_DOCS):
        piece = b",".join(docs[start : start + CHUNK_DOCS])
        pieces.append(rewrite(piece if start == 0 else b"," + piece, base_url))
    pieces.append(b"]" + _status_set(warnings) + b"}")
    return pieces


class PiecesResponse(Response):
    """A response whose body is sent piece by piece as given, with its Content-Length up front."""

    def __init__(self, pieces: list[bytes], headers: dict[str, str], media_type: str = JSON) -> None:
        self.pieces = pieces
        length = str(sum(map(len, pieces)))
        super().__init__(None, headers={**headers, "content-length": length}, media_type=media_type)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
        pieces, self.pieces = self.pieces, []
        pieces.reverse()
        while pieces:
            # Each piece is let go once sent, so a slow client holds only what it has not read.
            piece = pieces.pop()
            await send({"type": "http.response.body", "body": piece, "more_body": bool(pieces)})


def single_body(key: str, doc: bytes, base_url: str, warnings: Sequence[StatusInfo] = ()) -> bytes:
    return absolute_hrefs(b'{"' + key.encode() + b'":' + doc + _status_set(warnings) + b"}", base_url)


def _status_set(infos: Sequence[StatusInfo]) -> bytes:
    if not infos:
        return b""
    return b',"statusInfoSet":' + orjson.dumps([i.as_json() for i in infos])


def status_body(info: StatusInfo) -> bytes:
    """The body of every error response: a statusInfoSet array with one entry."""
    return orjson.dumps({"statusInfoSet": [info.as_json()]})


def link_header(
    url_without_query: str, raw_query: str, *, limit: int, offset: int, total: int | None, more: bool
) -> str:
    """Link header with next, last, first, prev (in that order), RFC 8288 style.

    The caller's other query parameters are kept exactly as they were encoded; only limit and
    offset change (Microsoft's Grade Sync stops paging when the URL equals the `last` link).
    Without a `total` (the count was left out) there is no `last`, and `next` when `more`.
    """
    relations: list[tuple[str, int]] = []
    if more:
        relations.append(("next", offset + limit))
    if total is not None:
        relations.append(("last", ((total - 1) // limit) * limit if total > 0 else 0))
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
