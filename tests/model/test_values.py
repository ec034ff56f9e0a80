"""Scalar values as CSV, JSON and filters give them: what each parser accepts, what it answers, what it refuses."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openroster.model.values import (
    SERVED_DATETIME_PATTERN,
    BadValue,
    DateTimeOutOfRange,
    format_datetime,
    parse_boolean,
    parse_date,
    parse_datetime,
    parse_float,
    parse_year,
)

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
FIRST_MS = (datetime(1, 1, 1, tzinfo=UTC) - EPOCH) // timedelta(milliseconds=1)
LAST_MS = (datetime(9999, 12, 31, 23, 59, 59, 999000, tzinfo=UTC) - EPOCH) // timedelta(milliseconds=1)


@pytest.mark.parametrize("text", ["2024-02-29", "0001-01-01", "9999-12-31", "2025-09-01"])
def test_a_calendar_date_is_returned_unchanged(text: str) -> None:
    assert parse_date(text) == text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2023-02-29", "'2023-02-29' is not a calendar date"),
        ("2024-13-01", "'2024-13-01' is not a calendar date"),
        ("2024-1-01", "'2024-1-01' is not a date of the form YYYY-MM-DD"),
        ("24-01-01", "'24-01-01' is not a date of the form YYYY-MM-DD"),
        ("2024/01/01", "'2024/01/01' is not a date of the form YYYY-MM-DD"),
        ("2024-01-01T00:00:00Z", "'2024-01-01T00:00:00Z' is not a date of the form YYYY-MM-DD"),
        ("", "'' is not a date of the form YYYY-MM-DD"),
    ],
)
def test_a_date_that_is_not_one_is_refused_naming_it(text: str, message: str) -> None:
    with pytest.raises(BadValue) as caught:
        parse_date(text)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-08-15T13:05:22.000Z", "2024-08-15T13:05:22.000Z"),
        ("2024-08-15T13:05:22Z", "2024-08-15T13:05:22.000Z"),
        ("2024-08-15T13:05Z", "2024-08-15T13:05:00.000Z"),
        ("2024-08-15 13:05:22.5z", "2024-08-15T13:05:22.500Z"),
        ("2024-08-15T13:05:22.123456789Z", "2024-08-15T13:05:22.123Z"),  # beyond milliseconds: cut
        ("2024-08-15T13:05:22", "2024-08-15T13:05:22.000Z"),  # no zone: UTC
        ("2024-08-15", "2024-08-15T00:00:00.000Z"),  # a date alone: midnight UTC
        ("2024-08-15T15:05:22+02:00", "2024-08-15T13:05:22.000Z"),
        ("2024-08-15T08:05:22-0500", "2024-08-15T13:05:22.000Z"),
        ("2024-08-15T00:30:00+01:00", "2024-08-14T23:30:00.000Z"),  # the offset moves the day
        ("  2024-08-15T13:05:22Z  ", "2024-08-15T13:05:22.000Z"),  # surrounding blanks ignored
    ],
)
def test_every_accepted_date_time_form_names_its_instant_in_utc(text: str, expected: str) -> None:
    assert format_datetime(parse_datetime(text)) == expected


@pytest.mark.parametrize(
    "text",
    ["2024-08-15T25:00:00Z", "2024-02-30T00:00:00Z", "2024-08-15T13:60Z", "2024-08-15T13:05:22+25:00"],
)
def test_a_well_formed_but_impossible_date_time_is_not_valid(text: str) -> None:
    with pytest.raises(BadValue) as caught:
        parse_datetime(text)
    assert str(caught.value) == f"'{text}' is not a valid date-time"
    assert not isinstance(caught.value, DateTimeOutOfRange)


@pytest.mark.parametrize("text", ["yesterday", "2024-08-15T13", "15/08/2024", "2024-08-15T13:05:22.Z", ""])
def test_a_malformed_date_time_shows_the_form_expected(text: str) -> None:
    with pytest.raises(BadValue) as caught:
        parse_datetime(text)
    assert str(caught.value) == f"'{text}' is not a date-time such as 2024-08-15T13:05:22.000Z"


@pytest.mark.parametrize("text", ["0001-01-01T00:30:00+01:00", "9999-12-31T23:30:00-01:00"])
def test_an_instant_outside_years_1_to_9999_in_utc_is_out_of_range(text: str) -> None:
    with pytest.raises(DateTimeOutOfRange) as caught:
        parse_datetime(text)
    assert str(caught.value) == f"'{text}' is outside the years 1-9999 once converted to UTC"


def test_the_first_and_last_instants_are_in_range() -> None:
    assert parse_datetime("0001-01-01T00:00:00.000Z") == FIRST_MS
    assert parse_datetime("9999-12-31T23:59:59.999Z") == LAST_MS
    assert format_datetime(FIRST_MS) == "0001-01-01T00:00:00.000Z"
    assert format_datetime(LAST_MS) == "9999-12-31T23:59:59.999Z"


def test_format_datetime_writes_four_digit_years_and_three_fraction_digits() -> None:
    assert format_datetime(0) == "1970-01-01T00:00:00.000Z"
    assert format_datetime(-1) == "1969-12-31T23:59:59.999Z"
    assert format_datetime(parse_datetime("0099-03-04T05:06:07.008Z")) == "0099-03-04T05:06:07.008Z"


@given(st.integers(min_value=FIRST_MS, max_value=LAST_MS))
def test_every_instant_formats_to_the_served_form_and_parses_back(ms: int) -> None:
    text = format_datetime(ms)
    assert re.fullmatch(SERVED_DATETIME_PATTERN, text)
    assert parse_datetime(text) == ms


@given(
    st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)).map(
        lambda d: d.replace(microsecond=d.microsecond // 1000 * 1000)
    ),
    st.integers(min_value=-14 * 60, max_value=14 * 60),
)
def test_an_offset_date_time_names_the_same_instant_as_its_utc_form(
    moment: datetime, offset_min: int
) -> None:
    local = moment.astimezone(timezone(timedelta(minutes=offset_min)))
    sign = "+" if offset_min >= 0 else "-"
    hours, minutes = divmod(abs(offset_min), 60)
    text = f"{local:%Y-%m-%dT%H:%M:%S}.{local.microsecond // 1000:03d}{sign}{hours:02d}:{minutes:02d}"
    assert parse_datetime(text) == (moment - EPOCH) // timedelta(milliseconds=1)


@pytest.mark.parametrize("text", ["2025", "0001", "9999"])
def test_a_four_digit_year_is_returned_unchanged(text: str) -> None:
    assert parse_year(text) == text


@pytest.mark.parametrize("text", ["25", "20255", "year", "2025 ", ""])
def test_a_year_that_is_not_four_digits_is_refused(text: str) -> None:
    with pytest.raises(BadValue) as caught:
        parse_year(text)
    assert str(caught.value) == f"'{text}' is not a 4-digit year"


@pytest.mark.parametrize(
    ("text", "expected"), [("true", "true"), ("FALSE", "false"), (" True ", "true"), ("false", "false")]
)
def test_booleans_are_read_in_any_case_and_written_in_lower_case(text: str, expected: str) -> None:
    assert parse_boolean(text) == expected


@pytest.mark.parametrize("text", ["yes", "1", "0", "t", ""])
def test_a_boolean_other_than_true_or_false_is_refused(text: str) -> None:
    with pytest.raises(BadValue) as caught:
        parse_boolean(text)
    assert str(caught.value) == f"'{text}' is not a boolean (true or false)"


@pytest.mark.parametrize(("text", "expected"), [("95", 95.0), ("-0.5", -0.5), ("1e3", 1000.0), (" 7 ", 7.0)])
def test_numbers_are_read_as_floats(text: str, expected: float) -> None:
    assert parse_float(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("ninety", "'ninety' is not a number"),
        ("", "'' is not a number"),
        ("nan", "'nan' is not a finite number"),
        ("inf", "'inf' is not a finite number"),
        ("-Infinity", "'-Infinity' is not a finite number"),
        ("1e999", "'1e999' is not a finite number"),
    ],
)
def test_a_number_that_is_not_finite_or_not_a_number_is_refused(text: str, message: str) -> None:
    with pytest.raises(BadValue) as caught:
        parse_float(text)
    assert str(caught.value) == message
