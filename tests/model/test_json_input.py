"""A gradebook body read into a record: what real clients send is accepted, each bad field is named with why."""

from __future__ import annotations

from typing import Any

import pytest

from openroster.model.catalogue import ENTITIES, ENTITIES_WHOLE
from openroster.model.json_input import read_object
from openroster.model.values import parse_datetime

LINE_ITEM = ENTITIES["lineItem"]
RESULT = ENTITIES["result"]


def problems_of(entity: str, body: Any) -> dict[str, str]:
    return read_object(ENTITIES_WHOLE[entity], body)[1]


def test_a_body_that_is_not_an_object_is_named_by_its_wrapper_key() -> None:
    assert read_object(RESULT, ["x"]) == ({}, {"result": "must be a JSON object, not an array"})
    assert read_object(LINE_ITEM, "x") == ({}, {"lineItem": "must be a JSON object, not a string"})
    assert read_object(LINE_ITEM, 3) == ({}, {"lineItem": "must be a JSON object, not a number"})
    assert read_object(LINE_ITEM, None) == ({}, {"lineItem": "must be a JSON object, not null"})


def test_what_google_and_microsoft_send_is_read_into_the_stored_record() -> None:
    body = {
        "sourcedId": "ignored",
        "dateLastModified": "2020-01-01T00:00:00Z",
        "title": "Quiz",
        "assignDate": "2025-09-08T08:00:00Z",
        "dueDate": "2025-09-15T23:59:00.000Z",
        "class": {"sourcedId": "cls-1"},
        "category": {"href": "x", "sourcedId": "cat-1", "type": "category"},
        "gradingPeriod": "gp-1",
        "resultValueMin": 0,
        "resultValueMax": "10.5",
        "vendorExtension": {"anything": 1},
        "metadata": {"k": "v"},
    }
    record, problems = read_object(LINE_ITEM, body)
    assert problems == {}
    assert record == {
        "title": "Quiz",
        "assignDate": parse_datetime("2025-09-08T08:00:00Z"),
        "dueDate": parse_datetime("2025-09-15T23:59:00Z"),
        "class": "cls-1",
        "category": "cat-1",
        "gradingPeriod": "gp-1",
        "resultValueMin": 0.0,
        "resultValueMax": 10.5,
        "metadata": {"k": "v"},
    }


def test_null_values_are_treated_as_absent() -> None:
    record, problems = read_object(RESULT, {"comment": None, "score": None, "lineItem": None})
    assert (record, problems) == ({}, {})


@pytest.mark.parametrize(
    ("value", "stored"), [(True, "true"), (False, "false"), ("TRUE", "true"), ("false", "false")]
)
def test_booleans_come_as_json_booleans_or_their_words(value: Any, stored: str) -> None:
    assert read_object(ENTITIES_WHOLE["result"], {"late": value})[0] == {"late": stored}


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"score": True}, "score", "must be a number, not a boolean"),
        ({"score": "high"}, "score", "'high' is not a number"),
        ({"score": [1]}, "score", "must be a number, not an array"),
        ({"score": "NaN"}, "score", "'NaN' is not a finite number"),
        ({"comment": 5}, "comment", "must be a string, not a number"),
        ({"comment": {"a": 1}}, "comment", "must be a string, not an object"),
        ({"comment": "a\x00b"}, "comment", "must not contain a NUL character (\\u0000)"),
        ({"scoreStatus": "done"}, "scoreStatus", "'done' is not one of "),
        ({"scoreDate": "soon"}, "scoreDate", "'soon' is not a date-time such as 2024-08-15T13:05:22.000Z"),
        ({"scoreDate": 1700000000}, "scoreDate", "must be a string, not a number"),
        ({"lineItem": {"href": "/x"}}, "lineItem", 'must be a reference such as {"sourcedId": "..."}'),
        ({"lineItem": ""}, "lineItem", 'must be a reference such as {"sourcedId": "..."}'),
        ({"lineItem": {"sourcedId": ""}}, "lineItem", 'must be a reference such as {"sourcedId": "..."}'),
        ({"lineItem": 7}, "lineItem", 'must be a reference such as {"sourcedId": "..."}'),
        ({"late": "yes"}, "late", "'yes' is not a boolean (true or false)"),
        ({"late": 1}, "late", "must be a string, not a number"),
        ({"metadata": "k=v"}, "metadata", "must be an object whose values are strings"),
        ({"metadata": {"k": 1}}, "metadata", "must be an object whose values are strings"),
    ],
)
def test_each_bad_result_field_is_named_with_what_is_wrong(
    body: dict[str, Any], field: str, message: str
) -> None:
    problems = problems_of("result", body)
    assert list(problems) == [field]
    assert problems[field].startswith(message)


def test_an_enum_problem_lists_the_tokens_allowed() -> None:
    message = problems_of("result", {"scoreStatus": "done"})["scoreStatus"]
    assert message == "'done' is not one of " + ", ".join(RESULT.by_name["scoreStatus"].enum)


