"""Facts stamped on the dossier for indices 4.3, 4.4 and 5.4: a component reused from the
applicant's store, one from the national store, a feedback about the dossier (backfilled)

Revision ID: 0029
Revises: 0022
Create Date: 2026-12-03 14:18:36

"""
import sqlalchemy as sa
from alembic import op

revision = "0029"
down_revision = "0022"
branch_labels = None
depends_on = None

COLUMNS = ("reused_component", "from_national_store", "has_complaint")


def upgrade():
    with op.batch_alter_table("dossier", schema=None) as batch_op:
        for name in COLUMNS:
            batch_op.add_column(sa.Column(name, sa.Boolean(), server_default=sa.false(), nullable=False))
    op.execute("UPDATE dossier SET reused_component = TRUE WHERE EXISTS (SELECT 1 FROM dossier_file f "
               "WHERE f.dossier_id = dossier.id AND f.reused)")
    op.execute("UPDATE dossier SET from_national_store = TRUE WHERE EXISTS (SELECT 1 FROM dossier_file f "
               "JOIN stored_paper p ON p.id = f.stored_paper_id WHERE f.dossier_id = dossier.id "
               "AND p.source = 'national')")
    op.execute("UPDATE dossier SET has_complaint = TRUE WHERE EXISTS (SELECT 1 FROM feedback b "
               "WHERE b.dossier_id = dossier.id)")


def downgrade():
    with op.batch_alter_table("dossier", schema=None) as batch_op:
        for name in reversed(COLUMNS):
            batch_op.drop_column(name)
