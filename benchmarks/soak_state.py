"""What the soak expects the store to hold: the two bundles it alternates, and records checked against the catalogue.

Bundle A is a demo district without gradebook files (lineItems and results belong to the Grade Sync writers, so
an import never touches them); bundle B is A with every 7th user's givenName and every 5th course's title
changed and every 20th enrollment outside the first school left out (tombstoned by B, back by A); the writers
work in the first school's classes, so every result they write stays valid whichever bundle is in. Each record is reduced to a 64-bit
fingerprint of its JSON without `dateLastModified` (which moves at every import that changes it); a walk's
digest is the count and sum of its fingerprints, so a walk can be compared with a state without keeping it.
"""

from __future__ import annotations

import csv
import hashlib
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from openroster.check.sync import COLLECTIONS
from openroster.model.catalogue import ENTITIES, METADATA, STATUS, Entity, Kind
from openroster.model.json_input import read_object
from openroster.model.values import BadValue, parse_datetime

# The collections SDS pulls (the checker's simulated sync), by wrapper key.
SDS_COLLECTIONS: tuple[tuple[str, str], ...] = COLLECTIONS
BY_KEY: dict[str, Entity] = {e.collection_key: e for e in ENTITIES.values() if not e.association}
GRADEBOOK_FILES = ("lineItems.csv", "results.csv")


def fingerprint(record: dict[str, Any]) -> int:
    content = {k: v for k, v in record.items() if k != "dateLastModified"}
    return int.from_bytes(
        hashlib.blake2b(orjson.dumps(content, option=orjson.OPT_SORT_KEYS), digest_size=8).digest(), "big"
    )


def problem(entity: Entity, record: Any) -> str | None:
    """Why a served record is not a whole record of `entity` by the catalogue (None: it is)."""
    if not isinstance(record, dict):
        return "not a JSON object"
    unknown = [k for k in record if k not in entity.by_name and k != METADATA]
    if unknown:
        return f"unknown fields {unknown}"
    missing = [
        f.name
        for f in entity.all_fields
        if f.required and f.derived is None and record.get(f.name) in (None, "", [])
    ]
    if missing:
        return f"required fields missing {missing}"
    if record.get("status") not in STATUS:
        return f"status {record.get('status')!r}"
    try:
        parse_datetime(str(record.get("dateLastModified")))
    except BadValue as exc:
        return f"dateLastModified: {exc}"
    _, problems = read_object(entity, record)
    return f"bad fields {problems}" if problems else None


@dataclass
class State:
    """One roster state (a bundle as served): per collection, the count and fingerprint sum of its active walk."""

    label: str
    digests: dict[str, tuple[int, int]] = field(default_factory=dict)
    prints: dict[str, set[int]] = field(default_factory=dict)

    def add(self, key: str, prints: list[int]) -> None:
        self.prints[key] = set(prints)
        self.digests[key] = (len(prints), sum(prints) % 2**64)


def _rewrite(path: Path, change: Any) -> None:
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    kept = [new for i, old in enumerate(body) if (new := change(header, i, old)) is not None]
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([header, *kept])


def make_bundles(district: Path, folder: Path) -> tuple[Path, Path]:
    """Bundles A and B (folders) from a demo district, as described above."""
    a, b = folder / "bundle-a", folder / "bundle-b"
    shutil.copytree(district, a)
    for name in GRADEBOOK_FILES:
        (a / name).unlink()
    _rewrite(
        a / "manifest.csv", lambda h, i, row: None if row[0] in ("file.lineItems", "file.results") else row
    )
    shutil.copytree(a, b)

    def given(header: list[str], i: int, row: list[str]) -> list[str]:
        if i % 7 == 0:
            row[header.index("givenName")] += "-B"
        return row

    def title(header: list[str], i: int, row: list[str]) -> list[str]:
        if i % 5 == 0:
            row[header.index("title")] += " (B)"
        return row

    _rewrite(b / "users.csv", given)
    _rewrite(b / "courses.csv", title)
    with (a / "orgs.csv").open(newline="", encoding="utf-8") as f:
        first = min(row["sourcedId"] for row in csv.DictReader(f) if row["type"] == "school")
    _rewrite(
        b / "enrollments.csv",
        lambda h, i, row: None if i % 20 == 0 and row[h.index("schoolSourcedId")] != first else row,
    )
    return a, b


def csv_mismatches(bundle: Path, key: str, records: list[dict[str, Any]]) -> list[str]:
    """Where an active walk differs from the bundle's CSV: ids, and every plain string column."""
    entity = BY_KEY[key]
    path = bundle / entity.csv_file
    if not path.exists():
        return []
    served = {r["sourcedId"]: r for r in records}
    strings = [f.name for f in entity.all_fields if f.kind is Kind.STRING and f.csv == f.name]
    found: list[str] = []
    with path.open(newline="", encoding="utf-8") as f:
        rows = {
            row["sourcedId"]: row for row in csv.DictReader(f) if row.get("status", "active") != "tobedeleted"
        }
    if set(rows) != set(served):
        found.append(
            f"{key}: {len(set(rows) - set(served))} ids of {entity.csv_file} not served, "
            f"{len(set(served) - set(rows))} served ids not in it"
        )
    for sid, row in rows.items():
        record = served.get(sid)
        for name in strings:
            if record is not None and row.get(name) and record.get(name) != row[name]:
                found.append(f"{key} {sid}: {name} {record.get(name)!r}, CSV {row[name]!r}")
                break
    return found[:20]
