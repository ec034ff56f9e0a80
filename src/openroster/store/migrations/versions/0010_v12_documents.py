"""v12 documents

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 22:30:00

Every entity table gets `doc_v12`, the record's OneRoster 1.2 document. The records of the
entities 1.2 serves (orgs, academic sessions, courses, classes, users, enrollments,
demographics, resources) get theirs rendered from what is stored, and their content hashes
then cover both documents (store/rerender.py); no dateLastModified moves. The others keep NULL
until their 1.2 binding exists.
"""

import sqlalchemy as sa
from alembic import op

from openroster.store.rerender import render_v12_documents

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# The entities 1.2 served when this revision was made (the gradebook's came with 0012).
_SERVED = ("academicSession", "class", "course", "demographics", "enrollment", "org", "resource", "user")
_TABLES = (
    "academic_sessions",
    "categories",
    "classes",
    "class_resources",
    "courses",
    "course_resources",
    "demographics",
    "enrollments",
    "line_items",
    "orgs",
    "resources",
    "results",
    "users",
)


def upgrade() -> None:
    for name in _TABLES:
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.add_column(sa.Column("doc_v12", sa.LargeBinary(), nullable=True))
    render_v12_documents(op.get_bind(), names=_SERVED)


def downgrade() -> None:
    render_v12_documents(op.get_bind(), with_v12=False, names=_SERVED)
    for name in _TABLES:
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.drop_column("doc_v12")
