"""Compile resolved 1.2 filter criteria and sort fields into SQL on the (1.1) tables that hold the records.

Each 1.2 field is computed from the stored columns as its source in model/v12.py says, so a
filter or sort sees exactly the value the 1.2 document shows: `courseCode` is the stored code or
the sourcedId, an enrollment role `aide` is `ext:aide`, a role entry exists for each org of a
user, with an administrator's role named by the type of that org. Semantics are those of the
1.1 compiler (compile.py), on which this builds.
"""

from __future__ import annotations

from typing import Any, cast

import sqlalchemy as sa

from openroster.model.catalogue import Entity
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
)
from openroster.query.resolve import Condition, Part
from openroster.query.resolve_v12 import Condition12, Criteria12
from openroster.store.compile import _condition, holds, sort_key
from openroster.store.schema import TABLES, column_of


def _value(entity: Entity, field: Field12) -> sa.ColumnElement[Any]:
    """The record's own value of a scalar 1.2 field (NULL when the document has none)."""
    main = TABLES[entity.name].main
    source = field.source
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


def _condition_v12(entity: Entity, cond: Condition12, dialect: str) -> sa.ColumnElement[bool]:
    source, field = cond.field.source, cond.field
    if isinstance(source, Same):
        stored = Condition(entity.by_name[source.field], cast(Part, cond.part), cond.op, cond.value)
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
        return sort_key(entity, entity.by_name[source.field])
    if isinstance(source, NoSource):
        return sa.null()
    return _value(entity, field)
