"""Grade Sync's and Google Classroom's gradebook sequences against providers that break one rule of the
reads, the PUTs or the DELETEs: each fails its own check, and a run without consent writes nothing."""

from __future__ import annotations

from typing import Any

from tests.check.provider import Answer, Provider, Record, changed, findings, observed, run


class CreatesWith200(Provider):
    def put(self, segments: list[str], document: Any) -> Answer:
        status, headers, body = super().put(segments, document)
        return (200 if status == 201 else status), headers, body


class CreatesWithoutEcho(Provider):
    def put(self, segments: list[str], document: Any) -> Answer:
        status, headers, _ = super().put(segments, document)
        return status, headers, None


class EditsWith201(Provider):
    def put(self, segments: list[str], document: Any) -> Answer:
        status, headers, body = super().put(segments, document)
        return 201, headers, body


class ScoresCapped(Provider):
    def store(self, single: str, record: Record) -> Record:
        if single == "result" and isinstance(record.get("score"), (int, float)):
            record["score"] = min(record["score"], 100)
        return record


class ExemptRefused(Provider):
    def put(self, segments: list[str], document: Any) -> Answer:
        if isinstance(document, dict) and document.get("result", {}).get("scoreStatus") == "exempt":
            return 400, {}, {"statusInfoSet": [{"imsx_description": "score is required"}]}
        return super().put(segments, document)


class DeletesWith200(Provider):
    def delete(self, segments: list[str]) -> Answer:
        status, headers, _ = super().delete(segments)
        return (200 if status == 204 else status), headers, {"statusInfoSet": []}


class DeleteKeepsTheRecord(Provider):
    def delete(self, segments: list[str]) -> Answer:
        return 204, {}, None


class ListingWithExtraKey(Provider):
    def wrap(self, key: str, records: list[Record]) -> Any:
        return {"total": len(records), key: records} if key in ("lineItems", "results") else {key: records}


class UnknownLineItemIs200(Provider):
    def get(self, segments: list[str], params: dict[str, str]) -> Answer:
        status, headers, body = super().get(segments, params)
        if status == 404 and len(segments) == 2 and segments[0].lower() == "lineitems":
            return 200, {"x-total-count": "0"}, {"lineItem": {}}
        return status, headers, body


class NoClassCategories(Provider):
    def get(self, segments: list[str], params: dict[str, str]) -> Answer:
        if len(segments) == 3 and segments[0] == "classes" and segments[2] == "categories":
            return self.not_found("categories of a class")
        return super().get(segments, params)


class NoCategories(Provider):
    def get(self, segments: list[str], params: dict[str, str]) -> Answer:
        if segments == ["categories"]:
            return self.not_found("categories")
        return super().get(segments, params)


def test_a_creating_put_answering_200_fails_both_grade_sync_puts() -> None:
    report = run(CreatesWith200(), "grade-sync", writes=True)
    assert set(findings(report)) == {"grade-sync.put-lineitem", "grade-sync.put-result"}
    [lineitem] = findings(report)["grade-sync.put-lineitem"].evidence
    assert lineitem.request.split("/v1p1")[1].startswith("/lineItems/openroster-check-")
    assert lineitem.expected.startswith('201 with {"lineItem": {"sourcedId": "openroster-check-')
    assert lineitem.observed.startswith('200 {"lineItem":{')


def test_a_creating_put_answering_200_fails_google_create_but_not_its_edit() -> None:
    report = run(CreatesWith200(), "google", writes=True)
    assert set(findings(report)) == {"google.put-create"}
    assert {e.expected for e in findings(report)["google.put-create"].evidence} == {
        "201 with the lineItem",
        "201 with the result",
    }


def test_a_created_object_not_echoed_fails_the_put_checks() -> None:
    report = run(CreatesWithoutEcho(), "grade-sync", writes=True)
    assert set(findings(report)) == {"grade-sync.put-lineitem", "grade-sync.put-result"}
    assert observed(report, "grade-sync.put-result") == ["201"]


def test_an_exempt_result_not_echoed_fails_google_exempt_too() -> None:
    report = run(CreatesWithoutEcho(), "google", writes=True)
    assert set(findings(report)) == {"google.put-create", "google.put-edit", "google.exempt"}
    assert observed(report, "google.exempt") == ["201"]


def test_an_edit_answering_201_only_warns_for_google() -> None:
    report = run(EditsWith201(), "google", writes=True)
    assert set(findings(report)) == {"google.put-edit"}
    outcome = findings(report)["google.put-edit"]
    assert outcome.status == "warn" and not report.failed
    assert outcome.evidence[0].expected == "200 with the edited title"
    assert outcome.evidence[0].observed.startswith('201 {"lineItem":{')


def test_a_score_capped_at_the_maximum_fails_extra_credit() -> None:
    provider = ScoresCapped()
    report = run(provider, "google", writes=True)
    assert set(findings(report)) == {"google.extra-credit"}
    [evidence] = findings(report)["google.extra-credit"].evidence
    assert evidence.expected == "score 300"
    assert '"score":100' in evidence.observed
    assert evidence.request.split("/v1p1")[1].startswith("/results/openroster-check-")


