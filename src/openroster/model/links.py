"""The 1.2 fields a 1.2.1 bundle gives as rows of link files, from those link records and back.

A lineItem's (a result's) `scoreScale` is the scoreScale of its first link in
lineItemScoreScales.csv (resultScoreScales.csv), in sourcedId order; its `learningObjectiveSet`
is its rows of lineItemLearningObjectiveIds.csv (resultLearningObjectiveIds.csv) grouped by
`source`: the sources in the order of their first row, each source's objectives in sourcedId
order. Only active links count, for a tombstoned lineItem or result too.

A value no link gives (a REST PUT wrote it) is written to a bundle as generated link rows, active
and dated as their owner: `<owner>-scoreScale`, and `<owner>-objective-<n>` numbered in the
order of the set (zero-padded, so that their sourcedIds sort in that order). They are active
even for a tombstoned owner, whose tombstone then shows the same value once imported.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Any

from openroster.model.catalogue import ENTITIES, Field, Kind, Links

Record = Mapping[str, Any]

# owner entity name -> its fields given by link records
LINKED: Mapping[str, tuple[Field, ...]] = MappingProxyType(
    {
        name: fields
        for name, e in ENTITIES.items()
        if (fields := tuple(f for f in e.every_field if f.links is not None))
    }
)
# link entity name -> (owner entity name, the owner's field it gives)
LINK_FIELDS: Mapping[str, tuple[str, Field]] = MappingProxyType(
    {f.links.source: (owner, f) for owner, fields in LINKED.items() for f in fields if f.links}
)
_OBJECTIVES = {  # the kind of a set -> the key of its list, and the link columns of one item
    Kind.LEARNING_OBJECTIVES: ("learningObjectiveIds", ()),
    Kind.LEARNING_OBJECTIVE_RESULTS: ("learningObjectiveResults", ("score", "textScore")),
}


def links_of(field: Field) -> Links:
    assert field.links is not None
    return field.links


def link_sources(entity_name: str) -> set[str]:
    """The link entities whose records give fields of `entity_name`'s records."""
    return {links_of(f).source for f in LINKED.get(entity_name, ())}


def by_owner(field: Field, links: Iterable[Record]) -> dict[str, list[Record]]:
    """The link records of `field`, per owner sourcedId, each owner's in sourcedId order."""
    owned: dict[str, list[Record]] = {}
    for link in links:
        owned.setdefault(link[links_of(field).via], []).append(link)
    for records in owned.values():
        records.sort(key=lambda r: str(r["sourcedId"]))
    return owned


def active(links: Sequence[Record]) -> list[Record]:
    """The links an owner's value comes from."""
    return [link for link in links if link.get("status", "active") == "active"]


def value_of(field: Field, links: Sequence[Record]) -> Any:
    """The value of `field` the active `links` of one owner give (None: none)."""
    if not links:
        return None
    if field.kind is Kind.REF:
        return links[0][field.name]
    key, extras = _OBJECTIVES[field.kind]
    groups: dict[str, list[Any]] = {}
    for link in links:
        objective = link["learningObjectiveId"]
        if extras:
            objective = {"learningObjectiveId": objective, **{k: link[k] for k in extras if k in link}}
        groups.setdefault(link["source"], []).append(objective)
    return [{"source": source, key: items} for source, items in groups.items()]


def generated_links(field: Field, owner: Record) -> list[dict[str, Any]]:
    """The link records that give `owner` its value of `field` (none when it has none)."""
    value = owner.get(field.name)
    if not value:
        return []
    sid = owner["sourcedId"]
    base = {
        "status": "active",
        "dateLastModified": owner["dateLastModified"],
        links_of(field).via: sid,
    }
    if field.kind is Kind.REF:
        return [{"sourcedId": f"{sid}-scoreScale", **base, field.name: value}]
    key, extras = _OBJECTIVES[field.kind]
    items = [(group["source"], item) for group in value for item in group[key]]
    width = len(str(max(len(items) - 1, 0)))
    rows: list[dict[str, Any]] = []
    for position, (source, item) in enumerate(items):
        row = {"sourcedId": f"{sid}-objective-{position:0{width}d}", **base, "source": source}
        if extras:
            row["learningObjectiveId"] = item["learningObjectiveId"]
            row.update((k, item[k]) for k in extras if item.get(k) is not None)
        else:
            row["learningObjectiveId"] = item
        rows.append(row)
    return rows
