"""scoreDate keeps the instant

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 13:45:00

results.score_date held a date ('YYYY-MM-DD'); it now holds epoch milliseconds, because
clients send (and read back) full date-times. Stored dates become midnight UTC of that day.
Stored documents are left as they are; they change when the result is next written.
"""

from datetime import UTC, date, datetime

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _ms(text: str) -> int:
    day = date.fromisoformat(text[:10])
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() * 1000)


def upgrade() -> None:
    with op.batch_alter_table("results", schema=None) as batch_op:
        batch_op.add_column(sa.Column("score_date_ms", sa.BigInteger(), nullable=True))
    bind = op.get_bind()
    table = sa.table("results", sa.column("sourced_id"), sa.column("score_date"), sa.column("score_date_ms"))
    for sourced_id, text in bind.execute(sa.select(table.c.sourced_id, table.c.score_date)).all():
        if text:
            bind.execute(
                table.update().where(table.c.sourced_id == sourced_id).values(score_date_ms=_ms(text))
            )
    with op.batch_alter_table("results", schema=None) as batch_op:
        batch_op.drop_column("score_date")
        batch_op.alter_column("score_date_ms", new_column_name="score_date")
    with op.batch_alter_table("results", schema=None) as batch_op:
        batch_op.create_index("ix_results_score_date", ["score_date", "sourced_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("results", schema=None) as batch_op:
        batch_op.drop_index("ix_results_score_date")
        batch_op.add_column(sa.Column("score_date_text", sa.Text(), nullable=True))
    bind = op.get_bind()
    table = sa.table(
        "results", sa.column("sourced_id"), sa.column("score_date"), sa.column("score_date_text")
    )
    for sourced_id, ms in bind.execute(sa.select(table.c.sourced_id, table.c.score_date)).all():
        if ms is not None:
            text = datetime.fromtimestamp(ms / 1000, tz=UTC).date().isoformat()
            bind.execute(table.update().where(table.c.sourced_id == sourced_id).values(score_date_text=text))
    with op.batch_alter_table("results", schema=None) as batch_op:
        batch_op.drop_column("score_date")
        batch_op.alter_column("score_date_text", new_column_name="score_date")
