"""v12 csv

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 14:30:00

What only OneRoster 1.2 holds, from 1.2.1 bundles: a user's role records (`roles`, roles.csv),
profile records (`user_profiles`, userProfiles.csv) and resources (`user_resources`,
userResources.csv), and the user's 1.2-only fields
(userMasterIdentifier, preferred names, primaryOrg, pronouns). Existing records hold none of it,
so no document and no content hash changes.
"""

import sqlalchemy as sa
from alembic import op

from openroster.store.migration_ops import TEXT, create_record_table

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

_USER_COLUMNS = (
    "user_master_identifier",
    "preferred_first_name",
    "preferred_middle_name",
    "preferred_last_name",
    "primary_org_sourced_id",
    "pronouns",
)


def _record_table(name: str, *columns: str) -> None:
    create_record_table(name, tuple((column, TEXT) for column in columns), ())


def _index(table: str, column: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.create_index(f"ix_{table}_{column}", [column, "sourced_id"], unique=False)


def upgrade() -> None:
    _record_table(
        "roles",
        "user_sourced_id",
        "role_type",
        "role",
        "begin_date",
        "end_date",
        "org_sourced_id",
        "user_profile_sourced_id",
    )
    for column in ("user_sourced_id", "role_type", "role", "org_sourced_id"):
        _index("roles", column)
    _index("roles", "user_profile_sourced_id")
    _record_table(
        "user_profiles",
        "user_sourced_id",
        "profile_type",
        "vendor_id",
        "application_id",
        "description",
        "credential_type",
        "username",
        "password",
    )
    _index("user_profiles", "user_sourced_id")
    _record_table(
        "user_resources", "user_sourced_id", "org_sourced_id", "class_sourced_id", "resource_sourced_id"
    )
    for column in ("user_sourced_id", "org_sourced_id", "class_sourced_id"):
        _index("user_resources", column)
    _index("user_resources", "resource_sourced_id")
    with op.batch_alter_table("users", schema=None) as batch_op:
        for column in _USER_COLUMNS:
            batch_op.add_column(sa.Column(column, TEXT, nullable=True))
        batch_op.create_index(
            "ix_users_primary_org_sourced_id", ["primary_org_sourced_id", "sourced_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index("ix_users_primary_org_sourced_id")
        for column in _USER_COLUMNS:
            batch_op.drop_column(column)
    op.drop_table("user_resources")
    op.drop_table("user_profiles")
    op.drop_table("roles")
