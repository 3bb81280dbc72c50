"""The statistics roll-up of closed periods (issue 15): stats_period, stats_rollup

Revision ID: 0024
Revises: 0029
Create Date: 2026-12-03 13:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0024"
down_revision = "0029"
branch_labels = None
depends_on = None

COUNTS = ("received", "early", "on_time", "late", "within", "overdue", "online", "with_fee", "paid_online",
          "result_required", "e_result", "result_received", "digitised", "poor",
          "resolved_working_days", "resolved_working_hours", "resolved_calendar_days")
MINUTES = ("minutes_working_days", "minutes_working_hours", "minutes_calendar_days")


def upgrade():
    op.create_table(
        "stats_period",
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=False),
        sa.Column("built_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("start", "end", name=op.f("pk_stats_period")),
    )
    op.create_table(
        "stats_rollup",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=False),
        sa.Column("resolving_agency_id", sa.Integer(), nullable=True),
        sa.Column("procedure_version_id", sa.Integer(), nullable=False),
        sa.Column("finished", sa.Boolean(), nullable=False),
        *[sa.Column(name, sa.Integer(), nullable=False) for name in COUNTS],
        *[sa.Column(name, sa.BigInteger(), nullable=False) for name in MINUTES],
        sa.ForeignKeyConstraint(["resolving_agency_id"], ["agency.id"],
                                name=op.f("fk_stats_rollup_resolving_agency_id_agency")),
        sa.ForeignKeyConstraint(["procedure_version_id"], ["procedure_version.id"],
                                name=op.f("fk_stats_rollup_procedure_version_id_procedure_version")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stats_rollup")),
    )
    with op.batch_alter_table("stats_rollup", schema=None) as batch_op:
        batch_op.create_index("ix_stats_rollup_period", ["start", "end"], unique=False)


def downgrade():
    with op.batch_alter_table("stats_rollup", schema=None) as batch_op:
        batch_op.drop_index("ix_stats_rollup_period")
    op.drop_table("stats_rollup")
    op.drop_table("stats_period")
