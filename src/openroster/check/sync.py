"""A simulated SDS sync: a full pull of every collection, all pages, then a delta since the pull began.

Only ids and references are kept, not records, so a district of a million records fits in memory.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from openroster.check.http import Predicate, Query, Session, where
from openroster.check.outcomes import Outcomes
from openroster.check.records import Record
from openroster.check.registry import Check, define
from openroster.check.responses import instant, read_page

PAGES_OK = define(
    "sync.pages-ok",
    "Every page of the full pull answers 200",
    "fail",
    "sds",
    "Make every page of a long walk answer (a page that fails mid-sync stops or corrupts SDS's sync); "
    "look for timeouts or errors at deep offsets.",
)
LIMIT = define(
    "paging.limit-honoured",
    "limit is honoured (pages are not silently cut)",
    "fail",
    "sds",
    "Serve pages of the size asked for (SDS asks for 5,000; 10,000 for teachers), or refuse a limit "
    "with 400; SDS advances offset by its limit and skips what a shorter page left out.",
)
DUPLICATES = define(
    "sync.duplicates",
    "No record arrives on two pages",
    "fail",
    "sds",
    "Sort pages by a unique, stable key (sourcedId) so that offset paging never repeats a record.",
)
GAPS = define(
    "sync.gaps",
    "No record is skipped between pages",
    "fail",
    "sds",
    "Sort pages by a unique, stable key (sourcedId) so that offset paging never skips a record.",
)
TOTAL = define(
    "sync.total-count",
    "X-Total-Count equals the records the pages held",
    "fail",
    "sds",
    "Count exactly what the filter matches, with the same filter as the page.",
)
SLOW = define(
    "sync.page-time",
    "Pages come back within 30 seconds",
    "warn",
    "sds",
    "Speed up deep pages (e.g. seek by sourcedId instead of OFFSET); SDS times out slow pages.",
)
REF_ENROLLMENTS = define(
    "sync.refs-enrollments",
    "Every enrollment's user, class and school was served",
    "fail",
    "sds",
    "Serve (as active) every user, class and school an active enrollment names, or "
    "mark the enrollment tobedeleted.",
)
REF_CLASSES = define(
    "sync.refs-classes",
    "Every class's terms, course and school were served",
    "fail",
    "sds",
    "Serve (as active) every term, course and school an active class names.",
)
REF_USERS = define(
    "sync.refs-users",
    "Every user's orgs were served",
    "fail",
    "sds",
    "Serve (as active) every org an active user names.",
)
REF_COURSES = define(
    "sync.refs-courses",
    "Every course's org was served",
    "fail",
    "sds",
    "Serve (as active) every org an active course names.",
)
DELTA = define(
    "sync.delta-complete",
    "A delta returns every record changed after its moment",
    "fail",
    "sds",
    "Answer filter=dateLastModified>'t' with every record (tombstones included) modified after t, "
    "compared at millisecond precision.",
)

SLOW_SECONDS = 30.0
COLLECTIONS = (
    ("academicSessions", "/academicSessions"),
    ("orgs", "/orgs"),
    ("courses", "/courses"),
    ("classes", "/classes"),
    ("users", "/users"),
    ("enrollments", "/enrollments"),
    ("demographics", "/demographics"),
)
OPTIONAL = {"demographics"}
# (collection, field) -> the collection its sourcedIds must be in, and the check that says so
REFERENCES: dict[tuple[str, str], tuple[str, Check]] = {
    ("enrollments", "user"): ("users", REF_ENROLLMENTS),
    ("enrollments", "class"): ("classes", REF_ENROLLMENTS),
    ("enrollments", "school"): ("orgs", REF_ENROLLMENTS),
    ("classes", "terms"): ("academicSessions", REF_CLASSES),
    ("classes", "course"): ("courses", REF_CLASSES),
    ("classes", "school"): ("orgs", REF_CLASSES),
    ("users", "orgs"): ("orgs", REF_USERS),
    ("courses", "org"): ("orgs", REF_COURSES),
}

Progress = Callable[[str, int, int | None], None]


@dataclass
class Walk:
    """What one walk over a collection's pages saw."""

    name: str
    served: bool = True
    records: int = 0
    rows: int = 0  # page lengths summed (duplicates counted again)
    pages: int = 0
    seconds: float = 0.0
    duplicates: int = 0
    gaps: int | None = None
    total: int | None = None
    failed_pages: int = 0
    truncated: bool = False
    ids: set[str] = field(default_factory=set)
    refs: dict[str, dict[str, str]] = field(default_factory=dict)  # field -> target id -> first source id
    newest: float = 0.0
    newest_ids: list[str] = field(default_factory=list)
    changed_after: dict[float, list[str]] = field(default_factory=dict)
    delta_records: int | None = None
    dangling: int = 0
    _instants: dict[Any, float | None] = field(default_factory=dict, repr=False)

    @property
    def complete(self) -> bool:
        return self.served and not self.truncated and not self.failed_pages and not self.gaps

    @property
    def rate(self) -> float:
        return self.records / self.seconds if self.seconds else 0.0

    def keep(self, record: Record, since: float | None) -> None:
        sid = str(record.get("sourcedId"))
        if sid in self.ids:
            self.duplicates += 1
            return
        self.ids.add(sid)
        for name in _reference_fields(self.name):
            value = record.get(name)
            for ref in value if isinstance(value, list) else (value,):
                if isinstance(ref, dict) and isinstance(ref.get("sourcedId"), str):
                    self.refs.setdefault(name, {}).setdefault(ref["sourcedId"], sid)
        given = record.get("dateLastModified")
        text = given if isinstance(given, str) else None  # a list or object is no moment (and unhashable)
        if text not in self._instants:  # most records of an import share a few moments
            self._instants[text] = instant(text)
        moment = self._instants[text]
        if moment is not None:
            if moment > self.newest:
                self.newest, self.newest_ids = moment, [sid]
            elif moment == self.newest:
                self.newest_ids.append(sid)
            if since is not None and moment > since:
                self.changed_after.setdefault(since, []).append(sid)


