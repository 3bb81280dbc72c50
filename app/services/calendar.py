"""The working calendar: settings (cut-off, office hours) plus admin overrides from the database,
and the due date a procedure would have if received now."""
from __future__ import annotations

from datetime import date, datetime, time

from flask import current_app
from sqlalchemy import select

from app.domain.deadlines import WorkCalendar, due_at, parse_office_hours
from app.extensions import db
from app.models import CalendarDay, ProcedureVersion
from app.services.errors import ServiceError

DAY_KINDS = {"day_off": "Ngày nghỉ bổ sung", "working_day": "Ngày làm việc bù"}


class CalendarError(ServiceError):
    """A calendar override refused."""


def work_calendar() -> WorkCalendar:
    overrides = db.session.execute(select(CalendarDay.day, CalendarDay.kind)).all()
    return WorkCalendar(
        extra_days_off=frozenset(d for d, kind in overrides if kind == "day_off"),
        extra_working_days=frozenset(d for d, kind in overrides if kind == "working_day"),
        cutoff=time.fromisoformat(current_app.config["DEADLINE_CUTOFF"]),
        office_hours=parse_office_hours(current_app.config["OFFICE_HOURS"]),
    )


def expected_due(version: ProcedureVersion, received_at: datetime) -> datetime:
    """The appointment a dossier of this procedure received at `received_at` would get."""
    return due_at(received_at, version.time_value, version.time_unit, work_calendar())


def overrides() -> list[CalendarDay]:
    return list(db.session.scalars(select(CalendarDay).order_by(CalendarDay.day.desc())))


def add_override(day: date, kind: str, note: str) -> CalendarDay:
    """An admin declares an extra day off (e.g. a substitute holiday the Government announces)
    or a working Saturday (a swapped day, Labour Code 2019 Art. 111–112)."""
    if kind not in DAY_KINDS:
        raise CalendarError.on("kind", "Loại ngày không hợp lệ.")
    if db.session.scalar(select(CalendarDay.id).where(CalendarDay.day == day)):
        raise CalendarError.on("day", f"Ngày {day:%d/%m/%Y} đã có trong lịch điều chỉnh.")
    row = CalendarDay(day=day, kind=kind, note=note.strip())
    db.session.add(row)
    db.session.commit()
    return row


def remove_override(row: CalendarDay) -> None:
    db.session.delete(row)
    db.session.commit()
