"""Sync activity: API requests kept per client in memory and written in batches, shown per client."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from openroster.auth.clients import add_client
from openroster.console.activity import SYNC_GAP_MS
from openroster.model.values import now_ms
from openroster.store.schema import console_requests
from tests.conftest import KEYS
from tests.console.conftest import signed_in

USERS = "/ims/oneroster/v1p1/users"


def _bearer(client: TestClient, engine: sa.Engine, name: str) -> tuple[str, dict[str, str]]:
    issued = add_client(engine, KEYS, name)
    answer = client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(issued.client.client_id, issued.secret),
    )
    return issued.client.client_id, {"Authorization": f"Bearer {answer.json()['access_token']}"}


def _kept(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(console_requests)).scalar_one()


def test_a_clients_requests_records_errors_and_sync_are_shown(store: sa.Engine) -> None:
    console, _ = signed_in(store, "vic")
    client_id, bearer = _bearer(console, store, "School Data Sync")
    for offset in range(0, 10, 4):  # a full pull of users, three pages
        assert console.get(USERS, params={"limit": 4, "offset": offset}, headers=bearer).status_code == 200
    refused = console.get(USERS, params={"filter": "nonsense"}, headers=bearer)
    assert refused.status_code == 400
    page = console.get(f"/console/clients/{client_id}/activity")
    assert page.status_code == 200
    # The token request, three pages and the refused one.
    assert re.search(r'id="requests-24h">5<', page.text) and re.search(r'id="records-24h">10<', page.text)
    assert re.search(r'id="errors-24h">1<', page.text)
    errors = page.text.split('id="errors-table"')[1].split("</table>")[0]
    assert f"GET {USERS}" in errors and "400" in errors and "nonsense" in errors
    recent = page.text.split('id="recent-table"')[1].split("</table>")[0]
    assert recent.count("<tr><td>") == 5 and "POST /oauth/token" in recent
    syncs = page.text.split('id="syncs-table"')[1].split("</table>")[0]
    (row,) = re.findall(r"<tr><td>.*?</tr>", syncs)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row)
    assert cells[2:] == ["full", "3", "10", "1"]
    assert page.text.count("<rect ") == 48  # two charts of 24 hours
    listed = console.get("/console/clients").text
    row_of_client = listed.split(f"<code>{client_id}</code>")[1].split("</tr>")[0]
    assert re.findall(r'<td class="n">([\d,]+)</td>', row_of_client) == ["5", "10", "1"]


def test_a_delta_sync_is_told_from_a_full_one(store: sa.Engine) -> None:
    console, _ = signed_in(store, "vic")
    client_id, bearer = _bearer(console, store, "Delta reader")
    delta = {"filter": "dateLastModified>'2020-01-01T00:00:00.000Z'"}
    assert console.get(USERS, params=delta, headers=bearer).status_code == 200
    assert console.get("/ims/oneroster/v1p1/classes", params=delta, headers=bearer).status_code == 200
    syncs = console.get(f"/console/clients/{client_id}/activity").text.split('id="syncs-table"')[1]
    assert re.search(r"<td>delta</td><td class=\"n\">2</td>", syncs)


def test_a_pause_of_ten_minutes_ends_a_sync(store: sa.Engine) -> None:
    console, _ = signed_in(store, "vic")
    client_id, _ = _bearer(console, store, "Nightly")
    start = now_ms() - 3 * SYNC_GAP_MS
    with store.begin() as conn:  # two nightly runs, as the server processes would have written them
        conn.execute(
            console_requests.insert(),
            [
                {
                    "at_ms": at,
                    "client": client_id,
                    "method": "GET",
                    "path": USERS,
                    "status": 200,
                    "records": 5,
                    "ms": 1.0,
                    "reason": None,
                    "delta": False,
                }
                for at in (start, start + 1000, start + 2 * SYNC_GAP_MS, start + 2 * SYNC_GAP_MS + 500)
            ],
        )
    syncs = console.get(f"/console/clients/{client_id}/activity").text.split('id="syncs-table"')[1]
    assert len(re.findall(r"<td>full</td><td class=\"n\">2</td><td class=\"n\">10</td>", syncs)) == 2


def test_requests_are_written_in_batches_not_one_write_each(store: sa.Engine) -> None:
    console, _ = signed_in(store, "vic")
    _, bearer = _bearer(console, store, "Busy")
    inserts: list[str] = []

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        if statement.startswith("INSERT INTO console_requests"):
            inserts.append(statement)

    sa.event.listen(store, "before_cursor_execute", count)
    try:
        for _ in range(30):
            assert console.get(USERS, params={"limit": 1}, headers=bearer).status_code == 200
        console.get("/console/clients")  # writes what this process holds
    finally:
        sa.event.remove(store, "before_cursor_execute", count)
    assert _kept(store) == 31  # the token's request too
    assert 1 <= len(inserts) <= 2  # the page's flush, and perhaps the background thread's


def test_unauthenticated_requests_are_not_kept(store: sa.Engine) -> None:
    console, _ = signed_in(store, "vic")
    assert console.get(USERS).status_code == 401
    console.get("/console/clients")
    assert _kept(store) == 0


def test_requests_older_than_the_retention_are_dropped(store: sa.Engine) -> None:
    console, _ = signed_in(store, "vic", console_activity_days=2)
    client_id, bearer = _bearer(console, store, "Old")
    with store.begin() as conn:
        conn.execute(
            console_requests.insert().values(
                at_ms=now_ms() - 3 * 86_400_000,
                client=client_id,
                method="GET",
                path=USERS,
                status=200,
                records=1,
                ms=1.0,
                reason=None,
                delta=False,
            )
        )
    assert console.get(USERS, headers=bearer).status_code == 200
    console.get("/console/clients")
    with store.connect() as conn:
        kept = [row.at_ms for row in conn.execute(sa.select(console_requests))]
    assert len(kept) == 2 and min(kept) > now_ms() - 86_400_000  # the token and the page


def test_an_unknown_clients_activity_is_not_found(store: sa.Engine) -> None:
    console, _ = signed_in(store, "vic")
    answer = console.get("/console/clients/nobody/activity")
    assert answer.status_code == 404 and "There is no API client" in answer.text


@pytest.mark.parametrize("days", [0, 401])
def test_a_retention_out_of_range_is_refused(days: int) -> None:
    from openroster.errors import ConfigurationError
    from openroster.ops.sources import load_settings

    with pytest.raises(ConfigurationError, match="console_activity_days"):
        load_settings(environ={"OPENROSTER_CONSOLE_ACTIVITY_DAYS": str(days)})


def test_the_overview_warns_of_a_client_with_errors_in_the_last_hour(store: sa.Engine) -> None:
    console, _ = signed_in(store, "vic")
    client_id, bearer = _bearer(console, store, "Erring vendor")
    assert 'class="banner"' not in console.get("/console/").text
    assert console.get(USERS, params={"filter": "nonsense"}, headers=bearer).status_code == 400
    page = console.get("/console/").text
    assert (
        f'The API client <a href="/console/clients/{client_id}/activity">Erring vendor</a> had 1 error(s)'
        in page
    )


def test_shutdown_writes_what_was_recorded_then_records_no_more(store: sa.Engine) -> None:
    from tests.conftest import app_for

    app = app_for(store)
    recorder = app.state.recorder
    with TestClient(app, base_url="http://sis.example.org") as client:
        _, bearer = _bearer(client, store, "School Data Sync")
        assert client.get(USERS, headers=bearer).status_code == 200
        assert recorder.buffer  # kept in memory, not yet written
        assert _kept(store) == 0
    # The app shut down (lifespan): the token request and the read are written, the writer ended.
    assert _kept(store) == 2
    assert recorder.thread is None and not recorder.buffer
    recorder.note(
        {"client": "someone", "method": "GET", "path": USERS, "status": 200, "records": 1, "ms": 1}, b""
    )
    assert not recorder.buffer and recorder.thread is None  # a closed app keeps nothing to write
