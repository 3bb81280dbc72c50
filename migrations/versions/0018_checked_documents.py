"""The papers the desk ticked as checked at intake (form 01 lists them)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-10 10:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("dossier", schema=None) as batch_op:
        batch_op.add_column(sa.Column("checked_documents", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("dossier", schema=None) as batch_op:
        batch_op.drop_column("checked_documents")
