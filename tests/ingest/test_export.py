"""`openroster export` is lossless: imported into an empty store, its bundle serves the same records."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from openroster.cli import app
from openroster.store.dialects import create_engine
from tests.conftest import BACKENDS, client_for, new_database
from tests.ingest.history import history_store, pull, tombstone_count

runner = CliRunner()
GRADEBOOK_LISTS = ("/categories", "/lineItems", "/results")  # these hide tombstones unless asked


@pytest.mark.parametrize("backend", BACKENDS)
def test_export_then_import_into_an_empty_store_serves_the_same_records(tmp_path: Path, backend: str) -> None:
    source = history_store(tmp_path, backend)
    with client_for(source) as client:
        before = pull(client, with_revision=False)
    url = source.url.render_as_string(hide_password=False)
    exported = runner.invoke(app, ["export", str(tmp_path / "out.zip"), "--database", url])
    assert exported.exit_code == 0, exported.output
    (tmp_path / "target").mkdir()
    target_url = new_database(backend, tmp_path / "target")
    imported = runner.invoke(app, ["import", str(tmp_path / "out.zip"), "--database", target_url])
    assert imported.exit_code == 0, imported.output
    target = create_engine(target_url)
    with client_for(target) as client:
        after = pull(client, with_revision=False)
    assert tombstone_count(before) >= 6
    assert after == before
    source.dispose()
    target.dispose()


def test_the_bundle_writes_status_and_date_last_modified_of_every_record(tmp_path: Path) -> None:
    source = history_store(tmp_path, "sqlite")
    url = source.url.render_as_string(hide_password=False)
    assert runner.invoke(app, ["export", str(tmp_path / "out"), "--database", url]).exit_code == 0
    with open(tmp_path / "out" / "results.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert {row["status"] for row in rows} == {"active", "tobedeleted"}
    assert all(row["dateLastModified"].endswith("Z") for row in rows)
    source.dispose()


def test_active_only_leaves_the_tombstones_out(tmp_path: Path) -> None:
    source = history_store(tmp_path, "sqlite")
    url = source.url.render_as_string(hide_password=False)
    result = runner.invoke(app, ["export", str(tmp_path / "out"), "--active-only", "--database", url])
    assert result.exit_code == 0, result.output
    for name in ("results.csv", "lineItems.csv", "enrollments.csv", "classResources.csv", "categories.csv"):
        with open(tmp_path / "out" / name, newline="", encoding="utf-8") as handle:
            assert {row["status"] for row in csv.DictReader(handle)} == {"active"}, name
    (tmp_path / "target").mkdir()
    target = create_engine(new_database("sqlite", tmp_path / "target"))
    imported = runner.invoke(app, ["import", str(tmp_path / "out"), "--database", str(target.url)])
    assert imported.exit_code == 0, imported.output
    with client_for(source) as original, client_for(target) as copy:
        before, after = pull(original, with_revision=False), pull(copy, with_revision=False)
    assert tombstone_count(before) >= 6 and tombstone_count(after) == 0
    for key in before:
        if key.startswith("full /") and key.split()[1] in GRADEBOOK_LISTS:
            assert after[key] == before[key], key
    source.dispose()
    target.dispose()
