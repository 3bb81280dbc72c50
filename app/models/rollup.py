"""The statistics roll-up (issue 15): for a closed period, the Decision 766 counts of its
dossiers per competent agency and procedure version, as services/stats.py
counts them from the dossiers and rebuilds them (never typed, never a second truth: a period
without its `stats_period` row is counted from the dossiers again). The counts that feed the
formulas of domain/indices.py are stored, never the rounded rates."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, ForeignKey, Index, Integer
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import UTCDateTime
from app.models.users import utcnow

# The columns of one aggregate row of services/stats.py (_sums), in its names: the counts of
# the two sets, and per unit of time the minutes and the number of resolved dossiers of 2.2.
COUNTS = ("received", "early", "on_time", "late", "within", "overdue", "online", "with_fee", "paid_online",
          "result_required", "e_result", "result_received", "digitised", "poor", "reused", "national_store",
          "synced", "resolved_working_days", "resolved_working_hours", "resolved_calendar_days")
MINUTES = ("minutes_working_days", "minutes_working_hours", "minutes_calendar_days")


class StatsPeriod(db.Model):
    """A closed period whose roll-up rows are complete; deleted (with its rows) when a dossier
    it counts changes, so the next reading counts it from the dossiers again."""

    __tablename__ = "stats_period"

    start: Mapped[date] = mapped_column(Date, primary_key=True)
    end: Mapped[date] = mapped_column(Date, primary_key=True)   # inclusive, as stats.Scope
    built_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StatsRollup(db.Model):
    __tablename__ = "stats_rollup"
    __table_args__ = (Index("ix_stats_rollup_period", "start", "end"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date] = mapped_column(Date)
    resolving_agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    procedure_version_id: Mapped[int] = mapped_column(ForeignKey("procedure_version.id"))
    # finished by the period's end: such a dossier counts the same in a longer period still
    # open (services/stats.py _rows), so its rows serve this year's figures too
    finished: Mapped[bool] = mapped_column(Boolean)

    # the counts (COUNTS) and the minutes (MINUTES) of services/stats.py's aggregate row
    received: Mapped[int] = mapped_column(Integer, default=0)
    early: Mapped[int] = mapped_column(Integer, default=0)
    on_time: Mapped[int] = mapped_column(Integer, default=0)
    late: Mapped[int] = mapped_column(Integer, default=0)
    within: Mapped[int] = mapped_column(Integer, default=0)
    overdue: Mapped[int] = mapped_column(Integer, default=0)
    online: Mapped[int] = mapped_column(Integer, default=0)
    with_fee: Mapped[int] = mapped_column(Integer, default=0)
    paid_online: Mapped[int] = mapped_column(Integer, default=0)
    result_required: Mapped[int] = mapped_column(Integer, default=0)
    e_result: Mapped[int] = mapped_column(Integer, default=0)
    result_received: Mapped[int] = mapped_column(Integer, default=0)
    digitised: Mapped[int] = mapped_column(Integer, default=0)
    poor: Mapped[int] = mapped_column(Integer, default=0)
    reused: Mapped[int] = mapped_column(Integer, default=0)
    national_store: Mapped[int] = mapped_column(Integer, default=0)
    synced: Mapped[int] = mapped_column(Integer, default=0)
    resolved_working_days: Mapped[int] = mapped_column(Integer, default=0)
    resolved_working_hours: Mapped[int] = mapped_column(Integer, default=0)
    resolved_calendar_days: Mapped[int] = mapped_column(Integer, default=0)
    minutes_working_days: Mapped[int] = mapped_column(BigInteger, default=0)
    minutes_working_hours: Mapped[int] = mapped_column(BigInteger, default=0)
    minutes_calendar_days: Mapped[int] = mapped_column(BigInteger, default=0)