@functools.cache
def _reference_fields(collection: str) -> tuple[str, ...]:
    return tuple(name for (source, name) in REFERENCES if source == collection)


def stamp(seconds: float) -> str:
    moment = datetime.fromtimestamp(seconds, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def walk(
    session: Session,
    name: str,
    query: Query,
    outcomes: Outcomes,
    *,
    max_records: int | None,
    progress: Progress,
    since: float | None = None,
    label: str | None = None,
) -> Walk:
    """Walk every page of `query` as SDS does (offset advancing by limit), recording what each page showed."""
    limit = query.limit or 100
    result, offset, clamped = Walk(name), 0, False
    started = time.perf_counter()
    while True:
        exchange = session.get(query.at(offset))
        if exchange.status not in (200, 401, 403, 404):
            exchange = session.get(query.at(offset))  # one retry, as a consumer would
        result.pages += 1
        if name in OPTIONAL and offset == 0 and exchange.status in (401, 403, 404):
            result.served = False
            outcomes.skip(
                PAGES_OK, f"{exchange.request} answered {exchange.status}: {name} are optional for SDS"
            )
            break
        outcomes.record(
            SLOW,
            exchange.seconds <= SLOW_SECONDS,
            exchange.request,
            f"within {SLOW_SECONDS:.0f} s",
            f"{exchange.seconds:.1f} s",
        )
        page = read_page(session, query.at(offset), name, outcomes, status_check=PAGES_OK, exchange=exchange)
        if page is None:
            if exchange.status == 200:
                result.served = False  # not readable at all (wrong wrapper key): nothing to walk
                break
            result.failed_pages += 1
            offset += limit
            if result.total is None or offset >= result.total:
                break
            continue
        result.total = page.total if page.total is not None else result.total
        result.rows += len(page.records)
        for record in page.records:
            result.keep(record, since)
        progress(label or name, len(result.ids), result.total)
        if max_records is not None and len(result.ids) >= max_records:
            result.truncated = True
            break
        if not page.records:
            break
        step = len(page.records) if clamped else limit
        if len(page.records) < limit and not clamped:
            if page.total is None or offset + len(page.records) >= page.total:
                break
            beyond = session.get(query.at(offset + len(page.records)))
            rest = (
                beyond.json().get(name) if beyond.status == 200 and isinstance(beyond.json(), dict) else None
            )
            if not rest:
                break  # nothing more: the count was wrong, which the total check reports
            clamped = True
            outcomes.record(
                LIMIT,
                False,
                exchange.request,
                f"{limit} records (X-Total-Count is {page.total})",
                f"{len(page.records)} records, and more follow at offset {offset + len(page.records)}: "
                f"the limit was cut to {len(page.records)} without a word",
            )
            step = len(page.records)
        offset += step
        if page.total is not None and offset >= page.total:
            break
    result.seconds = time.perf_counter() - started
    result.records = len(result.ids)
    if result.served and not clamped and result.pages:
        outcomes.record(LIMIT, True, session.url(query), f"pages of {limit}")
    _check_counts(result, session.url(query), outcomes)
    return result


def _check_counts(result: Walk, request: str, outcomes: Outcomes) -> None:
    if not result.served:
        return
    outcomes.record(
        DUPLICATES,
        result.duplicates == 0,
        request,
        "each record on one page only",
        f"{result.duplicates} record(s) arrived twice",
    )
    if result.total is None or result.failed_pages or result.truncated:
        return
    if result.rows == result.total:
        result.gaps = result.total - result.records
        outcomes.record(
            GAPS,
            result.gaps == 0,
            request,
            f"{result.total} distinct records (X-Total-Count)",
            f"{result.records} distinct records: {result.gaps} never arrived",
        )
    outcomes.record(
        TOTAL,
        result.rows == result.total,
        request,
        f"pages holding X-Total-Count = {result.total}",
        f"the pages held {result.rows} records",
    )


def full_pull(
    session: Session,
    outcomes: Outcomes,
    *,
    began: float,
    page_size: int,
    max_records: int | None,
    progress: Progress,
) -> dict[str, Walk]:
    walks = {}
    for name, path in COLLECTIONS:
        query = Query(path, limit=page_size, offset=0, where=where(status="active"))
        walks[name] = walk(
            session, name, query, outcomes, max_records=max_records, progress=progress, since=began
        )
    check_references(walks, outcomes)
    return walks


def check_references(walks: dict[str, Walk], outcomes: Outcomes) -> None:
    for (collection, name), (target, check) in REFERENCES.items():
        source, pool = walks[collection], walks[target]
        if not source.served:
            continue
        if not pool.complete:
            outcomes.skip(check, f"the walk of {target} was incomplete, so missing references cannot be told")
            continue
        missing = [
            (target_id, source_id)
            for target_id, source_id in source.refs.get(name, {}).items()
            if target_id not in pool.ids
        ]
        source.dangling += len(missing)
        example = f"e.g. {collection} {missing[0][1]} names {name} {missing[0][0]}" if missing else ""
        outcomes.record(
            check,
            not missing,
            f"GET /{collection} and /{target} (full pull)",
            f"every {name} of {collection} among the {target} served",
            f"{len(missing)} {name} id(s) were never served as {target}; {example}",
        )


def delta_pull(
    session: Session,
    walks: dict[str, Walk],
    began: float,
    outcomes: Outcomes,
    *,
    page_size: int,
    max_records: int | None,
    progress: Progress,
) -> None:
    """The delta SDS runs next (since the full pull began), then one since just before the newest record."""
    for name, path in COLLECTIONS:
        full = walks[name]
        if not full.served:
            continue
        since = Query(
            path, limit=page_size, offset=0, where=(Predicate("dateLastModified", ">", stamp(began)),)
        )
        delta = walk(
            session,
            name,
            since,
            outcomes,
            max_records=max_records,
            progress=progress,
            label=f"{name} (delta)",
        )
        full.delta_records = delta.records
        _expect(outcomes, session.url(since), delta, full.changed_after.get(began, []), delta.truncated)
        if not full.newest_ids or full.truncated:
            continue
        moment = full.newest - 0.001
        probe = Query(
            path, limit=page_size, offset=0, where=(Predicate("dateLastModified", ">", stamp(moment)),)
        )
        seen = walk(
            session,
            name,
            probe,
            outcomes,
            max_records=max_records,
            progress=progress,
            label=f"{name} (delta probe)",
        )
        _expect(outcomes, session.url(probe), seen, full.newest_ids, seen.truncated)


def _expect(outcomes: Outcomes, request: str, delta: Walk, changed: list[str], truncated: bool) -> None:
    if truncated or not delta.served:
        return
    missing = [sid for sid in changed if sid not in delta.ids]
    outcomes.record(
        DELTA,
        not missing,
        request,
        f"the {len(changed)} record(s) the full pull showed changed after that moment",
        f"{len(missing)} missing, e.g. {missing[:3]}",
    )
