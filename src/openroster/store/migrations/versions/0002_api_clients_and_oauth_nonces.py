"""api clients and oauth nonces

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 13:20:53.697054
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_clients",
        sa.Column("client_id", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=False),
        sa.Column("name", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=False),
        sa.Column(
            "secret_hash", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=False
        ),
        sa.Column(
            "secret_sealed", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=False
        ),
        sa.Column("secret_version", sa.BigInteger(), nullable=False),
        sa.Column("scopes", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=False),
        sa.Column("orgs", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=False),
        sa.Column("created_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("client_id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "oauth_nonces",
        sa.Column("client_id", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=False),
        sa.Column("nonce", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=False),
        sa.Column("timestamp", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint("client_id", "nonce", "timestamp"),
    )
    with op.batch_alter_table("oauth_nonces", schema=None) as batch_op:
        batch_op.create_index("ix_oauth_nonces_timestamp", ["timestamp"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("oauth_nonces", schema=None) as batch_op:
        batch_op.drop_index("ix_oauth_nonces_timestamp")

    op.drop_table("oauth_nonces")
    op.drop_table("api_clients")
