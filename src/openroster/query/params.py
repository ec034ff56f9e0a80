"""Query parameters (limit, offset, sort, orderBy, fields, filter) -> one typed query object."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import parse_qsl

from openroster.config import DEFAULT_MAX_FILTER_LENGTH, DEFAULT_MAX_FILTER_PREDICATES
from openroster.errors import InvalidBlankSelectionField, InvalidData, StatusInfo, warning
from openroster.model.catalogue import Entity, Field
from openroster.model.v12 import Field12
from openroster.query.filter import Filter, FilterLimitExceeded, FilterSyntaxError, parse_filter
from openroster.query.resolve import Criteria, resolve
from openroster.query.resolve_v12 import Criteria12

DEFAULT_LIMIT = 100
# More digits than any page size or offset a store can hold (and far fewer than Python's
# 4,300-digit limit on converting text to int).
_MAX_DIGITS = 18


@dataclass(frozen=True)
class ReadQuery:
    """What a GET asks for, validated against one entity. `fields` None means all fields."""

    limit: int = DEFAULT_LIMIT
    offset: int = 0
    sort: Field | Field12 | None = None  # a 1.1 field, or a 1.2 one on 1.2 endpoints
    descending: bool = False
    fields: tuple[str, ...] | None = None
    criteria: Criteria | Criteria12 | None = None
    warnings: tuple[StatusInfo, ...] = ()


def _non_negative_int(name: str, text: str, minimum: int) -> int:
    value = text.strip()
    if not (value.isascii() and value.isdigit()):  # str.isdigit() also holds for '²' and '١'
        raise InvalidData(
            f"{name} must be a whole number of at least {minimum} written with the "
            f"digits 0-9, not '{_shown(text)}'"
        )
    value = value.lstrip("0") or "0"
    if len(value) > _MAX_DIGITS:
        raise InvalidData(f"{name} must be at most {'9' * _MAX_DIGITS}, not a number of {len(value)} digits")
    number = int(value)
    if number < minimum:
        raise InvalidData(f"{name} must be at least {minimum}, not {number}")
    return number


def query_parameters(raw_query: bytes) -> dict[str, str]:
    """The parameters of a raw query string by name (the first value of a repeated name counts).

    Text must be UTF-8, raw or percent-encoded; anything else is refused rather than read as
    U+FFFD, which would make different requests ask for the same thing.
    """
    params: dict[str, str] = {}
    for name, value in query_pairs(raw_query):
        params.setdefault(name, value)
    return params


def query_pairs(raw_query: bytes) -> list[tuple[str, str]]:
    """Every (name, value) of a raw query string, in order; UTF-8 only, as `query_parameters`."""
    try:
        return parse_qsl(raw_query.decode("utf-8"), keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        raise InvalidData(
            "The query string is not valid UTF-8 (after percent-decoding); encode text as UTF-8"
        ) from None


def filter_weight(raw_query: bytes, max_predicates: int, max_length: int) -> int:
    """How many predicates the request's filter holds (0 without one, or if it will be refused)."""
    try:
        text = query_parameters(raw_query).get("filter")
        if text is None or len(text) > max_length:
            return 0
        return sum(map(len, parse_filter(text, max_predicates=max_predicates).any_of))
    except (InvalidData, FilterSyntaxError):
        return 0


def _shown(text: str, room: int = 40) -> str:
    """A client-supplied value for an error message, cut to `room` characters."""
    return text if len(text) <= room else text[:room] + "…"


def _criteria(entity: Entity, text: str, max_predicates: int, max_length: int) -> Criteria:
    return filter_criteria(text, lambda parsed: resolve(entity, parsed), max_predicates, max_length)


_C = TypeVar("_C")


def filter_criteria(text: str, resolver: Callable[[Filter], _C], max_predicates: int, max_length: int) -> _C:
    """The filter `text` parsed within the limits and resolved by `resolver` (one per binding)."""
    if len(text) > max_length:
        raise InvalidData(
            f"The filter is {len(text)} characters long; this server accepts filters of "
            f"at most {max_length} characters (OPENROSTER_MAX_FILTER_LENGTH)"
        )
    try:
        return resolver(parse_filter(text, max_predicates=max_predicates))
    except FilterLimitExceeded as exc:
        raise InvalidData(
            f"Filter too large: {exc.message} (OPENROSTER_MAX_FILTER_PREDICATES); the "
            f"first predicate past the limit starts at position {exc.position}"
        ) from None
    except FilterSyntaxError as exc:
        raise InvalidData(f"Malformed filter: {exc}") from None


def _fields(entity: Entity, text: str) -> tuple[tuple[str, ...] | None, list[StatusInfo]]:
    names = [name.strip() for name in text.split(",")]
    if any(not name for name in names):
        raise InvalidBlankSelectionField(
            f"fields has a blank field name ('{text}'); list field names separated by commas"
        )
    known = set(entity.by_name) | {"metadata"}
    unknown = [name for name in names if name not in known]
    if unknown:
        return None, [
            warning(
                "invalid_selection_field",
                f"Unknown selection field: {', '.join(unknown)}; all fields returned",
            )
        ]
    return tuple(dict.fromkeys(names)), []


def _sort(entity: Entity, text: str) -> tuple[Field | None, list[StatusInfo]]:
    field = entity.by_name.get(text.strip())
    if field is None:
        return None, [
            warning(
                "invalid_sort_field",
                f"Unknown sort field: {text}; results are in the default order (sourcedId)",
            )
        ]
    return field, []


def parse_query(
    entity: Entity,
    params: Mapping[str, str],
    *,
    collection: bool,
    max_limit: int,
    max_filter_predicates: int = DEFAULT_MAX_FILTER_PREDICATES,
    max_filter_length: int = DEFAULT_MAX_FILTER_LENGTH,
) -> ReadQuery:
    """Validate the parameters a read accepts; singletons take only `fields`. Unknown ones are ignored."""
    warnings: list[StatusInfo] = []
    fields = None
    if "fields" in params:
        fields, found = _fields(entity, params["fields"])
        warnings += found
    if not collection:
        return ReadQuery(limit=1, fields=fields, warnings=tuple(warnings))

    limit, offset = page_bounds(params, max_limit)
    sort = None
    if params.get("sort", "").strip():
        sort, found = _sort(entity, params["sort"])
        warnings += found
    criteria = None
    if "filter" in params:
        criteria = _criteria(entity, params["filter"], max_filter_predicates, max_filter_length)
    return ReadQuery(limit, offset, sort, descending(params), fields, criteria, tuple(warnings))


def page_bounds(params: Mapping[str, str], max_limit: int) -> tuple[int, int]:
    """`limit` (1 to `max_limit`, default 100) and `offset` (default 0); InvalidData otherwise."""
    limit = DEFAULT_LIMIT
    if "limit" in params:
        limit = _non_negative_int("limit", params["limit"], 1)
        if limit > max_limit:
            raise InvalidData(
                f"limit {limit} is above this server's maximum page size of "
                f"{max_limit}; ask for at most {max_limit} records and page with offset"
            )
    offset = _non_negative_int("offset", params["offset"], 0) if "offset" in params else 0
    return limit, offset


def descending(params: Mapping[str, str]) -> bool:
    """Whether `orderBy` asks for descending order (asc by default); InvalidData for other values."""
    order = params.get("orderBy", "asc").strip().lower() or "asc"
    if order not in ("asc", "desc"):
        raise InvalidData(f"orderBy must be asc or desc, not '{_shown(params['orderBy'])}'")
    return order == "desc"