def test_an_exempt_result_refused_fails_google_exempt() -> None:
    report = run(ExemptRefused(), "google", writes=True)
    assert set(findings(report)) == {"google.exempt"}
    assert observed(report, "google.exempt") == [
        '400 {"statusInfoSet":[{"imsx_description":"score is required"}]}'
    ]


def test_a_delete_answering_200_fails_grade_sync_but_suits_google() -> None:
    grade_sync = run(DeletesWith200(), "grade-sync", writes=True)
    assert set(findings(grade_sync)) == {"grade-sync.delete"}
    assert [e.expected for e in findings(grade_sync)["grade-sync.delete"].evidence] == ["204", "204"]
    google = run(DeletesWith200(), "google", writes=True)
    assert findings(google) == {}


def test_a_delete_that_keeps_the_record_fails_both_delete_checks() -> None:
    provider = DeleteKeepsTheRecord()
    report = run(provider, "grade-sync", "google", writes=True)
    assert set(findings(report)) == {"grade-sync.delete", "google.delete"}
    assert {e.expected for e in findings(report)["grade-sync.delete"].evidence} == {"404 once deleted"}
    gone = [e.expected for e in findings(report)["google.delete"].evidence]
    assert (
        len(gone) == 2 and gone[0].endswith(" gone from lineItems") and gone[1].endswith(" gone from results")
    )


def test_a_listing_with_a_key_besides_the_wrapper_fails_listed() -> None:
    report = run(ListingWithExtraKey(), "grade-sync", writes=True)
    assert set(findings(report)) == {"grade-sync.listed"}
    outcome = findings(report)["grade-sync.listed"]
    assert outcome.failed == 3  # the class's lineItems, the lineItem's results and the student's results
    assert outcome.evidence[0].expected.startswith('200 with exactly {"lineItems": [{"sourcedId": ')
    assert outcome.evidence[0].observed.startswith(
        '200 {"total":1,"lineItems":[{"sourcedId":"openroster-check-'
    )


def test_an_unknown_lineitem_answering_200_fails_absent_and_the_deletion_check() -> None:
    report = run(UnknownLineItemIs200(), "grade-sync", writes=True)
    assert set(findings(report)) == {"grade-sync.absent-404", "grade-sync.delete"}
    [absent] = findings(report)["grade-sync.absent-404"].evidence
    assert absent.expected == "404 once deleted"
    assert absent.observed == '200 {"lineItem":{}}'


def test_class_categories_not_served_only_warns_for_google() -> None:
    report = run(NoClassCategories(), "google")
    assert set(findings(report)) == {"google.class-categories"}
    [evidence] = findings(report)["google.class-categories"].evidence
    assert evidence.request.endswith("/classes/k1/categories?limit=10000")
    assert evidence.observed.startswith('404 {"statusInfoSet":')


def test_categories_not_served_fail_google_reads() -> None:
    report = run(NoCategories(), "google")
    assert set(findings(report)) == {"google.reads", "http.status"}
    [evidence] = findings(report)["google.reads"].evidence
    assert evidence.request.endswith("/categories?limit=10000")
    assert (evidence.expected, evidence.observed) == ("200 with categories", "unreadable")


def test_the_teachers_classes_filter_ignored_fails_class_reads() -> None:
    class ClassFilterIgnored(Provider):
        def get(self, segments: list[str], params: dict[str, str]) -> Answer:
            if segments[:1] == ["teachers"] and segments[2:] == ["classes"]:
                params = {k: v for k, v in params.items() if k != "filter"}
            return super().get(segments, params)

    report = run(ClassFilterIgnored(), "grade-sync")
    assert set(findings(report)) == {"grade-sync.class-reads", "filter.honoured"}
    [evidence] = findings(report)["grade-sync.class-reads"].evidence
    assert evidence.observed == "classes ['k1', 'k2'], teachers ['u-t1']"
    assert (
        evidence.expected == "class k1 of teacher u-t1, u-t1 among its teachers, the class and term readable"
    )


def test_a_teacher_without_classes_skips_the_sequence_saying_why() -> None:
    provider = Provider()
    provider.data["enrollments"] = [e for e in provider.data["enrollments"] if e["role"] != "teacher"]
    report = run(provider, "grade-sync", writes=True)
    assert findings(report) == {}
    assert report.outcomes.by_id["grade-sync.class-reads"].skipped == "teacher u-t1 teaches no class"
    assert not [s for s in provider.seen if s.startswith("PUT ")]


def test_without_consent_the_write_checks_are_skipped_with_the_flag_to_give() -> None:
    provider = Provider()
    report = run(provider, "grade-sync", "google")
    for check in ("grade-sync.put-lineitem", "grade-sync.delete", "google.put-create", "google.exempt"):
        assert report.outcomes.by_id[check].skipped.endswith("run with --yes-write")
    assert provider.written == []


def test_the_writes_are_announced_before_they_are_made() -> None:
    provider = Provider()
    said: list[str] = []

    def announce(message: str) -> None:
        said.append(message)
        assert not provider.written  # said before the first PUT

    report = run(provider, "grade-sync", writes=True, announce=announce)
    [message] = said
    assert message.startswith("Grade Sync: writing lineItem openroster-check-")
    assert message.endswith(" in class k1 (student u-s1); deleted again at the end.")
    assert report.notes == said


