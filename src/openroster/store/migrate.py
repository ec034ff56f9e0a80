"""Schema versions: create or upgrade a store with Alembic, and refuse to serve an outdated one."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError

from openroster.errors import SchemaOutdated

_MIGRATIONS = Path(__file__).with_name("migrations")


def _config(connection: sa.Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: sa.Engine) -> str | None:
    with engine.connect() as conn:
        return revision_of(conn)


def revision_of(conn: sa.Connection) -> str | None:
    """The schema revision of the store `conn` reaches; None when it has no openroster schema."""
    return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: sa.Engine) -> None:
    """Bring the store's schema to this version's (creating it in an empty database)."""
    current = current_revision(engine)
    if current is not None and not is_known(current):
        require_current(engine)  # explains that the store is newer than this version
    with engine.begin() as conn:
        command.upgrade(_config(conn), "head")


def is_empty(engine: sa.Engine) -> bool:
    return not sa.inspect(engine).get_table_names()


def is_known(revision: str) -> bool:
    """Whether `revision` is one of this version's (an unknown one is newer)."""
    try:
        return ScriptDirectory.from_config(_config()).get_revision(revision) is not None
    except CommandError:
        return False


def prepare(engine: sa.Engine) -> None:
    """Create the schema in a brand-new database; otherwise insist it is this version's."""
    if is_empty(engine):
        upgrade(engine)
    require_current(engine)


def require_current(engine: sa.Engine) -> None:
    """Raise SchemaOutdated unless the store's schema is exactly this version's."""
    current, head = current_revision(engine), head_revision()
    if current == head:
        return
    url = engine.url.render_as_string(hide_password=True)
    if current is None:
        raise SchemaOutdated(
            f"The database {url} has no openroster schema. Create it with: "
            f"openroster migrate --database '{url}' (or load data with openroster import)."
        )
    if not is_known(current):
        raise SchemaOutdated(
            f"The database {url} has schema revision {current}, which this version of openroster "
            f"does not know (it is newer). Upgrade openroster."
        )
    raise SchemaOutdated(
        f"The database {url} has schema revision {current}, older than this version's {head}. "
        f"Upgrade it with: openroster migrate --database '{url}'"
    )
