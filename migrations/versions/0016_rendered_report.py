"""Rendered reports kept for the next identical request (the monthly report PDF, issue 18)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 09:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "rendered_report",
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("scope", sa.String(length=120), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("digest", name=op.f("pk_rendered_report")),
    )
    with op.batch_alter_table("rendered_report", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rendered_report_scope"), ["scope"], unique=False)


def downgrade():
    with op.batch_alter_table("rendered_report", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rendered_report_scope"))
    op.drop_table("rendered_report")
