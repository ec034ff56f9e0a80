"""Compute derived lists (an org's children, a class's resources, a user's roles) from their source records."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from openroster.model.catalogue import Entity

# field name -> owner sourcedId -> referenced ids (or, for `whole` lists, the source records)
DerivedLists = dict[str, dict[str, list[Any]]]


def derived_sources(entity: Entity) -> set[str]:
    """Names of the entities whose records feed this entity's derived lists."""
    return {f.derived.source for f in entity.every_field if f.derived is not None}


def derive(entity: Entity, records_of: Mapping[str, Iterable[Mapping[str, Any]]]) -> DerivedLists:
    """Derived lists of every record of `entity`, given the records of each source entity.

    Only active source records count: a tombstoned child is no longer a child.
    """
    out: DerivedLists = {}
    for field in entity.every_field:
        if field.derived is None:
            continue
        rule = field.derived
        lists: dict[str, list[Any]] = {}
        for record in records_of[rule.source]:
            owner = record.get(rule.via)
            if owner is None or record.get("status", "active") != "active":
                continue
            value = record if rule.whole else record[rule.value] if rule.value else record["sourcedId"]
            lists.setdefault(owner, []).append(value)
        for values in lists.values():
            values.sort(key=_sourced_id if rule.whole else None)
        out[field.name] = lists
    return out


def _sourced_id(record: Mapping[str, Any]) -> str:
    return str(record["sourcedId"])


def for_record(derived: DerivedLists, sourced_id: str) -> dict[str, list[Any]]:
    return {name: lists.get(sourced_id, []) for name, lists in derived.items()}
