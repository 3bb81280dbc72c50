"""Who looked at a dossier: each time an official opens it, a file or a document

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 10:20:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "dossier_access",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dossier_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("user_name", sa.String(length=150), nullable=False),
        sa.Column("agency_name", sa.String(length=255), nullable=False),
        sa.Column("what", sa.String(length=20), nullable=False),
        sa.Column("object_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["dossier_id"], ["dossier.id"], name=op.f("fk_dossier_access_dossier_id_dossier"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_dossier_access_user_id_user_account"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dossier_access")),
    )
    with op.batch_alter_table("dossier_access", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dossier_access_dossier_id"), ["dossier_id"], unique=False)


def downgrade():
    op.drop_table("dossier_access")
