"""The roll-up counts 4.3's reused and 4.4's national-store dossiers; the periods already
rolled up are dropped, so the next reading counts them again with the new columns

Revision ID: 0031
Revises: 0024
Create Date: 2026-12-03 14:35:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0031"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("DELETE FROM stats_rollup")
    op.execute("DELETE FROM stats_period")
    with op.batch_alter_table("stats_rollup", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reused", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("national_store", sa.Integer(), nullable=False, server_default="0"))


def downgrade():
    op.execute("DELETE FROM stats_rollup")
    op.execute("DELETE FROM stats_period")
    with op.batch_alter_table("stats_rollup", schema=None) as batch_op:
        batch_op.drop_column("national_store")
        batch_op.drop_column("reused")
