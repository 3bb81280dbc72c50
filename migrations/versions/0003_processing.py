"""Processing: step tasks (hand-offs), payments, deadline and result columns on dossiers

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 10:08:56.691151

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "payment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dossier_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("receipt_number", sa.String(length=60), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "channel IN ('counter', 'national_portal', 'provincial_gateway')", name=op.f("ck_payment_channel")
        ),
        sa.ForeignKeyConstraint(
            ["dossier_id"], ["dossier.id"], name=op.f("fk_payment_dossier_id_dossier"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["user_account.id"], name=op.f("fk_payment_recorded_by_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment")),
    )
    with op.batch_alter_table("payment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payment_dossier_id"), ["dossier_id"], unique=False)

    op.create_table(
        "step_task",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dossier_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("role", sa.String(length=12), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("given_by_id", sa.Integer(), nullable=True),
        sa.Column("given_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_by_id", sa.Integer(), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("result", sa.String(length=8), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agency.id"], name=op.f("fk_step_task_agency_id_agency")),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["user_account.id"], name=op.f("fk_step_task_assignee_id_user_account")
        ),
        sa.ForeignKeyConstraint(["done_by_id"], ["user_account.id"], name=op.f("fk_step_task_done_by_id_user_account")),
        sa.ForeignKeyConstraint(
            ["dossier_id"], ["dossier.id"], name=op.f("fk_step_task_dossier_id_dossier"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["given_by_id"], ["user_account.id"], name=op.f("fk_step_task_given_by_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_step_task")),
    )
    with op.batch_alter_table("step_task", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_step_task_dossier_id"), ["dossier_id"], unique=False)
        batch_op.create_index("ix_step_task_open_at", ["agency_id", "role", "done_at"], unique=False)
        batch_op.create_index(
            "uq_step_task_open",
            ["dossier_id"],
            unique=True,
            sqlite_where=sa.text("done_at IS NULL"),
            postgresql_where=sa.text("done_at IS NULL"),
        )

    with op.batch_alter_table("dossier", schema=None) as batch_op:
        batch_op.add_column(sa.Column("effective_due_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("rescheduled_due_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("paused_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("resumed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("outcome", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("returned_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("return_method", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("tracking_number", sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column("processing_supplements", sa.Integer(), nullable=False, server_default="0"))
    # Forms issued during processing join the receipt, supplement request and refusal.
    with op.batch_alter_table("issued_document", schema=None) as batch_op:
        batch_op.drop_constraint("kind", type_="check")
        batch_op.create_check_constraint(
            "kind", "kind IN ('receipt', 'supplement_request', 'refusal', 'apology', 'stop_notice', 'result')"
        )


def downgrade():
    with op.batch_alter_table("issued_document", schema=None) as batch_op:
        batch_op.drop_constraint("kind", type_="check")
        batch_op.create_check_constraint("kind", "kind IN ('receipt', 'supplement_request', 'refusal')")
    with op.batch_alter_table("dossier", schema=None) as batch_op:
        batch_op.drop_column("processing_supplements")
        batch_op.drop_column("tracking_number")
        batch_op.drop_column("return_method")
        batch_op.drop_column("returned_at")
        batch_op.drop_column("outcome")
        batch_op.drop_column("finished_at")
        batch_op.drop_column("resumed_at")
        batch_op.drop_column("paused_at")
        batch_op.drop_column("rescheduled_due_at")
        batch_op.drop_column("effective_due_at")

    with op.batch_alter_table("step_task", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_step_task_open", sqlite_where=sa.text("done_at IS NULL"), postgresql_where=sa.text("done_at IS NULL")
        )
        batch_op.drop_index("ix_step_task_open_at")
        batch_op.drop_index(batch_op.f("ix_step_task_dossier_id"))

    op.drop_table("step_task")
    with op.batch_alter_table("payment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payment_dossier_id"))

    op.drop_table("payment")
