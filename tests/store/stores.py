"""A store loaded once per test module, on the backend of the fixture's parameter."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from tests.conftest import load


def loaded(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, records: dict[str, list[Any]]
) -> Iterator[sa.Engine]:
    """For a module-scoped fixture parametrized by BACKENDS: the records loaded, disposed of after."""
    engine = load(tmp_path_factory.mktemp("store"), records, backend=request.param)
    yield engine
    engine.dispose()
