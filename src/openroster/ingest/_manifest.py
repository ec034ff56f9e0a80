"""Read manifest.csv and decide, for every entity, whether and how its file is processed.

The manifest's `oneroster.version` (1.1 or 1.2) says which files the bundle may have and their
columns (model/csv_binding.py). Without a usable manifest (missing, unreadable, or with the wrong header) only the manifest's
own problems are reported: the files' modes are unknown, so their checks would mislead.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from openroster.ingest._source import BundleSource, bounded_lines
from openroster.ingest.problems import MANIFEST, ProblemLog
from openroster.model.csv_binding import V11, VERSIONS, csv_entities, file_properties

if TYPE_CHECKING:
    from _csv import Reader

__all__ = ["MODES", "Manifest", "Plan", "plan_files", "read_manifest"]

MODES = ("absent", "bulk", "delta")
HEADER = ["propertyName", "value"]
_EXAMPLE_ROWS = (
    "oneroster.version,1.1 and one file.<name>,bulk|delta|absent row per file (for example file.users,bulk)"
)


@dataclass
class Manifest:
    usable: bool = False  # found, readable and with the right header
    version: str = V11  # the OneRoster version of the bundle's files (1.1 when not given or unknown)
    properties: dict[str, str] = field(default_factory=dict)
    declared: dict[str, tuple[str, int]] = field(default_factory=dict)  # entity -> (mode, line)
    mentioned: set[str] = field(default_factory=set)  # entities with a file.<x> row, valid or not


@dataclass
class Plan:
    modes: dict[str, str]  # entity -> declared (or implied) mode, for every entity
    read: dict[str, str]  # entity -> mode its present file is checked with
    missing: set[str]  # entities declared bulk/delta whose file is not in the bundle


def read_manifest(source: BundleSource, log: ProblemLog) -> Manifest:
    manifest = Manifest()
    if MANIFEST not in source.names:
        log.add(
            MANIFEST,
            None,
            None,
            f"The bundle has no {MANIFEST}. Add one at the top of the bundle "
            f"with the header propertyName,value and the rows {_EXAMPLE_ROWS}.",
        )
        return manifest
    try:
        with source.open_text(MANIFEST) as text:
            rows = csv.reader(bounded_lines(text))
            header = [cell.strip() for cell in next(rows, [])]
            if header != HEADER:
                shown = ",".join(header) if header else "empty"
                log.add(
                    MANIFEST,
                    1,
                    None,
                    f"The header must be propertyName,value but it is {shown}; correct the first line.",
                )
                if len(header) != 2:
                    return manifest
            manifest.usable = True
            _read_rows(rows, rows.line_num, manifest, log)
    except UnicodeDecodeError:
        log.add(
            MANIFEST,
            source.undecodable_line(MANIFEST),
            None,
            f"This line is not UTF-8 text, so "
            f"{MANIFEST} cannot be read; save the file as CSV UTF-8 and try again.",
        )
        manifest.usable = False
        return manifest
    except csv.Error as exc:
        log.add(
            MANIFEST,
            None,
            None,
            f"{MANIFEST} cannot be read as CSV ({exc}); check its quotes and save it as CSV UTF-8.",
        )
        manifest.usable = False
        return manifest
    version = manifest.properties.get("oneroster.version")
    if version is None:
        log.add(
            MANIFEST,
            None,
            None,
            "The manifest has no oneroster.version row; add the row oneroster.version,1.1.",
        )
    return manifest


def _read_rows(rows: Reader, previous_end: int, manifest: Manifest, log: ProblemLog) -> None:
    seen: dict[str, int] = {}
    files: list[tuple[str, str, int]] = []  # declared once the version is known
    for row in rows:
        line, previous_end = previous_end + 1, rows.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < 2 or any(cell.strip() for cell in row[2:]):
            log.add(
                MANIFEST,
                line,
                None,
                f"A manifest row holds exactly two values, propertyName and "
                f"value, but this one has {len(row)}; quote values that contain commas.",
            )
            continue
        name, value = row[0].strip(), row[1].strip()
        if name in seen:
            log.add(
                MANIFEST,
                line,
                "propertyName",
                f"The property {name} is given again (first on line {seen[name]}); keep only one row for it.",
            )
            continue
        seen[name] = line
        manifest.properties[name] = value
        if name == "oneroster.version":
            if value in VERSIONS:
                manifest.version = value
            else:
                log.add(
                    MANIFEST,
                    line,
                    "value",
                    f"oneroster.version is '{value}', but this server reads OneRoster 1.1 and 1.2 "
                    "bundles; export the data as OneRoster 1.1 or 1.2 and set the value to 1.1 or 1.2.",
                )
        elif name.startswith("file."):
            files.append((name, value, line))
    for name, value, line in files:
        _declare(name, value, line, manifest, log)


def _declare(name: str, value: str, line: int, manifest: Manifest, log: ProblemLog) -> None:
    properties = file_properties(manifest.version)
    entity = properties.get(name)
    if entity is None:
        message = f"{name} is not a OneRoster {manifest.version} file."
        guess = {p.lower(): p for p in properties}.get(name.lower())
        other = _other_version(manifest.version)
        if guess is not None:
            message += f" Property names are case-sensitive: write {guess}."
        elif name in file_properties(other):
            message += f" It belongs to OneRoster {other} bundles: remove the row, or set oneroster.version to {other}."
        else:
            message += f" Use one of {', '.join(properties)}."
        log.add(MANIFEST, line, "propertyName", message)
        return
    manifest.mentioned.add(entity)
    mode = value.lower()
    if mode not in MODES:
        log.add(
            MANIFEST,
            line,
            "value",
            f"'{value}' is not a processing mode for "
            f"{csv_entities(manifest.version)[entity].csv_file}; write bulk, delta or absent.",
        )
        return
    manifest.declared[entity] = (mode, line)


def _other_version(version: str) -> str:
    return next(v for v in VERSIONS if v != version)


def plan_files(manifest: Manifest, names: list[str], log: ProblemLog) -> Plan:
    """Match the files present with the manifest's declarations, reporting every mismatch."""
    entities = csv_entities(manifest.version)
    by_file = {e.csv_file: e.name for e in entities.values()}
    prop_of = {name: prop for prop, name in file_properties(manifest.version).items()}
    present: set[str] = set()
    for name in names:
        if name == MANIFEST or not name.lower().endswith(".csv"):
            continue
        found = by_file.get(name)
        if found is None:
            log.add(name, None, None, _unknown_file_message(name, manifest.version))
        else:
            present.add(found)
    plan = Plan(modes={}, read={}, missing=set())
    for entity in entities.values():
        prop = prop_of[entity.name]
        mode, line = manifest.declared.get(entity.name, ("absent", None))
        plan.modes[entity.name] = mode
        here = entity.name in present
        if mode != "absent":
            if here:
                plan.read[entity.name] = mode
            else:
                plan.missing.add(entity.name)
                log.add(
                    MANIFEST,
                    line,
                    "value",
                    f"The manifest declares {entity.csv_file} as {mode}, but "
                    f"the bundle has no {entity.csv_file}; add the file or change the row to "
                    f"{prop},absent.",
                )
        elif here:
            plan.read[entity.name] = "bulk"
            if line is not None:
                log.add(
                    MANIFEST,
                    line,
                    "value",
                    f"{entity.csv_file} is in the bundle but the manifest "
                    f"declares it absent; change the row to {prop},bulk (or {prop},delta), or "
                    "remove the file.",
                )
            elif manifest.usable and entity.name not in manifest.mentioned:
                log.add(
                    MANIFEST,
                    None,
                    None,
                    f"{entity.csv_file} is in the bundle but the manifest does "
                    f"not declare it; add the row {prop},bulk (or {prop},delta).",
                )
    return plan


def _unknown_file_message(name: str, version: str) -> str:
    files = [e.csv_file for e in csv_entities(version).values()]
    message = f"{name} is not a OneRoster {version} file"
    guess = {f.lower(): f for f in files}.get(name.lower())
    if guess is not None:
        return message + f"; file names are case-sensitive, so rename it to {guess}."
    other = _other_version(version)
    if name in (e.csv_file for e in csv_entities(other).values()):
        return (
            message
            + f"; it belongs to OneRoster {other} bundles: remove it, or set oneroster.version to {other}."
        )
    return message + f"; remove it from the bundle, or rename it to one of {', '.join(files)}."
