"""The citizen's store of papers (Decree 45/2020 Art. 16), and the reuse flag of a dossier's file

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-03 13:28:22.525153

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "stored_paper",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("origin_dossier_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("source IN ('uploaded', 'issued', 'national')", name=op.f("ck_stored_paper_source")),
        sa.ForeignKeyConstraint(
            ["origin_dossier_id"],
            ["dossier.id"],
            name=op.f("fk_stored_paper_origin_dossier_id_dossier"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["user_account.id"], name=op.f("fk_stored_paper_owner_id_user_account"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stored_paper")),
        sa.UniqueConstraint("owner_id", "sha256", "kind", name="uq_stored_paper_owner_sha256_kind"),
    )
    with op.batch_alter_table("stored_paper", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stored_paper_owner_id"), ["owner_id"], unique=False)

    with op.batch_alter_table("dossier_file", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reused", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("stored_paper_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_dossier_file_stored_paper_id_stored_paper"),
            "stored_paper",
            ["stored_paper_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade():
    with op.batch_alter_table("dossier_file", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_dossier_file_stored_paper_id_stored_paper"), type_="foreignkey")
        batch_op.drop_column("stored_paper_id")
        batch_op.drop_column("reused")

    with op.batch_alter_table("stored_paper", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stored_paper_owner_id"))

    op.drop_table("stored_paper")
