"""An account's notice preferences: the language of its e-mails and the channels it is told on

Revision ID: 0032
Revises: 0036
Create Date: 2026-12-04 18:10:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0032"
down_revision = "0036"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=2), server_default="vi", nullable=False))
        batch_op.add_column(sa.Column("notify_channels", sa.String(length=20), server_default="email,sms",
                                      nullable=False))


def downgrade():
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("notify_channels")
        batch_op.drop_column("language")
