"""Signing: certificate locations per agency and official, signatures of issued documents

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 10:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "signing_certificate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("backend", sa.String(length=8), nullable=False),
        sa.Column("pkcs11_module", sa.String(length=500), nullable=True),
        sa.Column("token_label", sa.String(length=64), nullable=True),
        sa.Column("slot", sa.Integer(), nullable=True),
        sa.Column("key_label", sa.String(length=64), nullable=True),
        sa.Column("pkcs12_path", sa.String(length=500), nullable=True),
        sa.Column("certificate_pem", sa.Text(), nullable=True),
        sa.Column("chain_pem", sa.Text(), nullable=True),
        sa.Column("secret_env", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("(agency_id IS NULL) <> (user_id IS NULL)", name=op.f("ck_signing_certificate_one_owner")),
        sa.CheckConstraint("backend IN ('pkcs11', 'pkcs12')", name=op.f("ck_signing_certificate_backend")),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agency.id"], name=op.f("fk_signing_certificate_agency_id_agency"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_signing_certificate_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signing_certificate")),
        sa.UniqueConstraint("agency_id", name=op.f("uq_signing_certificate_agency_id")),
        sa.UniqueConstraint("user_id", name=op.f("uq_signing_certificate_user_id")),
    )
    op.create_table(
        "document_signature",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("signer", sa.String(length=200), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("issuer", sa.Text(), nullable=False),
        sa.Column("certificate_fingerprint", sa.String(length=64), nullable=False),
        sa.Column("level", sa.String(length=8), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.CheckConstraint("role IN ('personal', 'seal')", name=op.f("ck_document_signature_role")),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["issued_document.id"],
            name=op.f("fk_document_signature_document_id_issued_document"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_signature")),
        sa.UniqueConstraint("document_id", "role", name=op.f("uq_document_signature_document_id")),
    )
    with op.batch_alter_table("document_signature", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_document_signature_document_id"), ["document_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_document_signature_sha256"), ["sha256"], unique=False)
    with op.batch_alter_table("issued_document", schema=None) as batch_op:
        batch_op.add_column(sa.Column("signing_error", sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table("issued_document", schema=None) as batch_op:
        batch_op.drop_column("signing_error")
    with op.batch_alter_table("document_signature", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_document_signature_sha256"))
        batch_op.drop_index(batch_op.f("ix_document_signature_document_id"))
    op.drop_table("document_signature")
    op.drop_table("signing_certificate")
