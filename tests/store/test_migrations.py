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


def test_upgrading_a_loaded_store_keeps_every_content_hash(tmp_path: Path) -> None:
    """0003 computes hashes for existing records exactly as writes do, so nothing looks changed."""
    import sqlalchemy as sa
    from alembic import command

    from openroster.store.migrate import _config
    from tests.conftest import load
    from tests.district import district

    engine = load(tmp_path, district())
    query = sa.text(
        "SELECT sourced_id, content_hash, first_seen_ms, date_last_modified FROM users ORDER BY 1"
    )
    with engine.connect() as conn:
        before = conn.execute(query).all()
    with engine.begin() as conn:
        command.downgrade(_config(conn), "0002")
    migrate.upgrade(engine)
    with engine.connect() as conn:
        after = conn.execute(query).all()
    assert [(r[0], r[1]) for r in after] == [(r[0], r[1]) for r in before]
    assert all(r[2] == r[3] for r in after)  # first seen: the best knowledge, dateLastModified
    engine.dispose()


def test_0004_turns_stored_score_dates_into_instants(tmp_path: Path) -> None:
    import sqlalchemy as sa
    from alembic import command

    from openroster.model.values import parse_datetime
    from openroster.store.migrate import _config
    from tests.conftest import load
    from tests.district import district

    engine = load(tmp_path, district())
    with engine.begin() as conn:
        command.downgrade(_config(conn), "0003")
    with engine.connect() as conn:
        assert (
            conn.execute(sa.text("SELECT score_date FROM results WHERE sourced_id = 'rs-1'")).scalar()
            == "2025-09-16"
        )
    migrate.upgrade(engine)
    with engine.connect() as conn:
        assert conn.execute(
            sa.text("SELECT score_date FROM results WHERE sourced_id = 'rs-1'")
        ).scalar() == parse_datetime("2025-09-16")
    engine.dispose()


@pytest.mark.parametrize("backend", BACKENDS)
def test_0005_takes_passwords_out_of_stored_documents_and_keeps_their_hashes(
    backend: str, tmp_path: Path
) -> None:
    import orjson
    import sqlalchemy as sa
    from alembic import command

    from openroster.store.migrate import _config
    from tests.api.test_passwords import PASSWORDS, district_with_passwords
    from tests.conftest import load

    engine = load(tmp_path, district_with_passwords(), backend=backend)
    query = sa.text("SELECT sourced_id, doc, content_hash FROM users ORDER BY 1")

    def users() -> dict[str, tuple[dict[str, object], str]]:
        with engine.connect() as conn:
            return {r[0]: (orjson.loads(r[1]), r[2]) for r in conn.execute(query)}

    current = users()
    assert not any("password" in doc for doc, _ in current.values())
    with engine.begin() as conn:
        command.downgrade(_config(conn), "0004")
    before = users()  # as 0004 stored them: the password is the document's last field
    assert {
        sid: list(doc)[-1] == "password" and doc["password"]
        for sid, (doc, _) in before.items()
        if "password" in doc
    } == PASSWORDS
    with engine.begin() as conn:
        command.upgrade(_config(conn), "0006")  # the last revision whose hashes cover 1.1 alone
    assert {sid: digest for sid, (_, digest) in before.items()} == {sid: d for sid, (_, d) in users().items()}
    migrate.upgrade(engine)
    assert users() == current
    engine.dispose()
