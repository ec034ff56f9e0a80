"""Shared fixtures: a store loaded from a real CSV bundle, served by the ASGI app over HTTP."""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from starlette.applications import Starlette
from starlette.testclient import TestClient

from openroster.api.app import create_app
from openroster.auth.clients import add_client
from openroster.auth.keys import generate_master_key, load_keys
from openroster.auth.scopes import ALL
from openroster.config import Settings
from openroster.console.activity import Recorder
from openroster.ingest.importer import import_bundle
from openroster.ingest.writer import write_bundle
from openroster.ops.limits import SERVER_DEFAULTS, ClientLimits
from openroster.ops.shared_counters import counters_path
from openroster.store.dialects import create_engine
from tests.district import IMPORT_TIME, district

BASE = "/ims/oneroster/v1p1"


PG_SERVER = os.environ.get("OPENROSTER_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432")
BACKENDS = ["sqlite", "postgresql"]


def new_database(backend: str, tmp_path: Path) -> str:
    """A fresh, empty database URL on `backend` (PostgreSQL: a new database on the test server)."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    name = f"openroster_test_{os.getpid()}_{next(_counter)}"
    admin = sa.create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}")
            conn.exec_driver_sql(f"CREATE DATABASE {name}")
    except sa.exc.OperationalError as exc:
        pytest.fail(
            f"PostgreSQL is not reachable at {PG_SERVER} ({exc.orig}); start it or set "
            f"OPENROSTER_TEST_POSTGRES to a server URL"
        )
    finally:
        admin.dispose()
    _created.append(name)
    return f"{PG_SERVER}/{name}"


_counter = itertools.count()
_created: list[str] = []
_recorders: list[Recorder] = []  # the apps' sync activity, written before their stores go


def load(
    tmp_path: Path,
    records: dict[str, list[dict[str, object]]],
    at_ms: int = IMPORT_TIME,
    backend: str = "sqlite",
) -> sa.Engine:
    bundle = tmp_path / "bundle"
    write_bundle(bundle, records)
    engine = create_engine(new_database(backend, tmp_path))
    import_bundle(engine, bundle, at_ms=at_ms)
    return engine


@pytest.fixture(scope="session", autouse=True)
def _drop_test_databases() -> Iterator[None]:
    yield
    for recorder in _recorders:
        recorder.stop()
    if not _created:
        return
    admin = sa.create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for name in _created:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            counters_path(f"{PG_SERVER}/{name}").unlink(missing_ok=True)  # the servers' shared limits
    admin.dispose()


SERVER_KEY = generate_master_key()
KEYS = load_keys(SERVER_KEY, Path("unused"), create=False)


def app_for(engine: sa.Engine, **settings: Any) -> Starlette:
    app = create_app(Settings(database_url=str(engine.url), secret_key=SERVER_KEY, **settings), engine=engine)
    if hasattr(app.state, "recorder"):  # most test clients never shut their app down
        _recorders.append(app.state.recorder)
    return app


def client_for(
    engine: sa.Engine,
    *,
    scopes: Sequence[str] = ALL,
    orgs: Sequence[str] = (),
    allow_passwords: bool = False,
    limits: ClientLimits = SERVER_DEFAULTS,
    **settings: Any,
) -> TestClient:
    """An HTTP client of the app holding a bearer token of a new API client with `scopes` and `orgs`."""
    issued = add_client(
        engine,
        KEYS,
        f"test client {next(_counter)}",
        scopes=scopes,
        orgs=orgs,
        allow_passwords=allow_passwords,
        limits=limits,
    )
    client = TestClient(app_for(engine, **settings), base_url="https://sis.example.org")
    response = client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(issued.client.client_id, issued.secret),
    )
    assert response.status_code == 200, response.text
    client.headers["Authorization"] = f"Bearer {response.json()['access_token']}"
    return client


@pytest.fixture(scope="session", params=BACKENDS)
def district_engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[sa.Engine]:
    engine = load(tmp_path_factory.mktemp("district"), district(), backend=request.param)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def api(district_engine: sa.Engine) -> Iterator[TestClient]:
    with client_for(district_engine) as client:
        yield client


@pytest.fixture(scope="session", params=BACKENDS)
def demo_engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[sa.Engine]:
    from openroster.ingest.demo import generate_demo

    engine = load(
        tmp_path_factory.mktemp("demo"), generate_demo(schools=3, students=300, seed=5), backend=request.param
    )
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def demo_api(demo_engine: sa.Engine) -> Iterator[TestClient]:
    with client_for(demo_engine) as client:
        yield client


@pytest.fixture(scope="session", params=BACKENDS)
def bundle12_engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[sa.Engine]:
    """A store loaded from the 1.2.1 bundle of tests/ingest/bundle12.py."""
    from tests.ingest.bundle12 import bundle12

    root = tmp_path_factory.mktemp("bundle12")
    engine = create_engine(new_database(request.param, root))
    import_bundle(engine, bundle12(root / "in"))
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def bundle12_api(bundle12_engine: sa.Engine) -> Iterator[TestClient]:
    with client_for(bundle12_engine) as client:
        yield client


class LiveServer:
    """The real app served by uvicorn on a loopback port, in a background thread."""

    def __init__(self, engine: sa.Engine, wrap: Callable[[Any], Any] | None = None, **settings: Any) -> None:
        import threading

        import uvicorn

        self.engine = engine
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        app = app_for(engine, **settings)
        config = uvicorn.Config(
            wrap(app) if wrap else app,
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            lifespan="off",
            proxy_headers=False,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        while not self.server.started:
            import time

            time.sleep(0.01)

    def add_client(self, **options: Any) -> tuple[str, str]:
        issued = add_client(self.engine, KEYS, f"live client {next(_counter)}", **options)
        return issued.client.client_id, issued.secret

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = LiveServer(load(tmp_path_factory.mktemp("live"), district()))
    yield server
    server.stop()
    server.engine.dispose()
