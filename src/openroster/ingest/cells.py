"""Convert one CSV cell to a record value and back, according to its field's Kind.

The CSV text forms follow the OneRoster 1.1 CSV binding: lists are comma-separated inside one
cell, user ids are written `{type:identifier}` items, booleans `true`/`false`, dates
`YYYY-MM-DD`, date-times ISO 8601. Messages of BadValue are full sentences meant for the
person who prepared the file, so they say what form was expected.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from sys import intern
from typing import Any

from openroster.model.catalogue import EXT_PATTERN, PAIR_MEMBERS, Field, Kind
from openroster.model.values import (
    BadValue,
    DateTimeOutOfRange,
    format_datetime,
    parse_boolean,
    parse_date,
    parse_datetime,
    parse_float,
    parse_year,
)

__all__ = ["cell_decoder", "decode_cell", "encode_cell"]

Decoder = Callable[[str], object]

# OneRoster 1.0 status token, read as its 1.1 replacement.
_STATUS_ALIASES = {"inactive": "tobedeleted"}
_BOOLEANS = {"true": "true", "false": "false"}
_EXTENSION = re.compile(EXT_PATTERN)
# Lists of pairs, written `{first:second},...`: what one pair is called, and how to write them.
_PAIRS = {
    Kind.USER_IDS: (
        "user id",
        "write each as {type:identifier}, separated by commas, for example {LDAP:jsmith},{LTI:abc123}",
    ),
    Kind.SCORE_SCALE_VALUES: (
        "score scale value",
        "write each as {LHS:RHS}, separated by commas, for example {A:90},{B:80}",
    ),
}


def decode_cell(field: Field, text: str) -> object:
    """The record value of `field` written as `text` in a CSV cell; BadValue when it does not fit."""
    return cell_decoder(field)(text)


@cache
def cell_decoder(field: Field) -> Decoder:
    """A function decoding cells of `field`; built once per field so that rows decode quickly."""
    kind = field.kind
    if kind is Kind.STRING or kind is Kind.REF:
        return _identity
    if kind is Kind.DATE:
        return _date
    if kind is Kind.DATETIME:
        return _datetime
    if kind is Kind.YEAR:
        return _year
    if kind is Kind.BOOLEAN:
        return _boolean
    if kind is Kind.FLOAT:
        return _float
    if kind is Kind.ENUM:
        return _enum_decoder(field)
    if kind is Kind.STRING_LIST or kind is Kind.REF_LIST:
        return _split
    if kind is Kind.ENUM_LIST:
        one = _enum_decoder(field)
        return lambda text: [one(item) for item in _split(text)]
    if kind in _PAIRS:
        return lambda text: _pairs(kind, text)
    raise AssertionError(f"no CSV decoder for {kind}")  # pragma: no cover - every Kind is handled


def encode_cell(field: Field, value: object) -> str:
    """The CSV text of a record value; the inverse of decode_cell (missing values give '')."""
    if value is None:
        return ""
    kind = field.kind
    if kind is Kind.DATETIME:
        return format_datetime(_as_int(value))
    if kind is Kind.FLOAT:
        return _format_float(value)
    if kind is Kind.BOOLEAN and isinstance(value, bool):
        return "true" if value else "false"
    if kind is Kind.ENUM and value in field.enum12:
        return ""  # a token only 1.2 has, in a 1.1 file
    if kind is Kind.ENUM and field.read_as and isinstance(value, str):
        return {stored: token for token, stored in field.read_as}.get(value, value)
    if kind in _PAIRS:
        return ",".join(_encode_pair(kind, item) for item in _as_list(field, value))
    if field.is_list:
        return ",".join(_encode_item(field, item) for item in _as_list(field, value))
    if not isinstance(value, str):
        raise BadValue(f"The value of {field.name} must be text, not {type(value).__name__}.")
    return value


# --- decoders -------------------------------------------------------------------------------


def _identity(text: str) -> str:
    return text


def _split(text: str) -> list[str]:
    # Items (org ids, grades, subjects) repeat across rows; interning keeps one copy of each.
    if "," not in text:  # the common single-item cell, without building a list of parts
        item = text.strip()
        return [intern(item)] if item else []
    return [intern(item) for item in map(str.strip, text.split(",")) if item]


def _date(text: str) -> str:
    text = text.strip()
    try:
        return parse_date(text)
    except BadValue:
        raise BadValue(_date_message(text)) from None


def _date_message(text: str) -> str:
    if len(text) == 10 and text[4:5] == "-" and text[7:8] == "-" and text.replace("-", "").isdigit():
        return (
            f"'{text}' is not a real calendar date; check the month and day (dates are written YYYY-MM-DD)."
        )
    return f"'{text}' is not a date; write dates as YYYY-MM-DD, for example 2024-08-15."


def _datetime(text: str) -> int:
    try:
        return parse_datetime(text)
    except DateTimeOutOfRange:
        raise  # its message already says what is wrong
    except BadValue:
        raise BadValue(
            f"'{text.strip()}' is not a date-time; write it in ISO 8601 form, "
            "for example 2024-08-15T13:05:22.000Z."
        ) from None


def _year(text: str) -> str:
    text = text.strip()
    try:
        return parse_year(text)
    except BadValue:
        raise BadValue(
            f"'{text}' is not a year; write the 4-digit year in which the school year ends, for example 2026."
        ) from None


def _boolean(text: str) -> str:
    try:
        return _BOOLEANS[parse_boolean(text)]  # shared constants: a million rows hold one copy
    except BadValue:
        raise BadValue(f"'{text.strip()}' is not a boolean; write true or false.") from None


def _float(text: str) -> float:
    text = text.strip()
    try:
        if "_" in text:  # float() accepts '1_000'; a CSV number never has underscores
            raise BadValue(text)
        return parse_float(text)
    except BadValue:
        raise BadValue(
            f"'{text}' is not a number; write it with digits and an optional decimal "
            "point, for example 85 or 92.5."
        ) from None


def _enum_decoder(field: Field) -> Callable[[str], str]:
    # Tokens are returned as the store keeps them, and as shared constants, not each cell's copy.
    canonical = {token: token for token in field.enum} | dict(field.read_as)
    folded = {token.lower(): token for token in field.enum}
    aliases = _STATUS_ALIASES if field.name == "status" else {}
    listing = ", ".join(field.enum) + (" or an extension token ext:<name>" if field.ext else "")

    def decode(text: str) -> str:
        token = text.strip()
        found = canonical.get(token)
        if found is not None:
            return found
        if token in aliases:
            return aliases[token]
        if field.ext and _EXTENSION.match(token):
            return token
        message = f"'{token}' is not one of {listing}."
        suggestion = folded.get(token.lower())
        if suggestion is not None:
            message += f" Values are case-sensitive: write '{suggestion}'."
        raise BadValue(message)

    return decode


def _pairs(kind: Kind, text: str) -> list[dict[str, str]]:
    """Parse `{LDAP:jsmith},{LTI:abc123}`; second parts may hold ':' and ',' but not braces."""
    (first, _), (second, _) = PAIR_MEMBERS[kind]
    what, form = _PAIRS[kind]
    items: list[dict[str, str]] = []
    pos, end = 0, len(text)
    while True:
        while pos < end and (text[pos] == "," or text[pos].isspace()):
            pos += 1
        if pos >= end:
            return items
        close = text.find("}", pos)
        if text[pos] != "{" or close < 0:
            raise BadValue(f"'{text.strip()}' is not a list of {what}s; {form}.")
        inner = text[pos + 1 : close]
        left, colon, right = inner.partition(":")
        left, right = left.strip(), right.strip()
        if not colon or not left or not right or "{" in inner:
            raise BadValue(f"'{{{inner}}}' in '{text.strip()}' is not a {what}; {form}.")
        items.append({first: intern(left), second: right})
        pos = close + 1
        while pos < end and text[pos].isspace():
            pos += 1
        if pos < end and text[pos] != ",":
            raise BadValue(f"'{text.strip()}' is not a list of {what}s; {form}.")


# --- encoders -------------------------------------------------------------------------------


def _as_int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadValue(f"A date-time value must be integer milliseconds since 1970, not {value!r}.")
    return value


def _format_float(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise BadValue(f"A number was expected, not {value!r}.")
    number = float(value)
    if number != number or number in (float("inf"), float("-inf")):
        raise BadValue(f"{value!r} is not a finite number.")
    if number.is_integer() and abs(number) < 1e15:
        return str(int(number))
    return repr(number)


def _as_list(field: Field, value: object) -> list[Any]:
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
        raise BadValue(f"The value of {field.name} must be a list, not {type(value).__name__}.")
    return list(value)


def _encode_item(field: Field, item: object) -> str:
    if not isinstance(item, str) or not item or item != item.strip() or "," in item:
        raise BadValue(
            f"{item!r} cannot be written as an item of {field.name}: list items are "
            "non-empty text without commas or surrounding spaces."
        )
    return item


def _encode_pair(kind: Kind, item: object) -> str:
    (first, _), (second, _) = PAIR_MEMBERS[kind]
    if not isinstance(item, dict):
        raise BadValue(f"A {_PAIRS[kind][0]} must be a dict with {first} and {second}, not {item!r}.")
    id_type, identifier = item.get(first), item.get(second)
    for part, forbidden in ((id_type, "{}:"), (identifier, "{}")):
        if (
            not isinstance(part, str)
            or not part
            or part != part.strip()
            or any(ch in part for ch in forbidden)
        ):
            raise BadValue(
                f"{item!r} cannot be written as {{{first}:{second}}}: both parts must be "
                f"non-empty text without braces or surrounding spaces, and the {first} "
                "without ':'."
            )
    return f"{{{id_type}:{identifier}}}"
