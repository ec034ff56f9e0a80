"""v12 gradebook

Revision ID: 0012
Revises: 0010
Create Date: 2026-12-07 14:40:00

The fields OneRoster 1.2 brought to the gradebook get columns: a category's weight, a lineItem's
school, a result's class, textScore and its four flags. Stored lineItems take their class's
school and results their lineItem's class (store/fallbacks.py); categories, lineItems and
results get their 1.2 documents, and their content hashes then cover both documents; no
dateLastModified moves.
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

from openroster.store.rerender import render_v12_documents

revision = "0012"
down_revision = "0010"
branch_labels = None
depends_on = None

_TEXT = sa.Text().with_variant(sa.Text(collation="C"), "postgresql")
_COLUMNS: dict[str, tuple[tuple[str, Any], ...]] = {
    "categories": (("weight", sa.Float()),),
    "line_items": (("school_sourced_id", _TEXT),),
    "results": (
        ("text_score", _TEXT),
        ("class_sourced_id", _TEXT),
        ("in_progress", _TEXT),
        ("incomplete", _TEXT),
        ("late", _TEXT),
        ("missing", _TEXT),
    ),
}
_INDEXES = {"line_items": "school_sourced_id", "results": "class_sourced_id"}
_ENTITIES = ("category", "lineItem", "result")


def upgrade() -> None:
    for table, columns in _COLUMNS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, type_ in columns:
                batch_op.add_column(sa.Column(name, type_, nullable=True))
            if table in _INDEXES:
                column = _INDEXES[table]
                batch_op.create_index(f"ix_{table}_{column}", [column, "sourced_id"], unique=False)
    render_v12_documents(op.get_bind(), names=_ENTITIES)


def downgrade() -> None:
    render_v12_documents(op.get_bind(), with_v12=False, names=_ENTITIES)
    for table, columns in _COLUMNS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            if table in _INDEXES:
                batch_op.drop_index(f"ix_{table}_{_INDEXES[table]}")
            for name, _ in columns:
                batch_op.drop_column(name)
