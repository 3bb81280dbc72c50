"""Feedback and complaints (phản ánh, kiến nghị) and their dated steps (issue 17)

Revision ID: 0027
Revises: 0023
Create Date: 2026-12-03 13:16:29.184004

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0027"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sender_id", sa.Integer(), nullable=True),
        sa.Column("sender_name", sa.String(length=150), nullable=False),
        sa.Column("sender_email", sa.String(length=254), nullable=False),
        sa.Column("sender_phone", sa.String(length=15), nullable=False),
        sa.Column("category", sa.String(length=12), nullable=False),
        sa.Column("subject", sa.String(length=10), nullable=False),
        sa.Column("procedure_id", sa.Integer(), nullable=True),
        sa.Column("dossier_id", sa.Integer(), nullable=True),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("repeat_of_id", sa.Integer(), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("refused_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("info_requested_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("info_provided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("public_answer", sa.Text(), nullable=False),
        sa.Column("public_question", sa.Text(), nullable=False),
        sa.Column("rating", sa.String(length=14), nullable=True),
        sa.Column("rated_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("category IN ('regulation', 'procedure', 'conduct')", name=op.f("ck_feedback_category")),
        sa.CheckConstraint(
            "rating IS NULL OR rating IN ('satisfied', 'not_satisfied')", name=op.f("ck_feedback_rating")
        ),
        sa.CheckConstraint(
            "status IN ('received', 'info_requested', 'accepted', 'refused', 'answered', 'published')",
            name=op.f("ck_feedback_status"),
        ),
        sa.CheckConstraint("subject IN ('procedure', 'agency', 'dossier')", name=op.f("ck_feedback_subject")),
        sa.ForeignKeyConstraint(["agency_id"], ["agency.id"], name=op.f("fk_feedback_agency_id_agency")),
        sa.ForeignKeyConstraint(
            ["dossier_id"], ["dossier.id"], name=op.f("fk_feedback_dossier_id_dossier"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(["procedure_id"], ["procedure.id"], name=op.f("fk_feedback_procedure_id_procedure")),
        sa.ForeignKeyConstraint(["repeat_of_id"], ["feedback.id"], name=op.f("fk_feedback_repeat_of_id_feedback")),
        sa.ForeignKeyConstraint(
            ["sender_id"], ["user_account.id"], name=op.f("fk_feedback_sender_id_user_account"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback")),
    )
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.create_index("ix_feedback_agency_status", ["agency_id", "status"], unique=False)
        batch_op.create_index(batch_op.f("ix_feedback_dossier_id"), ["dossier_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_feedback_sender_id"), ["sender_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_feedback_sent_at"), ["sent_at"], unique=False)

    op.create_table(
        "feedback_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("feedback_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=14), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.String(length=150), nullable=False),
        sa.Column("agency_name", sa.String(length=255), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["user_account.id"], name=op.f("fk_feedback_event_actor_id_user_account"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["feedback_id"], ["feedback.id"], name=op.f("fk_feedback_event_feedback_id_feedback"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_event")),
    )
    with op.batch_alter_table("feedback_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_feedback_event_feedback_id"), ["feedback_id"], unique=False)


    op.create_table(
        "pending_feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pending_feedback")),
        sa.UniqueConstraint("token", name=op.f("uq_pending_feedback_token")),
    )


def downgrade():
    op.drop_table("pending_feedback")
    op.drop_table("feedback_event")
    op.drop_table("feedback")
