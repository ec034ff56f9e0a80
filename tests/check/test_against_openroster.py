"""openroster passes every check of every profile, over OAuth 2.0 and OAuth 1.0a (SHA-1, SHA-256)."""

from __future__ import annotations

import dataclasses
import time

import pytest
import sqlalchemy as sa

from openroster.check import CheckOptions, run_checks
from openroster.check.sync import stamp
from tests.check.conftest import check, serve, statuses
from tests.conftest import BASE, client_for

PROFILES = ("sds", "grade-sync", "google")
# Google also reads /classes/{id}/categories (a 1.2 path); a provider without it gets a warning only.
TOLERATED_WARNINGS = {"google.class-categories"}


@pytest.mark.parametrize("auth", ["oauth2", "oauth1 HMAC-SHA1", "oauth1 HMAC-SHA256"])
def test_every_check_passes(district: sa.Engine, auth: str) -> None:
    server, credentials = serve(district)
    try:
        flavour, _, signature = auth.partition(" ")
        credentials = dataclasses.replace(credentials, auth=flavour, signature=signature or "HMAC-SHA1")
        report = check(server, credentials, *PROFILES, writes=True)
    finally:
        server.stop()
    assert statuses(report, "fail") == set()
    assert statuses(report, "warn") <= TOLERATED_WARNINGS
    not_run = statuses(report, "skip")
    assert not_run == ({"auth.token-as-sds"} if flavour == "oauth1" else {"auth.oauth1-url"})
    walks = report.walks
    assert walks["users"].records > 300 and walks["enrollments"].records > 1000
    assert walks["enrollments"].pages >= 3 and all(w.complete for w in walks.values())
    assert all(w.duplicates == 0 and w.dangling == 0 and w.delta_records == 0 for w in walks.values())
    assert any("writing lineItem" in note for note in report.notes)


def gradebook_changes_since(engine: sa.Engine, moment: str) -> list[str]:
    """lineItems and results written (or deleted: tombstones count) after `moment`."""
    with client_for(engine) as api:
        found = []
        for path, key in (("/lineItems", "lineItems"), ("/results", "results")):
            response = api.get(BASE + path, params={"filter": f"dateLastModified>'{moment}'"})
            assert response.status_code == 200, response.text
            found += [f"{r['sourcedId']} {r['status']}" for r in response.json()[key]]
        return found


def test_the_writes_are_cleaned_up(sqlite_district: sa.Engine) -> None:
    moment = stamp(time.time())
    server, credentials = serve(sqlite_district)
    try:
        report = check(server, credentials, "grade-sync", "google", writes=True)
    finally:
        server.stop()
    assert statuses(report, "fail") == set()
    changes = gradebook_changes_since(sqlite_district, moment)
    assert len(changes) == 5 and all(
        c.startswith("openroster-check-") and c.endswith(" tobedeleted") for c in changes
    )


def test_gradebook_profiles_do_not_write_without_consent(sqlite_district: sa.Engine) -> None:
    moment = stamp(time.time())
    server, credentials = serve(sqlite_district)
    try:
        report = check(server, credentials, "grade-sync", "google")
    finally:
        server.stop()
    assert gradebook_changes_since(sqlite_district, moment) == []
    skipped = {o.check.id: o.skipped for o in report.results() if o.status == "skip"}
    assert "grade-sync.put-lineitem" in skipped and "--yes-write" in skipped["grade-sync.put-lineitem"]
    assert "google.put-create" in skipped and report.notes == []
    assert statuses(report, "fail") == set()


def test_max_records_bounds_each_walk(sqlite_district: sa.Engine) -> None:
    server, credentials = serve(sqlite_district)
    try:
        report = run_checks(CheckOptions(server.url, credentials, ("sds",), page_size=40, max_records=100))
    finally:
        server.stop()
    walks = report.walks
    assert walks["enrollments"].truncated and 100 <= walks["enrollments"].records < 140
    assert walks["users"].truncated and not walks["orgs"].truncated
    assert statuses(report, "fail") == set()
    # references into a walk cut short cannot be judged (those into complete walks still are)
    refs = report.outcomes.by_id["sync.refs-enrollments"]
    assert "the walk of users was incomplete" in refs.skipped and refs.passed == 1
