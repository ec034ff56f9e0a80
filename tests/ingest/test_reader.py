"""read_bundle on valid bundles: records per entity, modes, properties, packaging variants."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from openroster.ingest import read_bundle
from openroster.model.csv_binding import V11, csv_entities

from .bundles import csv_text, expected_records, header_for, make_bundle, valid_rows

ENTITIES = csv_entities(V11)  # the files of a 1.1 bundle


def test_valid_folder_reads_every_entity(tmp_path: Path) -> None:
    bundle = read_bundle(make_bundle(tmp_path))

    assert bundle.records == expected_records()
    assert set(bundle.records) == set(ENTITIES)
    assert bundle.modes == {name: "bulk" for name in ENTITIES}
    assert bundle.properties["oneroster.version"] == "1.1"
    assert bundle.properties["source.systemName"] == "tests"
    assert bundle.properties["file.users"] == "bulk"


@pytest.mark.parametrize("folder", ["", "export-2026/"])
def test_valid_zip_reads_the_same_records(tmp_path: Path, folder: str) -> None:
    path = make_bundle(tmp_path, as_zip=True, folder=folder)
    if folder:  # what macOS's Compress adds next to the real folder
        with zipfile.ZipFile(path, "a") as archive:
            archive.writestr("__MACOSX/export-2026/._users.csv", b"\x00\x05\x16\x07")
            archive.writestr(folder + ".DS_Store", b"\x00")

    assert read_bundle(path).records == expected_records()


def test_absent_files_are_not_in_records_and_modes_cover_every_entity(tmp_path: Path) -> None:
    rows = {"org": valid_rows()["org"]}
    bundle = read_bundle(make_bundle(tmp_path, rows, modes={"user": "absent"}))

    assert list(bundle.records) == ["org"]
    assert bundle.modes["org"] == "bulk"
    assert {mode for name, mode in bundle.modes.items() if name != "org"} == {"absent"}


def test_columns_are_matched_by_name_and_optional_ones_may_be_missing(tmp_path: Path) -> None:
    rows = {"category": [{"sourcedId": "cat-1", "title": "Homework"}]}
    shuffled = make_bundle(tmp_path, rows, headers={"category": ["title", "sourcedId"]})

    assert read_bundle(shuffled).records == {"category": [{"sourcedId": "cat-1", "title": "Homework"}]}


def test_byte_order_mark_lf_endings_blank_lines_and_gender_alias_are_accepted(tmp_path: Path) -> None:
    rows = valid_rows()
    users = rows["user"]
    demographics = "\ufeff" + csv_text(
        ["sourcedId", "gender", "birthDate"], [["stu-1", "female", "2010-04-02"]]
    ).replace("\r\n", "\n")
    path = make_bundle(
        tmp_path,
        rows,
        files={
            "demographics.csv": demographics + "\n,,\n",
            "users.csv": csv_text(header_for("user", users), users) + "\r\n",
        },
    )

    bundle = read_bundle(path)

    assert bundle.records["demographics"] == [
        {"sourcedId": "stu-1", "sex": "female", "birthDate": "2010-04-02"}
    ]
    assert len(bundle.records["user"]) == 3


def test_quoted_line_breaks_stay_in_the_value(tmp_path: Path) -> None:
    rows = {
        "category": [
            {"sourcedId": "cat-1", "title": 'Home\r\nwork, "extra"'},
            {"sourcedId": "cat-2", "title": " Quiz "},
        ]
    }

    records = read_bundle(make_bundle(tmp_path, rows)).records["category"]

    assert records == [
        {"sourcedId": "cat-1", "title": 'Home\r\nwork, "extra"'},
        {"sourcedId": "cat-2", "title": " Quiz "},
    ]


def test_progress_is_reported_per_file_with_the_final_count(tmp_path: Path) -> None:
    rows = valid_rows()
    rows["category"] = [{"sourcedId": f"cat-{i}", "title": "t"} for i in range(12_001)]
    rows["lineItem"][0]["categorySourcedId"] = "cat-7"
    calls: list[tuple[str, int]] = []

    read_bundle(make_bundle(tmp_path, rows), progress=lambda file, done: calls.append((file, done)))

    categories = [done for file, done in calls if file == "categories.csv"]
    assert categories == [0, 5000, 10000, 12001]  # 0: the file's check has begun
    assert ("users.csv", 3) in calls
    assert {file for file, _ in calls} == {e.csv_file for e in ENTITIES.values()}


def test_references_may_name_stored_records_when_their_file_is_absent(tmp_path: Path) -> None:
    rows = valid_rows()
    rows["user"] = [u for u in rows["user"] if u["sourcedId"] != "par-1"]
    rows["user"][1]["agentSourcedIds"] = ""
    del rows["org"]
    stored = {"org": ["dist-1", "sch-1"]}

    bundle = read_bundle(make_bundle(tmp_path, rows), stored_ids=lambda name: stored.get(name, ()))

    assert bundle.modes["org"] == "absent"
    assert bundle.records["user"][1]["orgs"] == ["sch-1", "dist-1"]


def test_references_into_a_delta_file_may_also_name_stored_records(tmp_path: Path) -> None:
    rows = valid_rows()
    rows["org"] = [
        {
            "sourcedId": "sch-1",
            "status": "active",
            "dateLastModified": "2025-06-02T00:00:00Z",
            "name": "Riverside High",
            "type": "school",
            "parentSourcedId": "dist-1",
        }
    ]

    bundle = read_bundle(
        make_bundle(tmp_path, rows, modes={"org": "delta"}),
        stored_ids=lambda name: {"dist-1"} if name == "org" else set(),
    )

    assert bundle.modes["org"] == "delta"
    assert [org["sourcedId"] for org in bundle.records["org"]] == ["sch-1"]
