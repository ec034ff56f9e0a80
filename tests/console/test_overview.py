"""The overview's numbers: records per entity and status, and classes, students and teachers per school."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import sqlalchemy as sa

from openroster.ingest.importer import import_bundle
from openroster.ingest.writer import write_bundle
from tests.console.conftest import signed_in
from tests.district import district


def _row(page: str, school: str) -> list[str]:
    row = page.split(f'/console/records/org/{school}">')[1].split("</tr>")[0]
    return re.findall(r'<td class="n">([\d,]+)</td>', row)


def test_each_school_shows_its_active_classes_students_and_teachers(store: sa.Engine) -> None:
    records = district()
    classes = Counter(c["school"] for c in records["class"] if c.get("status", "active") == "active")
    users: dict[tuple[str, str], set[str]] = {}
    for e in records["enrollment"]:
        if e.get("status", "active") == "active":
            users.setdefault((str(e["school"]), str(e["role"])), set()).add(str(e["user"]))
    schools = [o["sourcedId"] for o in records["org"] if o["type"] == "school"]
    client, _ = signed_in(store, "vic")
    page = client.get("/console/").text
    for school in schools:
        expected = [
            str(classes.get(school, 0)),
            str(len(users.get((str(school), "student"), set()))),
            str(len(users.get((str(school), "teacher"), set()))),
        ]
        assert _row(page, str(school)) == expected, school


def _user_counts(page: str) -> tuple[int, int]:
    row = page.split('data-entity="user">')[1].split("</tr>")[0]
    active, tombstoned = re.findall(r"([\d,]+)<", row)[:2]
    return int(active.replace(",", "")), int(tombstoned.replace(",", ""))


def test_a_record_left_out_of_a_bulk_file_counts_as_tombstoned(store: sa.Engine, tmp_path: Path) -> None:
    records = district()
    client, _ = signed_in(store, "vic")
    active, tombstoned = _user_counts(client.get("/console/").text)
    gone = records["user"].pop()  # referenced by no other record
    assert gone.get("status", "active") == "active"
    write_bundle(tmp_path / "next", records)
    import_bundle(store, tmp_path / "next")
    assert _user_counts(client.get("/console/").text) == (active - 1, tombstoned + 1)
    history = client.get("/console/imports").text.split('id="import-history"')[1]
    assert "next" in history and "command line" in history and "user 0/0/1" in history


def test_the_data_revision_and_last_import_are_shown(store: sa.Engine) -> None:
    from openroster.store.writes import revision

    with store.connect() as conn:
        data_revision = revision(conn)
    client, _ = signed_in(store, "vic")
    page = client.get("/console/").text
    assert f'id="revision">{data_revision}<' in page
    assert re.search(r'id="last-import">\d{4}-\d\d-\d\dT[^<]+: succeeded<', page)
