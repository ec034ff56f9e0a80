"""Check that every reference in a bundle names a record that exists, row by row as files are read.

A reference may point into the bundle or at data loaded earlier (`stored_ids`), depending on
the mode of the referenced file: bulk files replace what is stored, so only the bundle counts;
delta files only carry changes, so the bundle and the store both count; absent files leave
the store as it is.

Files are read in load order, so a reference usually points into a file already read and is
checked at once. A reference into a file not yet read through (a user's agents, an org's
parent) that does not match an id seen so far is checked when every file has been read.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Container, Iterator, Mapping
from typing import Any, NamedTuple

from openroster.ingest._manifest import Plan
from openroster.ingest._table import Log
from openroster.model.catalogue import DEMOGRAPHICS_OWNER, ENTITIES, REF_KINDS, Entity, Kind

__all__ = ["References"]

StoredIds = Callable[[str], Container[str]]


class _Either:
    """Membership in either of two id collections."""

    def __init__(self, first: Container[str], second: Container[str]) -> None:
        self.first, self.second = first, second

    def __contains__(self, item: object) -> bool:
        return item in self.first or item in self.second


class _Check(NamedTuple):
    """One reference field of a file, and where the ids it may name are."""

    file: str
    key: str  # field name in the record
    column: str
    is_list: bool
    target: str  # referenced entity
    ids: Container[str]
    settled: bool  # False: `ids` is still growing (its file is being read or comes later)
    where: str  # where the ids were looked for, and what to do
    prefix: str  # said before the problem

    def problem(self, item: str) -> str:
        return f"{self.prefix}There is no {self.target} with sourcedId '{item}' {self.where}"


class _Deferred:
    """References checked once every file is read: a few bytes each, as there may be millions."""

    def __init__(self) -> None:
        self.checks: list[_Check] = []
        self.lines = array("q")
        self.positions = array("l")  # index in `checks`
        self.items: list[str] = []

    def add(self, line: int, position: int, item: str) -> None:
        self.lines.append(line)
        self.positions.append(position)
        self.items.append(item)

    def __iter__(self) -> Iterator[tuple[int, _Check, str]]:
        checks = self.checks
        return (
            (line, checks[position], item)
            for line, position, item in zip(self.lines, self.positions, self.items)
        )


class References:
    """Reference checks of a bundle whose files are read one after the other.

    `ids` holds, for every file that is read, the collection its sourcedIds are gathered in as it
    is read (it may be replaced by an equal one once the file is done). Call `checker` before
    reading a file, `file_done` after, and `finish` once every file is read.
    """

    def __init__(
        self,
        plan: Plan,
        entities: Mapping[str, Entity],
        ids: Mapping[str, Container[str]],
        stored_ids: StoredIds,
        log: Log,
    ) -> None:
        """`entities`: the entities of the bundle's version, with its columns (csv_binding)."""
        self._plan, self._entities, self._ids, self._stored_ids, self._log = (
            plan,
            entities,
            ids,
            stored_ids,
            log,
        )
        self._done: dict[str, bool] = {}  # file read through -> its ids are complete
        self._stored_cache: dict[str, Container[str]] = {}
        self._deferred = _Deferred()

    def file_done(self, name: str, complete: bool) -> None:
        self._done[name] = complete

    def checker(self, name: str) -> Callable[[int, Mapping[str, Any]], None] | None:
        """A function checking the references of one record of `name` (None: it has none to check)."""
        entity = self._entities[name]
        file = entity.csv_file
        checks: list[_Check] = []
        for f in entity.csv_fields:
            if f.kind in REF_KINDS and f.ref is not None:
                self._add_check(checks, file, f.name, f.csv or f.name, f.ref, f.kind is Kind.REF_LIST, "")
        if name == "demographics":
            self._add_check(
                checks,
                file,
                "sourcedId",
                "sourcedId",
                DEMOGRAPHICS_OWNER,
                False,
                f"A demographics record's sourcedId must be that of the {DEMOGRAPHICS_OWNER} it describes. ",
            )
        if not checks:
            return None
        add, defer = self._log.add, self._deferred.add
        start = len(self._deferred.checks)
        self._deferred.checks += checks
        numbered = [(start + n, c) for n, c in enumerate(checks)]

        def check(line: int, record: Mapping[str, Any]) -> None:
            deferring = False  # once one reference waits, the rest of the row waits too (report order)
            for position, c in numbered:
                value = record.get(c.key)
                if value is None:
                    continue
                for item in value if c.is_list else (value,):
                    if deferring:
                        defer(line, position, item)
                    elif item in c.ids:
                        continue
                    elif c.settled:
                        add(file, line, c.column, c.problem(item))
                    else:
                        deferring = True
                        defer(line, position, item)

        return check

    def finish(self) -> None:
        """Check the references that waited for their file to be read through."""
        add = self._log.add
        for line, c, item in self._deferred:
            if not c.settled and not self._done.get(c.target, False):
                continue  # the target file was unreadable: already reported
            if item not in c.ids:
                add(c.file, line, c.column, c.problem(item))
        self._deferred = _Deferred()

    def _add_check(
        self, checks: list[_Check], file: str, key: str, column: str, ref: str, is_list: bool, prefix: str
    ) -> None:
        found = self._targets(ref)
        if found is None:
            return
        ids, where, settled = found
        checks.append(_Check(file, key, column, is_list, ref, ids, settled, where, prefix))

    def _stored(self, name: str) -> Container[str]:
        if name not in self._stored_cache:
            ids = self._stored_ids(name)
            # A list would make each lookup a scan; sets and database-backed views are kept as they are.
            self._stored_cache[name] = frozenset(ids) if isinstance(ids, (list, tuple)) else ids
        return self._stored_cache[name]

    def _targets(self, name: str) -> tuple[Container[str], str, bool] | None:
        """The ids a reference to `name` may name, where they were looked for, and whether they are
        final; None when they are unknowable (file missing or unreadable, already reported)."""
        target = ENTITIES[name]
        file, plural = target.csv_file, target.collection_key
        if name in self._plan.missing:
            return None
        mode = self._plan.read.get(name)
        if mode is None:
            return (
                self._stored(name),
                f"among the {plural} already loaded, and {file} is not part "
                f"of this bundle; include {file} or correct the id.",
                True,
            )
        settled = name in self._done
        if settled and not self._done[name]:
            return None
        ids = self._ids[name]
        if mode == "delta":
            return (
                _Either(ids, self._stored(name)),
                f"in {file} or among the {plural} already loaded; add it to {file} or correct the id.",
                settled,
            )
        return (ids, f"in {file}; add it to {file} or correct the id.", settled)
