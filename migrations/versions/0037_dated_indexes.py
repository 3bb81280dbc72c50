"""The dossier's supplement pause, answer and due dates indexed: the statistics' open period is
its roll-up up to yesterday plus the dossiers with a dated fact today, found by these indexes
and those of received_at and finished_at (issue 15, services/stats.py _open)

Revision ID: 0037
Revises: 0038
Create Date: 2026-12-06 21:00:00

"""
from alembic import op

revision = "0037"
down_revision = "0038"
branch_labels = None
depends_on = None

COLUMNS = ("paused_at", "resumed_at", "due_at", "effective_due_at")


def upgrade():
    with op.batch_alter_table("dossier", schema=None) as batch_op:
        for column in COLUMNS:
            batch_op.create_index(f"ix_dossier_{column}", [column])


def downgrade():
    with op.batch_alter_table("dossier", schema=None) as batch_op:
        for column in COLUMNS:
            batch_op.drop_index(f"ix_dossier_{column}")
