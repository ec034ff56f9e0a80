"""The calls SDS makes besides the full pull, against providers that break one of them: per-school reads,
single objects, a stable order, "no records" answers, email lookups and guardians' agents."""

from __future__ import annotations

from tests.check.provider import Answer, Provider, Record, changed, findings, observed, ref, run


class OrderDependsOnLimit(Provider):
    """Sorts by sourcedId, except that a page of one record comes from the reverse order."""

    def page(self, records: list[Record], offset: int, limit: int) -> list[Record]:
        return (
            list(reversed(records))[offset : offset + 1]
            if limit == 1
            else super().page(records, offset, limit)
        )


class NotFoundForNothing(Provider):
    """Answers 404 when a collection read matches no record."""

    def collection(self, path: str, key: str, records: list[Record], params: dict[str, str]) -> Answer:
        answer = super().collection(path, key, records, params)
        if not answer[2][key]:
            return self.not_found("records")
        return answer


class CountsNothingAsOne(Provider):
    def total(self, matched: int, served: int) -> str | None:
        return str(matched or 1)


class SingleObjectsRefused(Provider):
    def get(self, segments: list[str], params: dict[str, str]) -> Answer:
        if len(segments) == 2 and segments[0] == "teachers":
            return 500, {}, {"statusInfoSet": []}
        return super().get(segments, params)


def test_an_order_that_changes_with_the_limit_fails_offset_stable() -> None:
    report = run(OrderDependsOnLimit())
    assert set(findings(report)) == {"paging.offset-stable"}
    evidence = findings(report)["paging.offset-stable"].evidence
    assert [(e.expected, e.observed) for e in evidence] == [
        ("sourcedId u-s2 (the third of offset=0&limit=3)", "sourcedId u-s4"),
        ("sourcedId k3 (the third of offset=0&limit=3)", "sourcedId k1"),
        ("sourcedId e3 (the third of offset=0&limit=3)", "sourcedId e7"),
    ]
    assert evidence[0].request.endswith("/users?offset=2&limit=1")


def test_a_404_for_no_matches_fails_no_records_for_each_such_read() -> None:
    report = run(NotFoundForNothing())
    # a delta with no changes is such a read too: its 404 fails the sync's pages as well
    assert set(findings(report)) == {"empty.no-records", "sync.pages-ok"}
    delta = findings(report)["sync.pages-ok"].evidence[0]
    assert "dateLastModified%3E" in delta.request and delta.observed.startswith("404 ")
    outcome = findings(report)["empty.no-records"]
    assert outcome.failed == 7  # every "no records" read SDS makes
    assert outcome.evidence[0].request.endswith("/users?filter=sourcedId%3D%27norecords%27")
    assert outcome.evidence[0].expected == "200"
    assert outcome.evidence[0].observed.startswith('404 {"statusInfoSet":')
    assert any("/schools/1000000/classes" in e.request for e in outcome.evidence)


def test_an_empty_answer_counting_one_record_fails_no_records() -> None:
    report = run(CountsNothingAsOne())
    # the deltas that found nothing counted one too, which the sync's count check reports
    assert set(findings(report)) == {"empty.no-records", "sync.total-count"}
    assert set(observed(report, "sync.total-count")) == {"the pages held 0 records"}
    assert set(observed(report, "empty.no-records")) == {"0 record(s), X-Total-Count 1"}
    assert findings(report)["empty.no-records"].evidence[0].expected == "200 with an empty array"


def test_a_single_object_that_cannot_be_read_fails_the_status_check_with_the_request() -> None:
    report = run(SingleObjectsRefused())
    assert set(findings(report)) == {"http.status"}
    [evidence] = findings(report)["http.status"].evidence
    assert evidence.request.endswith("/teachers/u-t1")
    assert (evidence.expected, evidence.observed) == ("200", '500 {"statusInfoSet":[]}')


def test_the_per_school_reads_use_the_school_given() -> None:
    provider = Provider()
    report = run(provider, school="s2")
    assert findings(report) == {}
    school = [s.split("?")[0] for s in provider.seen if "/schools/" in s and "1000000" not in s]
    assert "GET /ims/oneroster/v1p1/schools/s2" in school
    assert "GET /ims/oneroster/v1p1/schools/s2/teachers" in school
    assert not [s for s in school if "/schools/s1" in s]


def test_without_a_school_given_the_first_active_school_is_read() -> None:
    provider = Provider()
    run(provider)
    school = [s.split("?")[0] for s in provider.seen if "/schools/s" in s]
    assert school[0] == "GET /ims/oneroster/v1p1/schools/s1"
    assert set(school) == {
        "GET /ims/oneroster/v1p1/schools/s1" + path
        for path in ("", "/classes", "/students", "/teachers", "/enrollments")
    }


