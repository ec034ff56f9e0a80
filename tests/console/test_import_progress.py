"""An import confirmed in the console runs in the background: its progress page shows where the
importer is (held at a point here, so nothing depends on timing), then its result or its failure;
one import at a time per store; viewers cannot start one."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from openroster.console import import_jobs
from openroster.ingest.importer import import_bundle
from tests.console.conftest import confirm_import, imports_finished, signed_in, snapshot
from tests.console.test_app import _active, _bundle, _upload
from tests.district import district

HELD_AT = "writing users.csv"


class HeldImport:
    """The console's imports, run by the real importer, held when it first reports HELD_AT until
    `release`; or stopped there (SystemExit, as when the server stops) when `stop` is set."""

    def __init__(self) -> None:
        self.reached, self.released = threading.Event(), threading.Event()
        self.stop = False
        self.stages: list[tuple[str, int, int | None]] = []

    def __call__(self, engine: sa.Engine, path: Path, **options: Any) -> Any:
        report = options.pop("progress")

        def progress(stage: str, done: int, total: int | None) -> None:
            report(stage, done, total)
            self.stages.append((stage, done, total))
            if stage == HELD_AT and done == 0:
                self.reached.set()
                if self.stop:
                    raise SystemExit
                assert self.released.wait(120)

        return import_bundle(engine, path, progress=progress, **options)

    def release(self) -> None:
        self.released.set()
        imports_finished()


@pytest.fixture
def held(monkeypatch: pytest.MonkeyPatch) -> Iterator[HeldImport]:
    hold = HeldImport()
    monkeypatch.setattr(import_jobs, "import_bundle", hold)
    yield hold
    hold.release()


def _next_term(tmp_path: Path, name: str = "next-term") -> Path:
    records = district()
    records["user"].append(
        records["user"][-1] | {"sourcedId": "stu-new", "username": "new", "identifier": "NEW"}
    )
    return _bundle(tmp_path, records, name)


def _unchanged(engine: sa.Engine) -> dict[str, list[tuple[object, ...]]]:
    """The store but its import history (which a failed import is written to)."""
    return {name: rows for name, rows in snapshot(engine).items() if name != "import_runs"}


def test_the_progress_page_follows_the_import_then_shows_its_result(
    store: sa.Engine, tmp_path: Path, held: HeldImport, caplog: pytest.LogCaptureFixture
) -> None:
    client, token = signed_in(store, "ada")
    users = _active(store, "user")
    before = snapshot(store)
    progress = confirm_import(client, token, _upload(client, token, _next_term(tmp_path)))
    assert held.reached.wait(120)
    running = client.get(progress)
    assert running.status_code == 200 and "<h1>Importing next-term.zip</h1>" in running.text
    assert '<meta http-equiv="refresh" content="2">' in running.text  # follows it without JavaScript
    status = running.text.split('role="status" aria-live="polite">')[1].split("</div>")[0]
    assert '<p id="import-stage">Writing users.csv: 0 of 11 rows</p>' in status
    assert (
        '<progress id="import-bar" max="11" value="0" aria-labelledby="import-stage">0 %</progress>' in status
    )
    assert re.search(r"Started by ada \d+ s ago", status)
    checked = [stage for stage, _, _ in held.stages if stage.startswith("reading")]
    assert "reading users.csv" in checked  # every file was checked before the first write
    assert snapshot(store) == before  # nothing is visible while it runs
    imports = client.get("/console/imports").text  # where the progress is found again
    assert f'is being imported (started by ada): <a href="{progress}">see its progress</a>' in imports

    with caplog.at_level(logging.INFO, logger="openroster.audit"):
        held.release()
    done = client.get(progress)
    assert "<h1>Imported next-term.zip</h1>" in done.text and 'http-equiv="refresh"' not in done.text
    assert re.search(
        r'id="import-outcome" role="status">The import succeeded in [\d.]+ s \(run by ada\)', done.text
    )
    assert re.search(r'<th scope="row">user</th><td class="n">11</td><td class="n">1</td>', done.text)
    assert _active(store, "user") == users + 1
    audit = [r.getMessage() for r in caplog.records if r.name == "openroster.audit"]
    assert any('"console":"ada","action":"import","target":"next-term.zip"' in m for m in audit), audit
    imports = client.get("/console/imports").text
    assert 'id="import-running"' not in imports
    history = imports.split('id="import-history"')[1].split("</tr>")[1]
    assert "next-term.zip" in history and "ada" in history and "succeeded" in history


def test_a_second_import_while_one_runs_is_refused_and_changes_nothing(
    store: sa.Engine, tmp_path: Path, held: HeldImport
) -> None:
    client, token = signed_in(store, "ada")
    first = _upload(client, token, _next_term(tmp_path))
    second = _upload(client, token, _next_term(tmp_path, "other-term"))
    confirm_import(client, token, first)
    assert held.reached.wait(120)
    before = snapshot(store)
    action = re.search(r'action="(/console/imports/[^"]+/import)"', second.text)
    assert action
    refused = client.post(action.group(1), data={"csrf": token})
    assert refused.status_code == 409
    assert (
        "Another import (next-term.zip, started by ada) is running, so this one was not started and "
        "nothing was changed." in refused.text
    )
    assert snapshot(store) == before
    held.release()
    assert snapshot(store) != before  # the first one went through
    after_first = snapshot(store)
    progress = confirm_import(client, token, second)  # once it has ended, the second may run
    imports_finished()
    assert "<h1>Imported other-term.zip</h1>" in client.get(progress).text
    assert snapshot(store)["import_runs"] != after_first["import_runs"]  # and is in the history


def test_a_viewer_cannot_start_an_import_but_can_watch_one(
    store: sa.Engine, tmp_path: Path, held: HeldImport
) -> None:
    admin, admin_token = signed_in(store, "ada")
    checked = _upload(admin, admin_token, _next_term(tmp_path))
    action = re.search(r'action="(/console/imports/[^"]+/import)"', checked.text)
    assert action
    viewer, viewer_token = signed_in(store, "vic")
    imports = viewer.get("/console/imports").text
    assert "/console/imports/check" not in imports and "Upload a bundle" not in imports  # no way to start
    before = snapshot(store)
    refused = viewer.post(action.group(1), data={"csrf": viewer_token})
    assert refused.status_code == 403 and "vic is a viewer: viewers cannot change anything." in refused.text
    assert snapshot(store) == before and not held.stages
    progress = confirm_import(admin, admin_token, checked)
    assert held.reached.wait(120)
    assert "Writing users.csv" in viewer.get(progress).text


# The import's thread ends on SystemExit, as the server's process would.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_an_import_stopped_mid_way_leaves_nothing_and_says_so(
    store: sa.Engine, tmp_path: Path, held: HeldImport
) -> None:
    held.stop = True
    client, token = signed_in(store, "ada")
    before = _unchanged(store)
    progress = confirm_import(client, token, _upload(client, token, _next_term(tmp_path)))
    imports_finished()
    page = client.get(progress)
    assert page.status_code == 200 and "<h1>next-term.zip was not imported</h1>" in page.text
    assert "The import did not end: the server stopped during the import; nothing was imported." in page.text
    assert 'http-equiv="refresh"' not in page.text
    assert 'id="import-running"' not in client.get("/console/imports").text
    assert _unchanged(store) == before


def test_an_unknown_import_has_no_progress_page(store: sa.Engine) -> None:
    client, _ = signed_in(store, "vic")
    for upload_id in ("../../../../etc", "short", "A" * 22):
        answer = client.get(f"/console/imports/{upload_id}/progress")
        assert answer.status_code == 404, upload_id
