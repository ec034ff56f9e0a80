"""content hash, first seen, data revision

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 13:29:50.841947

Existing records get their content hash computed from their stored document (so a first
re-import after upgrading does not move every dateLastModified) and first_seen_ms = their
dateLastModified (the best knowledge there is).
"""

import hashlib

import orjson
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TEXT = sa.Text().with_variant(sa.Text(collation="C"), "postgresql")
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
EPOCH = "1970-01-01T00:00:00.000Z"


def _hash(doc: bytes) -> str:
    data = orjson.loads(doc)
    data["dateLastModified"] = EPOCH
    return hashlib.blake2b(orjson.dumps(data), digest_size=16).hexdigest()


def upgrade() -> None:
    op.create_table(
        "store_state",
        sa.Column("key", TEXT, nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.execute("INSERT INTO store_state (key, value) VALUES ('revision', 1)")
    bind = op.get_bind()
    for name in ENTITY_TABLES:
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.add_column(sa.Column("content_hash", TEXT, nullable=False, server_default=""))
            batch_op.add_column(
                sa.Column("first_seen_ms", sa.BigInteger(), nullable=False, server_default="0")
            )
        table = sa.table(
            name,
            sa.column("sourced_id"),
            sa.column("doc"),
            sa.column("content_hash"),
            sa.column("first_seen_ms"),
            sa.column("date_last_modified"),
        )
        bind.execute(table.update().values(first_seen_ms=table.c.date_last_modified))
        rows = bind.execute(sa.select(table.c.sourced_id, table.c.doc)).all()
        for sourced_id, doc in rows:
            bind.execute(
                table.update().where(table.c.sourced_id == sourced_id).values(content_hash=_hash(doc))
            )


def downgrade() -> None:
    for name in ENTITY_TABLES:
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.drop_column("first_seen_ms")
            batch_op.drop_column("content_hash")
    op.drop_table("store_state")
