"""Ratings; the resolving agency, and the classification and processing time stamped when a dossier finishes

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 10:20:35.279973

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "rating",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dossier_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.String(length=14), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("value IN ('satisfied', 'acceptable', 'not_satisfied')", name=op.f("ck_rating_value")),
        sa.ForeignKeyConstraint(
            ["dossier_id"], ["dossier.id"], name=op.f("fk_rating_dossier_id_dossier"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rating")),
        sa.UniqueConstraint("dossier_id", name=op.f("uq_rating_dossier_id")),
    )
    with op.batch_alter_table("dossier", schema=None) as batch_op:
        batch_op.add_column(sa.Column("resolving_agency_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("result_class", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("processing_minutes", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_dossier_finished_at"), ["finished_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_dossier_resolving_agency_id"), ["resolving_agency_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_dossier_resolving_agency_id_agency"), "agency", ["resolving_agency_id"], ["id"]
        )


def downgrade():
    with op.batch_alter_table("dossier", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_dossier_resolving_agency_id_agency"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_dossier_resolving_agency_id"))
        batch_op.drop_index(batch_op.f("ix_dossier_finished_at"))
        batch_op.drop_column("processing_minutes")
        batch_op.drop_column("result_class")
        batch_op.drop_column("resolving_agency_id")

    op.drop_table("rating")
