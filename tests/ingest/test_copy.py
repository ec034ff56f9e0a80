"""`openroster copy --to URL`: a whole store moved between SQLite and PostgreSQL serves exactly the same."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from oauthlib.oauth1 import SIGNATURE_HMAC_SHA256
from oauthlib.oauth1 import Client as OAuth1Client
from starlette.testclient import TestClient
from typer.testing import CliRunner

from openroster.auth.clients import add_client
from openroster.cli import app
from openroster.store import migrate
from openroster.store.copy import COPIED
from openroster.store.dialects import create_engine
from openroster.store.writes import bump_revision, revision
from tests.conftest import BASE, KEYS, app_for, new_database
from tests.ingest.history import history_store, pull, tombstone_count

runner = CliRunner()
ORIGIN = "https://sis.example.org"
SIGNED_PATHS = ("/orgs", "/results?limit=10000", "/classes?filter=status%3D%27active%27&limit=5")


def url_of(engine: sa.Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def rows(engine: sa.Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every copied table (first-seen times, content hashes, secrets...)."""
    with engine.connect() as conn:
        return {table.name: sorted(tuple(row) for row in conn.execute(sa.select(table))) for table in COPIED}


def served(engine: sa.Engine, client_id: str, secret: str) -> dict[str, Any]:
    """What a client holding `client_id` and `secret` gets: a token exchange, a full pull, a delta,
    tombstones and OAuth 1.0a-signed reads."""
    with TestClient(app_for(engine), base_url=ORIGIN) as client:
        token = client.post(
            "/oauth/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret)
        )
        assert token.status_code == 200, token.text
        exchange = {k: v for k, v in token.json().items() if k != "access_token"}
        client.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
        pulled = pull(client, with_revision=True)
        del client.headers["Authorization"]
        signer = OAuth1Client(client_id, client_secret=secret, signature_method=SIGNATURE_HMAC_SHA256)
        signed = {}
        for path in SIGNED_PATHS:
            uri, headers, _ = signer.sign(ORIGIN + BASE + path)
            response = client.get(uri, headers=headers)
            assert response.status_code == 200, response.text
            signed[path] = response.json()
    return {"token": exchange, "pull": pulled, "oauth1": signed}


def make_source(tmp_path: Path, backend: str) -> tuple[sa.Engine, str, str]:
    """A store with a history on `backend`, and an API client's id and secret."""
    (tmp_path / "source").mkdir()
    engine = history_store(tmp_path / "source", backend)
    issued = add_client(engine, KEYS, "Mover")
    return engine, issued.client.client_id, issued.secret


def new_target(tmp_path: Path, backend: str) -> str:
    (tmp_path / "target").mkdir()
    return new_database(backend, tmp_path / "target")


@pytest.mark.parametrize(("from_backend", "to_backend"), [("sqlite", "postgresql"), ("postgresql", "sqlite")])
def test_a_copy_serves_every_response_as_the_original(
    tmp_path: Path, from_backend: str, to_backend: str
) -> None:
    source, client_id, secret = make_source(tmp_path, from_backend)
    before = served(source, client_id, secret)
    target_url = new_target(tmp_path, to_backend)
    result = runner.invoke(app, ["copy", "--database", url_of(source), "--to", target_url])
    assert result.exit_code == 0, result.output
    assert "Copied" in result.output
    target = create_engine(target_url)
    after = served(target, client_id, secret)
    assert tombstone_count(before["pull"]) >= 6
    assert after == before
    assert rows(target) == rows(source)
    target.dispose()
    source.dispose()


def test_a_target_holding_data_is_refused_unless_forced(tmp_path: Path) -> None:
    source, client_id, secret = make_source(tmp_path, "sqlite")
    target_url = new_target(tmp_path, "postgresql")
    target = create_engine(target_url)
    migrate.upgrade(target)
    add_client(target, KEYS, "Already here")
    held = rows(target)
    refused = runner.invoke(app, ["copy", "--database", url_of(source), "--to", target_url])
    assert refused.exit_code == 1
    assert "already holds openroster data; nothing was copied" in refused.output
    assert "--force" in refused.output and "Traceback" not in refused.output
    assert rows(target) == held
    forced = runner.invoke(app, ["copy", "--database", url_of(source), "--to", target_url, "--force"])
    assert forced.exit_code == 0, forced.output
    assert rows(target) == rows(source)
    assert served(target, client_id, secret) == served(source, client_id, secret)
    target.dispose()
    source.dispose()


def test_a_migrated_empty_target_is_empty(tmp_path: Path) -> None:
    source, _, _ = make_source(tmp_path, "sqlite")
    target_url = new_target(tmp_path, "sqlite")
    assert runner.invoke(app, ["migrate", "--database", target_url]).exit_code == 0
    result = runner.invoke(app, ["copy", "--database", url_of(source), "--to", target_url])
    assert result.exit_code == 0, result.output
    target = create_engine(target_url)
    assert rows(target) == rows(source)
    target.dispose()
    source.dispose()


@pytest.mark.parametrize(
    ("to", "message"),
    [
        ("not a url", "is not a database URL"),
        (
            "postgresql+psycopg://postgres@127.0.0.1:1/nowhere",
            "Cannot copy into postgresql+psycopg://postgres@127.0.0.1:1/nowhere",
        ),
        ("SOURCE", "the store it copies from"),
    ],
)
def test_a_bad_target_is_a_clear_error_and_changes_nothing(tmp_path: Path, to: str, message: str) -> None:
    source, _, _ = make_source(tmp_path, "sqlite")
    held = rows(source)
    target = url_of(source) if to == "SOURCE" else to
    result = runner.invoke(app, ["copy", "--database", url_of(source), "--to", target])
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output
    assert rows(source) == held
    source.dispose()


def test_copy_batches_bound_what_is_held(tmp_path: Path) -> None:
    from openroster.store.copy import copy_store

    source, _, _ = make_source(tmp_path, "sqlite")
    target = create_engine(new_target(tmp_path, "sqlite"))
    seen: list[tuple[str, int]] = []
    counts = copy_store(source, target, batch_size=7, progress=lambda stage, done: seen.append((stage, done)))
    steps = [done for stage, done in seen if stage == "copying results"]
    assert steps[0] == 0 and steps[-1] == counts["results"] > 7
    assert all(later - earlier <= 7 for earlier, later in zip(steps, steps[1:]))
    assert rows(target) == rows(source)
    target.dispose()
    source.dispose()


def test_a_forced_copy_never_takes_the_data_revision_back(tmp_path: Path) -> None:
    source, client_id, secret = make_source(tmp_path, "sqlite")
    target_url = new_target(tmp_path, "sqlite")
    target = create_engine(target_url)
    migrate.upgrade(target)
    with source.connect() as conn:
        copied_revision = revision(conn)
    with target.begin() as conn:  # the target has served more revisions than the source has
        for _ in range(copied_revision + 5):
            bump_revision(conn)
        replaced = revision(conn)
    forced = runner.invoke(app, ["copy", "--database", url_of(source), "--to", target_url, "--force"])
    assert forced.exit_code == 0, forced.output
    with target.connect() as conn:
        assert revision(conn) == replaced + 1
    with TestClient(app_for(target), base_url=ORIGIN) as client:
        token = client.post(
            "/oauth/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret)
        )
        client.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
        assert client.get(BASE + "/users").headers["X-Data-Revision"] == str(replaced + 1)
    target.dispose()
    source.dispose()
