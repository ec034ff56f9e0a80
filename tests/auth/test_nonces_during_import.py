"""OAuth 1.0a requests go on while an import holds the store's write lock; a nonce is still used once."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa
from requests_oauthlib import OAuth1

from openroster.store.dialects import write_transaction
from openroster.store.schema import TABLES
from openroster.store.writes import bump_revision
from tests.conftest import BACKENDS, BASE, LiveServer, load
from tests.district import district


@pytest.fixture(params=BACKENDS)
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LiveServer]:
    live = LiveServer(load(tmp_path, district(), backend=request.param))
    yield live
    live.stop()
    live.engine.dispose()


def hold_the_store_as_an_import_does(conn: sa.Connection) -> None:
    """Write inside the open transaction: SQLite now holds its write lock, PostgreSQL row locks."""
    bump_revision(conn)
    users = TABLES["user"].main
    conn.execute(users.update().where(users.c.sourced_id == "stu-1").values(given_name="Importing"))


def test_a_signed_read_during_an_import_is_answered_and_its_nonce_still_counts(server: LiveServer) -> None:
    client_id, secret = server.add_client()
    with write_transaction(server.engine) as conn:
        hold_the_store_as_an_import_does(conn)
        signed = requests.Request(
            "GET", server.url + BASE + "/users/stu-1", auth=OAuth1(client_id, client_secret=secret)
        ).prepare()
        with requests.Session() as session:
            response = session.send(signed, timeout=20)  # the store's own lock wait would be 30 s
            assert response.status_code == 200, response.text
            assert response.json()["user"]["givenName"] != "Importing"  # the import is not committed yet
            replay = session.send(signed, timeout=20)
        conn.rollback()
    assert replay.status_code == 401 and "nonce" in replay.json()["statusInfoSet"][0]["imsx_description"]


def test_a_nonce_store_that_cannot_be_written_answers_503_with_retry_after(server: LiveServer) -> None:
    client_id, secret = server.add_client()
    sign = OAuth1(client_id, client_secret=secret)
    assert (
        requests.get(server.url + BASE + "/orgs", auth=sign, timeout=20).status_code == 200
    )  # opens the store
    if server.engine.dialect.name == "sqlite":
        side = Path(str(server.engine.url.database)).with_name("store.oauth-nonces.db")
        assert stat.S_IMODE(side.stat().st_mode) == 0o600  # it names the clients that call the server
        holder = sa.create_engine(f"sqlite:///{side}", connect_args={"isolation_level": None})
        lock = "BEGIN IMMEDIATE"
    else:
        holder = sa.create_engine(server.engine.url)
        lock = "BEGIN; LOCK TABLE oauth_nonces IN ACCESS EXCLUSIVE MODE"
    with holder.connect() as conn:
        for statement in lock.split("; "):
            conn.exec_driver_sql(statement)
        busy = requests.get(
            server.url + BASE + "/orgs", auth=OAuth1(client_id, client_secret=secret), timeout=20
        )
        conn.exec_driver_sql("ROLLBACK")
    holder.dispose()
    assert busy.status_code == 503, busy.text
    assert busy.headers["Retry-After"] == "5"
    info = busy.json()["statusInfoSet"][0]
    assert info["imsx_codeMinor"] == "server_busy" and "retry" in info["imsx_description"]
    assert requests.get(server.url + BASE + "/orgs", auth=sign, timeout=20).status_code == 200
