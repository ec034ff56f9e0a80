"""Reading one response as SDS does: status, content type, wrapper key, X-Total-Count, Link, filter, fields."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from openroster.check.http import Exchange, Predicate, Query, Session
from openroster.check.outcomes import Outcomes
from openroster.check.records import Record, check_records
from openroster.check.registry import Check, define

STATUS = define(
    "http.status",
    "Reads answer 200",
    "fail",
    "connection",
    "Answer every read SDS makes with 200 (see the request in the evidence).",
)
CONTENT_TYPE = define(
    "http.content-type",
    "Responses are application/json",
    "fail",
    "connection",
    "Send Content-Type: application/json on every response.",
)
WRAPPER = define(
    "http.wrapper-key",
    "Bodies hold exactly the OneRoster wrapper key",
    "fail",
    "connection",
    "Wrap collections in their plural key (users, orgs, academicSessions, demographics, ...) and single "
    "objects in the singular one, with no other top-level keys.",
)
TOTAL_COUNT = define(
    "paging.x-total-count",
    "X-Total-Count on every collection and single object",
    "fail",
    "connection",
    "Send X-Total-Count (the number of records the filter matches; 1 on single objects).",
)
LINK = define(
    "paging.link",
    'A Link header with rel="next" while more pages follow',
    "warn",
    "connection",
    "Send Link with next, last, first and prev URLs (RFC 8288), keeping the request's parameters.",
)
FILTER = define(
    "filter.honoured",
    "Every record returned matches the filter asked for",
    "fail",
    "connection",
    "Apply filter=... exactly as asked (status, role, email, schoolYear, dateLastModified>...); a "
    "filter that is ignored makes SDS import the wrong records.",
)


@dataclass
class Page:
    exchange: Exchange
    records: list[Record]
    total: int | None


def instant(text: Any) -> float | None:
    """A date-time as seconds since the epoch (with or without milliseconds), or None."""
    if not isinstance(text, str):
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def matches(record: Record, predicate: Predicate) -> bool:
    value = record.get(predicate.field)
    if predicate.op == ">" and predicate.field == "dateLastModified":
        have, since = instant(value), instant(predicate.value)
        return have is not None and since is not None and have > since
    return predicate.op == "=" and value == predicate.value


# a link's target in <...>, then its rel parameter: a quoted string or a token (RFC 8288 §3)
LINK_REL = re.compile(r'<[^>]*>[^<]*?;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))', re.IGNORECASE)


def has_next(link: str) -> bool:
    """Whether a Link header names a next page: rel=next quoted or not, in any case, alone or in a list."""
    return any("next" in (quoted or bare).lower().split() for quoted, bare in LINK_REL.findall(link))


def _total(exchange: Exchange) -> int | None:
    value = exchange.header("x-total-count")
    return int(value) if value is not None and value.strip().isdigit() else None


def _checked(exchange: Exchange, key: str, outcomes: Outcomes, status_check: Check) -> Any:
    """The wrapped value when the response is usable, after recording status, type, wrapper, count."""
    ok = outcomes.record(status_check, exchange.status == 200, exchange.request, "200", exchange.answered())
    if not ok:
        return None
    content_type = exchange.header("content-type") or ""
    outcomes.record(
        CONTENT_TYPE,
        "application/json" in content_type.lower(),
        exchange.request,
        "Content-Type: application/json",
        f"Content-Type: {content_type or '(none)'}",
    )
    body = exchange.json()
    ok = isinstance(body, dict) and body.get(key) is not None and set(body) <= {key, "statusInfoSet"}
    if not isinstance(body, dict):
        seen = f"not a JSON object: {exchange.answered()}"
    else:
        seen = f"{key!r} is null" if key in body and body[key] is None else f"keys {sorted(body)}"
    outcomes.record(WRAPPER, ok, exchange.request, f"a JSON object with the key {key!r}", seen)
    outcomes.record(
        TOTAL_COUNT,
        _total(exchange) is not None,
        exchange.request,
        "an X-Total-Count header",
        f"X-Total-Count: {exchange.header('x-total-count') or '(none)'}",
    )
    return body[key] if ok else None


def read_page(
    session: Session,
    query: Query,
    key: str,
    outcomes: Outcomes,
    *,
    status_check: Check = STATUS,
    exchange: Exchange | None = None,
) -> Page | None:
    """GET a collection page and check it; None when it cannot be read."""
    exchange = exchange or session.get(query)
    value = _checked(exchange, key, outcomes, status_check)
    if not isinstance(value, list):
        if value is not None:
            outcomes.record(WRAPPER, False, exchange.request, f"{key!r} holds an array", type(value).__name__)
        return None
    records = [r for r in value if isinstance(r, dict)]
    page = Page(exchange, records, _total(exchange))
    if query.where:
        wrong = [r.get("sourcedId") for r in records if not all(matches(r, p) for p in query.where)]
        outcomes.record(
            FILTER,
            not wrong,
            exchange.request,
            "only records matching the filter",
            f"{len(wrong)} of {len(records)} do not match, e.g. {wrong[:3]}",
        )
    if page.total is not None and (query.offset or 0) + len(records) < page.total and records:
        outcomes.record(
            LINK,
            has_next(exchange.header("link") or ""),
            exchange.request,
            'a Link header with rel="next"',
            f"Link: {exchange.header('link') or '(none)'}",
        )
    check_records(key, records, exchange.request, outcomes)
    return page


def read_object(session: Session, path: str, key: str, outcomes: Outcomes) -> Record | None:
    """GET a single object and check it; None when it cannot be read."""
    exchange = session.get(Query(path))
    value = _checked(exchange, key, outcomes, STATUS)
    if not isinstance(value, dict):
        if value is not None:
            outcomes.record(
                WRAPPER, False, exchange.request, f"{key!r} holds an object", type(value).__name__
            )
        return None
    check_records(key, [value], exchange.request, outcomes)
    return value
