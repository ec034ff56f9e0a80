"""The simulated SDS sync against providers whose paging, counts, references or deltas break one rule: each
is caught by its own check, with the numbers a district would need to find the fault."""

from __future__ import annotations

from typing import Any

from tests.check.provider import PAGE_SIZE, Answer, Provider, Record, changed, findings, observed, ref, run


def enrollment_walk(params: dict[str, str], segments: list[str]) -> bool:
    """The full pull's walk of enrollments (status='active'), not the deltas or the per-school reads."""
    return segments == ["enrollments"] and params.get("filter") == "status='active'"


class SecondPageStartsEarly(Provider):
    """The second page of enrollments starts one record early: one repeats, one is never served."""

    def get(self, segments: list[str], params: dict[str, str]) -> Answer:
        if enrollment_walk(params, segments) and params.get("offset") == str(PAGE_SIZE):
            params = {**params, "offset": str(PAGE_SIZE - 1)}
        return super().get(segments, params)


class OffsetIgnored(Provider):
    """Every page of the enrollments walk is the first page."""

    def get(self, segments: list[str], params: dict[str, str]) -> Answer:
        if enrollment_walk(params, segments):
            params = {**params, "offset": "0"}
        return super().get(segments, params)


class LimitCut(Provider):
    """Serves at most 2 records a page whatever the limit, and says nothing."""

    def page(self, records: list[Record], offset: int, limit: int) -> list[Record]:
        return records[offset : offset + min(limit, 2)]

    def link(self, path: str, params: dict[str, str], offset: int, limit: int, total: int) -> str | None:
        return super().link(path, params, offset, min(limit, 2), total)


class ThirdPageFails(Provider):
    def get(self, segments: list[str], params: dict[str, str]) -> Answer:
        if enrollment_walk(params, segments) and params.get("offset") == str(2 * PAGE_SIZE):
            return 500, {}, {"statusInfoSet": [{"imsx_codeMajor": "failure", "imsx_description": "boom"}]}
        return super().get(segments, params)


class FailsOnceThenAnswers(Provider):
    """The third page of enrollments fails the first time it is asked for (a consumer retries)."""

    def __init__(self) -> None:
        super().__init__()
        self.failed = False

    def get(self, segments: list[str], params: dict[str, str]) -> Answer:
        if (
            enrollment_walk(params, segments)
            and params.get("offset") == str(2 * PAGE_SIZE)
            and not self.failed
        ):
            self.failed = True
            return 503, {}, {"statusInfoSet": []}
        return super().get(segments, params)


class CountsOneMore(Provider):
    """X-Total-Count is one more than what the filter matches (when it matches anything)."""

    def total(self, matched: int, served: int) -> str | None:
        return str(matched + 1 if matched else 0)


def test_a_page_that_starts_one_record_early_repeats_one_and_skips_one() -> None:
    report = run(SecondPageStartsEarly())
    assert set(findings(report)) == {"sync.duplicates", "sync.gaps"}
    assert observed(report, "sync.duplicates") == ["1 record(s) arrived twice"]
    assert observed(report, "sync.gaps") == ["8 distinct records: 1 never arrived"]
    [gap] = findings(report)["sync.gaps"].evidence
    assert gap.expected == "9 distinct records (X-Total-Count)"
    assert gap.request.endswith("/enrollments?offset=0&limit=3&filter=status%3D%27active%27")
    walk = report.walks["enrollments"]
    assert (walk.records, walk.rows, walk.duplicates, walk.gaps) == (8, 9, 1, 1)


def test_a_provider_that_ignores_offset_repeats_the_first_page() -> None:
    report = run(OffsetIgnored())
    assert set(findings(report)) == {"sync.duplicates", "sync.gaps"}
    assert observed(report, "sync.duplicates") == ["6 record(s) arrived twice"]
    assert observed(report, "sync.gaps") == ["3 distinct records: 6 never arrived"]


def test_a_limit_cut_without_a_word_fails_limit_honoured_and_the_walk_still_gets_everything() -> None:
    report = run(LimitCut())
    assert set(findings(report)) == {"paging.limit-honoured"}
    first = findings(report)["paging.limit-honoured"].evidence[0]
    assert first.expected == "3 records (X-Total-Count is 3)"
    assert first.observed == ("2 records, and more follow at offset 2: the limit was cut to 2 without a word")
    assert first.request.endswith("/academicSessions?offset=0&limit=3&filter=status%3D%27active%27")
    # the walk noticed and went on by what came back, as SDS should have: nothing lost, nothing twice
    for name in ("users", "enrollments"):
        walk = report.walks[name]
        assert walk.duplicates == 0 and walk.gaps == 0
    assert report.walks["enrollments"].records == 9


