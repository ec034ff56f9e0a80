"""Demo districts served over real HTTP for the checker, whole or with one thing broken."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from openroster.auth.scopes import ALL
from openroster.check import CheckOptions, Credentials, Report, run_checks
from openroster.ingest.demo import generate_demo
from tests.check.breakage import Breakage, Broken
from tests.conftest import BACKENDS, LiveServer, load

PAGE_SIZE = 500  # the demo district's 2,000-odd enrollments then take five pages


def demo_district(tmp_path: Path, backend: str) -> sa.Engine:
    return load(tmp_path, generate_demo(schools=3, students=300, seed=3), backend=backend)


@pytest.fixture(scope="module", params=BACKENDS)
def district(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[sa.Engine]:
    engine = demo_district(tmp_path_factory.mktemp("check"), request.param)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def sqlite_district(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sa.Engine]:
    engine = demo_district(tmp_path_factory.mktemp("check-sqlite"), "sqlite")
    yield engine
    engine.dispose()


def serve(engine: sa.Engine, breakage: Breakage | None = None) -> tuple[LiveServer, Credentials]:
    server = LiveServer(engine, wrap=(lambda app: Broken(app, breakage)) if breakage else None)
    client_id, secret = server.add_client(scopes=ALL)
    return server, Credentials(client_id, secret)


def check(
    server: LiveServer,
    credentials: Credentials,
    *profiles: str,
    writes: bool = False,
    page_size: int = PAGE_SIZE,
) -> Report:
    return run_checks(
        CheckOptions(server.url, credentials, profiles or ("sds",), page_size=page_size, writes=writes)
    )


def statuses(report: Report, status: str) -> set[str]:
    return {o.check.id for o in report.results() if o.status == status}
