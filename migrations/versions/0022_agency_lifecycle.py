"""Agencies' lifecycle (issue 13): validity dates, retirement and the successor who takes over

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-03 13:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("agency", schema=None) as batch_op:
        batch_op.add_column(sa.Column("valid_from", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("valid_to", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("successor_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_agency_successor_id_agency"), "agency", ["successor_id"], ["id"])
        batch_op.create_index(batch_op.f("ix_agency_successor_id"), ["successor_id"], unique=False)


def downgrade():
    with op.batch_alter_table("agency", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agency_successor_id"))
        batch_op.drop_constraint(batch_op.f("fk_agency_successor_id_agency"), type_="foreignkey")
        batch_op.drop_column("successor_id")
        batch_op.drop_column("retired_at")
        batch_op.drop_column("valid_to")
        batch_op.drop_column("valid_from")
