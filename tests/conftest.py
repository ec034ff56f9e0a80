"""Shared fixtures: a store loaded from a real CSV bundle, served by the ASGI app over HTTP."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from openroster.api.app import create_app
from openroster.config import Settings
from openroster.ingest.importer import import_bundle
from openroster.ingest.writer import write_bundle
from openroster.store.dialects import create_engine
from tests.district import IMPORT_TIME, district

BASE = "/ims/oneroster/v1p1"


def load(tmp_path: Path, records: dict[str, list[dict[str, object]]], at_ms: int = IMPORT_TIME) -> sa.Engine:
    bundle = tmp_path / "bundle"
    write_bundle(bundle, records)
    engine = create_engine(f"sqlite:///{tmp_path / 'store.db'}")
    import_bundle(engine, bundle, at_ms=at_ms)
    return engine


def client_for(engine: sa.Engine, **settings: object) -> TestClient:
    app = create_app(Settings(database_url=str(engine.url), **settings), engine=engine)  # type: ignore[arg-type]
    return TestClient(app, base_url="https://sis.example.org")


@pytest.fixture(scope="session")
def district_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sa.Engine]:
    engine = load(tmp_path_factory.mktemp("district"), district())
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def api(district_engine: sa.Engine) -> Iterator[TestClient]:
    with client_for(district_engine) as client:
        yield client


@pytest.fixture(scope="session")
def demo_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sa.Engine]:
    from openroster.ingest.demo import generate_demo

    engine = load(tmp_path_factory.mktemp("demo"), generate_demo(schools=3, students=300, seed=5))
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def demo_api(demo_engine: sa.Engine) -> Iterator[TestClient]:
    with client_for(demo_engine) as client:
        yield client
