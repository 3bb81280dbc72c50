"""Why a form's PDF could not be rendered (shown to staff; the sweeper waits for the cause to be fixed)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 09:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("issued_document", schema=None) as batch_op:
        batch_op.add_column(sa.Column("render_error", sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table("issued_document", schema=None) as batch_op:
        batch_op.drop_column("render_error")
