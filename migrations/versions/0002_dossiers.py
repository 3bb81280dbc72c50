"""Dossiers: dossier, files, events, issued documents, counters, outbox

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 09:51:42.529302

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "counter",
        sa.Column("scope", sa.String(length=80), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("scope", "period", name=op.f("pk_counter")),
    )
    op.create_table(
        "dossier",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=60), nullable=True),
        sa.Column("procedure_version_id", sa.Integer(), nullable=False),
        sa.Column("receiving_agency_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("previous_status", sa.String(length=24), nullable=True),
        sa.Column("channel", sa.Integer(), nullable=False),
        sa.Column("delivery", sa.String(length=10), nullable=False),
        sa.Column("applicant_name", sa.String(length=150), nullable=False),
        sa.Column("applicant_id_number", sa.String(length=12), nullable=False),
        sa.Column("applicant_address", sa.String(length=300), nullable=False),
        sa.Column("applicant_phone", sa.String(length=15), nullable=False),
        sa.Column("applicant_email", sa.String(length=254), nullable=False),
        sa.Column("represented", sa.JSON(), nullable=True),
        sa.Column("form_data", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("intake_supplements", sa.Integer(), nullable=False),
        sa.Column("lock_version", sa.Integer(), nullable=False),
        sa.CheckConstraint("delivery IN ('counter', 'post', 'online')", name=op.f("ck_dossier_delivery")),
        sa.CheckConstraint(
            "status IN ('draft', 'submitted', 'accepted', 'refused', 'processing', 'supplement_requested', "
            "'fee_requested', 'withdrawal_requested', 'stopped', 'resolved', 'returned')",
            name=op.f("ck_dossier_status"),
        ),
        sa.CheckConstraint("channel IN (1, 2, 3)", name=op.f("ck_dossier_channel")),
        sa.ForeignKeyConstraint(["owner_id"], ["user_account.id"], name=op.f("fk_dossier_owner_id_user_account")),
        sa.ForeignKeyConstraint(
            ["procedure_version_id"],
            ["procedure_version.id"],
            name=op.f("fk_dossier_procedure_version_id_procedure_version"),
        ),
        sa.ForeignKeyConstraint(
            ["receiving_agency_id"], ["agency.id"], name=op.f("fk_dossier_receiving_agency_id_agency")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dossier")),
        sa.UniqueConstraint("code", name=op.f("uq_dossier_code")),
    )
    with op.batch_alter_table("dossier", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dossier_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_dossier_procedure_version_id"), ["procedure_version_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_dossier_receiving_agency_id"), ["receiving_agency_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_dossier_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_dossier_submitted_at"), ["submitted_at"], unique=False)

    op.create_table(
        "dossier_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dossier_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("from_status", sa.String(length=24), nullable=True),
        sa.Column("to_status", sa.String(length=24), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["user_account.id"], name=op.f("fk_dossier_event_actor_id_user_account")),
        sa.ForeignKeyConstraint(["agency_id"], ["agency.id"], name=op.f("fk_dossier_event_agency_id_agency")),
        sa.ForeignKeyConstraint(
            ["dossier_id"], ["dossier.id"], name=op.f("fk_dossier_event_dossier_id_dossier"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dossier_event")),
    )
    with op.batch_alter_table("dossier_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dossier_event_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_dossier_event_dossier_id"), ["dossier_id"], unique=False)

    op.create_table(
        "dossier_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dossier_id", sa.Integer(), nullable=False),
        sa.Column("component", sa.String(length=60), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["dossier_id"], ["dossier.id"], name=op.f("fk_dossier_file_dossier_id_dossier"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"], ["user_account.id"], name=op.f("fk_dossier_file_uploaded_by_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dossier_file")),
    )
    with op.batch_alter_table("dossier_file", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dossier_file_dossier_id"), ["dossier_id"], unique=False)

    op.create_table(
        "issued_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dossier_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("number", sa.String(length=60), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("issued_by_id", sa.Integer(), nullable=True),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('receipt', 'supplement_request', 'refusal')", name=op.f("ck_issued_document_kind")
        ),
        sa.ForeignKeyConstraint(["agency_id"], ["agency.id"], name=op.f("fk_issued_document_agency_id_agency")),
        sa.ForeignKeyConstraint(
            ["dossier_id"], ["dossier.id"], name=op.f("fk_issued_document_dossier_id_dossier"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["issued_by_id"], ["user_account.id"], name=op.f("fk_issued_document_issued_by_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_issued_document")),
    )
    with op.batch_alter_table("issued_document", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_issued_document_dossier_id"), ["dossier_id"], unique=False)

    op.create_table(
        "outbox_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dossier_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("recipient", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["dossier_id"], ["dossier.id"], name=op.f("fk_outbox_message_dossier_id_dossier"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_message")),
    )
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_message_dossier_id"), ["dossier_id"], unique=False)


def downgrade():
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_message_dossier_id"))

    op.drop_table("outbox_message")
    with op.batch_alter_table("issued_document", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_issued_document_dossier_id"))

    op.drop_table("issued_document")
    with op.batch_alter_table("dossier_file", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dossier_file_dossier_id"))

    op.drop_table("dossier_file")
    with op.batch_alter_table("dossier_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dossier_event_dossier_id"))
        batch_op.drop_index(batch_op.f("ix_dossier_event_at"))

    op.drop_table("dossier_event")
    with op.batch_alter_table("dossier", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dossier_submitted_at"))
        batch_op.drop_index(batch_op.f("ix_dossier_status"))
        batch_op.drop_index(batch_op.f("ix_dossier_receiving_agency_id"))
        batch_op.drop_index(batch_op.f("ix_dossier_procedure_version_id"))
        batch_op.drop_index(batch_op.f("ix_dossier_owner_id"))

    op.drop_table("dossier")
    op.drop_table("counter")
