"""Write records as a OneRoster CSV bundle (1.1 or 1.2.1; a folder, or a .zip) that read_bundle accepts.

Every file gets every column of its version (model/csv_binding.py) in catalogue order, then one `metadata.<key>` column
per metadata key seen (sorted). Cells are quoted per RFC 4180, list cells always; lines end
with CRLF; text is UTF-8 without a byte-order mark.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

import orjson

from openroster.ingest._table import METADATA_PREFIX
from openroster.ingest.cells import encode_cell
from openroster.ingest.problems import MANIFEST
from openroster.model.catalogue import ENTITIES, METADATA, Entity
from openroster.model.csv_binding import V11, csv_entities, file_properties
from openroster.model.values import BadValue, now_ms

__all__ = ["write_bundle"]

_NEWLINE = "\r\n"
_NEEDS_QUOTES = re.compile(r'[",\r\n]')


def write_bundle(
    out: Path,
    records: Mapping[str, Iterable[dict[str, Any]]],
    *,
    mode: str = "bulk",
    system_name: str = "openroster",
    version: str = V11,
) -> None:
    """Write `records` (entity name -> records) as a bundle of OneRoster `version` at `out`.

    Files of entities not given are declared absent. In delta mode every record needs a status
    and dateLastModified; missing ones are written as active and the time of writing. Writing
    into an existing folder replaces the bundle's files there, including removing catalogue
    files this bundle declares absent.
    """
    if mode not in ("bulk", "delta"):
        raise ValueError(f"mode must be 'bulk' or 'delta', not {mode!r}")
    entities = csv_entities(version)
    unknown = sorted(set(records) - set(entities))
    if unknown:
        raise ValueError(f"not OneRoster {version} entities: {', '.join(unknown)}; use {', '.join(entities)}")
    files = {entities[name].csv_file: _csv_text(entities[name], rows, mode) for name, rows in records.items()}
    files = {MANIFEST: _manifest_text(set(records), mode, system_name, version), **files}
    out = Path(out)
    if out.suffix.lower() == ".zip":
        _write_zip(out, files)
    else:
        _write_folder(out, files)


def _manifest_text(given: set[str], mode: str, system_name: str, version: str) -> Iterator[str]:
    yield _line(["propertyName", "value"])
    yield _line(["manifest.version", "1.0"])
    yield _line(["oneroster.version", version])
    for prop, name in file_properties(version).items():
        yield _line([prop, mode if name in given else "absent"])
    yield _line(["source.systemName", system_name])


def _csv_text(entity: Entity, records: Iterable[dict[str, Any]], mode: str) -> Iterator[str]:
    # Metadata columns must be known before the header is written, hence two passes.
    rows = records if isinstance(records, Sequence) else list(records)
    meta_keys = sorted({key for record in rows for key in (record.get(METADATA) or {})})
    fields = entity.csv_fields
    allowed = set(entity.by_name) | {METADATA}
    yield _line([f.csv or f.name for f in fields] + [METADATA_PREFIX + key for key in meta_keys])
    defaults: dict[str, object] = (
        {"status": "active", "dateLastModified": now_ms()} if mode == "delta" else {}
    )
    for record in rows:
        if not allowed.issuperset(record):
            extra = ", ".join(sorted(set(record) - allowed))
            raise ValueError(
                f"{entity.name} record {record.get('sourcedId')!r} has fields that "
                f"{entity.name} does not have: {extra}"
            )
        cells: list[str] = []
        quote: list[bool] = []
        for f in fields:
            value = record.get(f.name)
            if value is None:
                value = defaults.get(f.name)
            try:
                cells.append(encode_cell(f, value))
            except BadValue as exc:
                raise BadValue(
                    f"Cannot write {entity.csv_file} record {record.get('sourcedId')!r}, {f.name}: {exc}"
                ) from None
            quote.append(f.is_list)
        meta = record.get(METADATA) or {}
        cells += [_metadata_text(meta.get(key)) for key in meta_keys]
        yield _line(cells, quote)


def _metadata_text(value: object) -> str:
    if value is None or isinstance(value, str):
        return value or ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return orjson.dumps(value).decode()


def _line(cells: list[str], quote: Sequence[bool] = ()) -> str:
    parts = []
    for position, cell in enumerate(cells):
        forced = position < len(quote) and quote[position] and cell
        if forced or _NEEDS_QUOTES.search(cell):
            cell = '"' + cell.replace('"', '""') + '"'
        parts.append(cell)
    return ",".join(parts) + _NEWLINE


def _write_lines(target: TextIO, lines: Iterator[str]) -> None:
    for line in lines:
        target.write(line)


def _write_folder(out: Path, files: dict[str, Iterator[str]]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for entity in ENTITIES.values():
        stale = out / entity.csv_file
        if entity.csv_file not in files and stale.is_file():
            stale.unlink()  # it would contradict the manifest, which declares it absent
    for name, lines in files.items():
        with open(out / name, "w", encoding="utf-8", newline="") as target:
            _write_lines(target, lines)


def _write_zip(out: Path, files: dict[str, Iterator[str]]) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    try:
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, lines in files.items():
                with (
                    archive.open(name, "w") as raw,
                    io.TextIOWrapper(raw, encoding="utf-8", newline="") as target,
                ):
                    _write_lines(target, lines)
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
