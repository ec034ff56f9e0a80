"""v12 gradebook links

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 23:00:00

The link records of a 1.2.1 bundle's gradebook files: lineItemScoreScales.csv,
resultScoreScales.csv, lineItemLearningObjectiveIds.csv and resultLearningObjectiveIds.csv, one
row per link. Existing records hold none, so no document and no content hash changes.
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

from openroster.store.migration_ops import TEXT, create_record_table

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

# table -> (its columns, those indexed besides status and date_last_modified)
_TABLES: dict[str, tuple[tuple[tuple[str, sa.types.TypeEngine[Any]], ...], tuple[str, ...]]] = {
    "line_item_score_scales": (
        (("title", TEXT), ("line_item_sourced_id", TEXT), ("score_scale_sourced_id", TEXT)),
        ("line_item_sourced_id", "score_scale_sourced_id"),
    ),
    "result_score_scales": (
        (("title", TEXT), ("result_sourced_id", TEXT), ("score_scale_sourced_id", TEXT)),
        ("result_sourced_id", "score_scale_sourced_id"),
    ),
    "line_item_learning_objective_ids": (
        (("line_item_sourced_id", TEXT), ("source", TEXT), ("learning_objective_id", TEXT)),
        ("line_item_sourced_id", "source"),
    ),
    "result_learning_objective_ids": (
        (
            ("result_sourced_id", TEXT),
            ("source", TEXT),
            ("learning_objective_id", TEXT),
            ("score", sa.Float()),
            ("text_score", TEXT),
        ),
        ("result_sourced_id", "source"),
    ),
}


def upgrade() -> None:
    for table, (columns, indexed) in _TABLES.items():
        create_record_table(table, columns, indexed)


def downgrade() -> None:
    for table in reversed(_TABLES):
        op.drop_table(table)
