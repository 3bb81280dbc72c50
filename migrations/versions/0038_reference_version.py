"""Versions of reference data: one random number per kind of rarely changed data (the units
and agencies, the working calendar), renewed by every change, which a process keeps what it
built from that data under, instead of reading the data on every request (issue 15)

Revision ID: 0038
Revises: 0035
Create Date: 2026-12-06 21:10:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0038"
down_revision = "0035"
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        "reference_version",
        sa.Column("name", sa.String(length=20), nullable=False),
        sa.Column("number", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_reference_version")),
    )
    op.bulk_insert(table, [{"name": "structure", "number": 0}, {"name": "calendar", "number": 0}])


def downgrade():
    op.drop_table("reference_version")
