"""Compile resolved filter criteria and sort fields into SQL on an entity's tables.

Semantics (the tests hold an independent evaluator to these): a predicate on a list field is
true when any element satisfies it; `!=` is the negation of `=` (so a record without the field
matches `field!='x'`); ordering operators and `~` are false on absent values; `~` is a
case-insensitive substring test; a GUIDRef's `type` is the referenced entity's type name.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from openroster.model.catalogue import ENTITIES, Entity, Field, Kind
from openroster.query.resolve import Condition, Criteria
from openroster.store.dialects import unicode_lower
from openroster.store.schema import TABLES, column_of

_PY_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq,
    "!=": operator.ne,
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
}


_SQL_OPS: dict[str, Callable[[sa.ColumnElement[Any], Any], sa.ColumnElement[bool]]] = {
    "=": lambda c, v: c == v,
    ">": lambda c, v: c > v,
    ">=": lambda c, v: c >= v,
    "<": lambda c, v: c < v,
    "<=": lambda c, v: c <= v,
}


def _compare(column: sa.ColumnElement[Any], op: str, value: Any, dialect: str) -> sa.ColumnElement[bool]:
    """`column op value`; '!=' arrives as '=' and is negated by the caller."""
    if op == "~":
        contains: sa.ColumnElement[bool] = unicode_lower(column, dialect).contains(value, autoescape=True)
        return contains
    return _SQL_OPS[op](column, value)


class _Target:
    """Where the compared values of one field live: a column, or rows related to the record."""

    def __init__(self, entity: Entity, field: Field, part: str | None) -> None:
        self.entity, self.field, self.part = entity, field, part
        self.main = TABLES[entity.name].main

    def values(self) -> tuple[sa.ColumnElement[Any], list[sa.ColumnElement[bool]], sa.FromClause | None]:
        """(value expression, correlation conditions, related table or None for a plain column)."""
        field = self.field
        if field.derived is not None:
            source = ENTITIES[field.derived.source]
            # Aliased: the source may be this very table (an org's children are orgs).
            table = TABLES[source.name].main.alias("related")
            via = table.c[source.by_name[field.derived.via].column]
            value = (
                table.c[source.by_name[field.derived.value].column]
                if field.derived.value
                else table.c.sourced_id
            )
            active = table.c.status == "active"
            return value, [via == self.main.c.sourced_id, active], table
        if field.is_list:
            child = TABLES[self.entity.name].lists[field.name]
            column = child.c[self.part or "identifier"] if field.kind is Kind.USER_IDS else child.c.value
            return column, [child.c.owner == self.main.c.sourced_id], child
        column = column_of(self.entity, field)
        if field.enum12:  # a token only 1.2 has is no value in 1.1
            return sa.case((column.in_(field.enum), column), else_=sa.null()), [], None
        return column, [], None


def _condition(entity: Entity, cond: Condition, dialect: str) -> sa.ColumnElement[bool]:
    value_expr, correlation, related = _Target(entity, cond.field, cond.part).values()
    typed_ref = cond.part == "type" and cond.field.kind in (Kind.REF, Kind.REF_LIST)
    # Every GUIDRef of a field has the same type: that of the entity it points at.
    type_name = cond.field.ref if typed_ref else None
    return holds(value_expr, correlation, related, cond.op, cond.value, dialect, type_name=type_name)


def holds(
    value_expr: sa.ColumnElement[Any],
    correlation: list[sa.ColumnElement[bool]],
    related: sa.FromClause | None,
    op: str,
    value: Any,
    dialect: str,
    *,
    type_name: str | None = None,
) -> sa.ColumnElement[bool]:
    """`value_expr op value` with the module docstring's semantics, for one record.

    `related` None: the value is the record's own (NULL when absent); otherwise the values are
    those of the `related` rows satisfying `correlation`, and one that matches is enough.
    `type_name`: compare that constant (a GUIDRef type) instead, where a value exists.
    """
    positive_op = "=" if op == "!=" else op
    if type_name is not None:
        found = (
            str(value) in type_name.lower() if positive_op == "~" else _PY_OPS[positive_op](type_name, value)
        )
        predicate = sa.true() if found else sa.false()
        exists = (
            value_expr.is_not(None)
            if related is None
            else sa.exists().select_from(related).where(*correlation)
        )
        positive = sa.and_(exists, predicate)
    else:
        compared = _compare(value_expr, positive_op, value, dialect)
        if related is None:
            positive = sa.and_(value_expr.is_not(None), compared)
        else:
            positive = sa.exists().select_from(related).where(*correlation, compared)
    return sa.not_(positive) if op == "!=" else positive


def criteria_condition(entity: Entity, criteria: Criteria, dialect: str) -> sa.ColumnElement[bool]:
    return sa.or_(*(sa.and_(*(_condition(entity, c, dialect) for c in group)) for group in criteria.any_of))


def sort_key(entity: Entity, field: Field) -> sa.ColumnElement[Any]:
    """The value records are ordered by: the column, or the least element of a list."""
    value_expr, correlation, related = _Target(entity, field, "identifier").values()
    if related is not None:
        value_expr = (
            sa.select(sa.func.min(value_expr)).select_from(related).where(*correlation).scalar_subquery()
        )
    return value_expr
