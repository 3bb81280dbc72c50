"""National portal synchronisation (issue 16): each dossier's sync state, the receipt date the
national portal acknowledged (index 1.4), and 1.4's count in the roll-up; the periods already
rolled up are dropped, so the next reading counts them again with the new column

Revision ID: 0034
Revises: 0032
Create Date: 2026-12-04 18:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0034"
down_revision = "0032"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "dossier_sync",
        sa.Column("dossier_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["dossier_id"], ["dossier.id"], name=op.f("fk_dossier_sync_dossier_id_dossier"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("dossier_id", name=op.f("pk_dossier_sync")),
    )
    with op.batch_alter_table("dossier_sync", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dossier_sync_state"), ["state"], unique=False)
    with op.batch_alter_table("dossier", schema=None) as batch_op:
        batch_op.add_column(sa.Column("national_received_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("DELETE FROM stats_rollup")
    op.execute("DELETE FROM stats_period")
    with op.batch_alter_table("stats_rollup", schema=None) as batch_op:
        batch_op.add_column(sa.Column("synced", sa.Integer(), nullable=False, server_default="0"))


def downgrade():
    op.execute("DELETE FROM stats_rollup")
    op.execute("DELETE FROM stats_period")
    with op.batch_alter_table("stats_rollup", schema=None) as batch_op:
        batch_op.drop_column("synced")
    with op.batch_alter_table("dossier", schema=None) as batch_op:
        batch_op.drop_column("national_received_at")
    with op.batch_alter_table("dossier_sync", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dossier_sync_state"))
    op.drop_table("dossier_sync")
