"""A whole run against a small conforming provider (not openroster): every check passes or is skipped for a
stated reason, over all three consumer profiles, and the run reads and writes only what it says."""

from __future__ import annotations

from openroster.check import CHECKS
from tests.check.provider import Provider, findings, run


def test_a_conforming_provider_gets_no_finding_from_any_profile() -> None:
    provider = Provider()
    report = run(provider, "sds", "grade-sync", "google", writes=True)
    assert findings(report) == {}
    assert not report.failed
    passed = {o.check.id for o in report.results() if o.status == "pass"}
    assert {
        "auth.token-as-sds",
        "auth.401-payload",
        "conn.clock",
        "http.wrapper-key",
        "paging.link",
    } <= passed
    assert {"sync.duplicates", "sync.gaps", "sync.total-count", "sync.delta-complete"} <= passed
    assert {"grade-sync.put-lineitem", "grade-sync.delete", "google.put-edit", "google.delete"} <= passed


def test_every_check_of_the_profiles_run_is_reported_and_no_other() -> None:
    report = run(Provider(), "sds")
    reported = [o.check.id for o in report.results()]
    expected = [c.id for c in CHECKS.values() if c.profile in ("connection", "sds")]
    assert reported == expected
    skipped = {o.check.id: o.skipped for o in report.results() if o.status == "skip"}
    # signing is not exercised by a bearer-token run, and says so
    assert skipped["auth.oauth1-url"] == "the run used OAuth 2.0 bearer tokens; nothing was signed"
    assert all(reason for reason in skipped.values())


def test_the_full_pull_walks_every_page_of_every_collection() -> None:
    provider = Provider()
    report = run(provider, "sds")
    enrollments = report.walks["enrollments"]
    assert (enrollments.records, enrollments.pages, enrollments.total) == (9, 3, 9)
    assert enrollments.duplicates == 0 and enrollments.gaps == 0 and enrollments.dangling == 0
    assert report.walks["users"].records == 7 and report.walks["demographics"].records == 3
    pages = [s for s in provider.seen if s.startswith("GET /ims/oneroster/v1p1/enrollments?offset=")]
    full_pull = [s for s in pages if "status" in s]
    assert [s.split("?")[1].split("&")[0] for s in full_pull] == ["offset=0", "offset=3", "offset=6"]


def test_the_delta_asks_for_changes_since_the_pull_began_then_just_before_the_newest_record() -> None:
    provider = Provider()
    report = run(provider, "sds")
    deltas = [s for s in provider.seen if "/users?" in s and "dateLastModified" in s]
    assert len(deltas) == 2
    assert "dateLastModified%3E%272026-01-02T23%3A59%3A59.999Z%27" in deltas[1]
    assert report.walks["users"].delta_records == 0
    assert report.walks["users"].newest_ids == ["u-s4"]


def test_the_sds_profile_makes_no_write() -> None:
    provider = Provider()
    run(provider, "sds", "grade-sync", "google")
    assert not [s for s in provider.seen if not s.startswith(("GET ", "POST /oauth/token"))]
    assert provider.data["lineItems"] == [] and provider.data["results"] == []


def test_writes_are_deleted_again_at_the_end() -> None:
    provider = Provider()
    report = run(provider, "grade-sync", "google", writes=True)
    writes = [s.split("?")[0] for s in provider.seen if s.startswith(("PUT ", "DELETE "))]
    puts = {w.split(" ")[1].lower() for w in writes if w.startswith("PUT")}
    deletes = {w.split(" ")[1].lower() for w in writes if w.startswith("DELETE")}
    assert puts and puts == deletes
    assert provider.data["lineItems"] == [] and provider.data["results"] == []
    assert findings(report) == {}


def test_a_host_only_url_gets_the_oneroster_root_added() -> None:
    provider = Provider()
    run(provider, "sds")
    api = [s for s in provider.seen if not s.startswith("POST /oauth/token")]
    assert api and all(s.split(" ")[1].startswith("/ims/oneroster/v1p1/") for s in api)


def test_a_token_that_stops_working_is_renewed_once_and_the_run_goes_on() -> None:
    class ShortLivedTokens(Provider):
        """Each token serves 25 requests, then answers 401 (as an expired token would)."""

        def __init__(self) -> None:
            super().__init__()
            self.uses: dict[str, int] = {}

        def authorized(self, authorization: str) -> bool:
            token = authorization.removeprefix("Bearer ")
            self.uses[token] = self.uses.get(token, 0) + 1
            return super().authorized(authorization) and self.uses[token] <= 25

    provider = ShortLivedTokens()
    report = run(provider, "sds")
    assert findings(report) == {}
    assert len(provider.tokens) >= 3  # renewed more than once during the run
    assert len([s for s in provider.seen if not s.startswith("POST")]) > 50
    assert provider.seen.count("POST /oauth/token") == len(provider.tokens)
