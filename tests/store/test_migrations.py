"""The Alembic migrations build exactly the schema the catalogue declares, on both backends."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from openroster.store import migrate
from openroster.store.dialects import create_engine
from openroster.store.schema import metadata
from tests.conftest import BACKENDS, new_database


@pytest.mark.parametrize("backend", BACKENDS)
def test_migrated_schema_equals_the_catalogue_schema(backend: str, tmp_path: Path) -> None:
    engine = create_engine(new_database(backend, tmp_path))
    assert migrate.is_empty(engine)
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.head_revision()
    migrate.require_current(engine)
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), metadata)
    assert differences == []
    engine.dispose()
