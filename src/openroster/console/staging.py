"""Uploaded bundles waiting to be imported: saved, checked completely, then imported or dropped.

An upload is checked exactly as `openroster import` checks a bundle, before anything is written,
and kept in a folder of its own under the system's temporary folder (one per store, so every
server process of the store finds it) until it is imported. Its problems are kept beside it, for
the report's download.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from openroster.ingest._idset import IdSet
from openroster.ingest.problems import BundleInvalid, Problem
from openroster.ingest.reader import check_bundle
from openroster.model.catalogue import ENTITIES
from openroster.store.records import each_stored_id

KEPT_SECONDS = 24 * 3600  # uploads never confirmed are dropped after a day
SHOWN_PROBLEMS = 100
_ID = re.compile(r"^[A-Za-z0-9_-]{22}$")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class Checked:
    upload_id: str
    name: str  # the bundle's file name, as uploaded (made safe)
    files: dict[str, tuple[str, int]]  # CSV file -> (mode, records)
    problems: list[Problem]  # the first ones, in file and line order
    total: int  # every problem found

    @property
    def grouped(self) -> dict[str, list[Problem]]:
        """The first SHOWN_PROBLEMS problems, by file."""
        groups: dict[str, list[Problem]] = {}
        for problem in self.problems[:SHOWN_PROBLEMS]:
            groups.setdefault(problem.file, []).append(problem)
        return groups


def staging_folder(database_url: str) -> Path:
    digest = hashlib.sha256(database_url.encode()).hexdigest()[:16]
    folder = Path(tempfile.gettempdir()) / f"openroster-console-{digest}"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def safe_name(name: str) -> str:
    stem = _UNSAFE.sub("-", Path(name).name).strip(".-")[:100] or "bundle"
    return stem if stem.lower().endswith(".zip") else stem + ".zip"


def stage(folder: Path, name: str, content: Path, engine: sa.Engine) -> Checked:
    """Keep the uploaded file `content` (moved) as `name` and check it against the store."""
    _drop_old(folder)
    upload_id = secrets.token_urlsafe(16)
    place = folder / upload_id
    place.mkdir(mode=0o700)
    bundle = place / safe_name(name)
    shutil.move(content, bundle)
    try:
        with engine.connect() as conn:
            checked = check_bundle(
                bundle, stored_ids=lambda entity: IdSet(each_stored_id(conn, ENTITIES[entity]))
            )
    except BundleInvalid as exc:
        (place / "problems.txt").write_text(
            "".join(f"{p}\n" for p in exc.problems) + _more(exc.total, len(exc.problems)), encoding="utf-8"
        )
        return Checked(upload_id, bundle.name, {}, exc.problems, exc.total)
    files = {
        ENTITIES[entity].csv_file: (checked.modes[entity], count) for entity, count in checked.counts.items()
    }
    return Checked(upload_id, bundle.name, files, [], 0)


def _more(total: int, kept: int) -> str:
    return f"... and {total - kept} more problems of the same kinds.\n" if total > kept else ""


def is_upload_id(upload_id: str) -> bool:
    return bool(_ID.match(upload_id))


def staged_bundle(folder: Path, upload_id: str) -> Path | None:
    """The bundle of a checked upload without problems, or None (unknown, dropped or refused)."""
    place = folder / upload_id
    if not _ID.match(upload_id) or not place.is_dir() or (place / "problems.txt").exists():
        return None
    bundles = list(place.glob("*.zip"))
    return bundles[0] if len(bundles) == 1 else None


def problems_text(folder: Path, upload_id: str) -> str | None:
    path = folder / upload_id / "problems.txt"
    return path.read_text(encoding="utf-8") if _ID.match(upload_id) and path.is_file() else None


def drop(folder: Path, upload_id: str) -> None:
    if _ID.match(upload_id):
        shutil.rmtree(folder / upload_id, ignore_errors=True)


def _drop_old(folder: Path) -> None:
    oldest = time.time() - KEPT_SECONDS
    for place in folder.iterdir():
        if place.is_dir() and place.stat().st_mtime < oldest:
            shutil.rmtree(place, ignore_errors=True)
