"""Submission reference (the dossier code is given on receipt) and the number of sets

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 10:50:00

A dossier's code carries the date it was RECEIVED (Circular 01/2018/TT-VPCP Art. 19): an
online submission is now known by a reference until the desk accepts it. Existing dossiers
keep their codes; their code is copied into the reference, so every link, e-mail and API
call that used it still finds them. `sets` is the số bộ hồ sơ of form 01 (1 for rows
that existed: the constant the receipt printed).
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("dossier", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reference", sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column("sets", sa.Integer(), server_default=sa.text("1"), nullable=False))
        batch_op.create_unique_constraint(batch_op.f("uq_dossier_reference"), ["reference"])
    op.execute("UPDATE dossier SET reference = code WHERE code IS NOT NULL")


def downgrade():
    # A dossier submitted online and not yet received has no code: give it its reference as
    # its code again (the column was the only identifier before), so nothing is lost.
    op.execute("UPDATE dossier SET code = reference WHERE code IS NULL AND reference IS NOT NULL")
    with op.batch_alter_table("dossier", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_dossier_reference"), type_="unique")
        batch_op.drop_column("sets")
        batch_op.drop_column("reference")
