"""v12 gradebook

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 14:40:00

The fields OneRoster 1.2 brought to the gradebook get columns: a category's weight, a lineItem's
school and scoreScale, a result's class, textScore, four flags and scoreScale, and both their
learning objective sets (a child table each). The entities 1.2
brought get tables: score scales (with their values) and the Assessment Results Profile's
assessment lineItems and results. Stored lineItems take their class's school and results their
lineItem's class (store/fallbacks.py); categories, lineItems and results get their 1.2
documents, and their content hashes then cover both documents; no dateLastModified moves.
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

from openroster.store.migration_ops import create_record_table
from openroster.store.rerender import render_v12_documents

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_TEXT = sa.Text().with_variant(sa.Text(collation="C"), "postgresql")
_COLUMNS: dict[str, tuple[tuple[str, Any], ...]] = {
    "categories": (("weight", sa.Float()),),
    "line_items": (("school_sourced_id", _TEXT), ("score_scale_sourced_id", _TEXT)),
    "results": (
        ("text_score", _TEXT),
        ("class_sourced_id", _TEXT),
        ("in_progress", _TEXT),
        ("incomplete", _TEXT),
        ("late", _TEXT),
        ("missing", _TEXT),
        ("score_scale_sourced_id", _TEXT),
    ),
}
_INDEXED = {
    "line_items": ("school_sourced_id", "score_scale_sourced_id"),
    "results": ("class_sourced_id", "score_scale_sourced_id"),
}
# New tables: their columns after the base ones, and which of them are indexed.
_NEW_TABLES: dict[str, tuple[tuple[tuple[str, Any], ...], tuple[str, ...]]] = {
    "score_scales": (
        (
            ("title", _TEXT),
            ("type", _TEXT),
            ("school_sourced_id", _TEXT),
            ("course_sourced_id", _TEXT),
            ("class_sourced_id", _TEXT),
        ),
        ("school_sourced_id", "course_sourced_id", "class_sourced_id"),
    ),
    "assessment_line_items": (
        (
            ("title", _TEXT),
            ("description", _TEXT),
            ("class_sourced_id", _TEXT),
            ("parent_assessment_line_item_sourced_id", _TEXT),
            ("score_scale_sourced_id", _TEXT),
            ("result_value_min", sa.Float()),
            ("result_value_max", sa.Float()),
        ),
        ("class_sourced_id", "parent_assessment_line_item_sourced_id", "score_scale_sourced_id"),
    ),
    "assessment_results": (
        (
            ("assessment_line_item_sourced_id", _TEXT),
            ("student_sourced_id", _TEXT),
            ("score_date", sa.BigInteger()),
            ("score_status", _TEXT),
            ("score", sa.Float()),
            ("text_score", _TEXT),
            ("score_scale_sourced_id", _TEXT),
            ("score_percentile", sa.Float()),
            ("comment", _TEXT),
            ("in_progress", _TEXT),
            ("incomplete", _TEXT),
            ("late", _TEXT),
            ("missing", _TEXT),
        ),
        (
            "assessment_line_item_sourced_id",
            "student_sourced_id",
            "score_date",
            "score_status",
            "score_scale_sourced_id",
        ),
    ),
}
_ENTITIES = ("category", "lineItem", "result")
# The tables whose records have a learning objective set (a child table each).
_OBJECTIVE_OWNERS = ("line_items", "results", "assessment_line_items", "assessment_results")


def upgrade() -> None:
    for table, columns in _COLUMNS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, type_ in columns:
                batch_op.add_column(sa.Column(name, type_, nullable=True))
            for column in _INDEXED.get(table, ()):
                batch_op.create_index(f"ix_{table}_{column}", [column, "sourced_id"], unique=False)
    for table, (columns, indexed) in _NEW_TABLES.items():
        create_record_table(table, columns, indexed)
    op.create_table(
        "score_scales__score_scale_value",
        sa.Column("owner", _TEXT, nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("lhs", _TEXT, nullable=False),
        sa.Column("rhs", _TEXT, nullable=False),
        sa.PrimaryKeyConstraint("owner", "position"),
    )
    for owner in _OBJECTIVE_OWNERS:
        op.create_table(
            f"{owner}__learning_objective_set",
            sa.Column("owner", _TEXT, nullable=False),
            sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
            sa.Column("source", _TEXT, nullable=False),
            sa.Column("objective", _TEXT, nullable=False),
            sa.Column("score", sa.Float(), nullable=True),
            sa.Column("text_score", _TEXT, nullable=True),
            sa.PrimaryKeyConstraint("owner", "position"),
        )
    render_v12_documents(op.get_bind(), names=_ENTITIES)


def downgrade() -> None:
    render_v12_documents(op.get_bind(), with_v12=False, names=_ENTITIES)
    for owner in _OBJECTIVE_OWNERS:
        op.drop_table(f"{owner}__learning_objective_set")
    op.drop_table("score_scales__score_scale_value")
    for table in _NEW_TABLES:
        op.drop_table(table)
    for table, columns in _COLUMNS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in _INDEXED.get(table, ()):
                batch_op.drop_index(f"ix_{table}_{column}")
            for name, _ in columns:
                batch_op.drop_column(name)
