"""Resolve 1.2 filter field paths against the 1.2 binding (model/v12.py) and type the compared values.

The grammar is 1.1's (query/filter.py). Paths name 1.2 fields and, with a dot, a member of a
structured one: `roles.role`, `roles.org.sourcedId`, `primaryOrg.sourcedId`, `userIds.type`.
On users, 1.1's `role` and `orgs` are accepted as `roles.role` and `roles.org.sourcedId`, so
clients moving from 1.1 keep their filters; CSV-style GUIDRef names (`classSourcedId`) work
as in 1.1.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType

from openroster.errors import InvalidFilterField
from openroster.model.catalogue import ENTITIES, Kind
from openroster.model.v12 import ENTITIES_V12, Entity12, Field12, Same
from openroster.query.filter import Filter
from openroster.query.resolve import typed_value

# For each structured kind: its members a path may name, the kind of each, and the member a
# bare field name means (None: a member must be named).
_GUIDREF = MappingProxyType({"sourcedId": Kind.STRING, "type": Kind.STRING})
_MEMBERS: Mapping[Kind, tuple[Mapping[str, Kind], str | None]] = MappingProxyType(
    {
        Kind.REF: (_GUIDREF, "sourcedId"),
        Kind.REF_LIST: (_GUIDREF, "sourcedId"),
        Kind.USER_IDS: (MappingProxyType({"identifier": Kind.STRING, "type": Kind.STRING}), "identifier"),
        Kind.ROLES: (
            MappingProxyType(
                {
                    "role": Kind.ENUM,
                    "roleType": Kind.ENUM,
                    "org": Kind.STRING,
                    "org.sourcedId": Kind.STRING,
                    "org.type": Kind.STRING,
                    "userProfile": Kind.STRING,
                    "beginDate": Kind.DATE,
                    "endDate": Kind.DATE,
                }
            ),
            None,
        ),
        Kind.USER_PROFILES: (
            MappingProxyType(
                {
                    name: Kind.STRING
                    for name in ("profileId", "profileType", "vendorId", "applicationId", "description")
                }
            ),
            None,
        ),
    }
)
# Lists of objects whose members are kept together: filters do not reach into them.
_NOT_FILTERABLE = frozenset(
    {Kind.SCORE_SCALE_VALUES, Kind.LEARNING_OBJECTIVES, Kind.LEARNING_OBJECTIVE_RESULTS}
)
# 1.1 names 1.2 removed from users, read as the 1.2 members that hold the same data.
_USER_ALIASES = MappingProxyType({"role": ("roles", "role"), "orgs": ("roles", "org.sourcedId")})


@dataclass(frozen=True)
class Condition12:
    """One typed predicate on a 1.2 field: `field[.part] op value`."""

    field: Field12
    part: str | None  # the member compared (`org.sourcedId` of roles); None: the field's own value
    op: str
    value: str | int | float


@dataclass(frozen=True)
class Criteria12:
    """A resolved 1.2 filter: OR of AND-groups of conditions."""

    any_of: tuple[tuple[Condition12, ...], ...]

    def field_names(self) -> set[str]:
        return {c.field.name for group in self.any_of for c in group}


@cache
def _csv_aliases(name: str) -> Mapping[str, str]:
    """CSV-style names (`classSourcedId`) of the GUIDRef fields 1.2 keeps from 1.1."""
    entity, stored = ENTITIES_V12[name], ENTITIES[name]
    out: dict[str, str] = {}
    for field in entity.fields:
        if field.kind in (Kind.REF, Kind.REF_LIST) and isinstance(field.source, Same):
            csv = stored.field(field.source.field).csv
            if csv:
                out[csv] = field.name
    return out


def resolve_field(entity: Entity12, path: str) -> tuple[Field12, str | None, Kind]:
    """(field, member, kind compared) for a 1.2 filter path; InvalidFilterField if there is none."""
    head, _, rest = path.partition(".")
    if entity.name == "user" and head in _USER_ALIASES and not rest:
        head, rest = _USER_ALIASES[head]
    head = _csv_aliases(entity.name).get(head, head) if not rest else head
    field = entity.by_name.get(head)
    if field is not None and field.kind in _NOT_FILTERABLE:
        raise InvalidFilterField(f"Unknown filter field: {path} ({field.name} cannot be filtered on)")
    if field is not None:
        members, default = _MEMBERS.get(field.kind, (MappingProxyType({}), None))
        if not members and not rest:
            return field, None, field.kind
        part = rest or default
        if part is not None and part in members:
            return field, part, members[part]
        if members:
            listed = ", ".join(f"{head}.{m}" for m in members)
            raise InvalidFilterField(f"Unknown filter field: {path} (filter on one of {listed})")
    raise InvalidFilterField(f"Unknown filter field: {path} (not a field of a OneRoster 1.2 {entity.name})")


def resolve_v12(entity: Entity12, parsed: Filter) -> Criteria12:
    groups = []
    for group in parsed.any_of:
        conditions = []
        for pred in group:
            field, part, kind = resolve_field(entity, pred.field)
            conditions.append(Condition12(field, part, pred.op, typed_value(kind, pred)))
        groups.append(tuple(conditions))
    return Criteria12(tuple(groups))
