"""The administrators' audit log: who changed what, before → after, when (append-only)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 09:50:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "admin_audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.String(length=150), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("target_type", sa.String(length=30), nullable=False),
        sa.Column("target_id", sa.String(length=60), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["actor_id"], ["user_account.id"], name=op.f("fk_admin_audit_actor_id_user_account"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["agency_id"], ["agency.id"], name=op.f("fk_admin_audit_agency_id_agency"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admin_audit")),
    )
    with op.batch_alter_table("admin_audit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_admin_audit_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_admin_audit_actor_id"), ["actor_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_admin_audit_action"), ["action"], unique=False)
        batch_op.create_index(batch_op.f("ix_admin_audit_agency_id"), ["agency_id"], unique=False)


def downgrade():
    op.drop_table("admin_audit")
