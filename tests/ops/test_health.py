"""/health and /ready over HTTP: no auth, no district data, and each way readiness fails."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from starlette.testclient import TestClient
from typer.testing import CliRunner

from openroster.cli import app as cli
from openroster.ingest.importer import import_bundle
from openroster.ingest.reader import BundleInvalid
from openroster.ingest.writer import write_bundle
from openroster.store import migrate
from openroster.store.connect import drop_database
from openroster.store.schema import import_runs
from tests.conftest import BACKENDS, BASE, app_for, client_for, load
from tests.district import district
from tests.test_cli import rewrite

READY = {"status": "ready", "checks": {"database": "ok", "schema": "ok", "import": "ok"}}


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sa.Engine]:
    engine = load(tmp_path, district(), backend=request.param)
    yield engine
    engine.dispose()


@pytest.fixture
def anonymous(store: sa.Engine) -> Iterator[TestClient]:
    """A client of the app with no credentials at all."""
    with TestClient(app_for(store)) as client:
        yield client


def bad_bundle(folder: Path) -> Path:
    """A bundle whose users.csv gives the first user a role that does not exist ('pupil')."""
    write_bundle(folder, district())
    rewrite(folder, "users.csv", 2, "role", "pupil")
    return folder


def set_revision(engine: sa.Engine, revision: str | None) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM alembic_version")
        if revision is not None:
            conn.execute(sa.text("INSERT INTO alembic_version (version_num) VALUES (:r)"), {"r": revision})


def previous_revision() -> str:
    script = ScriptDirectory.from_config(migrate._config())
    down = script.get_revision(migrate.head_revision()).down_revision
    assert isinstance(down, str)
    return down


def test_health_is_ok_without_credentials(anonymous: TestClient) -> None:
    response = anonymous.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response.headers["content-type"] == "application/json"
    assert response.headers["cache-control"] == "no-store"


def test_health_head_has_no_body_and_other_methods_are_405(anonymous: TestClient) -> None:
    head = anonymous.head("/health")
    assert head.status_code == 200 and head.content == b""
    for method in ("POST", "PUT", "DELETE"):
        refused = anonymous.request(method, "/health")
        assert refused.status_code == 405
        assert refused.headers["allow"] == "GET, HEAD"
        assert refused.json()["error"] == "method_not_allowed"
    assert anonymous.post("/ready").status_code == 405


def test_health_does_not_touch_the_database(store: sa.Engine, anonymous: TestClient, tmp_path: Path) -> None:
    """With the store gone entirely, the process is still alive: /health stays 200, /ready says why not."""
    store.dispose()
    if store.dialect.name == "sqlite":
        assert store.url.database
        Path(store.url.database).unlink()
    else:
        drop_database(store.url.render_as_string(hide_password=False))
    assert anonymous.get("/health").json() == {"status": "ok"}
    assert anonymous.get("/ready").status_code == 503


def test_ready_on_a_served_store(anonymous: TestClient) -> None:
    response = anonymous.get("/ready")
    assert response.status_code == 200
    assert response.json() == READY
    assert response.headers["cache-control"] == "no-store"
    assert anonymous.head("/ready").content == b""


def test_ready_fails_when_the_database_is_gone(store: sa.Engine, anonymous: TestClient) -> None:
    url = store.url.render_as_string(hide_password=False)
    store.dispose()
    if store.dialect.name == "sqlite":
        assert store.url.database
        Path(store.url.database).unlink()
        problem = "The store's SQLite file is missing."
    else:
        drop_database(url)
        problem = "The database does not answer."
    response = anonymous.get("/ready")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not ready" and body["failed"] == "database"
    assert body["checks"] == {"database": "failed", "schema": "not checked", "import": "not checked"}
    assert body["problem"] == problem
    assert body["fix"]
    # An unauthenticated answer names no address, database or file.
    assert store.url.database not in response.text and "127.0.0.1" not in response.text
    if store.dialect.name == "sqlite":
        assert not Path(str(store.url.database)).exists()  # /ready never creates an empty store


def test_ready_fails_while_the_schema_is_behind(store: sa.Engine, anonymous: TestClient) -> None:
    head = migrate.head_revision()
    set_revision(store, previous_revision())
    response = anonymous.get("/ready")
    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == "schema"
    assert body["checks"] == {"database": "ok", "schema": "failed", "import": "not checked"}
    assert body["problem"] == (
        f"The store's schema (revision {previous_revision()}) is older than this server's ({head})."
    )
    assert body["fix"] == "Run openroster migrate on this server's database."
    set_revision(store, head)
    assert anonymous.get("/ready").json() == READY


def test_ready_fails_on_a_schema_newer_than_the_server(store: sa.Engine, anonymous: TestClient) -> None:
    set_revision(store, "9999_from_a_later_version")
    body = anonymous.get("/ready").json()
    assert body["failed"] == "schema"
    assert "newer than this server's" in body["problem"]
    assert body["fix"].startswith("Upgrade openroster")


def test_ready_fails_on_a_store_without_schema(store: sa.Engine, anonymous: TestClient) -> None:
    set_revision(store, None)
    body = anonymous.get("/ready").json()
    assert body["failed"] == "schema"
    assert body["problem"] == "The store has no openroster schema."


def test_a_failed_import_makes_the_server_unready_until_one_succeeds(
    store: sa.Engine, anonymous: TestClient, tmp_path: Path
) -> None:
    api = client_for(store)
    before = api.get(f"{BASE}/users").json()
    with pytest.raises(BundleInvalid):
        import_bundle(store, bad_bundle(tmp_path / "bad"))
    response = anonymous.get("/ready")
    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == "import"
    assert body["checks"] == {"database": "ok", "schema": "ok", "import": "failed"}
    assert body["problem"].startswith("The last import, which ended at ")
    assert body["problem"].endswith("failed: the bundle has 1 problem(s); nothing was imported.")
    assert "pupil" not in response.text and "users.csv" not in response.text  # nothing of the bundle
    assert api.get(f"{BASE}/users").json() == before  # the data served is the previous import's
    good = tmp_path / "good"
    write_bundle(good, district())
    import_bundle(store, good)
    assert anonymous.get("/ready").json() == READY


def test_an_interrupted_import_leaves_its_trace(
    store: sa.Engine, anonymous: TestClient, tmp_path: Path
) -> None:
    good = tmp_path / "good"
    write_bundle(good, district())

    def interrupt(stage: str, rows: int, total: int | None) -> None:
        if stage.startswith("writing"):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        import_bundle(store, good, progress=interrupt)
    body = anonymous.get("/ready").json()
    assert body["failed"] == "import"
    assert body["problem"].endswith("failed: the import was interrupted; nothing was imported.")


def test_a_failed_import_command_is_what_ready_reports(tmp_path: Path) -> None:
    """The CLI's import, into a store a server already serves: its failure reaches /ready."""
    url = f"sqlite:///{tmp_path / 'store.db'}"
    good = tmp_path / "good"
    write_bundle(good, district())
    runner = CliRunner()
    assert runner.invoke(cli, ["import", str(good), "--database", url]).exit_code == 0
    engine = sa.create_engine(url)
    with TestClient(app_for(engine)) as anonymous:
        assert anonymous.get("/ready").json() == READY
        bad = tmp_path / "bad"
        shutil.copytree(good, bad)
        rewrite(bad, "users.csv", 2, "role", "pupil")
        result = runner.invoke(cli, ["import", str(bad), "--database", url])
        assert result.exit_code == 1 and "nothing was imported" in result.output
        assert anonymous.get("/ready").json()["failed"] == "import"
    with engine.connect() as conn:
        rows = conn.execute(sa.select(import_runs).order_by(import_runs.c.finished_ms)).all()
    assert [row.succeeded for row in rows] == [True, False]
    assert rows[1].failure == "the bundle has 1 problem(s); nothing was imported"
    assert all(row.started_ms <= row.finished_ms for row in rows)
    engine.dispose()
