"""Hypothesis strategies for record values and whole bundles, derived from the catalogue.

Values are those a CSV cell can carry unchanged: list items and ids have no commas or
surrounding spaces, text is never blank, user id parts have no braces.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from hypothesis import strategies as st

from openroster.model.catalogue import DEMOGRAPHICS_OWNER, Entity, Field, Kind
from openroster.model.csv_binding import V11, csv_entities

ENTITIES = csv_entities(V11)  # the files of a 1.1 bundle

Records = dict[str, list[dict[str, Any]]]
DELTA_REQUIRED = ("status", "dateLastModified")
STORED = ["stored-1", "stored-2"]  # ids the store holds for every entity not in a bundle

text = st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=20).filter(
    lambda s: not s.isspace()
)
token = st.text(
    st.characters(exclude_categories=["Cs", "Cc"], exclude_characters=","), min_size=1, max_size=10
).filter(lambda s: s == s.strip() and s != "")
metadata_key = st.text(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-", min_size=1, max_size=12
)
user_id = st.fixed_dictionaries(
    {
        "type": token.filter(lambda s: not any(ch in s for ch in "{}:")),
        "identifier": token.filter(lambda s: "{" not in s and "}" not in s),
    }
)
score_scale_value = st.fixed_dictionaries(
    {
        "itemValueLHS": token.filter(lambda s: not any(ch in s for ch in "{}:")),
        "itemValueRHS": token.filter(lambda s: "{" not in s and "}" not in s),
    }
)


def value(field: Field, pools: dict[str, list[str]] | None = None) -> st.SearchStrategy[Any]:
    """Values of `field`; references are drawn from `pools` (entity -> ids), or any token."""
    kind = field.kind
    if kind in (Kind.REF, Kind.REF_LIST):
        target = st.sampled_from(pools[field.ref]) if pools is not None and field.ref else token
        return target if kind is Kind.REF else st.lists(target, min_size=1, max_size=3)
    if kind is Kind.STRING:
        return text
    if kind is Kind.DATE:
        return st.dates(date(1900, 1, 1), date(2999, 12, 31)).map(date.isoformat)
    if kind is Kind.DATETIME:
        return st.integers(-2_208_988_800_000, 4_102_444_800_000)
    if kind is Kind.YEAR:
        return st.integers(1000, 9999).map(str)
    if kind is Kind.BOOLEAN:
        return st.sampled_from(["true", "false"])
    if kind is Kind.FLOAT:
        return st.floats(allow_nan=False, allow_infinity=False)
    if kind is Kind.ENUM:
        return st.sampled_from(field.enum)
    if kind is Kind.ENUM_LIST:
        return st.lists(st.sampled_from(field.enum), min_size=1, max_size=4)
    if kind is Kind.STRING_LIST:
        return st.lists(token, min_size=1, max_size=4)
    if kind is Kind.USER_IDS:
        return st.lists(user_id, min_size=1, max_size=3)
    if kind is Kind.SCORE_SCALE_VALUES:
        return st.lists(score_scale_value, min_size=1, max_size=3)
    raise AssertionError(kind)


@st.composite
def record(
    draw: st.DrawFn, entity: Entity, sourced_id: str, pools: dict[str, list[str]], mode: str
) -> dict[str, Any]:
    result: dict[str, Any] = {"sourcedId": sourced_id}
    for f in entity.csv_fields:
        if f.name == "sourcedId":
            continue
        needed = f.required or (mode == "delta" and f.name in DELTA_REQUIRED)
        if needed or draw(st.booleans()):
            result[f.name] = draw(value(f, pools))
    if draw(st.booleans()):
        result["metadata"] = draw(st.dictionaries(metadata_key, text, min_size=1, max_size=3))
    return result


@st.composite
def bundles(draw: st.DrawFn, mode: str) -> Records:
    """Records for some entities whose references name records in the bundle, or STORED ids."""
    names = draw(st.sets(st.sampled_from(sorted(ENTITIES)), min_size=1, max_size=6))
    ids: dict[str, list[str]] = {}
    for name in sorted(names):
        if name != "demographics":
            ids[name] = draw(st.lists(token, min_size=1, max_size=3, unique=True))
    pools = {name: ids.get(name, STORED) for name in ENTITIES}
    if "demographics" in names:
        owners = pools[DEMOGRAPHICS_OWNER]
        ids["demographics"] = draw(st.lists(st.sampled_from(owners), min_size=1, max_size=3, unique=True))
    return {
        name: [draw(record(ENTITIES[name], sid, pools, mode)) for sid in ids[name]] for name in sorted(names)
    }
