"""The request preferences (RFC 7240 `Prefer` header) the API honours: `count=none`.

`Prefer: count=none` asks a collection read to leave out `X-Total-Count`, so a client that pages
by the `Link` header's `next` alone spares the server counting every matching record. A header
rather than a query parameter: other OneRoster servers and proxies ignore a preference they do
not know, query parameters end up in the `Link` URLs clients compare, and no client sends it
by accident. The response says so with `Preference-Applied: count=none`.
"""

from __future__ import annotations

from starlette.datastructures import Headers

NO_COUNT = "count=none"


def wants_no_count(headers: Headers) -> bool:
    """Whether any `Prefer` header of the request holds the preference count=none."""
    for value in headers.getlist("prefer"):
        for preference in value.split(","):
            # A preference may carry parameters after ';'; its name and value are case-insensitive.
            token = preference.split(";", 1)[0].strip().lower().replace(" ", "")
            if token in (NO_COUNT, 'count="none"'):
                return True
    return False
