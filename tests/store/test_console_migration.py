"""Migration 0011 (the console's tables and the import log's new columns) upgrades a loaded store
keeping its import log, and downgrades again, on both backends."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command

from openroster.console.accounts import add_account, verify
from openroster.store import import_log, migrate
from openroster.store.migrate import _config
from tests.conftest import BACKENDS, load
from tests.district import district


@pytest.mark.parametrize("backend", BACKENDS)
def test_0011_upgrades_and_downgrades_a_loaded_store(backend: str, tmp_path: Path) -> None:
    engine = load(tmp_path, district(), backend=backend)
    add_account(engine, "ada", "admin", "a long passphrase")
    with engine.begin() as conn:
        command.downgrade(_config(conn), "0010")
    tables = set(sa.inspect(engine).get_table_names())
    assert not {"console_accounts", "console_sessions", "console_reports", "console_requests"} & tables
    columns = {c["name"] for c in sa.inspect(engine).get_columns("import_runs")}
    assert not {"bundle", "run_by", "changes"} & columns
    with engine.connect() as conn:
        kept = conn.execute(sa.text("SELECT count(*) FROM import_runs")).scalar_one()
    assert kept == 1
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.head_revision()
    with engine.connect() as conn:
        (run,) = import_log.recent_runs(conn, 10)
    assert run.succeeded and (run.bundle, run.run_by, run.changes) == (None, None, None)  # from before 0011
    assert verify(engine, "ada", "a long passphrase") is None  # accounts went with the downgrade
    engine.dispose()


def test_the_import_log_keeps_the_bundle_who_and_what_changed(tmp_path: Path) -> None:
    from openroster.ingest.importer import import_bundle
    from openroster.ingest.writer import write_bundle

    engine = load(tmp_path, district())
    records = district()
    records["user"].pop()
    write_bundle(tmp_path / "spring", records)
    import_bundle(engine, tmp_path / "spring", run_by="ada")
    with engine.connect() as conn:
        latest, first = import_log.recent_runs(conn, 10)
    assert (latest.bundle, latest.run_by) == ("spring", "ada")
    assert latest.changes is not None and latest.changes["user"]["tombstoned"] == 1
    assert (first.bundle, first.run_by) == ("bundle", None)
    assert first.changes is not None and sum(first.changes["user"].values()) == len(district()["user"])
    engine.dispose()
