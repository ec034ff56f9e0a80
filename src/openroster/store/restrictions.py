"""Declarative restrictions an endpoint puts on the records it serves, and their SQL.

`/students` is users Match("role", "student"); `/classes/{class_id}/students` adds
Through("enrollment", "user", (Match("class", Param("class_id")), Match("role", "student"), ...)):
some enrollment points at the user, for that class, as a student.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from openroster.model.catalogue import ENTITIES, Entity, Field, Kind
from openroster.store.boundaries import inside, offered_to_class
from openroster.store.schema import TABLES, column_of


@dataclass(frozen=True)
class Param:
    """The value of a path parameter, e.g. Param("school_id")."""

    name: str


@dataclass(frozen=True)
class Match:
    """The record's `field` equals `value` (for a list field: one of its elements does)."""

    field: str
    value: str | Param


@dataclass(frozen=True)
class Through:
    """Some `entity` record whose `to_target` field names this record, and that satisfies `where`."""

    entity: str
    to_target: str
    where: tuple[Match, ...]


@dataclass(frozen=True)
class Via:
    """The record's `field` names a record of `entity` that satisfies `where`.

    Results of a class: Via("lineItem", "lineItem", (Match("class", Param("class_id")),)).
    """

    field: str
    entity: str
    where: tuple[Match, ...]


@dataclass(frozen=True)
class Boundary:
    """Only records inside these orgs (see boundaries.py)."""

    orgs: frozenset[str]


@dataclass(frozen=True)
class OfferedToClass:
    """Categories a class's lineItems may use (boundaries.offered_to_class); none for a missing class."""

    class_id: Param


@dataclass(frozen=True)
class HasRole:
    """A user with a role entry `role` (1.2's /students and /teachers): an active role record with
    it (roles.csv), or, for a user without any, a 1.1 `role` of that value."""

    role: str


Restriction = tuple[Match | Through | Via | Boundary | OfferedToClass | HasRole, ...]


def _value(value: str | Param, params: Mapping[str, str]) -> str:
    return params[value.name] if isinstance(value, Param) else value


def points_at(entity: Entity, field: Field, target_id: sa.ColumnElement[Any]) -> sa.ColumnElement[bool]:
    """`entity.field` (a GUIDRef or GUIDRef list, stored) names `target_id`, as a condition on entity."""
    table = TABLES[entity.name].main
    if field.kind is Kind.REF or field.name == "sourcedId":
        return column_of(entity, field) == target_id
    child = TABLES[entity.name].lists[field.name]
    # Correlated to every enclosing query: `target_id` may be two levels out (Through a list field).
    return (
        sa.exists()
        .where(child.c.owner == table.c.sourced_id, child.c.value == target_id)
        .correlate_except(child)
    )


def _match(entity: Entity, match: Match, params: Mapping[str, str]) -> sa.ColumnElement[bool]:
    field = entity.by_name[match.field]
    value = sa.literal(_value(match.value, params))
    if field.kind in (Kind.REF_LIST, Kind.STRING_LIST, Kind.ENUM_LIST):
        return points_at(entity, field, value)
    return column_of(entity, field) == value


def _has_role(role: str) -> sa.ColumnElement[bool]:
    users, roles = TABLES["user"].main, TABLES["role"].main
    mine = sa.and_(roles.c.user_sourced_id == users.c.sourced_id, roles.c.status == "active")
    with_records = sa.exists().where(mine)
    return sa.or_(
        sa.exists().where(mine, roles.c.role == role),
        sa.and_(sa.not_(with_records), users.c.role == role),
    )


def restriction_condition(
    entity: Entity, restriction: Restriction, params: Mapping[str, str]
) -> sa.ColumnElement[bool]:
    target = TABLES[entity.name].main
    parts: list[sa.ColumnElement[bool]] = []
    for item in restriction:
        if isinstance(item, Boundary):
            parts.append(inside(entity.name, item.orgs))
            continue
        if isinstance(item, Match):
            parts.append(_match(entity, item, params))
            continue
        if isinstance(item, HasRole):
            parts.append(_has_role(item.role))
            continue
        if isinstance(item, OfferedToClass):
            parts.append(offered_to_class(_value(item.class_id, params)))
            continue
        if isinstance(item, Via):
            other = ENTITIES[item.entity]
            named = sa.select(TABLES[other.name].main.c.sourced_id).where(
                *(_match(other, m, params) for m in item.where)
            )
            parts.append(column_of(entity, entity.by_name[item.field]).in_(named))
            continue
        link = ENTITIES[item.entity]
        link_table = TABLES[link.name].main
        conditions = [points_at(link, link.by_name[item.to_target], target.c.sourced_id)]
        conditions += [_match(link, m, params) for m in item.where]
        parts.append(sa.exists(sa.select(sa.literal(1)).select_from(link_table).where(*conditions)))
    return sa.and_(sa.true(), *parts)
