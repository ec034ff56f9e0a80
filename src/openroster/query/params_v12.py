"""Query parameters of 1.2 reads -> the typed query object 1.1 reads use too (spec §4 of 1.2).

Paging, `orderBy` and the filter grammar are 1.1's. What 1.2 changed: `fields` may also be
repeated (`fields=a&fields=b`), and an unknown or blank name in it is 400
invalid_selection_field; 1.2 has no warnings on success, so an unknown `sort` field (or one that
cannot be ordered by, such as `roles`) is the default order without a word.
"""

from __future__ import annotations

from openroster.config import DEFAULT_MAX_FILTER_LENGTH, DEFAULT_MAX_FILTER_PREDICATES
from openroster.errors import InvalidSelectionField
from openroster.model.catalogue import Kind
from openroster.model.v12 import Entity12, Field12, RolesFromRoleAndOrgs
from openroster.query.params import ReadQuery, descending, filter_criteria, page_bounds, query_pairs
from openroster.query.resolve_v12 import resolve_v12

# Lists of objects: no value to order by.
_UNORDERED = frozenset(
    {
        Kind.ROLES,
        Kind.USER_PROFILES,
        Kind.SCORE_SCALE_VALUES,
        Kind.LEARNING_OBJECTIVES,
        Kind.LEARNING_OBJECTIVE_RESULTS,
    }
)


def _fields(entity: Entity12, values: list[str]) -> tuple[str, ...]:
    names = [name.strip() for value in values for name in value.split(",")]
    if any(not name for name in names):
        raise InvalidSelectionField(
            f"fields has a blank field name ('{','.join(values)}'); list field names separated by commas"
        )
    known = set(entity.by_name) | {"metadata"}
    unknown = [name for name in names if name not in known]
    if unknown:
        raise InvalidSelectionField(
            f"Unknown selection field: {', '.join(unknown)} (not a field of a OneRoster 1.2 {entity.name})"
        )
    return tuple(dict.fromkeys(names))


def _sort(entity: Entity12, text: str) -> Field12 | None:
    field = entity.by_name.get(text.strip())
    if field is None or field.kind in _UNORDERED or isinstance(field.source, RolesFromRoleAndOrgs):
        return None
    return field


def parse_query_v12(
    entity: Entity12,
    raw_query: bytes,
    *,
    collection: bool,
    max_limit: int,
    max_filter_predicates: int = DEFAULT_MAX_FILTER_PREDICATES,
    max_filter_length: int = DEFAULT_MAX_FILTER_LENGTH,
) -> ReadQuery:
    """Validate what a 1.2 read accepts; singletons take only `fields`. Unknown parameters are ignored."""
    pairs = query_pairs(raw_query)
    params: dict[str, str] = {}
    for name, value in pairs:
        params.setdefault(name, value)
    selected = [value for name, value in pairs if name == "fields"]
    fields = _fields(entity, selected) if selected else None
    if not collection:
        return ReadQuery(limit=1, fields=fields)
    limit, offset = page_bounds(params, max_limit)
    sort = _sort(entity, params["sort"]) if params.get("sort", "").strip() else None
    criteria = None
    if "filter" in params:
        criteria = filter_criteria(
            params["filter"],
            lambda parsed: resolve_v12(entity, parsed),
            max_filter_predicates,
            max_filter_length,
        )
    return ReadQuery(limit, offset, sort, descending(params), fields, criteria)
