"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-27 13:15:19.291037
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "academic_sessions",
        sa.Column("sourced_id", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=False),
        sa.Column("status", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=False),
        sa.Column("date_last_modified", sa.BigInteger(), nullable=False),
        sa.Column("doc", sa.LargeBinary(), nullable=False),
        sa.Column("metadata", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=True),
        sa.Column("title", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=True),
        sa.Column("type", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=True),
        sa.Column("start_date", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=True),
        sa.Column("end_date", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=True),
        sa.Column(
            "parent_sourced_id", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=True
        ),
        sa.Column("school_year", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=True),
        sa.PrimaryKeyConstraint("sourced_id"),
    )
    with op.batch_alter_table("academic_sessions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_academic_sessions_date_last_modified", ["date_last_modified", "sourced_id"], unique=False
        )
        batch_op.create_index(
            "ix_academic_sessions_parent_sourced_id", ["parent_sourced_id", "sourced_id"], unique=False
        )
        batch_op.create_index("ix_academic_sessions_school_year", ["school_year", "sourced_id"], unique=False)
        batch_op.create_index("ix_academic_sessions_status", ["status", "sourced_id"], unique=False)
        batch_op.create_index("ix_academic_sessions_type", ["type", "sourced_id"], unique=False)

    op.create_table(
        "categories",
        sa.Column("sourced_id", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=False),
        sa.Column("status", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=False),
        sa.Column("date_last_modified", sa.BigInteger(), nullable=False),
        sa.Column("doc", sa.LargeBinary(), nullable=False),
        sa.Column("metadata", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=True),
        sa.Column("title", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=True),
        sa.PrimaryKeyConstraint("sourced_id"),
    )
    with op.batch_alter_table("categories", schema=None) as batch_op:
        batch_op.create_index(
            "ix_categories_date_last_modified", ["date_last_modified", "sourced_id"], unique=False
        )
        batch_op.create_index("ix_categories_status", ["status", "sourced_id"], unique=False)

    op.create_table(
        "class_resources",
        sa.Column("sourced_id", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=False),
        sa.Column("status", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=False),
        sa.Column("date_last_modified", sa.BigInteger(), nullable=False),
        sa.Column("doc", sa.LargeBinary(), nullable=False),
        sa.Column("metadata", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=True),
        sa.Column("title", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=True),
        sa.Column(
            "class_sourced_id", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=True
        ),
        sa.Column(
            "resource_sourced_id", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=True
        ),
        sa.PrimaryKeyConstraint("sourced_id"),
    )
    with op.batch_alter_table("class_resources", schema=None) as batch_op:
        batch_op.create_index(
            "ix_class_resources_class_sourced_id", ["class_sourced_id", "sourced_id"], unique=False
        )
        batch_op.create_index(
            "ix_class_resources_date_last_modified", ["date_last_modified", "sourced_id"], unique=False
        )
        batch_op.create_index(
            "ix_class_resources_resource_sourced_id", ["resource_sourced_id", "sourced_id"], unique=False
        )
        batch_op.create_index("ix_class_resources_status", ["status", "sourced_id"], unique=False)

    op.create_table(
        "classes",
        sa.Column("sourced_id", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=False),
        sa.Column("status", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=False),
        sa.Column("date_last_modified", sa.BigInteger(), nullable=False),
        sa.Column("doc", sa.LargeBinary(), nullable=False),
        sa.Column("metadata", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=True),
        sa.Column("title", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=True),
        sa.Column(
            "course_sourced_id", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=True
        ),
        sa.Column("class_code", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=True),
        sa.Column("class_type", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=True),
        sa.Column("location", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=True),
        sa.Column(
            "school_sourced_id", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=True
        ),
        sa.PrimaryKeyConstraint("sourced_id"),
    )
    with op.batch_alter_table("classes", schema=None) as batch_op:
        batch_op.create_index("ix_classes_class_type", ["class_type", "sourced_id"], unique=False)
        batch_op.create_index(
            "ix_classes_course_sourced_id", ["course_sourced_id", "sourced_id"], unique=False
        )
        batch_op.create_index(
            "ix_classes_date_last_modified", ["date_last_modified", "sourced_id"], unique=False
        )
        batch_op.create_index(
            "ix_classes_school_sourced_id", ["school_sourced_id", "sourced_id"], unique=False
        )
        batch_op.create_index("ix_classes_status", ["status", "sourced_id"], unique=False)

    op.create_table(
        "classes__grades",
        sa.Column("owner", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("value", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=False),
        sa.PrimaryKeyConstraint("owner", "position"),
    )
    with op.batch_alter_table("classes__grades", schema=None) as batch_op:
        batch_op.create_index("ix_classes__grades_value", ["value", "owner"], unique=False)

    op.create_table(
        "classes__periods",
        sa.Column("owner", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("value", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=False),
        sa.PrimaryKeyConstraint("owner", "position"),
    )
    with op.batch_alter_table("classes__periods", schema=None) as batch_op:
        batch_op.create_index("ix_classes__periods_value", ["value", "owner"], unique=False)

    op.create_table(
        "classes__subject_codes",
        sa.Column("owner", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("value", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=False),
        sa.PrimaryKeyConstraint("owner", "position"),
    )
    with op.batch_alter_table("classes__subject_codes", schema=None) as batch_op:
        batch_op.create_index("ix_classes__subject_codes_value", ["value", "owner"], unique=False)

    op.create_table(
        "classes__subjects",
        sa.Column("owner", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("value", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=False),
        sa.PrimaryKeyConstraint("owner", "position"),
    )
    with op.batch_alter_table("classes__subjects", schema=None) as batch_op:
        batch_op.create_index("ix_classes__subjects_value", ["value", "owner"], unique=False)

    op.create_table(
        "classes__terms",
        sa.Column("owner", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("value", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=False),
        sa.PrimaryKeyConstraint("owner", "position"),
    )
    with op.batch_alter_table("classes__terms", schema=None) as batch_op:
        batch_op.create_index("ix_classes__terms_value", ["value", "owner"], unique=False)

    op.create_table(
        "course_resources",
        sa.Column("sourced_id", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=False),
        sa.Column("status", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=False),
        sa.Column("date_last_modified", sa.BigInteger(), nullable=False),
        sa.Column("doc", sa.LargeBinary(), nullable=False),
        sa.Column("metadata", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=True),
        sa.Column("title", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=True),
        sa.Column(
            "course_sourced_id", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=True
        ),
        sa.Column(
            "resource_sourced_id", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=True
        ),
        sa.PrimaryKeyConstraint("sourced_id"),
    )
    with op.batch_alter_table("course_resources", schema=None) as batch_op:
        batch_op.create_index(
            "ix_course_resources_course_sourced_id", ["course_sourced_id", "sourced_id"], unique=False
        )
        batch_op.create_index(
            "ix_course_resources_date_last_modified", ["date_last_modified", "sourced_id"], unique=False
        )
        batch_op.create_index(
            "ix_course_resources_resource_sourced_id", ["resource_sourced_id", "sourced_id"], unique=False
        )
        batch_op.create_index("ix_course_resources_status", ["status", "sourced_id"], unique=False)

    op.create_table(
        "courses",
        sa.Column("sourced_id", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=False),
        sa.Column("status", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=False),
        sa.Column("date_last_modified", sa.BigInteger(), nullable=False),
        sa.Column("doc", sa.LargeBinary(), nullable=False),
        sa.Column("metadata", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=True),
        sa.Column(
            "school_year_sourced_id",
            sa.Text().with_variant(sa.Text(collation="C"), "postgresql"),
            nullable=True,
        ),
        sa.Column("title", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=True),
        sa.Column("course_code", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=True),
        sa.Column(
            "org_sourced_id", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=True
        ),
        sa.PrimaryKeyConstraint("sourced_id"),
    )
    with op.batch_alter_table("courses", schema=None) as batch_op:
        batch_op.create_index(
            "ix_courses_date_last_modified", ["date_last_modified", "sourced_id"], unique=False
        )
        batch_op.create_index("ix_courses_org_sourced_id", ["org_sourced_id", "sourced_id"], unique=False)
        batch_op.create_index(
            "ix_courses_school_year_sourced_id", ["school_year_sourced_id", "sourced_id"], unique=False
        )
        batch_op.create_index("ix_courses_status", ["status", "sourced_id"], unique=False)

    op.create_table(
        "courses__grades",
        sa.Column("owner", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("value", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=False),
        sa.PrimaryKeyConstraint("owner", "position"),
    )
    with op.batch_alter_table("courses__grades", schema=None) as batch_op:
        batch_op.create_index("ix_courses__grades_value", ["value", "owner"], unique=False)

    op.create_table(
        "courses__subject_codes",
        sa.Column("owner", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("value", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=False),
        sa.PrimaryKeyConstraint("owner", "position"),
    )
    with op.batch_alter_table("courses__subject_codes", schema=None) as batch_op:
        batch_op.create_index("ix_courses__subject_codes_value", ["value", "owner"], unique=False)

    op.create_table(
        "courses__subjects",
        sa.Column("owner", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("value", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=False),
        sa.PrimaryKeyConstraint("owner", "position"),
    )
    with op.batch_alter_table("courses__subjects", schema=None) as batch_op:
        batch_op.create_index("ix_courses__subjects_value", ["value", "owner"], unique=False)

    op.create_table(
        "demographics",
        sa.Column("sourced_id", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=False),
        sa.Column("status", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=False),
        sa.Column("date_last_modified", sa.BigInteger(), nullable=False),
        sa.Column("doc", sa.LargeBinary(), nullable=False),
        sa.Column("metadata", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=True),
        sa.Column("birth_date", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=True),
        sa.Column("sex", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=True),
        sa.Column(
            "american_indian_or_alaska_native",
            sa.Text().with_variant(sa.Text(collation="C"), "postgresql"),
            nullable=True,
        ),
        sa.Column("asian", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=True),
        sa.Column(
            "black_or_african_american",
            sa.Text().with_variant(sa.Text(collation="C"), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "native_hawaiian_or_other_pacific_islander",
            sa.Text().with_variant(sa.Text(collation="C"), "postgresql"),
            nullable=True,
        ),
        sa.Column("white", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=True),
        sa.Column(
            "demographic_race_two_or_more_races",
            sa.Text().with_variant(sa.Text(collation="C"), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "hispanic_or_latino_ethnicity",
            sa.Text().with_variant(sa.Text(collation="C"), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "country_of_birth_code",
            sa.Text().with_variant(sa.Text(collation="C"), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "state_of_birth_abbreviation",
            sa.Text().with_variant(sa.Text(collation="C"), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "city_of_birth", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=True
        ),
        sa.Column(
            "public_school_residence_status",
            sa.Text().with_variant(sa.Text(collation="C"), "postgresql"),
            nullable=True,
        ),
        sa.PrimaryKeyConstraint("sourced_id"),
    )
    with op.batch_alter_table("demographics", schema=None) as batch_op:
        batch_op.create_index(
            "ix_demographics_date_last_modified", ["date_last_modified", "sourced_id"], unique=False
        )
        batch_op.create_index("ix_demographics_sex", ["sex", "sourced_id"], unique=False)
        batch_op.create_index("ix_demographics_status", ["status", "sourced_id"], unique=False)

    op.create_table(
        "enrollments",
        sa.Column("sourced_id", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=False),
        sa.Column("status", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=False),
        sa.Column("date_last_modified", sa.BigInteger(), nullable=False),
        sa.Column("doc", sa.LargeBinary(), nullable=False),
        sa.Column("metadata", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=True),
        sa.Column(
            "class_sourced_id", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=True
        ),
        sa.Column(
            "school_sourced_id", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=True
        ),
        sa.Column(
            "user_sourced_id", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=True
        ),
        sa.Column("role", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=True),
        sa.Column("primary", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=True),
        sa.Column("begin_date", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=True),
        sa.Column("end_date", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=True),
        sa.PrimaryKeyConstraint("sourced_id"),
    )
    with op.batch_alter_table("enrollments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_enrollments_class_sourced_id", ["class_sourced_id", "sourced_id"], unique=False
        )
        batch_op.create_index(
            "ix_enrollments_date_last_modified", ["date_last_modified", "sourced_id"], unique=False
        )
        batch_op.create_index("ix_enrollments_role", ["role", "sourced_id"], unique=False)
        batch_op.create_index(
            "ix_enrollments_school_sourced_id", ["school_sourced_id", "sourced_id"], unique=False
        )
        batch_op.create_index("ix_enrollments_status", ["status", "sourced_id"], unique=False)
        batch_op.create_index(
            "ix_enrollments_user_sourced_id", ["user_sourced_id", "sourced_id"], unique=False
        )

    op.create_table(
        "line_items",
        sa.Column("sourced_id", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=False),
        sa.Column("status", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=False),
        sa.Column("date_last_modified", sa.BigInteger(), nullable=False),
        sa.Column("doc", sa.LargeBinary(), nullable=False),
        sa.Column("metadata", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=True),
        sa.Column("title", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=True),
        sa.Column("description", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=True),
        sa.Column("assign_date", sa.BigInteger(), nullable=True),
        sa.Column("due_date", sa.BigInteger(), nullable=True),
        sa.Column(
            "class_sourced_id", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=True
        ),
        sa.Column(
            "category_sourced_id", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=True
        ),
        sa.Column(
            "grading_period_sourced_id",
            sa.Text().with_variant(sa.Text(collation="C"), "postgresql"),
            nullable=True,
        ),
        sa.Column("result_value_min", sa.Float(), nullable=True),
        sa.Column("result_value_max", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("sourced_id"),
    )
    with op.batch_alter_table("line_items", schema=None) as batch_op:
        batch_op.create_index("ix_line_items_assign_date", ["assign_date", "sourced_id"], unique=False)
        batch_op.create_index(
            "ix_line_items_category_sourced_id", ["category_sourced_id", "sourced_id"], unique=False
        )
        batch_op.create_index(
            "ix_line_items_class_sourced_id", ["class_sourced_id", "sourced_id"], unique=False
        )
        batch_op.create_index(
            "ix_line_items_date_last_modified", ["date_last_modified", "sourced_id"], unique=False
        )
        batch_op.create_index("ix_line_items_due_date", ["due_date", "sourced_id"], unique=False)
        batch_op.create_index(
            "ix_line_items_grading_period_sourced_id",
            ["grading_period_sourced_id", "sourced_id"],
            unique=False,
        )
        batch_op.create_index("ix_line_items_status", ["status", "sourced_id"], unique=False)

    op.create_table(
        "orgs",
        sa.Column("sourced_id", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=False),
        sa.Column("status", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=False),
        sa.Column("date_last_modified", sa.BigInteger(), nullable=False),
        sa.Column("doc", sa.LargeBinary(), nullable=False),
        sa.Column("metadata", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=True),
        sa.Column("name", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=True),
        sa.Column("type", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=True),
        sa.Column("identifier", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=True),
        sa.Column(
            "parent_sourced_id", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=True
        ),
        sa.PrimaryKeyConstraint("sourced_id"),
    )
    with op.batch_alter_table("orgs", schema=None) as batch_op:
        batch_op.create_index(
            "ix_orgs_date_last_modified", ["date_last_modified", "sourced_id"], unique=False
        )
        batch_op.create_index("ix_orgs_parent_sourced_id", ["parent_sourced_id", "sourced_id"], unique=False)
        batch_op.create_index("ix_orgs_status", ["status", "sourced_id"], unique=False)
        batch_op.create_index("ix_orgs_type", ["type", "sourced_id"], unique=False)

    op.create_table(
        "resources",
        sa.Column("sourced_id", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=False),
        sa.Column("status", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=False),
        sa.Column("date_last_modified", sa.BigInteger(), nullable=False),
        sa.Column("doc", sa.LargeBinary(), nullable=False),
        sa.Column("metadata", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=True),
        sa.Column(
            "vendor_resource_id", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=True
        ),
        sa.Column("title", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=True),
        sa.Column("importance", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=True),
        sa.Column("vendor_id", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=True),
        sa.Column(
            "application_id", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=True
        ),
        sa.PrimaryKeyConstraint("sourced_id"),
    )
    with op.batch_alter_table("resources", schema=None) as batch_op:
        batch_op.create_index(
            "ix_resources_date_last_modified", ["date_last_modified", "sourced_id"], unique=False
        )
        batch_op.create_index("ix_resources_importance", ["importance", "sourced_id"], unique=False)
        batch_op.create_index("ix_resources_status", ["status", "sourced_id"], unique=False)

    op.create_table(
        "resources__roles",
        sa.Column("owner", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("value", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=False),
        sa.PrimaryKeyConstraint("owner", "position"),
    )
    with op.batch_alter_table("resources__roles", schema=None) as batch_op:
        batch_op.create_index("ix_resources__roles_value", ["value", "owner"], unique=False)

    op.create_table(
        "results",
        sa.Column("sourced_id", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=False),
        sa.Column("status", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=False),
        sa.Column("date_last_modified", sa.BigInteger(), nullable=False),
        sa.Column("doc", sa.LargeBinary(), nullable=False),
        sa.Column("metadata", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=True),
        sa.Column(
            "line_item_sourced_id",
            sa.Text().with_variant(sa.Text(collation="C"), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "student_sourced_id", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=True
        ),
        sa.Column(
            "score_status", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=True
        ),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("score_date", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=True),
        sa.Column("comment", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=True),
        sa.PrimaryKeyConstraint("sourced_id"),
    )
    with op.batch_alter_table("results", schema=None) as batch_op:
        batch_op.create_index(
            "ix_results_date_last_modified", ["date_last_modified", "sourced_id"], unique=False
        )
        batch_op.create_index(
            "ix_results_line_item_sourced_id", ["line_item_sourced_id", "sourced_id"], unique=False
        )
        batch_op.create_index("ix_results_score_status", ["score_status", "sourced_id"], unique=False)
        batch_op.create_index("ix_results_status", ["status", "sourced_id"], unique=False)
        batch_op.create_index(
            "ix_results_student_sourced_id", ["student_sourced_id", "sourced_id"], unique=False
        )

    op.create_table(
        "users",
        sa.Column("sourced_id", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=False),
        sa.Column("status", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=False),
        sa.Column("date_last_modified", sa.BigInteger(), nullable=False),
        sa.Column("doc", sa.LargeBinary(), nullable=False),
        sa.Column("metadata", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=True),
        sa.Column(
            "enabled_user", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=True
        ),
        sa.Column("role", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=True),
        sa.Column("username", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=True),
        sa.Column("given_name", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=True),
        sa.Column("family_name", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=True),
        sa.Column("middle_name", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=True),
        sa.Column("identifier", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=True),
        sa.Column("email", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=True),
        sa.Column("sms", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=True),
        sa.Column("phone", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=True),
        sa.Column("password", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=True),
        sa.PrimaryKeyConstraint("sourced_id"),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index(
            "ix_users_date_last_modified", ["date_last_modified", "sourced_id"], unique=False
        )
        batch_op.create_index("ix_users_email", ["email", "sourced_id"], unique=False)
        batch_op.create_index("ix_users_identifier", ["identifier", "sourced_id"], unique=False)
        batch_op.create_index("ix_users_role", ["role", "sourced_id"], unique=False)
        batch_op.create_index("ix_users_status", ["status", "sourced_id"], unique=False)
        batch_op.create_index("ix_users_username", ["username", "sourced_id"], unique=False)

    op.create_table(
        "users__agents",
        sa.Column("owner", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("value", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=False),
        sa.PrimaryKeyConstraint("owner", "position"),
    )
    with op.batch_alter_table("users__agents", schema=None) as batch_op:
        batch_op.create_index("ix_users__agents_value", ["value", "owner"], unique=False)

    op.create_table(
        "users__grades",
        sa.Column("owner", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("value", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=False),
        sa.PrimaryKeyConstraint("owner", "position"),
    )
    with op.batch_alter_table("users__grades", schema=None) as batch_op:
        batch_op.create_index("ix_users__grades_value", ["value", "owner"], unique=False)

    op.create_table(
        "users__orgs",
        sa.Column("owner", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("value", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=False),
        sa.PrimaryKeyConstraint("owner", "position"),
    )
    with op.batch_alter_table("users__orgs", schema=None) as batch_op:
        batch_op.create_index("ix_users__orgs_value", ["value", "owner"], unique=False)

    op.create_table(
        "users__user_ids",
        sa.Column("owner", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("type", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=False),
        sa.Column("identifier", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=False),
        sa.PrimaryKeyConstraint("owner", "position"),
    )
    with op.batch_alter_table("users__user_ids", schema=None) as batch_op:
        batch_op.create_index("ix_users__user_ids_identifier", ["identifier", "owner"], unique=False)
        batch_op.create_index("ix_users__user_ids_type", ["type", "owner"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("users__user_ids", schema=None) as batch_op:
        batch_op.drop_index("ix_users__user_ids_type")
        batch_op.drop_index("ix_users__user_ids_identifier")

    op.drop_table("users__user_ids")
    with op.batch_alter_table("users__orgs", schema=None) as batch_op:
        batch_op.drop_index("ix_users__orgs_value")

    op.drop_table("users__orgs")
    with op.batch_alter_table("users__grades", schema=None) as batch_op:
        batch_op.drop_index("ix_users__grades_value")

    op.drop_table("users__grades")
    with op.batch_alter_table("users__agents", schema=None) as batch_op:
        batch_op.drop_index("ix_users__agents_value")

    op.drop_table("users__agents")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index("ix_users_username")
        batch_op.drop_index("ix_users_status")
        batch_op.drop_index("ix_users_role")
        batch_op.drop_index("ix_users_identifier")
        batch_op.drop_index("ix_users_email")
        batch_op.drop_index("ix_users_date_last_modified")

    op.drop_table("users")
    with op.batch_alter_table("results", schema=None) as batch_op:
        batch_op.drop_index("ix_results_student_sourced_id")
        batch_op.drop_index("ix_results_status")
        batch_op.drop_index("ix_results_score_status")
        batch_op.drop_index("ix_results_line_item_sourced_id")
        batch_op.drop_index("ix_results_date_last_modified")

    op.drop_table("results")
    with op.batch_alter_table("resources__roles", schema=None) as batch_op:
        batch_op.drop_index("ix_resources__roles_value")

    op.drop_table("resources__roles")
    with op.batch_alter_table("resources", schema=None) as batch_op:
        batch_op.drop_index("ix_resources_status")
        batch_op.drop_index("ix_resources_importance")
        batch_op.drop_index("ix_resources_date_last_modified")

    op.drop_table("resources")
    with op.batch_alter_table("orgs", schema=None) as batch_op:
        batch_op.drop_index("ix_orgs_type")
        batch_op.drop_index("ix_orgs_status")
        batch_op.drop_index("ix_orgs_parent_sourced_id")
        batch_op.drop_index("ix_orgs_date_last_modified")

    op.drop_table("orgs")
    with op.batch_alter_table("line_items", schema=None) as batch_op:
        batch_op.drop_index("ix_line_items_status")
        batch_op.drop_index("ix_line_items_grading_period_sourced_id")
        batch_op.drop_index("ix_line_items_due_date")
        batch_op.drop_index("ix_line_items_date_last_modified")
        batch_op.drop_index("ix_line_items_class_sourced_id")
        batch_op.drop_index("ix_line_items_category_sourced_id")
        batch_op.drop_index("ix_line_items_assign_date")

    op.drop_table("line_items")
    with op.batch_alter_table("enrollments", schema=None) as batch_op:
        batch_op.drop_index("ix_enrollments_user_sourced_id")
        batch_op.drop_index("ix_enrollments_status")
        batch_op.drop_index("ix_enrollments_school_sourced_id")
        batch_op.drop_index("ix_enrollments_role")
        batch_op.drop_index("ix_enrollments_date_last_modified")
        batch_op.drop_index("ix_enrollments_class_sourced_id")

    op.drop_table("enrollments")
    with op.batch_alter_table("demographics", schema=None) as batch_op:
        batch_op.drop_index("ix_demographics_status")
        batch_op.drop_index("ix_demographics_sex")
        batch_op.drop_index("ix_demographics_date_last_modified")

    op.drop_table("demographics")
    with op.batch_alter_table("courses__subjects", schema=None) as batch_op:
        batch_op.drop_index("ix_courses__subjects_value")

    op.drop_table("courses__subjects")
    with op.batch_alter_table("courses__subject_codes", schema=None) as batch_op:
        batch_op.drop_index("ix_courses__subject_codes_value")

    op.drop_table("courses__subject_codes")
    with op.batch_alter_table("courses__grades", schema=None) as batch_op:
        batch_op.drop_index("ix_courses__grades_value")

    op.drop_table("courses__grades")
    with op.batch_alter_table("courses", schema=None) as batch_op:
        batch_op.drop_index("ix_courses_status")
        batch_op.drop_index("ix_courses_school_year_sourced_id")
        batch_op.drop_index("ix_courses_org_sourced_id")
        batch_op.drop_index("ix_courses_date_last_modified")

    op.drop_table("courses")
    with op.batch_alter_table("course_resources", schema=None) as batch_op:
        batch_op.drop_index("ix_course_resources_status")
        batch_op.drop_index("ix_course_resources_resource_sourced_id")
        batch_op.drop_index("ix_course_resources_date_last_modified")
        batch_op.drop_index("ix_course_resources_course_sourced_id")

    op.drop_table("course_resources")
    with op.batch_alter_table("classes__terms", schema=None) as batch_op:
        batch_op.drop_index("ix_classes__terms_value")

    op.drop_table("classes__terms")
    with op.batch_alter_table("classes__subjects", schema=None) as batch_op:
        batch_op.drop_index("ix_classes__subjects_value")

    op.drop_table("classes__subjects")
    with op.batch_alter_table("classes__subject_codes", schema=None) as batch_op:
        batch_op.drop_index("ix_classes__subject_codes_value")

    op.drop_table("classes__subject_codes")
    with op.batch_alter_table("classes__periods", schema=None) as batch_op:
        batch_op.drop_index("ix_classes__periods_value")

    op.drop_table("classes__periods")
    with op.batch_alter_table("classes__grades", schema=None) as batch_op:
        batch_op.drop_index("ix_classes__grades_value")

    op.drop_table("classes__grades")
    with op.batch_alter_table("classes", schema=None) as batch_op:
        batch_op.drop_index("ix_classes_status")
        batch_op.drop_index("ix_classes_school_sourced_id")
        batch_op.drop_index("ix_classes_date_last_modified")
        batch_op.drop_index("ix_classes_course_sourced_id")
        batch_op.drop_index("ix_classes_class_type")

    op.drop_table("classes")
    with op.batch_alter_table("class_resources", schema=None) as batch_op:
        batch_op.drop_index("ix_class_resources_status")
        batch_op.drop_index("ix_class_resources_resource_sourced_id")
        batch_op.drop_index("ix_class_resources_date_last_modified")
        batch_op.drop_index("ix_class_resources_class_sourced_id")

    op.drop_table("class_resources")
    with op.batch_alter_table("categories", schema=None) as batch_op:
        batch_op.drop_index("ix_categories_status")
        batch_op.drop_index("ix_categories_date_last_modified")

    op.drop_table("categories")
    with op.batch_alter_table("academic_sessions", schema=None) as batch_op:
        batch_op.drop_index("ix_academic_sessions_type")
        batch_op.drop_index("ix_academic_sessions_status")
        batch_op.drop_index("ix_academic_sessions_school_year")
        batch_op.drop_index("ix_academic_sessions_parent_sourced_id")
        batch_op.drop_index("ix_academic_sessions_date_last_modified")

    op.drop_table("academic_sessions")
