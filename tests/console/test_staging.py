"""Uploaded bundles: the report shows the first 100 problems by file, the download all that were kept;
uploads never imported are dropped after a day; names are made safe."""

from __future__ import annotations

import os
import re
import time
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from openroster.console.staging import KEPT_SECONDS, SHOWN_PROBLEMS, safe_name, staging_folder
from openroster.ingest.writer import write_bundle
from tests.console.conftest import signed_in, snapshot
from tests.district import district


def _zip(folder: Path, out: Path) -> Path:
    with zipfile.ZipFile(out, "w") as archive:
        for file in sorted(folder.iterdir()):
            archive.write(file, file.name)
    return out


def _upload(client: object, token: str, path: Path) -> str:
    with path.open("rb") as handle:
        answer = client.post(  # type: ignore[attr-defined]
            "/console/imports/check",
            data={"csrf": token},
            files={"bundle": (path.name, handle, "application/zip")},
        )
    return str(answer.text)


def test_the_first_hundred_problems_are_shown_and_all_kept_are_downloaded(
    store: sa.Engine, tmp_path: Path
) -> None:
    records = district()
    template = records["user"][0]
    records["user"] += [
        template | {"sourcedId": f"bad-{i:03}", "role": "pupil", "username": f"b{i}"} for i in range(150)
    ]
    write_bundle(tmp_path / "many", records)
    client, token = signed_in(store, "ada")
    before = snapshot(store)
    page = _upload(client, token, _zip(tmp_path / "many", tmp_path / "many.zip"))
    assert "many.zip: 150 problem(s)" in page
    assert f"The first {SHOWN_PROBLEMS} are shown." in page
    table = page.split('<table class="problems">')[1].split("</table>")[0]
    assert table.count("<tr><td") == SHOWN_PROBLEMS
    link = re.search(r'href="(/console/imports/[^"]+/problems.txt)"', page)
    assert link
    download = client.get(link.group(1))
    assert download.headers["content-disposition"] == 'attachment; filename="problems.txt"'
    assert len(download.text.splitlines()) == 150
    assert snapshot(store) == before


def test_uploads_older_than_a_day_are_dropped_at_the_next_upload(store: sa.Engine, tmp_path: Path) -> None:
    write_bundle(tmp_path / "good", district())
    bundle = _zip(tmp_path / "good", tmp_path / "good.zip")
    client, token = signed_in(store, "ada")
    first = re.search(r'action="/console/imports/([^/]+)/import"', _upload(client, token, bundle))
    assert first
    folder = staging_folder(store.url.render_as_string(hide_password=False))
    old = time.time() - KEPT_SECONDS - 60
    os.utime(folder / first.group(1), (old, old))
    _upload(client, token, bundle)
    assert not (folder / first.group(1)).exists()
    answer = client.post(f"/console/imports/{first.group(1)}/import", data={"csrf": token})
    assert answer.status_code == 404 and "upload the bundle again" in answer.text


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("district.zip", "district.zip"),
        ("../../etc/passwd", "passwd.zip"),
        ("spring term 2026.ZIP", "spring-term-2026.ZIP"),
        ("...", "bundle.zip"),
    ],
)
def test_an_uploads_name_is_made_safe(given: str, kept: str) -> None:
    assert safe_name(given) == kept


def test_an_unknown_upload_id_is_refused(store: sa.Engine) -> None:
    client, token = signed_in(store, "ada")
    for upload_id in ("../../../../etc", "short", "A" * 22):
        answer = client.post(f"/console/imports/{upload_id}/import", data={"csrf": token})
        assert answer.status_code == 404, upload_id
        assert client.get(f"/console/imports/{upload_id}/problems.txt").status_code == 404