def test_a_page_failing_in_the_middle_of_the_walk_fails_pages_ok_after_one_retry() -> None:
    provider = ThirdPageFails()
    report = run(provider)
    assert set(findings(report)) == {"sync.pages-ok"}
    [evidence] = findings(report)["sync.pages-ok"].evidence
    assert evidence.expected == "200"
    assert evidence.observed.startswith('500 {"statusInfoSet":[{"imsx_codeMajor":"failure"')
    assert evidence.request.endswith("/enrollments?offset=6&limit=3&filter=status%3D%27active%27")
    asked = [
        s for s in provider.seen if s.endswith("/enrollments?offset=6&limit=3&filter=status%3D%27active%27")
    ]
    assert len(asked) == 2  # asked again once, as a consumer would
    walk = report.walks["enrollments"]
    assert walk.failed_pages == 1 and not walk.complete
    # with a page missing, gaps and the count cannot be judged for enrollments
    assert walk.gaps is None
    assert all("/enrollments" not in e.request for e in report.outcomes.by_id["sync.total-count"].evidence)


def test_a_page_that_fails_once_and_answers_the_retry_is_no_finding() -> None:
    provider = FailsOnceThenAnswers()
    report = run(provider)
    assert provider.failed
    assert findings(report) == {}
    assert report.walks["enrollments"].records == 9 and report.walks["enrollments"].failed_pages == 0


def test_an_x_total_count_one_too_many_fails_total_count_with_what_the_pages_held() -> None:
    report = run(CountsOneMore())
    # the count promises a record past each last page, so that page's missing rel="next" warns too
    assert set(findings(report)) == {"sync.total-count", "paging.link"}
    outcome = findings(report)["sync.total-count"]
    # five kept as evidence: the first five walks of the full pull, in order
    assert [(e.expected, e.observed) for e in outcome.evidence] == [
        ("pages holding X-Total-Count = 4", "the pages held 3 records"),
        ("pages holding X-Total-Count = 4", "the pages held 3 records"),
        ("pages holding X-Total-Count = 3", "the pages held 2 records"),
        ("pages holding X-Total-Count = 4", "the pages held 3 records"),
        ("pages holding X-Total-Count = 8", "the pages held 7 records"),
    ]
    assert outcome.failed >= 7  # every collection of the full pull is counted, not only the kept ones
    assert report.walks["enrollments"].total == 10 and report.walks["enrollments"].records == 9


# References ----------------------------------------------------------------------------------------------


def test_an_enrollment_naming_a_class_never_served_fails_refs_enrollments() -> None:
    unknown_class: dict[str, Any] = {"class": ref("class", "k-gone")}
    report = run(changed("enrollments", "e9", **unknown_class))
    assert set(findings(report)) == {"sync.refs-enrollments"}
    [evidence] = findings(report)["sync.refs-enrollments"].evidence
    assert evidence.request == "GET /enrollments and /classes (full pull)"
    assert evidence.expected == "every class of enrollments among the classes served"
    assert (
        evidence.observed
        == "1 class id(s) were never served as classes; e.g. enrollments e9 names class k-gone"
    )
    assert report.walks["enrollments"].dangling == 1


def test_a_reference_to_a_record_served_only_as_tobedeleted_dangles() -> None:
    report = run(changed("users", "u-s3", status="tobedeleted"))
    assert set(findings(report)) == {"sync.refs-enrollments"}
    assert observed(report, "sync.refs-enrollments") == [
        "1 user id(s) were never served as users; e.g. enrollments e7 names user u-s3"
    ]


def test_a_class_naming_an_unknown_term_fails_refs_classes() -> None:
    report = run(changed("classes", "k3", terms=[ref("academicSession", "t-old")]))
    assert set(findings(report)) == {"sync.refs-classes"}
    assert observed(report, "sync.refs-classes") == [
        "1 terms id(s) were never served as academicSessions; e.g. classes k3 names terms t-old"
    ]


def test_a_user_naming_an_unknown_org_fails_refs_users() -> None:
    report = run(changed("users", "u-s2", orgs=[ref("org", "s9")]))
    assert set(findings(report)) == {"sync.refs-users"}
    assert observed(report, "sync.refs-users") == [
        "1 orgs id(s) were never served as orgs; e.g. users u-s2 names orgs s9"
    ]


def test_a_course_naming_an_unknown_org_fails_refs_courses() -> None:
    report = run(changed("courses", "c2", org=ref("org", "s9")))
    assert set(findings(report)) == {"sync.refs-courses"}
    assert observed(report, "sync.refs-courses") == [
        "1 org id(s) were never served as orgs; e.g. courses c2 names org s9"
    ]


# Deltas --------------------------------------------------------------------------------------------------


class DeltaEmpty(Provider):
    """Answers every dateLastModified>... filter with nothing."""

    def matches(self, record: Record, term: str) -> bool:
        return not term.startswith("dateLastModified>") and super().matches(record, term)


class DeltaComparesSeconds(Provider):
    """Compares dateLastModified at whole seconds: a record changed within the moment's second is missed."""

    def matches(self, record: Record, term: str) -> bool:
        if term.startswith("dateLastModified>"):
            since = term.split("'")[1][:19]
            return str(record["dateLastModified"])[:19] > since
        return super().matches(record, term)


