"""record counts

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 23:00:00

Records per entity table and status (store/counts.py). On PostgreSQL, statement-level triggers
on every entity table keep them in the writing transaction, and they start from the rows
stored now; SQLite keeps none (its COUNT(*) reads an index), so there the table stays empty.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
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

# One function for every table and event: rows a statement added count +1 under their status,
# rows it took away -1 (an UPDATE does both, so a changed status moves its row).
_FUNCTION = """
CREATE FUNCTION openroster_count_records() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO record_counts AS c (table_name, status, records)
        SELECT TG_TABLE_NAME, status, count(*) FROM added GROUP BY status
        ON CONFLICT (table_name, status) DO UPDATE SET records = c.records + EXCLUDED.records;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO record_counts AS c (table_name, status, records)
        SELECT TG_TABLE_NAME, status, -count(*) FROM removed GROUP BY status
        ON CONFLICT (table_name, status) DO UPDATE SET records = c.records + EXCLUDED.records;
    ELSE
        INSERT INTO record_counts AS c (table_name, status, records)
        SELECT TG_TABLE_NAME, status, sum(change) FROM (
            SELECT status, 1 AS change FROM added
            UNION ALL SELECT status, -1 FROM removed
        ) AS moved GROUP BY status HAVING sum(change) <> 0
        ON CONFLICT (table_name, status) DO UPDATE SET records = c.records + EXCLUDED.records;
    END IF;
    RETURN NULL;
END
$$
"""

# PostgreSQL allows transition tables on triggers of one event only.
_EVENTS = {
    "insert": ("INSERT", "NEW TABLE AS added"),
    "delete": ("DELETE", "OLD TABLE AS removed"),
    "update": ("UPDATE", "OLD TABLE AS removed NEW TABLE AS added"),
}


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
    op.execute(_FUNCTION)
    for table in ENTITY_TABLES:
        for name, (event, transition) in _EVENTS.items():
            op.execute(
                f'CREATE TRIGGER "{table}_count_{name}" AFTER {event} ON "{table}" '
                f"REFERENCING {transition} FOR EACH STATEMENT EXECUTE FUNCTION openroster_count_records()"
            )
        op.execute(
            f"INSERT INTO record_counts (table_name, status, records) "
            f"SELECT '{table}', status, count(*) FROM \"{table}\" GROUP BY status"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in ENTITY_TABLES:
            for name in _EVENTS:
                op.execute(f'DROP TRIGGER "{table}_count_{name}" ON "{table}"')
        op.execute("DROP FUNCTION openroster_count_records()")
    op.drop_table("record_counts")
