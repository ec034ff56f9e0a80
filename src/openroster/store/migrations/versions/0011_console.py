"""console

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 14:30:00

The web console's tables: its accounts, their signed-in sessions, the last readiness report and
the API requests its sync activity shows.
The import log gains each run's bundle name, who ran it and what it changed per entity; earlier
runs keep NULL there.
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_IMPORT_COLUMNS = ("bundle", "run_by", "changes")
_TEXT = sa.Text().with_variant(sa.Text(collation="C"), "postgresql")


def upgrade() -> None:
    op.create_table(
        "console_accounts",
        sa.Column("name", _TEXT, primary_key=True),
        sa.Column("role", _TEXT, nullable=False),
        sa.Column("password_hash", _TEXT, nullable=False),
        sa.Column("created_ms", sa.BigInteger(), nullable=False),
    )
    op.create_table(
        "console_sessions",
        sa.Column("token_hash", _TEXT, primary_key=True),
        sa.Column("account", _TEXT, nullable=False),
        sa.Column("csrf", _TEXT, nullable=False),
        sa.Column("expires_ms", sa.BigInteger(), nullable=False),
    )
    op.create_index("ix_console_sessions_account", "console_sessions", ["account"])
    op.create_table(
        "console_reports",
        sa.Column("kind", _TEXT, primary_key=True),
        sa.Column("finished_ms", sa.BigInteger(), nullable=False),
        sa.Column("summary", _TEXT, nullable=False),
        sa.Column("html", _TEXT, nullable=False),
    )
    op.create_table(
        "console_requests",
        sa.Column("at_ms", sa.BigInteger(), nullable=False),
        sa.Column("client", _TEXT, nullable=False),
        sa.Column("method", _TEXT, nullable=False),
        sa.Column("path", _TEXT, nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("records", sa.BigInteger(), nullable=True),
        sa.Column("ms", sa.Float(), nullable=False),
        sa.Column("reason", _TEXT, nullable=True),
        sa.Column("delta", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_console_requests_client", "console_requests", ["client", "at_ms"])
    op.create_index("ix_console_requests_at", "console_requests", ["at_ms"])
    with op.batch_alter_table("import_runs", schema=None) as batch_op:
        for name in _IMPORT_COLUMNS:
            batch_op.add_column(sa.Column(name, _TEXT, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("import_runs", schema=None) as batch_op:
        for name in reversed(_IMPORT_COLUMNS):
            batch_op.drop_column(name)
    op.drop_index("ix_console_requests_at", table_name="console_requests")
    op.drop_index("ix_console_requests_client", table_name="console_requests")
    op.drop_table("console_requests")
    op.drop_table("console_reports")
    op.drop_index("ix_console_sessions_account", table_name="console_sessions")
    op.drop_table("console_sessions")
    op.drop_table("console_accounts")
