"""Read a JSON object a client sends (a gradebook PUT body) into a record, naming every bad field.

Tolerant of what real clients send: GUIDRefs as {"sourcedId": ...} without type or href (or a
bare sourcedId string), numbers as JSON numbers or numeric strings, booleans as JSON booleans or
"true"/"false", date-times with or without milliseconds. Server-owned fields (sourcedId from
the path, dateLastModified) and unknown fields are ignored.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from openroster.model.catalogue import (
    EXT_PATTERN,
    METADATA,
    OBJECTIVE_SOURCE,
    PAIR_MEMBERS,
    Entity,
    Field,
    Kind,
)
from openroster.model.values import (
    BadValue,
    parse_boolean,
    parse_date,
    parse_datetime,
    parse_float,
    parse_year,
)

SERVER_OWNED = frozenset({"sourcedId", "dateLastModified"})


def _string(value: Any) -> str:
    if not isinstance(value, str):
        raise BadValue(f"must be a string, not {_json_type(value)}")
    if "\x00" in value:  # no OneRoster value holds one, and PostgreSQL cannot store one
        raise BadValue("must not contain a NUL character (\\u0000)")
    return value


def _enum(field: Field) -> Callable[[Any], str]:
    def read(value: Any) -> str:
        text = _string(value)
        if text not in field.enum:
            raise BadValue(f"'{text}' is not one of {', '.join(field.enum)}")
        return text

    return read


def _number(value: Any) -> float:
    if isinstance(value, bool):
        raise BadValue("must be a number, not a boolean")
    if isinstance(value, (int, float)):
        return parse_float(str(value))
    if isinstance(value, str):
        return parse_float(value)
    raise BadValue(f"must be a number, not {_json_type(value)}")


def _boolean(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return parse_boolean(_string(value))


def _ref(value: Any) -> str:
    if isinstance(value, str) and value:
        return _string(value)
    if isinstance(value, dict) and isinstance(value.get("sourcedId"), str) and value["sourcedId"]:
        return _string(value["sourcedId"])
    raise BadValue('must be a reference such as {"sourcedId": "..."}')


def _list(item: Callable[[Any], Any]) -> Callable[[Any], list[Any]]:
    def read(value: Any) -> list[Any]:
        if not isinstance(value, list):
            raise BadValue(f"must be an array, not {_json_type(value)}")
        return [item(v) for v in value]

    return read


def _pair(kind: Kind) -> Callable[[Any], dict[str, str]]:
    """A reader of one element of a list of pairs (a user id, a score scale's value)."""
    first, second = (name for name, _ in PAIR_MEMBERS[kind])

    def read(value: Any) -> dict[str, str]:
        if not isinstance(value, dict):
            raise BadValue(f'each element must be {{"{first}": ..., "{second}": ...}}')
        return {first: _string(value.get(first)), second: _string(value.get(second))}

    return read


_EXTENSION = re.compile(EXT_PATTERN)
_OBJECTIVES_KEY = {
    Kind.LEARNING_OBJECTIVES: "learningObjectiveIds",
    Kind.LEARNING_OBJECTIVE_RESULTS: "learningObjectiveResults",
}


def _objective_result(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise BadValue(
            'each learning objective result must be {"learningObjectiveId": ..., "score": ..., "textScore": ...}'
        )
    result: dict[str, Any] = {"learningObjectiveId": _string(value.get("learningObjectiveId"))}
    if value.get("score") is not None:
        result["score"] = _number(value["score"])
    if value.get("textScore") is not None:
        result["textScore"] = _string(value["textScore"])
    return result


def _objective_set(kind: Kind) -> Callable[[Any], list[dict[str, Any]]]:
    """A reader of a learning objective set; entries of one source are merged, in order."""
    key = _OBJECTIVES_KEY[kind]
    item: Callable[[Any], Any] = _string if kind is Kind.LEARNING_OBJECTIVES else _objective_result

    def read(value: Any) -> list[dict[str, Any]]:
        if not isinstance(value, list):
            raise BadValue(f"must be an array, not {_json_type(value)}")
        groups: dict[str, list[Any]] = {}
        for entry in value:
            if not isinstance(entry, dict) or not isinstance(entry.get(key), list):
                raise BadValue(f'each element must be {{"source": ..., "{key}": [...]}}')
            source = _string(entry.get("source"))
            if not source:
                raise BadValue("a source must not be empty (case, unknown, ...)")
            if source not in OBJECTIVE_SOURCE and not _EXTENSION.match(source):
                # As a 1.2.1 bundle's link files take it, so that an export imports back.
                raise BadValue(
                    f"source '{source}' is not one of case, unknown or an extension token ext:<name>"
                )
            groups.setdefault(source, []).extend(item(v) for v in entry[key])
        return [{"source": source, key: items} for source, items in groups.items() if items]

    return read


def _reader(field: Field) -> Callable[[Any], Any]:
    kind = field.kind
    readers: dict[Kind, Callable[[Any], Any]] = {
        Kind.STRING: _string,
        Kind.DATE: lambda v: parse_date(_string(v)),
        Kind.DATETIME: lambda v: parse_datetime(_string(v)),
        Kind.YEAR: lambda v: parse_year(str(v) if isinstance(v, int) else _string(v)),
        Kind.BOOLEAN: _boolean,
        Kind.FLOAT: _number,
        Kind.ENUM: _enum(field),
        Kind.STRING_LIST: _list(_string),
        Kind.ENUM_LIST: _list(_enum(field)),
        Kind.REF: _ref,
        Kind.REF_LIST: _list(_ref),
        Kind.USER_IDS: _list(_pair(Kind.USER_IDS)),
        Kind.SCORE_SCALE_VALUES: _list(_pair(Kind.SCORE_SCALE_VALUES)),
        Kind.LEARNING_OBJECTIVES: _objective_set(Kind.LEARNING_OBJECTIVES),
        Kind.LEARNING_OBJECTIVE_RESULTS: _objective_set(Kind.LEARNING_OBJECTIVE_RESULTS),
    }
    return readers[kind]


def _metadata(value: Any) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise BadValue("must be an object whose values are strings")
    return {_string(key): _string(text) for key, text in value.items()}


Problems = dict[str, str]  # field name -> what is wrong with it


def read_object(entity: Entity, data: Any) -> tuple[dict[str, Any], Problems]:
    """(record, problems). Required fields are not checked here (defaults may still fill them)."""
    if not isinstance(data, dict):
        return {}, {entity.single_key: f"must be a JSON object, not {_json_type(data)}"}
    record: dict[str, Any] = {}
    problems: Problems = {}
    for name, value in data.items():
        field = entity.by_name.get(name)
        if name in SERVER_OWNED or value is None or (field is None and name != METADATA):
            continue
        if field is not None and field.derived is not None:
            continue
        try:
            record[name] = _metadata(value) if field is None else _reader(field)(value)
        except BadValue as exc:
            problems[name] = str(exc)
    return record, problems


def _json_type(value: Any) -> str:
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(value), "a number"
    )
