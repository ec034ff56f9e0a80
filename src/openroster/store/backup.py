"""A consistent copy of a live store: SQLite's online backup, or pg_dump for PostgreSQL."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url

from openroster.errors import ConfigurationError
from openroster.store.connect import remove_sqlite_files, require_existing, sqlite_file


def backup_store(url: str, out: Path) -> str:
    """Copy the store at `url` to the new file `out` while servers keep answering; returns how."""
    if out.exists():
        raise ConfigurationError(f"{out} already exists; give the path of a new file.")
    if not out.parent.is_dir():
        raise ConfigurationError(f"The folder {out.parent} does not exist; create it or choose another path.")
    path = sqlite_file(url)
    if path is not None:
        require_existing(url)
        _sqlite_backup(path, out)
        return "SQLite online backup"
    if make_url(url).get_backend_name() == "postgresql":
        _pg_dump(url, out)
        return "pg_dump (custom format; restore with pg_restore)"
    raise ConfigurationError(f"openroster backup knows SQLite and PostgreSQL stores, not {url}.")


def _sqlite_backup(path: Path, out: Path) -> None:
    # The backup API copies committed pages, including those still in the -wal file, under a
    # read snapshot: a copy of openroster.db alone can miss the latest imports.
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    target = sqlite3.connect(out)
    try:
        source.backup(target)
    except sqlite3.Error as exc:
        target.close()
        remove_sqlite_files(out)
        raise ConfigurationError(f"The backup of {path} failed ({exc}); nothing was written.") from None
    finally:
        source.close()
        target.close()


def _pg_dump(url: str, out: Path) -> None:
    libpq = make_url(url).set(drivername="postgresql")
    libpq_url = libpq.render_as_string(hide_password=False)
    program = shutil.which("pg_dump")
    if program is None:
        raise ConfigurationError(
            "pg_dump is not on PATH. Install the PostgreSQL client tools (the same major version as the "
            f"server), or run on a machine that has them: pg_dump --format=custom --file {out} "
            f"'{libpq.render_as_string(hide_password=True)}'"
        )
    done = subprocess.run(
        [program, "--format=custom", "--file", str(out), libpq_url], capture_output=True, text=True
    )
    if done.returncode != 0:
        out.unlink(missing_ok=True)
        raise ConfigurationError(f"pg_dump failed: {done.stderr.strip()}; nothing was written.")
