"""A read's filter and sort, in SQL, for whichever binding (1.1 or 1.2) the query was parsed for."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from openroster.model.catalogue import Entity, Field
from openroster.model.v12 import Field12
from openroster.query.resolve import Criteria
from openroster.query.resolve_v12 import Criteria12
from openroster.store import compile as v11
from openroster.store import compile_v12 as v12


def criteria_condition(
    entity: Entity, criteria: Criteria | Criteria12, dialect: str
) -> sa.ColumnElement[bool]:
    if isinstance(criteria, Criteria12):
        return v12.criteria_condition_v12(entity, criteria, dialect)
    return v11.criteria_condition(entity, criteria, dialect)


def sort_key(entity: Entity, field: Field | Field12) -> sa.ColumnElement[Any]:
    if isinstance(field, Field12):
        return v12.sort_key_v12(entity, field)
    return v11.sort_key(entity, field)
