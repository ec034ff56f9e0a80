"""Parsing and formatting of OneRoster scalar values, shared by CSV, JSON and the query language.

A *record* is a dict keyed by field name holding these Python values:
STRING/ENUM/YEAR/DATE/BOOLEAN -> str ('YYYY-MM-DD' for dates, 'true'/'false' for booleans);
FLOAT -> float; DATETIME -> int milliseconds since the epoch, UTC; REF -> the referenced
sourcedId; REF_LIST/STRING_LIST/ENUM_LIST -> list[str]; USER_IDS -> list of
{"type": str, "identifier": str}; 'metadata' -> dict[str, str]. Absent optional values are
missing from the dict (or None). Derived fields are never part of a record.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from functools import lru_cache

# The accepted forms, as patterns the OpenAPI document states too (valid in Python and ECMA-262).
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
DATETIME_PATTERN = (
    r"^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|z|[+-]\d{2}:?\d{2})?)?$"
)
SERVED_DATETIME_PATTERN = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$"  # what `format_datetime` writes
YEAR_PATTERN = r"^\d{4}$"
_DATE = re.compile(DATE_PATTERN)
_DATETIME = re.compile(DATETIME_PATTERN)
_YEAR = re.compile(YEAR_PATTERN)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# The instants a date-time may name once read as UTC: years 1 to 9999, as everywhere it is formatted.
_FIRST_MS = (datetime(1, 1, 1, tzinfo=UTC) - _EPOCH) // timedelta(milliseconds=1)
_LAST_MS = (datetime(9999, 12, 31, 23, 59, 59, 999000, tzinfo=UTC) - _EPOCH) // timedelta(milliseconds=1)


class BadValue(ValueError):
    """A value that does not fit its field's type; the message says what was expected."""


class DateTimeOutOfRange(BadValue):
    """A well-formed date-time whose instant falls outside years 1-9999 in UTC."""


def parse_date(text: str) -> str:
    """Validate 'YYYY-MM-DD' (a real calendar date) and return it unchanged."""
    if not _DATE.match(text):
        raise BadValue(f"'{text}' is not a date of the form YYYY-MM-DD")
    try:
        date.fromisoformat(text)
    except ValueError:
        raise BadValue(f"'{text}' is not a calendar date") from None
    return text


def parse_datetime(text: str) -> int:
    """Parse an ISO 8601 date-time (or a date alone, meaning midnight UTC) to epoch milliseconds.

    Accepts with or without seconds and fractions, 'Z' or a numeric offset; a date-time
    without any zone is read as UTC. The instant must fall in years 1-9999 in UTC.
    """
    m = _DATETIME.match(text.strip())
    if not m:
        raise BadValue(f"'{text}' is not a date-time such as 2024-08-15T13:05:22.000Z")
    day, hh, mm, ss, frac, zone = m.groups()
    try:
        d = date.fromisoformat(day)
        hour, minute, second = int(hh or 0), int(mm or 0), int(ss or 0)
        micro = int((frac or "0").ljust(6, "0")[:6])
        tz = UTC
        if zone and zone not in ("Z", "z"):
            sign = 1 if zone[0] == "+" else -1
            digits = zone[1:].replace(":", "")
            tz = timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
        moment = datetime(d.year, d.month, d.day, hour, minute, second, micro, tzinfo=tz)
    except ValueError:
        raise BadValue(f"'{text}' is not a valid date-time") from None
    delta = moment - _EPOCH
    ms = (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000
    if not _FIRST_MS <= ms <= _LAST_MS:
        raise DateTimeOutOfRange(f"'{text}' is outside the years 1-9999 once converted to UTC")
    return ms


@lru_cache(maxsize=4096, typed=True)  # an import stamps a million records with a handful of times
def format_datetime(ms: int) -> str:
    """Epoch milliseconds -> 'YYYY-MM-DDTHH:MM:SS.sssZ' (exactly three fraction digits)."""
    moment = _EPOCH + timedelta(milliseconds=ms)
    return f"{moment.year:04d}-{moment:%m-%dT%H:%M:%S}.{ms % 1000:03d}Z"


def now_ms() -> int:
    return int(datetime.now(UTC).timestamp() * 1000)


def parse_year(text: str) -> str:
    if not _YEAR.match(text):
        raise BadValue(f"'{text}' is not a 4-digit year")
    return text


def parse_boolean(text: str) -> str:
    lowered = text.strip().lower()
    if lowered not in ("true", "false"):
        raise BadValue(f"'{text}' is not a boolean (true or false)")
    return lowered


def parse_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise BadValue(f"'{text}' is not a number") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise BadValue(f"'{text}' is not a finite number")
    return value
