"""A token belongs to one incarnation of its client: removing, re-adding or rotating never revives it."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from openroster.auth.clients import add_client, remove_client, rotate_secret
from openroster.store.schema import TABLES
from tests.conftest import BACKENDS, BASE, KEYS, app_for, load
from tests.district import district

LINE_ITEM = {
    "lineItem": {
        "title": "Lab report",
        "assignDate": "2025-10-01T08:00:00Z",
        "dueDate": "2025-10-08T08:00:00Z",
        "class": {"sourcedId": "cls-bio-1"},
        "resultValueMin": 0.0,
        "resultValueMax": 100.0,
    }
}


def bearer_token(http: TestClient, client_id: str, secret: str) -> str:
    response = http.post("/oauth/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret))
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def gradebook(engine: sa.Engine) -> list[tuple[object, ...]]:
    with engine.connect() as conn:
        return sorted(
            tuple(r) for name in ("lineItem", "result") for r in conn.execute(sa.select(TABLES[name].main))
        )


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_removed_clients_token_stays_dead_when_its_id_is_added_again(backend: str, tmp_path: Path) -> None:
    engine = load(tmp_path, district(), backend=backend)
    http = TestClient(app_for(engine), base_url="https://sis.example.org")
    old_client = add_client(
        engine,
        KEYS,
        "Grade Sync",
        client_id="grade-x",
        scopes=["gradebook.createput", "gradebook.delete", "roster-core.readonly"],
    )
    old = {"Authorization": f"Bearer {bearer_token(http, 'grade-x', old_client.secret)}"}
    assert http.put(BASE + "/lineItems/li-new", json=LINE_ITEM, headers=old).status_code == 201

    remove_client(engine, "grade-x")
    assert http.get(BASE + "/orgs", headers=old).status_code == 401
    add_client(engine, KEYS, "Roster reader", client_id="grade-x", scopes=["roster-core.readonly"])
    before = gradebook(engine)
    for response in [
        http.put(BASE + "/lineItems/li-other", json=LINE_ITEM, headers=old),
        http.put(BASE + "/lineItems/li-new", json=LINE_ITEM, headers=old),
        http.delete(BASE + "/lineItems/li-new", headers=old),
        http.get(BASE + "/orgs", headers=old),
    ]:
        assert response.status_code == 401, response.text
        assert response.json()["statusInfoSet"][0]["imsx_codeMinor"] == "unauthorized"
        assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
    assert gradebook(engine) == before
    engine.dispose()


@pytest.mark.parametrize("backend", BACKENDS)
def test_rotating_ends_old_tokens_and_new_ones_work(backend: str, tmp_path: Path) -> None:
    engine = load(tmp_path, district(), backend=backend)
    http = TestClient(app_for(engine), base_url="https://sis.example.org")
    issued = add_client(engine, KEYS, "SDS")
    client_id, secret = issued.client.client_id, issued.secret
    old = {"Authorization": f"Bearer {bearer_token(http, client_id, secret)}"}
    assert http.get(BASE + "/orgs", headers=old).status_code == 200
    rotate_secret(engine, KEYS, "SDS", secret)  # the very same secret again: the old token still must die
    assert http.get(BASE + "/orgs", headers=old).status_code == 401
    new = {"Authorization": f"Bearer {bearer_token(http, client_id, secret)}"}
    assert http.get(BASE + "/orgs", headers=new).status_code == 200
    engine.dispose()
