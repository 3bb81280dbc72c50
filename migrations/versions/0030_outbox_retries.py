"""Outbox retries: when a message is tried next, and when it was given up

Revision ID: 0030
Revises: 0031
Create Date: 2026-12-03 14:25:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0030"
down_revision = "0031"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("failed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_outbox_message_next_attempt_at", ["next_attempt_at"])


def downgrade():
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_message_next_attempt_at")
        batch_op.drop_column("failed_at")
        batch_op.drop_column("next_attempt_at")
