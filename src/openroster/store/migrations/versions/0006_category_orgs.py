"""category orgs

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 08:30:00

The orgs a category belongs to, for clients limited to some orgs. Existing categories get no
rows: they stay shared by the whole district (or tied to a class through metadata.classId).
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_TEXT = sa.Text().with_variant(sa.Text(collation="C"), "postgresql")


def upgrade() -> None:
    op.create_table(
        "category_orgs",
        sa.Column("category_sourced_id", _TEXT, nullable=False),
        sa.Column("org_sourced_id", _TEXT, nullable=False),
        sa.PrimaryKeyConstraint("category_sourced_id", "org_sourced_id"),
    )
    with op.batch_alter_table("category_orgs", schema=None) as batch_op:
        batch_op.create_index("ix_category_orgs_org", ["org_sourced_id", "category_sourced_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("category_orgs", schema=None) as batch_op:
        batch_op.drop_index("ix_category_orgs_org")
    op.drop_table("category_orgs")
