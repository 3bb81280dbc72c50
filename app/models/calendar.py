"""Admin overrides of the working calendar: an extra day off or a working Saturday."""
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
