"""The fields SDS validates on each record, against a provider serving one record that breaks one rule:
the finding names the record, the field and what was wrong with it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.check.provider import Provider, changed, findings, ref, run

# (collection, sourcedId, fields to set, fields to drop) -> the check and the first problem it reports
CASES: dict[str, tuple[str, str, dict[str, Any], tuple[str, ...], str, str]] = {
    "an org type outside the vocabulary": (
        "orgs", "s2", {"type": "campus"}, (),
        "fields.required", "s2: type 'campus' is not one of department, district, local, national, school, state",
    ),
    "an org without an identifier": ("orgs", "s1", {"identifier": ""}, (), "fields.identifier", "s1: identifier is missing or empty"),
    "an org without a name": ("orgs", "d1", {}, ("name",), "fields.required", "d1: name is missing or empty"),
    "a status outside the vocabulary": (
        "enrollments", "e9", {"status": "inactive"}, (), "fields.required",
        "e9: status 'inactive' is not one of active, tobedeleted",
    ),
    "a date without milliseconds": (
        "classes", "k2", {"dateLastModified": "2026-01-02T03:04:05Z"}, (),
        "fields.date-format", "k2: dateLastModified is '2026-01-02T03:04:05Z'",
    ),
    "a date with an offset instead of Z": (
        "courses", "c2", {"dateLastModified": "2026-01-02T03:04:05.678+00:00"}, (),
        "fields.date-format", "c2: dateLastModified is '2026-01-02T03:04:05.678+00:00'",
    ),
    "a two-digit school year": (
        "academicSessions", "t1", {"schoolYear": "26"}, (), "fields.required", "t1: schoolYear '26' must be a four-digit string",
    ),
    "a session without an end date": (
        "academicSessions", "g1", {}, ("endDate",), "fields.required", "g1: endDate None must start YYYY-MM-DD",
    ),
    "a class without terms": ("classes", "k1", {"terms": []}, (), "fields.class-terms", "k1: terms is missing or empty"),
    "a class whose school is a bare id": (
        "classes", "k3", {"school": "s2"}, (), "fields.required", "k3: school must be a GUIDRef with a sourcedId",
    ),
    "a class whose term reference has no type": (
        "classes", "k2", {"terms": [{"sourcedId": "t1"}]}, (), "fields.required",
        "k2: each of terms must be a GUIDRef with a sourcedId and a type of academicSession, gradingPeriod, "
        "schoolYear, semester, term",
    ),
    "a user without orgs": ("users", "u-s3", {}, ("orgs",), "fields.user-orgs", "u-s3: orgs is missing or empty"),
    "a user without an identifier": ("users", "u-s2", {"identifier": None}, (), "fields.identifier", "u-s2: identifier is missing or empty"),
    "a user role outside the vocabulary": (
        "users", "u-g1", {"role": "mentor"}, (), "fields.required",
        "u-g1: role 'mentor' is not one of administrator, aide, guardian, parent, proctor, relative, student, teacher",
    ),
    "a user without a given name": ("users", "u-s1", {"givenName": ""}, (), "fields.required", "u-s1: givenName is missing or empty"),
    "a course without an org": ("courses", "c2", {}, ("org",), "fields.required", "c2: org must be a GUIDRef with a sourcedId"),
    "an enrollment whose user reference has the wrong type": (
        "enrollments", "e4", {"user": ref("org", "u-s1")}, (), "fields.required", "e4: user.type 'org' is not one of user",
    ),
    "a teacher's username with a domain": (
        "users", "u-t2", {"username": "t2@school.example"}, (), "fields.username-no-at",
        "u-t2: username 't2@school.example' contains @",
    ),
    "an unknown user flag": (
        "users", "u-s2", {"metadata": {"microsoft.userFlags": "ELL,sporty"}}, (), "fields.user-flags",
        "u-s2: microsoft.userFlags has sporty",
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", list(CASES))
def test_one_bad_record_fails_its_check_alone_naming_record_and_field(case: str) -> None:
    key, sid, fields, drop, check, problem = CASES[case]
    report = run(changed(key, sid, drop=drop, **fields))
    assert set(findings(report)) == {check}
    outcome = findings(report)[check]
    assert outcome.evidence[0].expected == outcome.check.name
    assert outcome.evidence[0].observed.endswith(f"; first: {problem}")
    assert outcome.evidence[0].observed.startswith("1 of ")


def test_a_warning_on_a_record_does_not_fail_the_run() -> None:
    report = run(changed("users", "u-s1", username="s1@school.example"))
    assert findings(report)["fields.username-no-at"].status == "warn"
    assert not report.failed


def test_a_guardians_username_may_hold_an_at() -> None:
    report = run(changed("users", "u-g1", username="parent@home.example"))
    assert findings(report) == {}


def test_known_user_flags_pass() -> None:
    report = run(changed("users", "u-s2", metadata={"microsoft.userFlags": "ELL,504,freeLunch"}))
    assert findings(report) == {}


def test_the_count_says_how_many_records_of_the_response_were_wrong() -> None:
    provider = changed("users", "u-s1", drop=("orgs",))
    changed("users", "u-s2", drop=("orgs",), to=provider)
    report = run(provider)
    first = findings(report)["fields.user-orgs"].evidence[0]
    assert first.request.endswith("/users?offset=0&limit=3&filter=status%3D%27active%27")
    assert first.observed == "2 of 3 record(s); first: u-s1: orgs is missing or empty"


class RecordsThatAreNotObjects(Provider):
    def wrap(self, key: str, records: list[dict[str, Any]]) -> Any:
        return {key: [*records, "e99"]} if key == "enrollments" and records else {key: records}


def test_a_record_that_is_not_an_object_is_left_out_of_the_walk() -> None:
    report = run(RecordsThatAreNotObjects())
    # the string is dropped before the records are read; nothing else about the walk changes
    assert report.walks["enrollments"].records == 9
    assert "fields.required" not in findings(report)
