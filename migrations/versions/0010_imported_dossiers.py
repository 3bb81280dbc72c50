"""Imported dossiers; procedures whose result is a document; the 2.1 verdict of a dossier waiting
for a supplement; only a signed
result is an electronic result

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 10:40:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# Vietnam keeps UTC+7 all year (no daylight saving since 1975), so the office day of an
# instant is its UTC value plus 7 hours, on either database.
_OFFICE_DAY = {
    "postgresql": "CAST((({col}) AT TIME ZONE 'UTC') + interval '7 hours' AS date)",
    "sqlite": "date({col}, '+7 hours')",
}


def upgrade():
    with op.batch_alter_table("dossier", schema=None) as batch_op:
        batch_op.add_column(sa.Column("paused_class", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("imported", sa.Boolean(), nullable=False, server_default=sa.false()))

    with op.batch_alter_table("procedure_version", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("requires_result_document", sa.Boolean(), nullable=False, server_default=sa.true())
        )

    day = _OFFICE_DAY[op.get_bind().dialect.name]
    # A dossier that was asked for a supplement during processing: its verdict if it ends at
    # the request (domain.timeline.on_time_verdict: more than one request = late; otherwise
    # deadlines.classify against the original due date).
    op.execute(
        "UPDATE dossier SET paused_class = CASE"
        " WHEN intake_supplements + processing_supplements > 1 THEN 'late'"
        " WHEN paused_at > due_at THEN 'late'"
        f" WHEN {day.format(col='paused_at')} < {day.format(col='due_at')} THEN 'early'"
        " ELSE 'on_time' END"
        " WHERE paused_at IS NOT NULL AND due_at IS NOT NULL"
    )
    # Until now a rendered (unsigned) result PDF counted as an electronic result; only a
    # signed one does (domain.timeline.is_electronic_result).
    op.execute(
        "UPDATE dossier SET has_e_result = EXISTS (SELECT 1 FROM issued_document d WHERE d.dossier_id = dossier.id"
        " AND d.kind = 'result' AND d.signed_at IS NOT NULL)"
    )


def downgrade():
    op.execute(
        "UPDATE dossier SET has_e_result = EXISTS (SELECT 1 FROM issued_document d WHERE d.dossier_id = dossier.id"
        " AND d.kind = 'result' AND d.sha256 IS NOT NULL)"
    )
    with op.batch_alter_table("dossier", schema=None) as batch_op:
        batch_op.drop_column("imported")
        batch_op.drop_column("paused_class")
    with op.batch_alter_table("procedure_version", schema=None) as batch_op:
        batch_op.drop_column("requires_result_document")
