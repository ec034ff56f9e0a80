"""Operations the schema migrations share: the table of an entity's records, as store/schema.py has it."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

TEXT = sa.Text().with_variant(sa.Text(collation="C"), "postgresql")


def create_record_table(name: str, columns: tuple[tuple[str, Any], ...], indexed: tuple[str, ...]) -> None:
    """An entity's table: the base columns, then `columns` (name, type); `status`,
    `date_last_modified` and `indexed` get a (column, sourced_id) index each."""
    op.create_table(
        name,
        sa.Column("sourced_id", TEXT, nullable=False),
        sa.Column("status", TEXT, nullable=False),
        sa.Column("date_last_modified", sa.BigInteger(), nullable=False),
        sa.Column("doc", sa.LargeBinary(), nullable=False),
        sa.Column("doc_v12", sa.LargeBinary(), nullable=True),
        sa.Column("metadata", TEXT, nullable=True),
        sa.Column("content_hash", TEXT, nullable=False),
        sa.Column("first_seen_ms", sa.BigInteger(), nullable=False),
        *(sa.Column(column, type_, nullable=True) for column, type_ in columns),
        sa.PrimaryKeyConstraint("sourced_id"),
    )
    with op.batch_alter_table(name, schema=None) as batch_op:
        for column in ("status", "date_last_modified", *indexed):
            batch_op.create_index(f"ix_{name}_{column}", [column, "sourced_id"], unique=False)
