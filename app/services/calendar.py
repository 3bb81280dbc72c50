"""The working calendar: settings (cut-off, office hours) plus admin overrides and the yearly
swaps from the database, and the due date a procedure would have if received now."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time
from decimal import Decimal
from typing import TYPE_CHECKING

from flask import current_app, g, has_request_context
from sqlalchemy import select

from app import dates
from app.domain import N_, msg
from app.domain.deadlines import (
    OfficialDay,
    SwapProblem,
    TimeUnit,
    WorkCalendar,
    applicable_cutoff,
    due_at,
    official_days,
    parse_office_hours,
    swap_problems,
)
from app.domain.vocabulary import DayKind
from app.extensions import db
from app.models import CalendarDay, CalendarSwap, ProcedureVersion, User
from app.services import audit, versions
from app.services.errors import ServiceError

if TYPE_CHECKING:
    from app.services.catalogue import Published


class CalendarError(ServiceError):
    """A calendar override refused."""


def work_calendar() -> WorkCalendar:
    """The admin's overrides (CalendarDay) over the Government's swaps — shipped as data
    (app/domain/official_calendar.yaml) and entered by the province administrator
    (CalendarSwap) — over the holidays package; the province's settings.

    Built once per process for each version of the calendar's rows (services/versions.py: one
    small read tells it is current; reading both tables and building the calendar was a tenth
    of the procedure page, issue 15), and read once per request (kept in `g`, which ends with
    it; an override or swap changed in the request drops it): the dashboard's trend asked for
    it once per month."""
    if not has_request_context():
        return _current_calendar()
    if "work_calendar" not in g:
        g.work_calendar = _current_calendar()
    return g.work_calendar


def _current_calendar() -> WorkCalendar:
    number = versions.number("calendar")
    kept = current_app.extensions.get("motcua.work_calendar")
    if number is None or kept is None or kept[0] != number:
        kept = current_app.extensions["motcua.work_calendar"] = (number, _read_calendar())
    return kept[1]


def _changed() -> None:
    """The request's calendar is stale: an override or a swap was added or removed."""
    if has_request_context():
        g.pop("work_calendar", None)


def _read_calendar() -> WorkCalendar:
    overrides = db.session.execute(select(CalendarDay.day, CalendarDay.kind)).all()
    return WorkCalendar(
        extra_days_off=frozenset(d for d, kind in overrides if kind == "day_off"),
        extra_working_days=frozenset(d for d, kind in overrides if kind == "working_day"),
        cutoff=time.fromisoformat(current_app.config["DEADLINE_CUTOFF"]),
        office_hours=parse_office_hours(current_app.config["OFFICE_HOURS"]),
    ).with_official_days(official_days() + entered_days())


def entered_days() -> tuple[OfficialDay, ...]:
    """The swaps the province administrator entered, as the two official days of each pair."""
    return tuple(day for swap in swaps() for day in (OfficialDay(swap.day_off, "day_off", swap.legal_basis),
                                                     OfficialDay(swap.working_day, "working_day", swap.legal_basis)))


def procedure_calendar(version: ProcedureVersion | Published, paper: bool) -> WorkCalendar:
    """The working calendar with the cut-off that applies to a dossier of this procedure: the
    procedure file's `cutoff` or the province's DEADLINE_CUTOFF, for paper dossiers and
    same-day procedures only (domain/deadlines.applicable_cutoff, LEGAL.md §5)."""
    calendar = work_calendar()
    own = version.spec.get("cutoff")
    cutoff = applicable_cutoff(calendar, version.time_unit, paper, time.fromisoformat(own) if own else None)
    return replace(calendar, cutoff=cutoff)


def expected_due(version: ProcedureVersion | Published, received_at: datetime, paper: bool = True,
                 verification: bool = False) -> datetime:
    """The appointment a dossier of this procedure received at `received_at` would get; `paper`
    for a counter or postal dossier (channel 1, 3). The public "if received now" estimate takes
    the paper receipt, the later of the two. `verification`: the desk recorded that the facts
    must be verified, so the procedure's `verification_days` (working days) apply (Civil Status
    Law 2014 Art. 18(2), 34(2)); the caller checks the procedure has them."""
    calendar = procedure_calendar(version, paper)
    if verification:
        days = Decimal(str(version.spec["processing_time"]["verification_days"]))
        return due_at(received_at, days, TimeUnit.WORKING_DAYS, calendar)
    return due_at(received_at, version.time_value, version.time_unit, calendar)


