"""A 1.2 gradebook body read into the stored record: 1.2 names map to stored fields, clashes are named."""

from __future__ import annotations

from openroster.model.json_input_v12 import read_object_v12, stored_names
from openroster.model.v12 import ENTITIES_V12

LINE_ITEM = ENTITIES_V12["lineItem"]


def test_a_line_item_s_academic_session_is_written_as_its_grading_period() -> None:
    names = stored_names(LINE_ITEM)
    assert names["academicSession"] == names["gradingPeriod"] == "gradingPeriod"
    assert names["school"] == "school" and names["title"] == "title"
    record, problems = read_object_v12(LINE_ITEM, {"academicSession": {"sourcedId": "gp-1"}})
    assert (record, problems) == ({"gradingPeriod": "gp-1"}, {})


def test_fields_1_2_computes_or_has_no_stored_place_for_are_not_writable() -> None:
    user_names = stored_names(ENTITIES_V12["user"])
    assert "roles" not in user_names  # from RolesFromRoleAndOrgs / role records
    assert stored_names(ENTITIES_V12["org"]).get("identifier") is None  # OrSourcedId
    assert "children" in stored_names(ENTITIES_V12["org"])  # derived: read_object ignores it


def test_both_names_agreeing_are_accepted() -> None:
    body = {"gradingPeriod": "gp-1", "academicSession": {"sourcedId": "gp-1", "type": "academicSession"}}
    assert read_object_v12(LINE_ITEM, body) == ({"gradingPeriod": "gp-1"}, {})


def test_both_names_differing_are_refused_naming_the_second() -> None:
    body = {"gradingPeriod": "gp-1", "academicSession": {"sourcedId": "gp-2"}}
    record, problems = read_object_v12(LINE_ITEM, body)
    assert problems == {
        "academicSession": "differs from gradingPeriod, which names the same thing; send one of them"
    }
    assert record == {"gradingPeriod": "gp-1"}


def test_a_bad_value_is_named_by_the_1_2_name_the_client_used() -> None:
    _, problems = read_object_v12(LINE_ITEM, {"academicSession": 5, "resultValueMin": "low"})
    assert problems == {
        "academicSession": 'must be a reference such as {"sourcedId": "..."}',
        "resultValueMin": "'low' is not a number",
    }


def test_unknown_names_and_nulls_are_ignored_and_metadata_kept() -> None:
    body = {"foo": 1, "description": None, "metadata": {"a": "b"}, "title": "T"}
    assert read_object_v12(LINE_ITEM, body) == ({"metadata": {"a": "b"}, "title": "T"}, {})


def test_fields_only_1_2_has_are_read_too() -> None:
    record, problems = read_object_v12(
        ENTITIES_V12["result"], {"textScore": "B+", "scoreStatus": "fully graded", "inProgress": True}
    )
    assert problems == {}
    assert record == {"textScore": "B+", "scoreStatus": "fully graded", "inProgress": "true"}


def test_a_body_that_is_not_an_object_is_named_by_its_wrapper_key() -> None:
    assert read_object_v12(ENTITIES_V12["category"], [1]) == (
        {},
        {"category": "must be a JSON object, not an array"},
    )
