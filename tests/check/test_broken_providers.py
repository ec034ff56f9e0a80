"""Each check catches what it is meant to: openroster served with one thing broken fails that check alone
(or warns, for a check whose severity is a warning)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest
import sqlalchemy as sa

from tests.check import breakage as b
from tests.check.conftest import PAGE_SIZE, check, serve, statuses
from tests.conftest import BASE, client_for


def last_class(engine: sa.Engine) -> str:
    with client_for(engine) as api:
        response = api.get(BASE + "/classes", params={"sort": "sourcedId", "orderBy": "desc", "limit": "1"})
        return str(response.json()["classes"][0]["sourcedId"])


# (breakage, the checks that must fail, warnings it may cause besides, how the checker runs)
VARIANTS: dict[str, tuple[Callable[[sa.Engine], b.Breakage], set[str], set[str], dict[str, object]]] = {
    "no X-Total-Count": (lambda e: b.no_total_count(), {"paging.x-total-count"}, set(), {}),
    "X-Total-Count wrong": (lambda e: b.wrong_total_count(), {"sync.total-count"}, {"paging.link"}, {}),
    "dates without milliseconds": (
        lambda e: b.dates_without_milliseconds(),
        {"fields.date-format"},
        set(),
        {},
    ),
    "404 for an empty relationship": (
        lambda e: b.not_found_for_empty_relationships(),
        {"empty.no-records"},
        set(),
        {},
    ),
    "a page shifted by one": (
        lambda e: b.shifted_page(PAGE_SIZE),
        {"sync.duplicates", "sync.gaps"},
        set(),
        {},
    ),
    "limit silently clamped to 1,000": (
        lambda e: b.limit_clamped(1000),
        {"paging.limit-honoured"},
        set(),
        {"page_size": 5000},
    ),
    "a filter silently ignored": (lambda e: b.role_filter_ignored(), {"filter.honoured"}, set(), {}),
    "a wrong wrapper key": (lambda e: b.wrong_wrapper_key(), {"http.wrapper-key"}, set(), {}),
    "a user without orgs": (lambda e: b.user_without_orgs(), {"fields.user-orgs"}, set(), {}),
    "an enrollment whose class is not served": (
        lambda e: b.class_not_served(last_class(e)),
        {"sync.refs-enrollments"},
        set(),
        {},
    ),
    "a delta that misses a changed record": (
        lambda e: b.delta_misses_a_record(),
        {"sync.delta-complete"},
        set(),
        {"page_size": 5000},
    ),
    "a token endpoint that requires a scope": (
        lambda e: b.token_requires_scope(),
        {"auth.token-as-sds"},
        set(),
        {},
    ),
    "OAuth 1.0a verified over the wrong URL": (
        lambda e: b.signature_checked_over_https(),
        {"auth.oauth1-url"},
        set(),
        {"auth": "oauth1"},
    ),
    "a 500 on one page in the middle of the walk": (
        lambda e: b.page_fails(PAGE_SIZE),
        {"sync.pages-ok"},
        set(),
        {},
    ),
    "a PUT that answers 200 with no body": (
        lambda e: b.put_answers_200_without_body(),
        {"grade-sync.put-lineitem"},
        set(),
        {"profile": "grade-sync", "writes": True},
    ),
    "a token endpoint that wants the secret in the body": (
        lambda e: b.token_requires_body_credentials(),
        {"auth.token-as-sds"},
        set(),
        {},
    ),
    "a 401 without a status payload": (lambda e: b.bare_401(), {"auth.401-payload"}, set(), {}),
}


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_the_check_for_it_fails_and_the_others_hold(sqlite_district: sa.Engine, variant: str) -> None:
    make, must_fail, may_warn, how = VARIANTS[variant]
    server, credentials = serve(sqlite_district, make(sqlite_district))
    try:
        if "auth" in how:
            credentials = dataclasses.replace(credentials, auth=str(how["auth"]))
        report = check(
            server,
            credentials,
            str(how.get("profile", "sds")),
            writes=bool(how.get("writes")),
            page_size=int(str(how.get("page_size", PAGE_SIZE))),
        )
    finally:
        server.stop()
    flagged = statuses(report, "fail") | statuses(report, "warn")
    assert flagged - may_warn == must_fail
    for outcome in report.results():
        if outcome.check.id in must_fail:
            assert outcome.status == outcome.check.severity
            assert outcome.evidence and outcome.evidence[0].request and outcome.evidence[0].expected
