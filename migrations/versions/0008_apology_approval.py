"""The apology (form 04) as a draft a leader approves: its own table, with the late flag

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 10:50:00

A table rather than columns on dossier: a draft can be sent back and drafted again, and the
rejected drafts stay as history beside the events; a partial unique index keeps one live
(drafted or approved) apology per dossier. The procedure's own cut-off needs no column: it is
read from the procedure snapshot's JSON (`cutoff`).

Existing apologies (rescheduled_due_at set, issued in one step before this change) get an
approved row from their 'apologise' event, drafted and approved by its actor, not marked late
(the old rule refused apologies before the day before the due date, so it cannot be told now).
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "apology",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dossier_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("new_due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("drafted_by_id", sa.Integer(), nullable=False),
        sa.Column("drafted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=False),
        sa.Column("deadline_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=True),
        sa.CheckConstraint("status IN ('drafted', 'approved', 'rejected')", name=op.f("ck_apology_status")),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["user_account.id"], name=op.f("fk_apology_decided_by_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["dossier_id"], ["dossier.id"], name=op.f("fk_apology_dossier_id_dossier"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["drafted_by_id"], ["user_account.id"], name=op.f("fk_apology_drafted_by_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_apology")),
    )
    with op.batch_alter_table("apology", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_apology_dossier_id"), ["dossier_id"], unique=False)
        batch_op.create_index(
            "uq_apology_live",
            ["dossier_id"],
            unique=True,
            sqlite_where=sa.text("status != 'rejected'"),
            postgresql_where=sa.text("status != 'rejected'"),
        )
    op.execute(
        "INSERT INTO apology (dossier_id, status, reason, new_due_at, drafted_by_id, drafted_at, decided_by_id,"
        " decided_at, decision_note, deadline_at, late)"
        " SELECT d.id, 'approved', e.note, d.rescheduled_due_at, e.actor_id, e.at, e.actor_id, e.at, '', e.at, NULL"
        " FROM dossier d JOIN dossier_event e ON e.dossier_id = d.id AND e.action = 'apologise'"
        " WHERE d.rescheduled_due_at IS NOT NULL AND e.actor_id IS NOT NULL"
    )


def downgrade():
    with op.batch_alter_table("apology", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_apology_live",
            sqlite_where=sa.text("status != 'rejected'"),
            postgresql_where=sa.text("status != 'rejected'"),
        )
        batch_op.drop_index(batch_op.f("ix_apology_dossier_id"))
    op.drop_table("apology")
