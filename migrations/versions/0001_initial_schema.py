"""Initial schema: administrative structure, accounts, procedure catalogue, calendar overrides

Revision ID: 0001
Revises:
Create Date: 2026-11-25 09:43:15.413519

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "administrative_unit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.CheckConstraint("level IN ('province', 'district', 'commune')", name=op.f("ck_administrative_unit_level")),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["administrative_unit.id"], name=op.f("fk_administrative_unit_parent_id_administrative_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_administrative_unit")),
        sa.UniqueConstraint("code", name=op.f("uq_administrative_unit_code")),
    )
    with op.batch_alter_table("administrative_unit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_administrative_unit_level"), ["level"], unique=False)
        batch_op.create_index(batch_op.f("ix_administrative_unit_parent_id"), ["parent_id"], unique=False)

    op.create_table(
        "calendar_day",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("note", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('day_off', 'working_day')", name=op.f("ck_calendar_day_kind")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_day")),
        sa.UniqueConstraint("day", name=op.f("uq_calendar_day_day")),
    )
    op.create_table(
        "procedure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procedure")),
        sa.UniqueConstraint("code", name=op.f("uq_procedure_code")),
    )
    op.create_table(
        "user_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("full_name", sa.String(length=150), nullable=False),
        sa.Column("id_number", sa.String(length=12), nullable=True),
        sa.Column("phone", sa.String(length=15), nullable=True),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_account")),
        sa.UniqueConstraint("email", name=op.f("uq_user_account_email")),
        sa.UniqueConstraint("id_number", name=op.f("uq_user_account_id_number")),
    )
    op.create_table(
        "agency",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=35), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("sector", sa.String(length=30), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("kind IN ('one_stop', 'department', 'committee')", name=op.f("ck_agency_kind")),
        sa.ForeignKeyConstraint(["parent_id"], ["agency.id"], name=op.f("fk_agency_parent_id_agency")),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["administrative_unit.id"], name=op.f("fk_agency_unit_id_administrative_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agency")),
        sa.UniqueConstraint("code", name=op.f("uq_agency_code")),
    )
    with op.batch_alter_table("agency", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agency_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_agency_parent_id"), ["parent_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_agency_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "procedure_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("procedure_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("source_file", sa.String(length=255), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_to", sa.DateTime(timezone=True), nullable=True),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("name_en", sa.String(length=500), nullable=False),
        sa.Column("field", sa.String(length=200), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("receiving_level", sa.String(length=10), nullable=False),
        sa.Column("agency_kind", sa.String(length=12), nullable=False),
        sa.Column("sector", sa.String(length=30), nullable=True),
        sa.Column("online", sa.String(length=10), nullable=False),
        sa.Column("time_value", sa.Numeric(precision=8, scale=2), nullable=False),
        sa.Column("time_unit", sa.String(length=20), nullable=False),
        sa.Column("fees", sa.JSON(), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["procedure_id"], ["procedure.id"], name=op.f("fk_procedure_version_procedure_id_procedure")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procedure_version")),
        sa.UniqueConstraint("procedure_id", "number", name="uq_procedure_version_number"),
    )
    with op.batch_alter_table("procedure_version", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_procedure_version_code"), ["code"], unique=False)
        batch_op.create_index(
            "ix_procedure_version_current_agency", ["valid_to", "level", "agency_kind", "sector"], unique=False
        )
        batch_op.create_index("ix_procedure_version_current_field", ["valid_to", "field"], unique=False)
        batch_op.create_index("ix_procedure_version_current_name", ["valid_to", "name"], unique=False)
        batch_op.create_index("ix_procedure_version_current_search", ["valid_to", "search_text"], unique=False)
        batch_op.create_index(batch_op.f("ix_procedure_version_procedure_id"), ["procedure_id"], unique=False)
        batch_op.create_index(
            "uq_procedure_version_current",
            ["procedure_id"],
            unique=True,
            sqlite_where=sa.text("valid_to IS NULL"),
            postgresql_where=sa.text("valid_to IS NULL"),
        )

    op.create_table(
        "membership",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=12), nullable=False),
        sa.CheckConstraint(
            "role IN ('reception', 'specialist', 'leader', 'clerk', 'admin')", name=op.f("ck_membership_role")
        ),
        sa.ForeignKeyConstraint(["agency_id"], ["agency.id"], name=op.f("fk_membership_agency_id_agency")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_membership_user_id_user_account"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_membership")),
        sa.UniqueConstraint("user_id", "agency_id", "role", name="uq_membership_user_agency_role"),
    )
    with op.batch_alter_table("membership", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_membership_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_membership_user_id"), ["user_id"], unique=False)

    op.create_table(
        "procedure_snapshot",
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("spec", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"], ["procedure_version.id"], name=op.f("fk_procedure_snapshot_version_id_procedure_version")
        ),
        sa.PrimaryKeyConstraint("version_id", name=op.f("pk_procedure_snapshot")),
    )


def downgrade():
    op.drop_table("procedure_snapshot")
    with op.batch_alter_table("membership", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_membership_user_id"))
        batch_op.drop_index(batch_op.f("ix_membership_agency_id"))

    op.drop_table("membership")
    with op.batch_alter_table("procedure_version", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_procedure_version_current",
            sqlite_where=sa.text("valid_to IS NULL"),
            postgresql_where=sa.text("valid_to IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_procedure_version_procedure_id"))
        batch_op.drop_index("ix_procedure_version_current_search")
        batch_op.drop_index("ix_procedure_version_current_name")
        batch_op.drop_index("ix_procedure_version_current_field")
        batch_op.drop_index("ix_procedure_version_current_agency")
        batch_op.drop_index(batch_op.f("ix_procedure_version_code"))

    op.drop_table("procedure_version")
    with op.batch_alter_table("agency", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agency_unit_id"))
        batch_op.drop_index(batch_op.f("ix_agency_parent_id"))
        batch_op.drop_index(batch_op.f("ix_agency_kind"))

    op.drop_table("agency")
    op.drop_table("user_account")
    op.drop_table("procedure")
    op.drop_table("calendar_day")
    with op.batch_alter_table("administrative_unit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_administrative_unit_parent_id"))
        batch_op.drop_index(batch_op.f("ix_administrative_unit_level"))

    op.drop_table("administrative_unit")
