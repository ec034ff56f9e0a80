"""How the elements of a stored list field become rows of its child table, and come back from them.

Most lists hold one value per row (`value`); a list of pairs (user ids, a score scale's values)
one pair per row; a learning objective set (1.2) one objective per row, with the source it is
from (and, for results, its score and textScore), regrouped by source when read.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from openroster.model.catalogue import PAIR_MEMBERS, Kind

OBJECTIVE_COLUMNS = ("source", "objective", "score", "text_score")
NULLABLE_COLUMNS = frozenset({"score", "text_score"})
FLOAT_COLUMNS = frozenset({"score"})
_OBJECTIVE_LISTS = {  # the kind -> the key its set's list is under
    Kind.LEARNING_OBJECTIVES: "learningObjectiveIds",
    Kind.LEARNING_OBJECTIVE_RESULTS: "learningObjectiveResults",
}


def value_columns(kind: Kind) -> tuple[str, ...]:
    """The columns of a child table after (owner, position)."""
    if kind in PAIR_MEMBERS:
        return tuple(column for _, column in PAIR_MEMBERS[kind])
    if kind in _OBJECTIVE_LISTS:
        return OBJECTIVE_COLUMNS
    return ("value",)


def element_rows(kind: Kind, values: Iterable[Any]) -> Iterator[tuple[Any, ...]]:
    """The value columns of each row that holds `values`, in order."""
    if kind in PAIR_MEMBERS:
        (first, _), (second, _) = PAIR_MEMBERS[kind]
        for value in values:
            yield value[first], value[second]
    elif kind is Kind.LEARNING_OBJECTIVES:
        for group in values:
            for objective in group["learningObjectiveIds"]:
                yield group["source"], objective, None, None
    elif kind is Kind.LEARNING_OBJECTIVE_RESULTS:
        for group in values:
            for result in group["learningObjectiveResults"]:
                yield (
                    group["source"],
                    result["learningObjectiveId"],
                    result.get("score"),
                    result.get("textScore"),
                )
    else:
        for value in values:
            yield (value,)


def from_rows(kind: Kind, rows: Iterable[Mapping[str, Any]]) -> list[Any]:
    """The list `element_rows` stored, from its rows in position order."""
    if kind in PAIR_MEMBERS:
        return [{key: row[column] for key, column in PAIR_MEMBERS[kind]} for row in rows]
    if kind not in _OBJECTIVE_LISTS:
        return [row["value"] for row in rows]
    groups: dict[str, list[Any]] = {}
    for row in rows:
        items = groups.setdefault(row["source"], [])
        if kind is Kind.LEARNING_OBJECTIVES:
            items.append(row["objective"])
        else:
            result = {
                "learningObjectiveId": row["objective"],
                "score": row["score"],
                "textScore": row["text_score"],
            }
            items.append({k: v for k, v in result.items() if v is not None})
    return [{"source": source, _OBJECTIVE_LISTS[kind]: items} for source, items in groups.items()]