def test_a_delta_that_misses_the_newest_record_fails_delta_complete() -> None:
    report = run(DeltaEmpty())
    assert set(findings(report)) == {"sync.delta-complete"}
    evidence = findings(report)["sync.delta-complete"].evidence
    users = [e for e in evidence if "/users?" in e.request]
    assert [(e.expected, e.observed) for e in users] == [
        ("the 1 record(s) the full pull showed changed after that moment", "1 missing, e.g. ['u-s4']")
    ]
    assert "dateLastModified%3E%272026-01-02T23%3A59%3A59.999Z%27" in users[0].request


def test_a_delta_compared_at_whole_seconds_fails_delta_complete() -> None:
    # u-s4 changed 222 ms after the others, within the same second
    report = run(
        changed("users", "u-s4", to=DeltaComparesSeconds(), dateLastModified="2026-01-02T03:04:05.900Z")
    )
    assert set(findings(report)) == {"sync.delta-complete"}
    users = [e for e in findings(report)["sync.delta-complete"].evidence if "/users?" in e.request]
    assert [e.observed for e in users] == ["1 missing, e.g. ['u-s4']"]
    assert "dateLastModified%3E%272026-01-02T03%3A04%3A05.899Z%27" in users[0].request


# What SDS tolerates --------------------------------------------------------------------------------------


class NoDemographics(Provider):
    def get(self, segments: list[str], params: dict[str, str]) -> Answer:
        if segments[:1] == ["demographics"]:
            return 403, {}, {"statusInfoSet": []}
        return super().get(segments, params)


def test_demographics_refused_are_optional_and_no_finding() -> None:
    report = run(NoDemographics())
    assert findings(report) == {}
    assert report.walks["demographics"].served is False
    assert "demographics" not in [w.name for w in report.walks.values() if w.served]


def test_max_records_stops_each_walk_and_skips_what_cannot_then_be_told() -> None:
    provider = Provider()
    report = run(provider, page_size=2, max_records=4)
    assert findings(report) == {}
    assert report.walks["enrollments"].truncated and report.walks["enrollments"].records == 4
    assert report.walks["orgs"].truncated is False and report.walks["orgs"].records == 3
    # the users walk stopped at 4 of 7: references to users cannot be told apart from missing ones
    refs = report.outcomes.by_id["sync.refs-enrollments"]
    assert refs.failed == 0
    assert refs.skipped == "the walk of users was incomplete, so missing references cannot be told"
    pages = [s for s in provider.seen if "/enrollments?" in s and "status" in s]
    assert len(pages) == 2  # two pages of 2 reach the bound


# Records changed while the sync runs -------------------------------------------------------------------


def test_a_record_changed_after_the_pull_began_must_come_back_in_the_delta() -> None:
    # a moment after any run of these tests: the full pull sees it as changed after the pull began
    provider = changed("users", "u-s2", dateLastModified="2099-01-01T00:00:00.000Z")
    report = run(provider)
    assert findings(report) == {}
    assert report.walks["users"].delta_records == 1
    assert report.walks["users"].newest_ids == ["u-s2"]


def test_a_delta_that_leaves_out_a_record_changed_during_the_pull_fails() -> None:
    provider = changed("users", "u-s2", to=DeltaEmpty(), dateLastModified="2099-01-01T00:00:00.000Z")
    report = run(provider)
    assert set(findings(report)) == {"sync.delta-complete"}
    outcome = findings(report)["sync.delta-complete"]
    # the delta since the pull began misses u-s2; so does each collection's probe of its newest record
    assert outcome.failed == 8
    users = [e for e in outcome.evidence if "/users?" in e.request]
    assert [(e.expected, e.observed) for e in users] == [
        ("the 1 record(s) the full pull showed changed after that moment", "1 missing, e.g. ['u-s2']")
    ]


def test_an_unreadable_date_fails_date_format_and_the_walk_goes_on() -> None:
    report = run(changed("courses", "c1", dateLastModified="yesterday"))
    assert set(findings(report)) == {"fields.date-format"}
    assert observed(report, "fields.date-format")[0].endswith("first: c1: dateLastModified is 'yesterday'")
    courses = report.walks["courses"]
    assert courses.records == 2 and courses.newest_ids == ["c2"]


def test_a_date_that_is_a_list_or_an_object_fails_date_format_and_does_not_stop_the_checker() -> None:
    report = run(changed("courses", "c1", dateLastModified=["2026-01-02T03:04:05.678Z"]))
    assert set(findings(report)) == {"fields.date-format"}
    assert observed(report, "fields.date-format")[0].endswith(
        "first: c1: dateLastModified is ['2026-01-02T03:04:05.678Z']"
    )
    report = run(changed("classes", "k2", dateLastModified={"utc": "2026-01-02T03:04:05.678Z"}))
    assert set(findings(report)) == {"fields.date-format"}
    assert report.walks["classes"].records == 3
