"""Decode one entity's CSV file into records, reporting header, row, cell and duplicate-sourcedId problems.

This is the hot loop of an import (a users.csv can have a million rows), so all per-column
decisions are taken once from the header and each row only indexes, tests and decodes.
The same decoding serves both passes of an import: checking the bundle, then writing it.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from openroster.ingest._idset import IdSet
from openroster.ingest._source import MAX_LINE_CHARACTERS, BundleSource, Digest, LineTooLong, bounded_lines
from openroster.ingest.cells import cell_decoder
from openroster.model.catalogue import LIST_KINDS, METADATA, Entity, Kind
from openroster.model.values import BadValue

if TYPE_CHECKING:
    from _csv import Reader

__all__ = ["Log", "TableRows"]

METADATA_PREFIX = METADATA + "."
# Header names accepted in place of the 1.1 ones (Microsoft's sample exporter writes 'gender').
_ALIASES = {"demographics": {"gender": "sex"}}
# Base fields that may be blank in bulk files but must be filled in delta files.
_DELTA_REQUIRED = ("status", "dateLastModified")


class Log(Protocol):
    """Where problems are reported (a ProblemLog while checking a bundle)."""

    def add(self, file: str, line: int | None, column: str | None, message: str) -> None: ...


class TableRows:
    """The records of one entity's file as (line, record) pairs, in file order; iterate once.

    Problems are reported to `log`: a row whose cells do not match the header is not yielded,
    other records are yielded without the values that have problems. `ids`, when given, is
    filled with the file's sourcedIds, and a sourcedId used again is a problem. Once iterated,
    `read_through` tells whether every row was read, and `complete` whether, in addition, the
    file has a sourcedId column (so that `ids` holds all of the file's sourcedIds). `digest`,
    when given, is fed the file's bytes.
    """

    def __init__(
        self,
        source: BundleSource,
        entity: Entity,
        mode: str,
        log: Log,
        *,
        ids: IdSet | None = None,
        digest: Digest | None = None,
    ) -> None:
        self.source, self.entity, self.mode, self.log = source, entity, mode, log
        self.ids = None if ids is None else _SourcedIds(ids, self._first_lines_before)
        self.digest = digest
        self.read_through = False
        self.complete = False

    def __iter__(self) -> Iterator[tuple[int, dict[str, Any]]]:
        source, entity, log = self.source, self.entity, self.log
        file = entity.csv_file
        previous_end = 0
        try:
            with source.open_text(file, self.digest) as text:
                rows = csv.reader(bounded_lines(text))
                header = next(rows, None)
                if header is None:
                    log.add(
                        file,
                        None,
                        None,
                        f"{file} is empty; it needs at least the header line, "
                        f"which starts {','.join(f.csv or '' for f in entity.csv_fields[:4])}.",
                    )
                    return
                previous_end = rows.line_num
                plan = _plan_columns(entity, [name.strip() for name in header], self.mode, log)
                yield from _decode_rows(rows, previous_end, len(header), plan, file, self.ids, log)
        except UnicodeDecodeError:
            line = source.undecodable_line(file) or previous_end + 1
            log.add(
                file,
                line,
                None,
                f"This line is not UTF-8 text, so {file} cannot be read; save the "
                "file as CSV UTF-8 and try again.",
            )
            return
        except LineTooLong as exc:
            log.add(
                file,
                exc.line,
                None,
                f"This line is longer than the {MAX_LINE_CHARACTERS:,} characters "
                "a row may have, so the file was not read further; check that it is a CSV file with "
                "one record per line.",
            )
            return
        except csv.Error as exc:
            log.add(
                file,
                previous_end + 1,
                None,
                f"This line cannot be read as CSV ({exc}); check its quotes and save the file as CSV UTF-8.",
            )
            return
        self.read_through = True
        self.complete = plan.id_index is not None

    def _first_lines_before(self, line: int) -> dict[str, int]:
        """The line where each sourcedId used up to `line` was first used, from reading the file again."""
        ids = _SourcedIds(IdSet(), self._first_lines_before, first_lines={})
        ignore = _Ignore()
        with self.source.open_text(self.entity.csv_file) as text:
            rows = csv.reader(bounded_lines(text))
            header = next(rows, None)
            assert header is not None  # read once already
            plan = _plan_columns(self.entity, [name.strip() for name in header], self.mode, ignore)
            file = self.entity.csv_file
            for seen, _ in _decode_rows(rows, rows.line_num, len(header), plan, file, ids, ignore):
                if seen >= line:
                    break
        assert ids.first_lines is not None
        return ids.first_lines


class _SourcedIds:
    """The sourcedIds of a file as it is read into `names`, and where each was first used.

    Those lines are needed only to report a sourcedId used again, so they are not kept until
    then (a million-row file would hold a million of them): the first reuse `names` sees (by
    hash) has `recall` read the file again up to there, and from then on the line of every new
    sourcedId is kept, so a reuse is reported only when the strings themselves are equal.
    """

    def __init__(
        self,
        names: IdSet,
        recall: Callable[[int], dict[str, int]],
        first_lines: dict[str, int] | None = None,
    ) -> None:
        self.names, self.recall, self.first_lines = names, recall, first_lines

    def use(self, sourced_id: str, line: int) -> int:
        """Note that `sourced_id` is used on `line`; the line where it was first used."""
        if self.first_lines is None:
            if self.names.add(sourced_id):
                return line
            self.first_lines = self.recall(line)
        self.names.add(sourced_id)
        return self.first_lines.setdefault(sourced_id, line)


class _Ignore:
    """A log for reading a file again: its problems are reported already."""

    def add(self, file: str, line: int | None, column: str | None, message: str) -> None:
        pass


class _Column(NamedTuple):
    position: int
    key: str  # field name
    name: str  # column name in this file
    decode: Callable[[str], object] | None  # None: the text is the value
    required: bool
    is_list: bool


@dataclass
class _Plan:
    columns: list[_Column]
    metadata: list[tuple[int, str]]  # (position, metadata key)
    id_index: int | None


def _plan_columns(entity: Entity, header: list[str], mode: str, log: Log) -> _Plan:
    file = entity.csv_file
    by_column = {f.csv: f for f in entity.csv_fields if f.csv is not None}
    by_column.update({alias: entity.by_name[name] for alias, name in _ALIASES.get(entity.name, {}).items()})
    folded = {name.lower(): name for name in by_column}
    columns: list[_Column] = []
    metadata: list[tuple[int, str]] = []
    first_use: dict[str, int] = {}  # field name or metadata column -> header position
    for index, name in enumerate(header):
        found = by_column.get(name)
        key = found.name if found is not None else name
        if not name:
            log.add(
                file, 1, None, f"Column {index + 1} of the header has no name; name it or delete the column."
            )
            continue
        if key in first_use:
            earlier = first_use[key]
            what = (
                f"The column {name} appears more than once"
                if header[earlier] == name
                else f"The columns {header[earlier]} and {name} both give {key}"
            )
            log.add(file, 1, name, f"{what} (columns {earlier + 1} and {index + 1}); keep only one of them.")
            continue
        first_use[key] = index
        if found is not None:
            required = found.required or (mode == "delta" and found.name in _DELTA_REQUIRED)
            decode = None if found.kind in (Kind.STRING, Kind.REF) else cell_decoder(found)
            columns.append(_Column(index, found.name, name, decode, required, found.kind in LIST_KINDS))
        elif name.startswith(METADATA_PREFIX) and len(name) > len(METADATA_PREFIX):
            metadata.append((index, name[len(METADATA_PREFIX) :]))
        else:
            message = f"{name} is not a column of {file}."
            guess = folded.get(name.lower())
            if guess is not None:
                message += f" Column names are case-sensitive: write {guess}."
            else:
                message += (
                    f" Rename it to a column of {file}, remove it, or name it "
                    f"{METADATA_PREFIX}{name} to keep it as extra data."
                )
            log.add(file, 1, name, message)
    for f in entity.csv_fields:
        needed = f.required or (mode == "delta" and f.name in _DELTA_REQUIRED)
        if needed and f.name not in first_use:
            why = "delta files require" if not f.required else f"{file} requires"
            log.add(
                file,
                1,
                f.csv,
                f"The header has no {f.csv} column, which {why}; add it (column names are case-sensitive).",
            )
    id_index = first_use.get("sourcedId")
    return _Plan(columns, metadata, id_index)


def _decode_rows(
    rows: Reader, previous_end: int, width: int, plan: _Plan, file: str, ids: _SourcedIds | None, log: Log
) -> Iterator[tuple[int, dict[str, Any]]]:
    columns, metadata, id_index = plan.columns, plan.metadata, plan.id_index
    add = log.add
    for row in rows:
        line, previous_end = previous_end + 1, rows.line_num
        if len(row) != width:
            if not any(cell.strip() for cell in row):
                continue  # a blank line, or a line of empty cells left by a spreadsheet
            if len(row) < width or any(cell.strip() for cell in row[width:]):
                count = f"{len(row)} value" + ("" if len(row) == 1 else "s")
                add(
                    file,
                    line,
                    None,
                    f"This line has {count} but the header has {width} columns; "
                    "quote values that contain commas, and give every column a value (blank is fine).",
                )
                if ids is not None and id_index is not None and id_index < len(row) and row[id_index].strip():
                    ids.use(row[id_index], line)  # avoids follow-on reference problems
                continue
            row = row[:width]
        elif id_index is None or not row[id_index] or row[id_index].isspace():
            if not any(cell.strip() for cell in row):
                continue
        record: dict[str, Any] = {}
        for index, key, name, decode, required, is_list in columns:
            cell = row[index]
            if not cell or cell.isspace():
                if required:
                    add(file, line, name, _blank_message(name, key))
                continue
            if decode is None:
                record[key] = cell
                continue
            try:
                value = decode(cell)
            except BadValue as exc:
                add(file, line, name, str(exc))
                continue
            if is_list and not value:
                if required:
                    add(file, line, name, _blank_message(name, key))
                continue
            record[key] = value
        if metadata:
            extra = {key: row[index] for index, key in metadata if row[index] and not row[index].isspace()}
            if extra:
                record[METADATA] = extra
        if ids is not None:
            sourced_id = record.get("sourcedId")
            if sourced_id is not None:
                first = ids.use(sourced_id, line)
                if first != line:
                    add(
                        file,
                        line,
                        "sourcedId",
                        f"The sourcedId '{sourced_id}' is used again; it was "
                        f"first used on line {first}. Give every record its own sourcedId.",
                    )
        yield line, record


def _blank_message(name: str, key: str) -> str:
    if key == "status":
        return "status must be filled in a delta file; write active or tobedeleted."
    if key == "dateLastModified":
        return (
            "dateLastModified must be filled in a delta file; write when the record last changed, "
            "for example 2024-08-15T13:05:22.000Z."
        )
    if key == "sourcedId":
        return "sourcedId is blank; every record needs its own sourcedId."
    return f"{name} is required but blank; fill it in."
