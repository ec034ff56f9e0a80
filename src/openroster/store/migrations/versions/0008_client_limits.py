"""client limits

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 23:00:00

A client's own limits: requests per minute, requests at once, records per minute. NULL: the
server's default (settings); 0: unlimited. Existing clients get NULL, the defaults.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_LIMITS = ("requests_per_minute", "concurrent_requests", "records_per_minute")


def upgrade() -> None:
    with op.batch_alter_table("api_clients", schema=None) as batch_op:
        for name in _LIMITS:
            batch_op.add_column(sa.Column(name, sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("api_clients", schema=None) as batch_op:
        for name in reversed(_LIMITS):
            batch_op.drop_column(name)
