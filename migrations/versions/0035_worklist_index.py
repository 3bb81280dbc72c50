"""The dossier's status and id in one index: the worklist joins its open steps to the dossiers
in a working status by an index-only scan, not by reading each dossier's row (issue 15)

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-04 18:10:00

"""
from alembic import op

revision = "0035"
down_revision = "0034"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("dossier", schema=None) as batch_op:
        batch_op.create_index("ix_dossier_status_id", ["status", "id"])


def downgrade():
    with op.batch_alter_table("dossier", schema=None) as batch_op:
        batch_op.drop_index("ix_dossier_status_id")
