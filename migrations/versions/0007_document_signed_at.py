"""When an issued document became fully signed

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 10:20:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("issued_document", schema=None) as batch_op:
        batch_op.add_column(sa.Column("signed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("issued_document", schema=None) as batch_op:
        batch_op.drop_column("signed_at")