def official_swaps() -> list[tuple[OfficialDay, CalendarDay | None]]:
    """The Government's swaps shipped as data, newest first, each with the admin override of
    the same day if there is one (the override wins: WorkCalendar.is_working_day)."""
    days = official_days()
    overridden = {row.day: row for row in db.session.scalars(
        select(CalendarDay).where(CalendarDay.day.in_([d.day for d in days])))}
    return [(day, overridden.get(day.day)) for day in reversed(days)]


def overrides() -> list[CalendarDay]:
    return list(db.session.scalars(select(CalendarDay).order_by(CalendarDay.day.desc())))


def add_override(actor: User, day: date, kind: str, note: str) -> CalendarDay:
    """An admin declares an extra day off (e.g. a substitute holiday the Government announces)
    or a working Saturday (a swapped day, Labour Code 2019 Art. 111–112). Audited."""
    if not DayKind.known(kind):
        raise CalendarError.on("kind", "Loại ngày không hợp lệ.")
    if db.session.scalar(select(CalendarDay.id).where(CalendarDay.day == day)):
        raise CalendarError.on("day", msg("Ngày %(day)s đã có trong lịch điều chỉnh.", day=dates.date(day)))
    row = CalendarDay(day=day, kind=kind, note=note.strip())
    db.session.add(row)
    db.session.flush()
    audit.record(actor, "calendar.day_add", "calendar_day", row.id, after=_day_facts(row))
    db.session.commit()
    _changed()
    return row


def remove_override(actor: User, row: CalendarDay) -> None:
    audit.record(actor, "calendar.day_remove", "calendar_day", row.id, before=_day_facts(row))
    db.session.delete(row)
    db.session.commit()
    _changed()


def _day_facts(row: CalendarDay) -> dict:
    return {"day": row.day.isoformat(), "kind": row.kind, "note": row.note}


SWAP_MESSAGES = {
    SwapProblem.SAME_DAY: N_("Ngày nghỉ và ngày làm bù phải là hai ngày khác nhau."),
    SwapProblem.OTHER_YEAR: N_("Ngày làm bù phải cùng năm với ngày nghỉ."),
    SwapProblem.DAY_OFF_NOT_WORKED: N_(
        "Ngày được nghỉ phải là một ngày làm việc (từ thứ Hai đến thứ Sáu, không phải ngày lễ)."),
    SwapProblem.MAKE_UP_NOT_WEEKEND: N_("Ngày làm bù phải là thứ Bảy hoặc Chủ nhật đang là ngày nghỉ."),
}


def swaps() -> list[CalendarSwap]:
    """The swaps the province administrator entered, newest first."""
    return list(db.session.scalars(select(CalendarSwap).order_by(CalendarSwap.day_off.desc())))


def add_swap(actor: User, day_off: date, working_day: date, legal_basis: str) -> CalendarSwap:
    """Enter one of the Government's yearly swaps, both days together: `day_off` (a working day)
    is given off, `working_day` (a weekend day of the same year) is worked in its place
    (domain/deadlines.swap_problems). Checked against the calendar as it is without the
    administrator's one-day overrides, which still win over the pair. Audited."""
    calendar = replace(work_calendar(), extra_days_off=frozenset(), extra_working_days=frozenset())
    taken = {d for swap in swaps() for d in (swap.day_off, swap.working_day)}
    problems = {name: msg("Ngày %(day)s đã có trong một cặp hoán đổi.", day=dates.date(day))
                for name, day in (("day_off", day_off), ("working_day", working_day)) if day in taken}
    for name, problem in swap_problems(day_off, working_day, calendar).items():
        problems.setdefault(name, SWAP_MESSAGES[problem])
    if problems:
        raise CalendarError("Cặp ngày hoán đổi chưa hợp lệ: xem các trường được đánh dấu.", fields=problems)
    swap = CalendarSwap(day_off=day_off, working_day=working_day, legal_basis=legal_basis.strip())
    db.session.add(swap)
    db.session.flush()
    audit.record(actor, "calendar.swap_add", "calendar_swap", swap.id, after=_swap_facts(swap))
    db.session.commit()
    _changed()
    return swap


def remove_swap(actor: User, swap: CalendarSwap) -> None:
    audit.record(actor, "calendar.swap_remove", "calendar_swap", swap.id, before=_swap_facts(swap))
    db.session.delete(swap)
    db.session.commit()
    _changed()


def _swap_facts(swap: CalendarSwap) -> dict:
    return {"day_off": swap.day_off.isoformat(), "working_day": swap.working_day.isoformat(),
            "legal_basis": swap.legal_basis}
