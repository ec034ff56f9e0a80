"""Reading one response as SDS does, against providers that break one rule of the answer's shape: content
type, wrapper key, X-Total-Count, Link, filter. Each breaks exactly one check, with evidence that says how."""

from __future__ import annotations

from typing import Any

from tests.check.provider import Answer, Provider, Record, findings, observed, run


class WrongWrapperKey(Provider):
    """Wraps users in the singular key."""

    def wrap(self, key: str, records: list[Record]) -> Any:
        return {"user" if key == "users" else key: records}


class ExtraTopLevelKey(Provider):
    def wrap(self, key: str, records: list[Record]) -> Any:
        return {key: records, "next": None} if key == "courses" else {key: records}


class ObjectForAnArray(Provider):
    """Answers a one-record collection of classes with the record itself, not a list."""

    def wrap(self, key: str, records: list[Record]) -> Any:
        return {key: records[0]} if key == "classes" and len(records) == 1 else {key: records}


class ArrayForAnObject(Provider):
    def get(self, segments: list[str], params: dict[str, str]) -> Answer:
        status, headers, body = super().get(segments, params)
        if len(segments) == 2 and segments[0] == "schools" and status == 200:
            return status, headers, {"org": [body["org"]]}
        return status, headers, body


class NotJson(Provider):
    def get(self, segments: list[str], params: dict[str, str]) -> Answer:
        answer = super().get(segments, params)
        if segments == ["terms"]:
            return 200, answer[1], b"<html>terms</html>"
        return answer


class TextPlain(Provider):
    def content_type(self) -> str:
        return "text/plain; charset=utf-8"


class NoTotalCount(Provider):
    def total(self, matched: int, served: int) -> str | None:
        return None


class TotalCountAsWords(Provider):
    def total(self, matched: int, served: int) -> str | None:
        return "many" if matched > 5 else str(matched)


class NoLink(Provider):
    def link(self, path: str, params: dict[str, str], offset: int, limit: int, total: int) -> str | None:
        return None


class LinkWithoutNext(Provider):
    def link(self, path: str, params: dict[str, str], offset: int, limit: int, total: int) -> str | None:
        return f'<{path}?offset=0>; rel="first"'


class RoleFilterIgnored(Provider):
    """Ignores filter=role='student' and role='teacher' (as used on enrollments)."""

    def matches(self, record: Record, term: str) -> bool:
        return term in ("role='student'", "role='teacher'") or super().matches(record, term)


def test_a_wrong_wrapper_key_fails_the_wrapper_check_naming_the_keys_sent() -> None:
    report = run(WrongWrapperKey())
    assert set(findings(report)) == {"http.wrapper-key"}
    outcome = findings(report)["http.wrapper-key"]
    assert outcome.evidence[0].expected == "a JSON object with the key 'users'"
    assert set(observed(report, "http.wrapper-key")) == {"keys ['user']"}
    assert report.walks["users"].served is False  # unreadable, so not walked


def test_a_top_level_key_besides_the_wrapper_fails_the_wrapper_check() -> None:
    report = run(ExtraTopLevelKey())
    assert set(findings(report)) == {"http.wrapper-key"}
    assert set(observed(report, "http.wrapper-key")) == {"keys ['courses', 'next']"}


def test_an_object_where_an_array_belongs_fails_the_wrapper_check() -> None:
    report = run(ObjectForAnArray())
    assert set(findings(report)) == {"http.wrapper-key"}
    outcome = findings(report)["http.wrapper-key"]
    assert {(e.expected, e.observed) for e in outcome.evidence} == {("'classes' holds an array", "dict")}
    # the two reads of one class: SDS's first active class, and the third of the stable-order probe
    assert [e.request.split("/v1p1")[1] for e in outcome.evidence] == [
        "/classes?offset=0&limit=1&filter=status%3D%27active%27",
        "/classes?offset=2&limit=1",
    ]


def test_an_array_where_one_object_belongs_fails_the_wrapper_check() -> None:
    report = run(ArrayForAnObject())
    assert set(findings(report)) == {"http.wrapper-key"}
    [evidence] = findings(report)["http.wrapper-key"].evidence
    assert (evidence.expected, evidence.observed) == ("'org' holds an object", "list")
    assert evidence.request.endswith("/schools/s1")


def test_a_body_that_is_not_json_fails_the_wrapper_check_quoting_it() -> None:
    report = run(NotJson())
    assert set(findings(report)) == {"http.wrapper-key"}
    assert observed(report, "http.wrapper-key") == ["not a JSON object: 200 <html>terms</html>"]


def test_a_content_type_other_than_json_fails_that_check_alone() -> None:
    report = run(TextPlain())
    assert set(findings(report)) == {"http.content-type"}
    assert set(observed(report, "http.content-type")) == {"Content-Type: text/plain; charset=utf-8"}
    assert findings(report)["http.content-type"].evidence[0].expected == "Content-Type: application/json"