def test_every_bad_field_is_reported_at_once_and_good_ones_still_read() -> None:
    record, problems = read_object(RESULT, {"score": "x", "comment": 1, "scoreStatus": "exempt"})
    assert record == {"scoreStatus": "exempt"}
    assert set(problems) == {"score", "comment"}


def test_unknown_server_owned_and_derived_fields_are_ignored() -> None:
    record, problems = read_object(ENTITIES["org"], {"children": "nonsense", "sourcedId": 5, "color": []})
    assert (record, problems) == ({}, {})


def test_a_year_may_come_as_a_number_or_a_string() -> None:
    session = ENTITIES["academicSession"]
    assert read_object(session, {"schoolYear": 2026})[0] == {"schoolYear": "2026"}
    assert read_object(session, {"schoolYear": "2026"})[0] == {"schoolYear": "2026"}
    assert read_object(session, {"schoolYear": "26"})[1] == {"schoolYear": "'26' is not a 4-digit year"}


def test_a_date_must_be_a_calendar_date() -> None:
    session = ENTITIES["academicSession"]
    assert read_object(session, {"startDate": "2025-08-01"})[0] == {"startDate": "2025-08-01"}
    assert read_object(session, {"startDate": "2025-02-30"})[1] == {
        "startDate": "'2025-02-30' is not a calendar date"
    }


def test_lists_of_references_and_strings_read_each_element() -> None:
    klass = ENTITIES["class"]
    record, problems = read_object(klass, {"terms": [{"sourcedId": "t1"}, "t2"], "grades": ["09", "10"]})
    assert problems == {}
    assert record == {"terms": ["t1", "t2"], "grades": ["09", "10"]}
    assert read_object(klass, {"terms": "t1"})[1] == {"terms": "must be an array, not a string"}
    assert read_object(klass, {"grades": ["09", 10]})[1] == {"grades": "must be a string, not a number"}


def test_user_ids_are_pairs_of_type_and_identifier() -> None:
    users = ENTITIES["user"]
    pair = {"type": "LDAP", "identifier": "jsmith", "extra": "x"}
    assert read_object(users, {"userIds": [pair]})[0] == {
        "userIds": [{"type": "LDAP", "identifier": "jsmith"}]
    }
    assert read_object(users, {"userIds": ["LDAP"]})[1] == {
        "userIds": 'each element must be {"type": ..., "identifier": ...}'
    }
    assert read_object(users, {"userIds": [{"type": "LDAP"}]})[1] == {"userIds": "must be a string, not null"}


def test_score_scale_values_are_pairs_too() -> None:
    scale = ENTITIES_WHOLE["scoreScale"]
    values = [{"itemValueLHS": "A", "itemValueRHS": "90"}]
    assert read_object(scale, {"scoreScaleValue": values})[0] == {"scoreScaleValue": values}
    assert "scoreScaleValue" in read_object(scale, {"scoreScaleValue": [1]})[1]


def test_learning_objective_ids_are_grouped_by_source_in_order_and_empty_groups_dropped() -> None:
    body = {
        "learningObjectiveSet": [
            {"source": "case", "learningObjectiveIds": ["a", "b"]},
            {"source": "unknown", "learningObjectiveIds": []},
            {"source": "case", "learningObjectiveIds": ["c"]},
        ]
    }
    record, problems = read_object(ENTITIES_WHOLE["lineItem"], body)
    assert problems == {}
    assert record == {"learningObjectiveSet": [{"source": "case", "learningObjectiveIds": ["a", "b", "c"]}]}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("case", "must be an array, not a string"),
        ([{"source": "case"}], 'each element must be {"source": ..., "learningObjectiveIds": [...]}'),
        ([{"source": "", "learningObjectiveIds": ["a"]}], "a source must not be empty (case, unknown, ...)"),
        ([{"source": 1, "learningObjectiveIds": ["a"]}], "must be a string, not a number"),
        ([{"source": "case", "learningObjectiveIds": [1]}], "must be a string, not a number"),
    ],
)
def test_a_bad_learning_objective_set_is_named(value: Any, message: str) -> None:
    assert problems_of("lineItem", {"learningObjectiveSet": value}) == {"learningObjectiveSet": message}


def test_learning_objective_results_keep_score_and_text_score_when_given() -> None:
    body = {
        "learningObjectiveSet": [
            {
                "source": "case",
                "learningObjectiveResults": [
                    {"learningObjectiveId": "a", "score": "3", "textScore": "B"},
                    {"learningObjectiveId": "b", "score": None},
                ],
            }
        ]
    }
    record, problems = read_object(ENTITIES_WHOLE["result"], body)
    assert problems == {}
    assert record["learningObjectiveSet"] == [
        {
            "source": "case",
            "learningObjectiveResults": [
                {"learningObjectiveId": "a", "score": 3.0, "textScore": "B"},
                {"learningObjectiveId": "b"},
            ],
        }
    ]


def test_a_learning_objective_result_that_is_not_an_object_is_named() -> None:
    body = {"learningObjectiveSet": [{"source": "case", "learningObjectiveResults": ["a"]}]}
    assert problems_of("result", body) == {
        "learningObjectiveSet": 'each learning objective result must be {"learningObjectiveId": ..., '
        '"score": ..., "textScore": ...}'
    }