def test_the_lineitem_grade_sync_writes_is_the_one_teams_sends() -> None:
    provider = Provider()
    run(provider, "grade-sync", writes=True)
    [(path, lineitem), (result_path, result)] = provider.written
    item = lineitem["lineItem"]
    assert path.startswith("/ims/oneroster/v1p1/lineItems/openroster-check-")
    assert set(item) == {
        "sourcedId", "title", "description", "assignDate", "dueDate", "resultValueMin", "resultValueMax",
        "class", "gradingPeriod",
    }  # fmt: skip
    assert item["class"] == {"type": "class", "sourcedId": "k1"}
    assert item["gradingPeriod"] == {"type": "academicSession", "sourcedId": "t1"}
    assert result["result"]["scoreStatus"] == "fully graded" and result["result"]["score"] == 87.5
    assert result["result"]["lineItem"] == {"sourcedId": item["sourcedId"]}
    assert result_path.endswith("/results/" + result["result"]["sourcedId"])


def test_no_teacher_with_an_email_skips_the_gradebook_sequence_saying_why() -> None:
    provider = Provider()
    for user in provider.data["users"]:
        user.pop("email", None)
    report = run(provider, "grade-sync", "google", writes=True)
    assert findings(report) == {}
    reason = "no active teacher has an email, so no teacher can be found as Grade Sync does"
    assert report.outcomes.by_id["grade-sync.class-reads"].skipped == reason
    assert report.outcomes.by_id["google.reads"].skipped == reason
    assert provider.written == []


def test_classes_without_students_skip_the_sequence_saying_why() -> None:
    provider = Provider()
    provider.data["enrollments"] = [e for e in provider.data["enrollments"] if e["role"] == "teacher"]
    report = run(provider, "grade-sync", writes=True)
    assert findings(report) == {}
    assert report.outcomes.by_id["grade-sync.class-reads"].skipped == (
        "none of teacher u-t1's first classes has students and a term"
    )
    assert provider.written == []


class EditAnswersNullObject(Provider):
    """The editing PUT answers 200 with {"lineItem": null}."""

    def put(self, segments: list[str], document: Any) -> Answer:
        status, headers, body = super().put(segments, document)
        return (status, headers, {"lineItem": None}) if status == 200 else (status, headers, body)


class ScoreAsWords(Provider):
    def store(self, single: str, record: Record) -> Record:
        if single == "result" and "score" in record:
            record["score"] = "three hundred"
        return record


class ResultAsList(Provider):
    def get(self, segments: list[str], params: dict[str, str]) -> Answer:
        status, headers, body = super().get(segments, params)
        if status == 200 and len(segments) == 2 and segments[0] == "results":
            return status, headers, {"result": [body["result"]]}
        return status, headers, body


def test_an_edit_answered_with_a_null_object_warns_instead_of_stopping_the_checker() -> None:
    report = run(EditAnswersNullObject(), "google", writes=True)
    assert set(findings(report)) == {"google.put-edit"}
    assert observed(report, "google.put-edit") == ['200 {"lineItem":null}']


def test_a_score_that_is_not_a_number_fails_extra_credit_instead_of_stopping_the_checker() -> None:
    report = run(ScoreAsWords(), "google", writes=True)
    assert set(findings(report)) == {"google.extra-credit"}
    assert '"score":"three hundred' in observed(report, "google.extra-credit")[0]


def test_a_result_read_back_as_a_list_fails_extra_credit_instead_of_stopping_the_checker() -> None:
    report = run(ResultAsList(), "google", writes=True)
    assert set(findings(report)) == {"google.extra-credit"}
    assert observed(report, "google.extra-credit")[0].startswith('200 {"result":[{')


def test_a_teacher_served_without_a_sourcedid_is_passed_over_for_the_next_one() -> None:
    said: list[str] = []
    report = run(
        changed("users", "u-t1", drop=("sourcedId",)), "grade-sync", writes=True, announce=said.append
    )
    assert findings(report) == {}
    [message] = said
    assert " in class k3 (student u-s3); " in message  # u-t2's class


def test_a_class_whose_terms_are_not_a_list_is_passed_over_for_the_next() -> None:
    said: list[str] = []
    report = run(changed("classes", "k1", terms=7), "grade-sync", writes=True, announce=said.append)
    assert findings(report) == {}
    assert " in class k2 (student u-s1); " in said[0]


class NullListings(Provider):
    def wrap(self, key: str, records: list[Record]) -> Any:
        return {key: None} if key in ("lineItems", "results") else {key: records}


def test_listings_holding_null_fail_listed_and_do_not_stop_the_checker() -> None:
    report = run(NullListings(), "grade-sync", writes=True)
    assert set(findings(report)) == {"grade-sync.listed"}
    assert findings(report)["grade-sync.listed"].failed == 3
    assert observed(report, "grade-sync.listed")[0] == '200 {"lineItems":null}'
