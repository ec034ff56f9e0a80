"""The console's fixtures: a loaded store on each backend, its app over HTTP, signed-in browsers of it."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from openroster.console.accounts import add_account
from openroster.store.schema import console_sessions, metadata
from tests.conftest import BACKENDS, app_for, load
from tests.district import district

PASSWORD = "correct horse battery"
_TOKEN = re.compile(r'name="csrf" value="([^"]+)"')


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sa.Engine]:
    """A store holding the test district, with an admin `ada` and a viewer `vic` (password PASSWORD)."""
    engine = load(tmp_path, district(), backend=request.param)
    add_account(engine, "ada", "admin", PASSWORD)
    add_account(engine, "vic", "viewer", PASSWORD)
    yield engine
    engine.dispose()


def browser(engine: sa.Engine, base_url: str = "http://sis.example.org", **settings: object) -> TestClient:
    return TestClient(app_for(engine, **settings), base_url=base_url, follow_redirects=False)


def form_token(page: httpx.Response) -> str:
    """The form token of a console page (each of its forms carries the same one)."""
    found = _TOKEN.search(page.text)
    assert found, page.text
    return found.group(1)


def sign_in(client: TestClient, name: str, password: str = PASSWORD) -> httpx.Response:
    token = form_token(client.get("/console/signin"))
    return client.post("/console/signin", data={"csrf": token, "name": name, "password": password})


def signed_in(engine: sa.Engine, name: str, **settings: object) -> tuple[TestClient, str]:
    """A browser signed in as `name`, and its session's form token."""
    client = browser(engine, **settings)
    answer = sign_in(client, name)
    assert answer.status_code == 303, answer.text
    return client, form_token(client.get("/console/"))


def snapshot(engine: sa.Engine) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table but the sessions: what a refused form must leave as it was."""
    with engine.connect() as conn:
        return {
            table.name: sorted((tuple(row) for row in conn.execute(sa.select(table))), key=repr)
            for table in metadata.sorted_tables
            if table is not console_sessions
        }


def imports_finished() -> None:
    """Wait for the imports the console started in the background to end."""
    for thread in threading.enumerate():
        if thread.name == "console-import":
            thread.join()


def confirm_import(client: TestClient, token: str, checked: httpx.Response) -> str:
    """Confirm the checked upload's import; the URL of its progress page."""
    action = re.search(r'action="(/console/imports/[^"]+/import)"', checked.text)
    assert action, checked.text
    started = client.post(action.group(1), data={"csrf": token})
    assert started.status_code == 303, started.text
    return started.headers["location"]
