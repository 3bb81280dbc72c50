"""Admin overrides of the working calendar: an extra day off or a working Saturday; the
Government's yearly swaps entered as pairs."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import UTCDateTime
from app.models.users import utcnow


class CalendarDay(db.Model):
    __tablename__ = "calendar_day"
    __table_args__ = (CheckConstraint("kind IN ('day_off', 'working_day')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True)
    kind: Mapped[str] = mapped_column(String(12))
    note: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CalendarSwap(db.Model):
    """One of the Government's yearly swaps (hoán đổi ngày làm việc, ngày làm bù), entered by the
    province administrator: a working day given off and the weekend day worked in its place, in
    the same year, with the notice that announced it (Labour Code 2019 Art. 112(3); e.g. VPCP
    letter 12729/VPCP-KGVX of 25/12/2025: Friday 2 January 2026 off, Saturday 10 January worked)."""

    __tablename__ = "calendar_swap"

    id: Mapped[int] = mapped_column(primary_key=True)
    day_off: Mapped[date] = mapped_column(Date, unique=True)
    working_day: Mapped[date] = mapped_column(Date, unique=True)
    legal_basis: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
