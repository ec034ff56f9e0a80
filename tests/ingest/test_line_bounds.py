"""A CSV line longer than any OneRoster row is refused as it is read, with its line, changing nothing."""

from __future__ import annotations

import zipfile
from pathlib import Path

import sqlalchemy as sa
from typer.testing import CliRunner

from openroster.cli import app
from openroster.ingest import BundleInvalid, Problem, read_bundle
from openroster.ingest._source import MAX_LINE_CHARACTERS
from openroster.ingest.writer import write_bundle
from tests.district import district

from .bundles import csv_text, make_bundle

runner = CliRunner()
TOO_LONG = (
    f"This line is longer than the {MAX_LINE_CHARACTERS:,} characters a row may have, so the file was "
    "not read further; check that it is a CSV file with one record per line."
)


def test_an_endless_line_of_commas_is_one_problem_with_its_line(tmp_path: Path) -> None:
    header_and_row = csv_text(["sourcedId", "title"], [["cat-1", "Homework"]])
    text = header_and_row + "," * (3 * MAX_LINE_CHARACTERS) + "\r\n"
    path = make_bundle(tmp_path, {"category": []}, files={"categories.csv": text})
    try:
        read_bundle(path)
    except BundleInvalid as caught:
        assert caught.problems == [Problem("categories.csv", 3, None, TOO_LONG)]
    else:
        raise AssertionError("the bundle was read")


def test_a_long_value_within_the_bounds_is_read(tmp_path: Path) -> None:
    title = "x" * 100_000  # a cell may hold up to the csv module's 131,072 characters
    path = make_bundle(tmp_path, {"category": [{"sourcedId": "cat-1", "title": title}]})
    assert [r["title"] for r in read_bundle(path).records["category"]] == [title]


def test_a_zipped_line_bomb_is_refused_by_import_and_the_store_is_unchanged(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    good = tmp_path / "good"
    write_bundle(good, district())
    assert runner.invoke(app, ["import", str(good), "--database", url]).exit_code == 0
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        before = conn.exec_driver_sql("SELECT sourced_id, date_last_modified FROM users ORDER BY 1").all()

    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in ("manifest.csv", "orgs.csv", "academicSessions.csv"):
            archive.write(good / name, name)
        with archive.open("users.csv", "w") as users:
            users.write((good / "users.csv").read_bytes().splitlines(keepends=True)[0])
            chunk = b"," * (1 << 20)
            for _ in range(64):  # 64 MiB of commas on one line, a few hundred KB zipped
                users.write(chunk)
    result = runner.invoke(app, ["import", str(bomb), "--database", url])

    assert result.exit_code == 1
    assert "users.csv, line 2" in result.output and "is longer than the 1,048,576 characters" in result.output
    with engine.connect() as conn:
        assert (
            conn.exec_driver_sql("SELECT sourced_id, date_last_modified FROM users ORDER BY 1").all()
            == before
        )
    engine.dispose()
