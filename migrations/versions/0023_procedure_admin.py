"""Procedures administered in the portal: the portal-managed mark, each desk's offering, and the
Government's yearly day swaps entered as pairs

Revision ID: 0023
Revises: 0019
Create Date: 2026-12-03 13:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0023"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("procedure", schema=None) as batch_op:
        batch_op.add_column(sa.Column("managed_in_portal", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    op.create_table(
        "procedure_offering",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("procedure_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("received", sa.Boolean(), nullable=False),
        sa.Column("online_level", sa.Integer(), nullable=False),
        sa.CheckConstraint("online_level IN (2, 3, 4)", name=op.f("ck_procedure_offering_online_level")),
        sa.ForeignKeyConstraint(["agency_id"], ["agency.id"], name=op.f("fk_procedure_offering_agency_id_agency")),
        sa.ForeignKeyConstraint(["procedure_id"], ["procedure.id"],
                                name=op.f("fk_procedure_offering_procedure_id_procedure")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procedure_offering")),
        sa.UniqueConstraint("procedure_id", "agency_id", name="uq_procedure_offering_agency"),
    )
    with op.batch_alter_table("procedure_offering", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_procedure_offering_procedure_id"), ["procedure_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_procedure_offering_agency_id"), ["agency_id"], unique=False)
    op.create_table(
        "calendar_swap",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day_off", sa.Date(), nullable=False),
        sa.Column("working_day", sa.Date(), nullable=False),
        sa.Column("legal_basis", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_swap")),
        sa.UniqueConstraint("day_off", name=op.f("uq_calendar_swap_day_off")),
        sa.UniqueConstraint("working_day", name=op.f("uq_calendar_swap_working_day")),
    )


def downgrade():
    op.drop_table("calendar_swap")
    op.drop_table("procedure_offering")
    with op.batch_alter_table("procedure", schema=None) as batch_op:
        batch_op.drop_column("managed_in_portal")
