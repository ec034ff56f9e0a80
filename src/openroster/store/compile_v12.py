"""Compile resolved 1.2 filter criteria and sort fields into SQL on the (1.1) tables that hold the records.

Each 1.2 field is computed from the stored columns as its source in model/v12.py says, so a
filter or sort sees exactly the value the 1.2 document shows: `courseCode` is the stored code or
the sourcedId, an enrollment role `aide` is `ext:aide`; a user's role entries are its active
role records (roles.csv), or, for a user without any, one for each org of its 1.1 record, with
an administrator's role named by the type of that org. Semantics are those of the 1.1 compiler
(compile.py), on which this builds.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, cast

import sqlalchemy as sa

from openroster.model.catalogue import ENTITIES, Entity, Field, Kind
from openroster.model.roles import PROFILE_ID_PREFIX
from openroster.model.v12 import (
    DISTRICT_ADMINISTRATOR,
    DISTRICT_LEVEL_ORG_TYPES,
    SITE_ADMINISTRATOR,
    Field12,
    NoSource,
    OrSourcedId,
    Renamed,
    RolesFromRoleAndOrgs,
    Same,
    SoleElement,
    StoredOr,
)
from openroster.query.resolve import Condition, Part
from openroster.query.resolve_v12 import Condition12, Criteria12
from openroster.store.compile import _condition, holds, sort_key
from openroster.store.schema import TABLES, column_of


def _as_stored(entity: Entity, name: str) -> Field:
    """The catalogue field `name` with every stored token its value (1.1 sees no `enum12` token)."""
    field = entity.field(name)
    return replace(field, enum12=()) if field.enum12 else field


def _value(entity: Entity, field: Field12) -> sa.ColumnElement[Any]:
    """The record's own value of a scalar 1.2 field (NULL when the document has none)."""
    main = TABLES[entity.name].main
    source = field.source
    if isinstance(source, StoredOr):
        own = column_of(entity, entity.field(source.field))
        return sa.func.coalesce(own, _value(entity, replace(field, source=source.fallback)))
    if isinstance(source, OrSourcedId):
        return sa.func.coalesce(column_of(entity, entity.by_name[source.field]), main.c.sourced_id)
    if isinstance(source, Renamed):
        column = column_of(entity, entity.by_name[source.field])
        return sa.case(dict(source.tokens), value=column, else_=column)
    if isinstance(source, SoleElement):
        child = TABLES[entity.name].lists[source.field]
        return (
            sa.select(sa.func.min(child.c.value))
            .where(child.c.owner == main.c.sourced_id)
            .having(sa.func.count() == 1)
            .scalar_subquery()
        )
    raise AssertionError(f"{field.name}: not a scalar computed from stored columns")


def _roles(
    entity: Entity, source: RolesFromRoleAndOrgs, cond: Condition12, dialect: str
) -> sa.ColumnElement[bool]:
    """A condition on a user's roles[]: one entry per row of its orgs list, joined to the org."""
    main = TABLES[entity.name].main
    orgs = TABLES[entity.name].lists[source.orgs]
    org = TABLES["org"].main.alias("role_org")
    related = orgs.outerjoin(org, org.c.sourced_id == orgs.c.value)
    correlation = [orgs.c.owner == main.c.sourced_id]
    role = column_of(entity, entity.by_name[source.role])
    type_name = "org" if cond.part == "org.type" else None
    if cond.part == "role":
        by_org = sa.case(
            (org.c.type.in_(DISTRICT_LEVEL_ORG_TYPES), DISTRICT_ADMINISTRATOR), else_=SITE_ADMINISTRATOR
        )
        value: sa.ColumnElement[Any] = sa.case((role == "administrator", by_org), else_=role)
    elif cond.part == "roleType":
        value = sa.literal("primary")  # every 1.1 role is the primary one in each of its orgs
    elif cond.part in ("org", "org.sourcedId", "org.type"):
        value = orgs.c.value
    else:  # userProfile, beginDate, endDate: 1.1 data has none
        value = sa.null()
    return holds(value, correlation, related, cond.op, cond.value, dialect, type_name=type_name)


