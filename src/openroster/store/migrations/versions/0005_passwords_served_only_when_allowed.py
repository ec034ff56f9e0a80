"""passwords served only when allowed

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 08:30:00

api_clients.allow_passwords: whether a client is served users' passwords (default: no).
Stored user documents no longer hold `password` (it stays in users.password and is spliced in
for allowed clients); content hashes are unchanged, since they cover the password as before.
"""

import orjson
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_USERS = sa.table("users", sa.column("sourced_id"), sa.column("doc"), sa.column("password"))


def _rewrite_docs(*, with_password: bool) -> None:
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(_USERS.c.sourced_id, _USERS.c.doc, _USERS.c.password).where(_USERS.c.password.is_not(None))
    ).all()
    for sourced_id, doc, password in rows:
        data = orjson.loads(doc)
        data.pop("password", None)
        if with_password:
            data["password"] = password  # the last field of a user document
        bind.execute(_USERS.update().where(_USERS.c.sourced_id == sourced_id).values(doc=orjson.dumps(data)))


def upgrade() -> None:
    with op.batch_alter_table("api_clients", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("allow_passwords", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    _rewrite_docs(with_password=False)


def downgrade() -> None:
    _rewrite_docs(with_password=True)
    with op.batch_alter_table("api_clients", schema=None) as batch_op:
        batch_op.drop_column("allow_passwords")
