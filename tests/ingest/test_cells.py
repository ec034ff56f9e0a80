"""decode_cell and encode_cell: the CSV text of every Kind, and their round trip."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openroster.ingest import decode_cell, encode_cell
from openroster.model.catalogue import ENTITIES, Field
from openroster.model.values import BadValue

from .bundles import ms
from .strategies import value

USER = ENTITIES["user"].by_name
RESULT = ENTITIES["result"].by_name
ALL_FIELDS = sorted(
    {f for e in ENTITIES.values() for f in e.csv_fields}, key=lambda f: (f.name, f.kind.value)
)


@pytest.mark.parametrize(
    ("entity", "field", "text", "expected"),
    [
        ("user", "givenName", " Jo ", " Jo "),
        ("user", "status", "inactive", "tobedeleted"),
        ("user", "status", " active ", "active"),
        ("user", "enabledUser", "False", "false"),
        ("user", "orgs", " sch-1 ,, sch-2, ", ["sch-1", "sch-2"]),
        (
            "user",
            "userIds",
            "{LDAP:jsmith},{LTI:abc123}",
            [{"type": "LDAP", "identifier": "jsmith"}, {"type": "LTI", "identifier": "abc123"}],
        ),
        (
            "user",
            "userIds",
            " { SIS : a,b:c } , ,{x:y}",
            [{"type": "SIS", "identifier": "a,b:c"}, {"type": "x", "identifier": "y"}],
        ),
        ("user", "userIds", "", []),
        ("resource", "roles", "teacher, student", ["teacher", "student"]),
        ("result", "scoreStatus", "not submitted", "not submitted"),
        ("result", "score", " 7.25 ", 7.25),
        ("result", "score", "-1e3", -1000.0),
        ("result", "scoreDate", "2021-01-13", ms(2021, 1, 13)),
        ("result", "scoreDate", "2021-01-13T17:06:33Z", ms(2021, 1, 13, 17, 6, 33)),
        ("result", "scoreDate", "2021-01-13T23:06:33-05:00", ms(2021, 1, 14, 4, 6, 33)),
        ("lineItem", "assignDate", "2021-01-13", ms(2021, 1, 13)),
        ("lineItem", "assignDate", "2021-01-13T17:06Z", ms(2021, 1, 13, 17, 6)),
        (
            "lineItem",
            "assignDate",
            "2021-01-13T17:06:33.5+0130",
            ms(2021, 1, 13, 17, 6, 33, 500, 0) - 90 * 60_000,
        ),
        ("lineItem", "assignDate", "2021-01-13 17:06:33.123456789", ms(2021, 1, 13, 17, 6, 33, 123)),
        ("academicSession", "schoolYear", "2026", "2026"),
        ("enrollment", "beginDate", "2024-02-29", "2024-02-29"),
    ],
)
def test_decode(entity: str, field: str, text: str, expected: Any) -> None:
    assert decode_cell(ENTITIES[entity].by_name[field], text) == expected


@pytest.mark.parametrize(
    ("field", "text", "message"),
    [
        (
            USER["role"],
            "Teacher",
            "'Teacher' is not one of administrator, aide, guardian, parent, proctor, relative, "
            "student, teacher. Values are case-sensitive: write 'teacher'.",
        ),
        (USER["status"], "deleted", "'deleted' is not one of active, tobedeleted."),
        (
            USER["userIds"],
            "{LDAP}",
            "'{LDAP}' in '{LDAP}' is not a user id; write each as {type:identifier}, "
            "separated by commas, for example {LDAP:jsmith},{LTI:abc123}.",
        ),
        (
            USER["userIds"],
            "{LDAP:a}{LTI:b}",
            "'{LDAP:a}{LTI:b}' is not a list of user ids; write each as "
            "{type:identifier}, separated by commas, for example "
            "{LDAP:jsmith},{LTI:abc123}.",
        ),
        (
            USER["userIds"],
            "{LDAP:a",
            "'{LDAP:a' is not a list of user ids; write each as {type:identifier}, "
            "separated by commas, for example {LDAP:jsmith},{LTI:abc123}.",
        ),
        (
            RESULT["score"],
            "nan",
            "'nan' is not a number; write it with digits and an optional decimal point, "
            "for example 85 or 92.5.",
        ),
        (
            RESULT["score"],
            "inf",
            "'inf' is not a number; write it with digits and an optional decimal point, "
            "for example 85 or 92.5.",
        ),
        (
            ENTITIES["enrollment"].by_name["beginDate"],
            "2024-2-9",
            "'2024-2-9' is not a date; write dates as YYYY-MM-DD, for example 2024-08-15.",
        ),
    ],
)
def test_decode_rejects(field: Field, text: str, message: str) -> None:
    with pytest.raises(BadValue) as caught:
        decode_cell(field, text)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("entity", "field", "value", "text"),
    [
        ("result", "score", 100.0, "100"),
        ("result", "score", 92.5, "92.5"),
        ("result", "score", 0.1, "0.1"),
        ("result", "score", 1e20, "1e+20"),
        ("result", "score", 7, "7"),
        ("lineItem", "assignDate", ms(2024, 8, 15, 13, 5, 22), "2024-08-15T13:05:22.000Z"),
        ("user", "enabledUser", True, "true"),
        ("user", "orgs", ["sch-1", "sch-2"], "sch-1,sch-2"),
        ("user", "userIds", [{"type": "LDAP", "identifier": "a,b:c"}], "{LDAP:a,b:c}"),
        ("user", "middleName", None, ""),
        ("user", "grades", [], ""),
    ],
)
def test_encode(entity: str, field: str, value: Any, text: str) -> None:
    assert encode_cell(ENTITIES[entity].by_name[field], value) == text


@pytest.mark.parametrize(
    ("field", "value"),
    [
        (USER["grades"], ["09,10"]),
        (USER["grades"], [" 09"]),
        (USER["grades"], [""]),
        (USER["grades"], "09"),
        (USER["userIds"], [{"type": "LD:AP", "identifier": "x"}]),
        (USER["userIds"], [{"type": "LDAP", "identifier": "{x}"}]),
        (RESULT["score"], float("nan")),
        (RESULT["score"], "92"),
        (ENTITIES["lineItem"].by_name["assignDate"], "2024-08-15T13:05:22.000Z"),
    ],
)
def test_encode_refuses_values_a_cell_cannot_carry(field: Field, value: Any) -> None:
    with pytest.raises(BadValue):
        encode_cell(field, value)


@settings(max_examples=300)
@given(st.data())
def test_decode_inverts_encode_for_every_field(data: st.DataObject) -> None:
    field = data.draw(st.sampled_from(ALL_FIELDS))
    original = data.draw(value(field))

    assert decode_cell(field, encode_cell(field, original)) == original


SCALE_VALUES = ENTITIES["scoreScale"].by_name["scoreScaleValue"]


def test_score_scale_values_are_written_as_pairs_as_csv_1_2_1_writes_them() -> None:
    text = "{A:94}, {B+:84.5},{Pass:a:b}"
    values = [
        {"itemValueLHS": "A", "itemValueRHS": "94"},
        {"itemValueLHS": "B+", "itemValueRHS": "84.5"},
        {"itemValueLHS": "Pass", "itemValueRHS": "a:b"},
    ]
    assert decode_cell(SCALE_VALUES, text) == values
    assert encode_cell(SCALE_VALUES, values) == "{A:94},{B+:84.5},{Pass:a:b}"
    assert decode_cell(SCALE_VALUES, encode_cell(SCALE_VALUES, values)) == values


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "{A}",
            "'{A}' in '{A}' is not a score scale value; write each as {LHS:RHS}, separated by commas, "
            "for example {A:90},{B:80}.",
        ),
        ("A:90", "'A:90' is not a list of score scale values; write each as {LHS:RHS}"),
    ],
)
def test_bad_score_scale_values_say_how_to_write_them(text: str, message: str) -> None:
    with pytest.raises(BadValue) as caught:
        decode_cell(SCALE_VALUES, text)
    assert str(caught.value).startswith(message)


def test_a_score_scale_value_that_cannot_be_written_is_refused() -> None:
    with pytest.raises(BadValue, match=r"cannot be written as \{itemValueLHS:itemValueRHS\}"):
        encode_cell(SCALE_VALUES, [{"itemValueLHS": "A:", "itemValueRHS": "90"}])
    with pytest.raises(BadValue, match="A score scale value must be a dict"):
        encode_cell(SCALE_VALUES, ["A:90"])
