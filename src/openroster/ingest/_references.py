"""Check that every reference in a bundle names a record that exists.

A reference may point into the bundle or at data loaded earlier (`stored_ids`), depending on
the mode of the referenced file: bulk files replace what is stored, so only the bundle counts;
delta files only carry changes, so the bundle and the store both count; absent files leave
the store as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Container
from typing import Any

from openroster.ingest._manifest import Plan
from openroster.ingest._table import Table
from openroster.ingest.problems import ProblemLog
from openroster.model.catalogue import DEMOGRAPHICS_OWNER, ENTITIES, REF_KINDS, Kind

__all__ = ["check_references"]

StoredIds = Callable[[str], Collection[str]]


class _Either:
    """Membership in either of two id collections."""

    def __init__(self, first: Container[str], second: Container[str]) -> None:
        self.first, self.second = first, second

    def __contains__(self, item: object) -> bool:
        return item in self.first or item in self.second


class _Targets:
    """For each referenced entity: the ids a reference may name, and where they were looked for."""

    def __init__(self, tables: dict[str, Table], plan: Plan, stored_ids: StoredIds) -> None:
        self._tables, self._plan, self._stored_ids = tables, plan, stored_ids
        self._cache: dict[str, tuple[Container[str], str] | None] = {}

    def get(self, name: str) -> tuple[Container[str], str] | None:
        """None when the ids are unknowable (file missing or unreadable, already reported)."""
        if name not in self._cache:
            self._cache[name] = self._resolve(name)
        return self._cache[name]

    def _stored(self, name: str) -> Container[str]:
        ids = self._stored_ids(name)
        # A list would make each lookup a scan; sets and database-backed views are kept as they are.
        return frozenset(ids) if isinstance(ids, (list, tuple)) else ids

    def _resolve(self, name: str) -> tuple[Container[str], str] | None:
        target = ENTITIES[name]
        file, plural = target.csv_file, target.collection_key
        if name in self._plan.missing:
            return None
        mode = self._plan.read.get(name)
        if mode is None:
            return (self._stored(name), f"among the {plural} already loaded, and {file} is not part "
                    f"of this bundle; include {file} or correct the id.")
        table = self._tables.get(name)
        if table is None or not table.complete:
            return None
        if mode == "delta":
            return (_Either(table.ids, self._stored(name)), f"in {file} or among the {plural} "
                    f"already loaded; add it to {file} or correct the id.")
        return (table.ids, f"in {file}; add it to {file} or correct the id.")


def check_references(tables: dict[str, Table], plan: Plan, stored_ids: StoredIds, log: ProblemLog) -> None:
    targets = _Targets(tables, plan, stored_ids)
    for name, table in tables.items():
        entity = ENTITIES[name]
        for f in entity.csv_fields:
            if f.kind in REF_KINDS and f.ref is not None:
                _check_field(table, entity.csv_file, f.name, f.csv or f.name, f.ref,
                             f.kind is Kind.REF_LIST, targets, log, "")
        if name == "demographics":
            _check_field(table, entity.csv_file, "sourcedId", "sourcedId", DEMOGRAPHICS_OWNER, False,
                         targets, log, "A demographics record's sourcedId must be that of the "
                         f"{DEMOGRAPHICS_OWNER} it describes. ")


def _check_field(table: Table, file: str, key: str, column: str, ref: str, is_list: bool,
                 targets: _Targets, log: ProblemLog, prefix: str) -> None:
    found = targets.get(ref)
    if found is None:
        return
    ids, where = found
    lines = table.lines
    for position, record in enumerate(table.records):
        value: Any = record.get(key)
        if value is None:
            continue
        for item in (value if is_list else (value,)):
            if item not in ids:
                log.add(file, lines[position], column,
                        f"{prefix}There is no {ref} with sourcedId '{item}' {where}")