def test_teachers_sharing_an_email_fail_email_unique_on_both_lookups() -> None:
    report = run(changed("users", "u-t2", email="t1@school.example"))
    assert set(findings(report)) == {"lookup.email-unique"}
    evidence = findings(report)["lookup.email-unique"].evidence
    assert [(e.expected, e.observed) for e in evidence] == [
        ("exactly [u-t1]", "['u-t1', 'u-t2']"),
        ("exactly [u-t1]", "['u-t1', 'u-t2']"),
    ]
    assert [e.request.split("/v1p1")[1].split("?")[0] for e in evidence] == ["/users", "/teachers"]


class EmailCaseFolded(Provider):
    """Matches email case-insensitively and answers with what it stored: the lookup finds a different user."""

    def matches(self, record: Record, term: str) -> bool:
        if term.startswith("email="):
            return str(record.get("email", "")).lower() == term.split("'")[1].lower()
        return super().matches(record, term)


def test_an_email_lookup_that_finds_another_user_too_fails() -> None:
    provider = changed("users", "u-s1", email="T1@school.example", to=EmailCaseFolded())
    report = run(provider)
    assert set(findings(report)) == {"lookup.email-unique", "filter.honoured"}
    assert observed(report, "lookup.email-unique")[0] == "['u-s1', 'u-t1']"
    assert observed(report, "filter.honoured")[0] == "1 of 2 do not match, e.g. ['u-s1']"


def test_no_teacher_with_an_email_skips_the_lookup_saying_why() -> None:
    provider = changed("users", "u-t1", drop=("email",))
    changed("users", "u-t2", drop=("email",), to=provider)
    report = run(provider)
    assert findings(report) == {}
    assert report.outcomes.by_id["lookup.email-unique"].skipped == "no active teacher has an email"


def test_a_guardian_whose_student_does_not_name_them_back_fails_agents() -> None:
    report = run(changed("users", "u-s1", drop=("agents",)))
    assert set(findings(report)) == {"relations.agents"}
    [evidence] = findings(report)["relations.agents"].evidence
    assert evidence.request == "GET /users/u-s1"
    assert evidence.expected == "a student whose agents include u-g1"
    assert evidence.observed == "role 'student', agents []"


def test_a_guardian_without_agents_fails_agents() -> None:
    report = run(changed("users", "u-g1", agents=[]))
    assert set(findings(report)) == {"relations.agents"}
    [evidence] = findings(report)["relations.agents"].evidence
    assert (evidence.expected, evidence.observed) == ("u-g1 has agents", "agents is missing or empty")


def test_agents_naming_another_guardian_fail() -> None:
    provider = changed("users", "u-g1", agents=[ref("user", "u-t1")])
    report = run(provider)
    assert set(findings(report)) == {"relations.agents"}
    assert observed(report, "relations.agents") == ["role 'teacher', agents []"]


def test_a_provider_without_contacts_skips_agents_saying_they_are_optional() -> None:
    provider = changed("users", "u-s1", drop=("agents",))
    provider.data["users"] = [u for u in provider.data["users"] if u["role"] != "guardian"]
    report = run(provider)
    assert findings(report) == {}
    assert report.outcomes.by_id["relations.agents"].skipped == (
        "the provider serves no guardians, parents or relatives (contacts are optional)"
    )


def test_parents_are_looked_for_when_there_are_no_guardians() -> None:
    provider = changed("users", "u-g1", role="parent")
    report = run(provider)
    assert findings(report) == {}
    assert report.outcomes.by_id["relations.agents"].passed == 2
    lookups = [s for s in provider.seen if "role%3D%27" in s and "/users?" in s]
    assert [s.split("role%3D%27")[1].split("%27")[0] for s in lookups] == ["guardian", "parent"]


def test_a_provider_with_no_school_skips_the_per_school_reads() -> None:
    provider = Provider()
    for org in provider.data["orgs"]:
        if org["type"] == "school":
            org["type"] = "local"
    report = run(provider)
    assert findings(report) == {}
    assert not [s for s in provider.seen if "/schools/" in s and "1000000" not in s]


def test_agents_naming_a_user_that_is_not_served_fail_the_status_of_that_read() -> None:
    report = run(changed("users", "u-g1", agents=[ref("user", "u-gone")]))
    assert set(findings(report)) == {"http.status"}
    [evidence] = findings(report)["http.status"].evidence
    assert evidence.request.endswith("/users/u-gone")
    assert evidence.observed.startswith('404 {"statusInfoSet":')


def test_agents_that_are_not_a_list_fail_agents_and_do_not_stop_the_checker() -> None:
    report = run(changed("users", "u-g1", agents=5))
    assert set(findings(report)) == {"relations.agents"}
    assert observed(report, "relations.agents") == ["agents is missing or empty"]