def test_no_x_total_count_fails_that_check_and_the_sync_still_reads_every_record() -> None:
    report = run(NoTotalCount())
    assert set(findings(report)) == {"paging.x-total-count"}
    assert set(observed(report, "paging.x-total-count")) == {"X-Total-Count: (none)"}
    # without a count, the walk goes on until a short page: every enrollment still arrives once
    enrollments = report.walks["enrollments"]
    assert (enrollments.records, enrollments.duplicates, enrollments.total) == (9, 0, None)
    # nothing to compare the pages with: the count checks are not run, not passed
    assert report.outcomes.by_id.get("sync.total-count") is None


def test_an_x_total_count_that_is_not_a_number_counts_as_missing() -> None:
    report = run(TotalCountAsWords())
    assert set(findings(report)) == {"paging.x-total-count"}
    assert set(observed(report, "paging.x-total-count")) == {"X-Total-Count: many"}


def test_no_link_header_while_more_pages_follow_warns() -> None:
    report = run(NoLink())
    assert set(findings(report)) == {"paging.link"}
    outcome = findings(report)["paging.link"]
    assert outcome.status == "warn" and not report.failed
    assert set(observed(report, "paging.link")) == {"Link: (none)"}
    assert outcome.evidence[0].expected == 'a Link header with rel="next"'
    # academicSessions, orgs, courses and classes fit one page of 3: users are the first walk with a next page
    assert outcome.evidence[0].request.endswith("/users?offset=0&limit=3&filter=status%3D%27active%27")


def test_a_link_header_without_next_warns_quoting_it() -> None:
    report = run(LinkWithoutNext())
    assert set(findings(report)) == {"paging.link"}
    assert observed(report, "paging.link")[0].startswith("Link: </ims/oneroster/v1p1/")
    assert observed(report, "paging.link")[0].endswith('?offset=0>; rel="first"')


def test_an_ignored_filter_fails_filter_honoured_counting_the_records_that_do_not_match() -> None:
    report = run(RoleFilterIgnored())
    assert set(findings(report)) == {"filter.honoured"}
    outcome = findings(report)["filter.honoured"]
    assert outcome.evidence[0].expected == "only records matching the filter"
    # /schools/s1/enrollments?filter=role='student' gets s1's 6 enrollments, 2 of them the teacher's
    first = outcome.evidence[0]
    assert "/schools/s1/enrollments" in first.request and "role%3D%27student%27" in first.request
    assert first.observed == "2 of 6 do not match, e.g. ['e1', 'e2']"


class UnquotedRel(Provider):
    """rel=next without quotes: RFC 8288 allows a token or a quoted string as the value."""

    def link(self, path: str, params: dict[str, str], offset: int, limit: int, total: int) -> str | None:
        link = super().link(path, params, offset, limit, total)
        return link.replace('rel="next"', "rel=next") if link else link


class RelInCapitals(Provider):
    """Relation types compare case-insensitively (RFC 8288 §2.1.1)."""

    def link(self, path: str, params: dict[str, str], offset: int, limit: int, total: int) -> str | None:
        link = super().link(path, params, offset, limit, total)
        return link.replace('rel="next"', 'rel="Next"') if link else link


def test_an_unquoted_rel_next_is_a_next_link() -> None:
    report = run(UnquotedRel())
    assert findings(report) == {}
    assert report.outcomes.by_id["paging.link"].passed > 0


def test_a_rel_next_in_capitals_is_a_next_link() -> None:
    report = run(RelInCapitals())
    assert findings(report) == {}


def test_next_named_only_in_a_url_is_no_next_link() -> None:
    class NextOnlyInTheUrl(Provider):
        def link(self, path: str, params: dict[str, str], offset: int, limit: int, total: int) -> str | None:
            return f'<{path}?rel="next">; rel="first"'

    report = run(NextOnlyInTheUrl())
    assert set(findings(report)) == {"paging.link"}


class NullForUsers(Provider):
    def wrap(self, key: str, records: list[Record]) -> Any:
        return {key: None} if key == "users" else {key: records}


def test_a_wrapper_holding_null_fails_the_wrapper_check() -> None:
    report = run(NullForUsers())
    assert set(findings(report)) == {"http.wrapper-key"}
    assert set(observed(report, "http.wrapper-key")) == {"'users' is null"}
    assert report.walks["users"].served is False


class BareArrayOfClasses(Provider):
    """Answers collections of classes with a bare JSON array, no wrapper object."""

    def wrap(self, key: str, records: list[Record]) -> Any:
        return records if key == "classes" else {key: records}


def test_a_bare_array_fails_the_wrapper_check_and_the_collection_is_not_walked() -> None:
    report = run(BareArrayOfClasses())
    assert set(findings(report)) == {"http.wrapper-key"}
    assert all(o.startswith("not a JSON object: 200 [") for o in observed(report, "http.wrapper-key"))
    assert report.walks["classes"].served is False
    # the references into classes cannot be told: skipped, not failed
    assert report.outcomes.by_id["sync.refs-enrollments"].skipped == (
        "the walk of classes was incomplete, so missing references cannot be told"
    )
