"""Resolve filter field paths against the catalogue and type the compared values."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from openroster.errors import InvalidData, InvalidFilterField
from openroster.model.catalogue import Entity, Field, Kind
from openroster.model.values import BadValue, parse_datetime, parse_float
from openroster.query.filter import Filter, Predicate

# The part of a structured field a predicate compares: a GUIDRef's sourcedId or type, or a
# userIds element's identifier or type. None: the field's own value.
Part = Literal["sourcedId", "type", "identifier"] | None
TEXT_KINDS = frozenset(
    {Kind.STRING, Kind.ENUM, Kind.YEAR, Kind.DATE, Kind.BOOLEAN, Kind.STRING_LIST, Kind.ENUM_LIST}
)


@dataclass(frozen=True)
class Condition:
    """One typed predicate: `field[.part] op value`, with value converted to the field's type."""

    field: Field
    part: Part
    op: str
    value: str | int | float


@dataclass(frozen=True)
class Criteria:
    """A resolved filter: OR of AND-groups of conditions."""

    any_of: tuple[tuple[Condition, ...], ...]

    def field_names(self) -> set[str]:
        return {c.field.name for group in self.any_of for c in group}


def _aliases(entity: Entity) -> dict[str, tuple[Field, Part]]:
    """CSV-style names clients send (`classSourcedId`, `orgSourcedIds`) for GUIDRef fields."""
    out: dict[str, tuple[Field, Part]] = {}
    for field in entity.all_fields:
        if field.kind in (Kind.REF, Kind.REF_LIST) and field.csv:
            out[field.csv] = (field, "sourcedId")
    return out


def resolve_field(entity: Entity, path: str) -> tuple[Field, Part]:
    """Map a filter field path to a catalogue field; unknown paths -> InvalidFilterField."""
    head, _, rest = path.partition(".")
    field = entity.by_name.get(head)
    if field is None and not rest:
        alias = _aliases(entity).get(head)
        if alias:
            return alias
    if field is not None:
        if not rest:
            if field.kind in (Kind.REF, Kind.REF_LIST):
                return field, "sourcedId"
            if field.kind is Kind.USER_IDS:
                return field, "identifier"
            return field, None
        if field.kind in (Kind.REF, Kind.REF_LIST) and rest in ("sourcedId", "type"):
            return field, rest  # type: ignore[return-value]
        if field.kind is Kind.USER_IDS and rest in ("identifier", "type"):
            return field, rest  # type: ignore[return-value]
    raise InvalidFilterField(f"Unknown filter field: {path} (not a field of {entity.name})")


def _typed(field: Field, part: Part, pred: Predicate) -> str | int | float:
    return typed_value(field.kind if part is None else Kind.STRING, pred)


def typed_value(kind: Kind, pred: Predicate) -> str | int | float:
    """The predicate's value as compared with values of `kind`; InvalidData if it cannot be."""
    if pred.op == "~":
        if kind in TEXT_KINDS:
            return pred.value.lower()
        raise InvalidData(
            f"Filter on {pred.field}: the ~ (contains) operator applies to text "
            f"fields, not to {kind.value} values"
        )
    try:
        if kind is Kind.DATETIME:
            return parse_datetime(pred.value)
        if kind is Kind.FLOAT:
            return parse_float(pred.value)
    except BadValue as exc:
        raise InvalidData(f"Filter on {pred.field}: {exc}") from None
    if kind is Kind.DATE and "T" in pred.value:
        return pred.value.split("T", 1)[0]
    if kind is Kind.BOOLEAN:
        return pred.value.strip().lower()
    return pred.value


def resolve(entity: Entity, parsed: Filter) -> Criteria:
    groups = []
    for group in parsed.any_of:
        conditions = []
        for pred in group:
            field, part = resolve_field(entity, pred.field)
            conditions.append(Condition(field, part, pred.op, _typed(field, part, pred)))
        groups.append(tuple(conditions))
    return Criteria(tuple(groups))