def _records(entity: Entity, name: str) -> tuple[sa.Table, sa.ColumnElement[bool]]:
    """The table of the records list `name` of `entity` is derived from, and the condition that
    a row of it is one of the list's (an active record naming the owner)."""
    rule = entity.field(name).derived
    assert rule is not None and rule.whole
    source = ENTITIES[rule.source]
    table = TABLES[source.name].main
    via = column_of(source, source.field(rule.via))
    return table, sa.and_(via == TABLES[entity.name].main.c.sourced_id, table.c.status == "active")


def _member(record_entity: str, table: sa.Table, part: str) -> sa.ColumnElement[Any]:
    """The column (or expression) of a role or profile record a member of its entry shows."""
    if part in ("userProfile", "profileId"):
        column = table.c.user_profile_sourced_id if part == "userProfile" else table.c.sourced_id
        return sa.literal(PROFILE_ID_PREFIX) + column
    if part in ("org", "org.sourcedId", "org.type"):
        return table.c.org_sourced_id
    return column_of(ENTITIES[record_entity], ENTITIES[record_entity].field(part))


def _role_records(
    entity: Entity, name: str, cond: Condition12, dialect: str
) -> tuple[sa.ColumnElement[bool], sa.ColumnElement[bool]]:
    """(an active role record of the user matches `cond`, the user has an active role record)."""
    roles, mine = _records(entity, name)
    part = cond.part or "role"
    type_name = "org" if part == "org.type" else None
    value = _member("role", roles, part)
    matches = holds(value, [mine], roles, cond.op, cond.value, dialect, type_name=type_name)
    return matches, sa.exists().select_from(roles).where(mine)


def _profile_records(entity: Entity, name: str, cond: Condition12, dialect: str) -> sa.ColumnElement[bool]:
    profiles, mine = _records(entity, name)
    value = _member("userProfile", profiles, cond.part or "profileId")
    return holds(value, [mine], profiles, cond.op, cond.value, dialect)


def _condition_v12(entity: Entity, cond: Condition12, dialect: str) -> sa.ColumnElement[bool]:
    source, field = cond.field.source, cond.field
    if isinstance(source, StoredOr) and field.kind is Kind.ROLES:
        assert isinstance(source.fallback, RolesFromRoleAndOrgs)
        positive = replace(cond, op="=") if cond.op == "!=" else cond
        matches, has_records = _role_records(entity, source.field, positive, dialect)
        derived = _roles(entity, source.fallback, positive, dialect)
        found = sa.or_(matches, sa.and_(sa.not_(has_records), derived))
        return sa.not_(found) if cond.op == "!=" else found
    if isinstance(source, Same) and field.kind is Kind.USER_PROFILES:
        return _profile_records(entity, source.field, cond, dialect)
    if isinstance(source, Same):
        stored = Condition(_as_stored(entity, source.field), cast(Part, cond.part), cond.op, cond.value)
        return _condition(entity, stored, dialect)
    if isinstance(source, NoSource):  # absent from every record: only != holds
        return sa.true() if cond.op == "!=" else sa.false()
    if isinstance(source, RolesFromRoleAndOrgs):
        return _roles(entity, source, cond, dialect)
    type_name = field.ref if cond.part == "type" else None
    return holds(_value(entity, field), [], None, cond.op, cond.value, dialect, type_name=type_name)


def criteria_condition_v12(entity: Entity, criteria: Criteria12, dialect: str) -> sa.ColumnElement[bool]:
    return sa.or_(
        *(sa.and_(*(_condition_v12(entity, c, dialect) for c in group)) for group in criteria.any_of)
    )


def sort_key_v12(entity: Entity, field: Field12) -> sa.ColumnElement[Any]:
    """The value records are ordered by for a 1.2 field (parse_query_v12 picks only orderable ones)."""
    source = field.source
    if isinstance(source, Same):
        return sort_key(entity, _as_stored(entity, source.field))
    if isinstance(source, NoSource):
        return sa.null()
    return _value(entity, field)
