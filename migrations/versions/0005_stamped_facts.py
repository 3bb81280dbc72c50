"""Facts stamped on the dossier for the statistics (files, e-result, online payment, poor rating),
backfilled; index on received_at

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 11:07:12.224671

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("dossier", schema=None) as batch_op:
        batch_op.add_column(sa.Column("has_files", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("has_e_result", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("paid_online", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("rated_poor", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.create_index(batch_op.f("ix_dossier_received_at"), ["received_at"], unique=False)

    # Backfill from the rows the facts were read from until now.
    op.execute("UPDATE dossier SET has_files = EXISTS (SELECT 1 FROM dossier_file f WHERE f.dossier_id = dossier.id)")
    op.execute(
        "UPDATE dossier SET has_e_result = EXISTS (SELECT 1 FROM issued_document d WHERE d.dossier_id = dossier.id"
        " AND d.kind = 'result' AND d.sha256 IS NOT NULL)"
    )
    op.execute(
        "UPDATE dossier SET paid_online = EXISTS (SELECT 1 FROM payment p WHERE p.dossier_id = dossier.id"
        " AND p.channel IN ('national_portal', 'provincial_gateway'))"
    )
    op.execute(
        "UPDATE dossier SET rated_poor = EXISTS (SELECT 1 FROM rating r WHERE r.dossier_id = dossier.id"
        " AND r.value = 'not_satisfied')"
    )


def downgrade():
    with op.batch_alter_table("dossier", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dossier_received_at"))
        batch_op.drop_column("rated_poor")
        batch_op.drop_column("paid_online")
        batch_op.drop_column("has_e_result")
        batch_op.drop_column("has_files")
