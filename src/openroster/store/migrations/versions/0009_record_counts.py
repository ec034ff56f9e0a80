"""record counts

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 23:00:00

Records per entity table and status (store/counts.py): on PostgreSQL they start from the rows
stored now, and every write keeps them; SQLite keeps none (its COUNT(*) reads an index), so
there the table stays empty.
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_TEXT = sa.Text().with_variant(sa.Text(collation="C"), "postgresql")
ENTITY_TABLES = (
    "academic_sessions",
    "categories",
    "class_resources",
    "classes",
    "course_resources",
    "courses",
    "demographics",
    "enrollments",
    "line_items",
    "orgs",
    "resources",
    "results",
    "users",
)


def upgrade() -> None:
    op.create_table(
        "record_counts",
        sa.Column("table_name", _TEXT, nullable=False),
        sa.Column("status", _TEXT, nullable=False),
        sa.Column("records", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("table_name", "status"),
    )
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in ENTITY_TABLES:
        op.execute(
            f"INSERT INTO record_counts (table_name, status, records) "
            f"SELECT '{table}', status, count(*) FROM \"{table}\" GROUP BY status"
        )


def downgrade() -> None:
    op.drop_table("record_counts")
