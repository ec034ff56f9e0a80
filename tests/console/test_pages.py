"""What every console page shares: its headers, the path that picks console or API, and audit lines
naming the account for every change."""

from __future__ import annotations

import json
import logging
import re
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from openroster.ingest.writer import write_bundle
from tests.conftest import free_port
from tests.console.conftest import browser, imports_finished, signed_in
from tests.district import district

PAGES = [
    "/console/",
    "/console/clients",
    "/console/clients/new",
    "/console/imports",
    "/console/browse",
    "/console/records/user/tch-1",
    "/console/readiness",
]


def test_every_page_is_never_cached_never_framed_and_names_itself(store: sa.Engine) -> None:
    client, _ = signed_in(store, "ada")
    for path in [*PAGES, "/console/signin"]:
        page = client.get(path)
        assert page.status_code == 200, path
        assert page.headers["cache-control"] == "no-store"
        assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
        assert page.headers["x-content-type-options"] == "nosniff"
        assert page.text.count("<h1>") + page.text.count("<h1 ") == 1, path
        assert '<main id="main"' in page.text and 'href="#main">Skip to content</a>' in page.text
        assert re.search(r"<title>[^<]+ · openroster console</title>", page.text)


def test_only_the_console_path_and_below_it_are_the_consoles(store: sa.Engine) -> None:
    client = browser(store)
    assert client.get("/console").headers["location"] == "/console/"
    assert client.get("/console/signin").status_code == 200
    for path in ("/consoles", "/console.json", "/ims/oneroster/v1p1/console"):
        answer = client.get(path)
        assert answer.headers["content-type"].startswith("application/json"), path
    assert client.get("/health").json() == {"status": "ok"}


def test_the_current_page_is_marked_in_the_navigation(store: sa.Engine) -> None:
    client, _ = signed_in(store, "vic")
    page = client.get("/console/imports").text
    assert re.findall(r'<a href="([^"]+)" aria-current="page">', page) == ["/console/imports"]


def _zip(tmp_path: Path) -> Path:
    write_bundle(tmp_path / "again", district())
    out = tmp_path / "again.zip"
    with zipfile.ZipFile(out, "w") as archive:
        for file in sorted((tmp_path / "again").iterdir()):
            archive.write(file, file.name)
    return out


def test_every_change_is_on_the_audit_log_with_the_accounts_name(
    store: sa.Engine, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    client, token = signed_in(store, "ada", public_url=f"http://127.0.0.1:{free_port()}")
    with caplog.at_level(logging.INFO, logger="openroster.audit"):
        shown = client.post("/console/clients/create", data={"csrf": token, "name": "Vendor"}).text
        client_id = re.search(r'id="client-id" value="([^"]+)"', shown)
        assert client_id
        client.post(f"/console/clients/{client_id.group(1)}/rotate", data={"csrf": token})
        client.post(f"/console/clients/{client_id.group(1)}/remove", data={"csrf": token})
        with _zip(tmp_path).open("rb") as handle:
            checked = client.post(
                "/console/imports/check", data={"csrf": token}, files={"bundle": ("again.zip", handle)}
            ).text
        action = re.search(r'action="(/console/imports/[^"]+/import)"', checked)
        assert action
        assert client.post(action.group(1), data={"csrf": token}).status_code == 303
        imports_finished()  # logged when it has succeeded
        client.post("/console/readiness", data={"csrf": token})
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.getMessage().startswith('{"console"')]
    assert [(line["console"], line["action"]) for line in lines] == [
        ("ada", "client-add"),
        ("ada", "client-rotate-secret"),
        ("ada", "client-remove"),
        ("ada", "import"),
        ("ada", "readiness-check"),
    ]
    assert lines[0]["target"] == client_id.group(1) and lines[3]["target"] == "again.zip"
    assert all("secret" not in json.dumps(line).replace("rotate-secret", "") for line in lines)
