"""Working-time rules: when is a dossier due?

Pure Python on purpose: no Flask, no database, and the clock is always a
parameter, so every rule can be tested with fixed dates and the same code runs
in a request, a job or a statistics back-fill.

What counts as a day off
    Saturdays and Sundays (the public sector works a 40-hour, five-day week,
    Decision 188/1999/QĐ-TTg), the public holidays of Labour Code 2019
    Art. 112 (1 Jan; Tết; Hùng Kings' day, 10/3 lunar; 30 Apr; 1 May; 2 Sep plus
    one adjacent day) with their compensatory days (nghỉ bù), and the
    Government's yearly day swaps. The holidays come from the ``holidays``
    package (``holidays.country_holidays("VN")``), never from dates typed into
    this module. The package misses some of the Government's yearly swaps (2026:
    Friday 2 January off, Saturday 10 January worked, VPCP letter
    12729/VPCP-KGVX of 25/12/2025); those ship as dated data with their source
    in ``official_calendar.yaml`` beside this module (``official_days``,
    ``WorkCalendar.official_days_off`` / ``official_working_days``). An
    administrator can correct any day with ``WorkCalendar.extra_days_off`` /
    ``extra_working_days`` (the ``CalendarDay`` table in the database), and
    that override wins over both.

    The package also reports the Saturdays the Government swapped into working
    days (its ``weekend_workdays``; e.g. Sat 22 Aug 2026 was worked so that
    Mon 31 Aug 2026 could be taken off around National Day). We honour those:
    taking the day off without the make-up Saturday would make the calendar
    one working day short.

Counting (Civil Code 2015 Art. 147-148)
    A period counted in days starts on the day after the event, and a deadline
    that falls on a day off moves to the next working day.

Cut-off (Decree 61/2018 Art. 19, now Decree 118/2025 Art. 17-18; Decree 63/2024;
Decree 23/2015 Art. 7)
    A PAPER dossier received after 15:00 (a setting: ``WorkCalendar.cutoff``, the
    province's default, which a procedure file may override), or on a day off,
    is treated as received on the next working day; a same-day procedure
    received after the cut-off gives its result the next working day, whatever
    the channel. An online dossier of any other procedure counts from the day it
    arrives if it arrives while the office is open, else from the next working
    day (the liên thông decree's 17:00 for online dossiers). See
    ``applicable_cutoff``.

Time of day of the appointment (NgayHenTra) -- a choice LEGAL.md section 5 asks us to make
    For periods in days (working or calendar) the due instant is the END OF
    THE OFFICE DAY: the close of the last office window, 17:00 by default.
    Not the receipt's clock time (which would give an appointment at, say,
    09:12 that no counter keeps), and not 24:00 (Civil Code Art. 148 ends a
    period at midnight, but a result can only be handed over while the office
    is open, so 17:00 is the last moment the citizen can actually collect it).
    Periods in working hours return the exact instant.

Office time, pauses, steps (Decree 61/2018 Art. 21; LEGAL.md 1.4 and 5)
    "Office time" is time inside the office windows (``office_hours``) of
    working days. ``working_minutes_between`` measures it, ``add_working_minutes``
    adds it. A supplement request during processing pauses the clock without
    resetting it (``extend_for_pause``); the internal process splits the
    processing time into chained step dues (``step_due_dates``); finished work
    is classified early / on time / late and open work within / due soon /
    overdue (``classify``, ``open_state``; Decision 766 index 2.1); a dossier
    going to be late gets its apology no later than the end of the working day
    before the due day (``apology_deadline``; a later one is recorded as late).

All instants returned are timezone-aware datetimes in ``OFFICE_TZ``. Vietnam
has no daylight saving time, so wall-clock arithmetic in that zone is exact.
"""

from __future__ import annotations

import functools
import math
import re
import zoneinfo
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from pathlib import Path

import holidays
import yaml

from app.domain import N_
from app.domain.vocabulary import DayKind, Vocabulary

__all__ = [
    "OpenState",
    "ResultClass",
    "OFFICE_TZ",
    "SAME_DAY_UNITS",
    "TimeUnit",
    "WorkCalendar",
    "OfficialDay",
    "SwapProblem",
    "add_working_minutes",
    "apology_deadline",
    "apology_is_late",
    "applicable_cutoff",
    "classify",
    "due_at",
    "extend_for_pause",
    "official_days",
    "open_state",
    "parse_office_hours",
    "process_start",
    "step_due_dates",
    "swap_problems",
    "working_minutes_between",
]

OFFICE_TZ = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")

# No sane calendar has this many days off in a row (the longest break, Tết,
# is about nine); hitting it means the overrides switched every day off.
_MAX_DAYS_OFF_IN_A_ROW = 370


class TimeUnit(Vocabulary):
    """Unit of a processing time, as published in the procedure catalogue.

    ``SAME_DAY`` (trong ngày, e.g. certified copies, Decree 23/2015 Art. 7) and
    ``IMMEDIATELY`` (ngay, e.g. birth registration on complete papers, Civil
    Status Law 2014 Art. 16(2)) carry no count: the result is due at the end of
    the office day the dossier counts for (``due_at``). They differ in the
    cut-off that applies (``applicable_cutoff``). The label follows a count ("5 ngày làm
    việc"), or, for the two without one, is the whole time limit as a form writes it.
    """

    WORKING_DAYS = "working_days", N_("ngày làm việc")
    WORKING_HOURS = "working_hours", N_("giờ làm việc")
    CALENDAR_DAYS = "calendar_days", N_("ngày")
    SAME_DAY = "same_day", N_("trong ngày")
    IMMEDIATELY = "immediately", N_("ngay khi nhận đủ hồ sơ")


# Units whose time limit is the receiving (counting) day itself: no count of days.
SAME_DAY_UNITS = frozenset({TimeUnit.SAME_DAY, TimeUnit.IMMEDIATELY})


# --------------------------------------------------------------------------
# Public holidays, from the `holidays` package, built once per year.
# --------------------------------------------------------------------------


@functools.lru_cache(maxsize=64)  # a year is a few dozen dates; 64 years is plenty
def _vn_year(year: int) -> tuple[frozenset[date], frozenset[date]]:
    """(public holidays, Government-swapped working weekend days) of one year.

    Legal basis: Labour Code 2019 Art. 112 (the holidays), Art. 111(3) (a
    holiday on a weekly rest day gives a compensatory day off), and the
    Government's yearly swap notices; all as encoded by the ``holidays``
    package. Built lazily and cached: building the package's calendar is
    comparatively slow and a deadline computation asks about many days.

    A swap can reach across New Year (e.g. 2 Jan 2015 off in exchange for
    Sat 27 Dec 2014), and the package files it under the later year, so the
    following year is built too and both sets are cut down to ``year``.
    """
    vn = holidays.country_holidays("VN", years=(year, year + 1))
    days_off = frozenset(d for d in vn if d.year == year)
    working_weekends = frozenset(d for d in vn.weekend_workdays if d.year == year)
    return days_off, working_weekends


def _is_public_holiday(day: date) -> bool:
    return day in _vn_year(day.year)[0]


def _is_swapped_working_weekend(day: date) -> bool:
    return day in _vn_year(day.year)[1]


# --------------------------------------------------------------------------
# The Government's yearly swaps the package misses, shipped as dated data.
# --------------------------------------------------------------------------

OFFICIAL_CALENDAR_FILE = Path(__file__).with_name("official_calendar.yaml")


@dataclass(frozen=True)
class OfficialDay:
    """One day the Government swapped (off or worked), with the text that announced it."""

    day: date
    kind: str  # "day_off" | "working_day"
    source: str


def official_days(path: Path = OFFICIAL_CALENDAR_FILE) -> tuple[OfficialDay, ...]:
    """The official swaps of ``official_calendar.yaml``, sorted by date.

    Labour Code 2019 Art. 112(3) lets the Government set the days off of each
    year; its yearly notices (e.g. VPCP letter 12729/VPCP-KGVX of 25/12/2025 for
    New Year 2026) swap working days, which the ``holidays`` package does not
    know. Every entry must name its source. Raises ValueError naming the entry
    for a malformed file (the file ships with the code, so this is a bug).
    """
    return _official_days(Path(path))


@functools.lru_cache(maxsize=4)
def _official_days(path: Path) -> tuple[OfficialDay, ...]:
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    days: list[OfficialDay] = []
    for index, entry in enumerate(entries):
        where = f"{path.name}[{index}]"
        if not isinstance(entry, dict) or set(entry) != {"date", "kind", "source"}:
            raise ValueError(f"{where}: expected the keys date, kind and source")
        if isinstance(entry["date"], datetime) or not isinstance(entry["date"], date):
            raise ValueError(f"{where}: date must be YYYY-MM-DD, got {entry['date']!r}")
        if not DayKind.known(entry["kind"]):
            raise ValueError(f"{where}: kind must be day_off or working_day, got {entry['kind']!r}")
        if not isinstance(entry["source"], str) or not entry["source"].strip():
            raise ValueError(f"{where}: source must name the text that announced the swap")
        days.append(OfficialDay(entry["date"], entry["kind"], entry["source"].strip()))
    repeated = sorted({d.day for d in days if sum(o.day == d.day for o in days) > 1})
    if repeated:
        raise ValueError(f"{path.name}: listed more than once: {', '.join(map(str, repeated))}")
    return tuple(sorted(days, key=lambda d: d.day))


class SwapProblem(StrEnum):
    """Why a pair of swapped days is refused (``swap_problems``)."""

    SAME_DAY = "same_day"
    OTHER_YEAR = "other_year"
    DAY_OFF_NOT_WORKED = "day_off_not_worked"      # the day given off is not a working day
    MAKE_UP_NOT_WEEKEND = "make_up_not_weekend"    # the make-up day is not a weekend day off


def swap_problems(day_off: date, make_up: date, calendar: WorkCalendar) -> dict[str, SwapProblem]:
    """What is wrong with the swap "``day_off`` is given off, ``make_up`` is worked instead",
    by field ("day_off", "working_day"); empty when it is a swap the Government's yearly notice
    can make (Labour Code 2019 Art. 112(3): the Government sets the days off of each year; its
    notices move a working day next to a holiday onto a Saturday or Sunday of the same year,
    e.g. VPCP letter 12729/VPCP-KGVX: Friday 2 January 2026 off, Saturday 10 January worked).

    ``day_off`` must be a weekday the ``calendar`` works (not a holiday, not already off);
    ``make_up`` a Saturday or Sunday the calendar does not work; both in the same year."""
    problems: dict[str, SwapProblem] = {}
    if day_off == make_up:
        return {"working_day": SwapProblem.SAME_DAY}
    if day_off.weekday() >= 5 or not calendar.is_working_day(day_off):
        problems["day_off"] = SwapProblem.DAY_OFF_NOT_WORKED
    if make_up.weekday() < 5 or calendar.is_working_day(make_up):
        problems["working_day"] = SwapProblem.MAKE_UP_NOT_WEEKEND
    elif make_up.year != day_off.year:
        problems["working_day"] = SwapProblem.OTHER_YEAR
    return problems


# --------------------------------------------------------------------------
# Office hours
# --------------------------------------------------------------------------

_HHMM = re.compile(r"^(\d{1,2}):(\d{2})$")


def _parse_hhmm(text: str, whole: str) -> time:
    match = _HHMM.match(text.strip())
    if not match:
        raise ValueError(f"office hours {whole!r}: {text.strip()!r} is not a time, expected HH:MM")
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        raise ValueError(f"office hours {whole!r}: {text.strip()!r} is not a valid time of day")
    return time(hour, minute)


def _check_office_hours(
    windows: tuple[tuple[time, time], ...], source: str
) -> tuple[tuple[time, time], ...]:
    """Validate office windows and return them sorted by start.

    Sorting is harmless (the order of the windows carries no meaning) and lets
    the rest of the module assume the last window closes the office day.
    """
    if not windows:
        raise ValueError(f"office hours {source}: at least one window is required")
    for window in windows:
        if len(window) != 2 or not all(isinstance(t, time) for t in window):
            raise ValueError(
                f"office hours {source}: {window!r} is not a (start, end) pair of times"
            )
        start, end = window
        if start.tzinfo is not None or end.tzinfo is not None:
            # Office hours are local wall-clock times in OFFICE_TZ.
            raise ValueError(f"office hours {source}: times must be naive (local office time)")
        if end <= start:
            raise ValueError(
                f"office hours {source}: window {start:%H:%M}-{end:%H:%M} ends before it starts"
            )
    ordered = tuple(sorted((tuple(w) for w in windows), key=lambda w: w[0]))
    for (start_a, end_a), (start_b, end_b) in zip(ordered, ordered[1:], strict=False):
        # Touching windows (11:30-11:30) are fine; a real overlap is a typo.
        if start_b < end_a:
            raise ValueError(
                f"office hours {source}: windows {start_a:%H:%M}-{end_a:%H:%M} "
                f"and {start_b:%H:%M}-{end_b:%H:%M} overlap"
            )
    return ordered


def parse_office_hours(text: str) -> tuple[tuple[time, time], ...]:
    """Parse an office-hours setting such as ``"07:30-11:30,13:30-17:00"``.

    Windows are separated by commas, each ``HH:MM-HH:MM`` (spaces allowed).
    Raises ValueError naming the problem: bad format, a window that ends
    before (or when) it starts, or overlapping windows. The result is sorted.
    """
    if not isinstance(text, str) or not text.strip():
        raise ValueError("office hours: empty setting, expected e.g. '07:30-11:30,13:30-17:00'")
    windows = []
    for part in text.split(","):
        bounds = re.split(r"\s*[-–]\s*", part.strip())
        if len(bounds) != 2:
            raise ValueError(
                f"office hours {text!r}: {part.strip()!r} is not a window, expected HH:MM-HH:MM"
            )
        windows.append((_parse_hhmm(bounds[0], text), _parse_hhmm(bounds[1], text)))
    return _check_office_hours(tuple(windows), repr(text))


# --------------------------------------------------------------------------
# The calendar
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkCalendar:
    """Which days are worked, when the office is open, and the daily cut-off.

    ``extra_days_off`` and ``extra_working_days`` are the administrator's
    overrides (Labour Code 2019 Art. 112 lets the Government shift days off
    from year to year; the overrides record what the package does not know
    yet, or what a province decided). ``official_days_off`` and
    ``official_working_days`` are the Government's swaps shipped with the code
    (``official_days``; ``services.calendar.work_calendar`` fills them).
    ``cutoff`` is the province's default receipt cut-off
    (15:00 under Decree 61/2018 Art. 19 / Decree 118/2025 Art. 17-18 and
    Decree 63/2024; a setting because the liên thông decree uses 17:00).
    """

    extra_days_off: frozenset[date] = frozenset()
    extra_working_days: frozenset[date] = frozenset()
    cutoff: time = time(15, 0)
    official_days_off: frozenset[date] = frozenset()
    official_working_days: frozenset[date] = frozenset()
    office_hours: tuple[tuple[time, time], ...] = (
        (time(7, 30), time(11, 30)),
        (time(13, 30), time(17, 0)),
    )

    def __post_init__(self) -> None:
        # Callers may hand in sets or lists from the database; store frozensets
        # so the calendar stays hashable and immutable.
        names = ("extra_days_off", "extra_working_days", "official_days_off", "official_working_days")
        for name in names:
            object.__setattr__(self, name, frozenset(getattr(self, name)))
        for day in frozenset().union(*(getattr(self, name) for name in names)):
            if isinstance(day, datetime) or not isinstance(day, date):
                raise ValueError(f"calendar overrides must be dates, got {day!r}")
        if not isinstance(self.cutoff, time) or self.cutoff.tzinfo is not None:
            raise ValueError("cutoff must be a naive time (local office time)")
        object.__setattr__(
            self, "office_hours", _check_office_hours(tuple(self.office_hours), "setting")
        )

    def with_official_days(self, days: tuple[OfficialDay, ...]) -> WorkCalendar:
        """This calendar with the Government's swaps ``days`` (``official_days()``) applied."""
        return replace(
            self,
            official_days_off=frozenset(d.day for d in days if d.kind == "day_off"),
            official_working_days=frozenset(d.day for d in days if d.kind == "working_day"),
        )

    @property
    def day_end(self) -> time:
        """Close of the last office window: the due time of day-based periods."""
        return self.office_hours[-1][1]

    @property
    def office_day_length(self) -> timedelta:
        """Office time in one working day: the sum of the windows (7.5 h by default).

        What "one working day" of office time is when a period in working days
        is cut into shares (``step_due_dates``: 0.5 day = half of this).
        """
        anchor = date(2000, 1, 1)  # any date: only the differences are used
        return sum(
            (
                datetime.combine(anchor, end) - datetime.combine(anchor, start)
                for start, end in self.office_hours
            ),
            timedelta(0),
        )

    def is_working_day(self, day: date) -> bool:
        """True if the office works on ``day``.

        Precedence, strongest first:
        1. ``extra_working_days`` (admin: e.g. a make-up Saturday) always work;
        2. ``extra_days_off`` (admin) are off;
        3. ``official_working_days`` (the Government's swaps shipped as data,
           e.g. Sat 10 Jan 2026) work;
        4. ``official_days_off`` (e.g. Fri 2 Jan 2026) are off;
        5. public holidays and compensatory days (Labour Code 2019 Art. 112,
           Art. 111(3); from the ``holidays`` package) are off;
        6. Saturday and Sunday (Decision 188/1999/QĐ-TTg) are off, unless the
           Government swapped that weekend day into a working day (the
           package's ``weekend_workdays``);
        7. any other day is worked.
        """
        if isinstance(day, datetime) or not isinstance(day, date):
            # A datetime would silently never match the date sets.
            raise TypeError(f"is_working_day expects a date, got {type(day).__name__}")
        if day in self.extra_working_days:
            return True
        if day in self.extra_days_off:
            return False
        if day in self.official_working_days:
            return True
        if day in self.official_days_off:
            return False
        if _is_public_holiday(day):
            return False
        if day.weekday() >= 5:
            return _is_swapped_working_weekend(day)
        return True

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after ``day``.

        Civil Code 2015 Art. 148: a deadline on a day off moves to the next
        working day; Decree 118/2025 Art. 17-18: a receipt after the cut-off
        counts from the next working day.
        """
        candidate = day
        for _ in range(_MAX_DAYS_OFF_IN_A_ROW):
            candidate += timedelta(days=1)
            if self.is_working_day(candidate):
                return candidate
        raise ValueError(
            f"no working day within {_MAX_DAYS_OFF_IN_A_ROW} days after {day}: "
            "check the calendar overrides"
        )

    def previous_working_day(self, day: date) -> date:
        """The last working day strictly before ``day``.

        The mirror of ``next_working_day``, for rules counted backwards from a
        due date ("no later than 1 working day before the due date", Decree
        61/2018 Art. 21, see ``apology_deadline``).
        """
        candidate = day
        for _ in range(_MAX_DAYS_OFF_IN_A_ROW):
            candidate -= timedelta(days=1)
            if self.is_working_day(candidate):
                return candidate
        raise ValueError(
            f"no working day within {_MAX_DAYS_OFF_IN_A_ROW} days before {day}: "
            "check the calendar overrides"
        )

    def counting_start(self, received_at: datetime) -> date:
        """The working day a period is based on (the day the receipt counts for).

        The receipt day itself if it is a working day and the receipt is
        strictly before the cut-off; otherwise (at or after the cut-off, or on a
        day off) the next working day. Legal basis: Decree 61/2018 Art. 19 /
        Decree 118/2025 Art. 17-18 and Decree 63/2024 (15:00 cut-off). Exactly
        the cut-off counts as after it (a project choice): receipts are stamped
        to the minute, and "15:00" covers 15:00:00-15:00:59, which is after
        15:00 for all but its first instant.
        """
        local = _to_office_time(received_at)
        day = local.date()
        if self.is_working_day(day) and local.time() < self.cutoff:
            return day
        return self.next_working_day(day)

    # -- helpers for working hours ------------------------------------------

    def _office_open(self, day: date) -> datetime:
        return datetime.combine(day, self.office_hours[0][0], tzinfo=OFFICE_TZ)

    def _end_of_office_day(self, day: date) -> datetime:
        return datetime.combine(day, self.day_end, tzinfo=OFFICE_TZ)

    def _snap_to_office_time(self, moment: datetime) -> datetime:
        """``moment`` if the office is open then, else the next opening.

        ``moment`` is on a working day. A window is open on [start, end).
        """
        now = moment.time()
        for start, end in self.office_hours:
            if now < start:
                return datetime.combine(moment.date(), start, tzinfo=OFFICE_TZ)
            if now < end:
                return moment
        return self._office_open(self.next_working_day(moment.date()))


# --------------------------------------------------------------------------
# Due date
# --------------------------------------------------------------------------


def _to_office_time(moment: datetime, name: str = "received_at") -> datetime:
    if not isinstance(moment, datetime):
        raise TypeError(f"{name} must be a datetime, got {type(moment).__name__}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        # A naive time is ambiguous (server UTC or office time?): refuse it
        # rather than guess, a seven-hour error moves the cut-off.
        raise ValueError(f"{name} must be timezone-aware")
    return moment.astimezone(OFFICE_TZ)


def _to_unit(unit: TimeUnit | str) -> TimeUnit:
    try:
        return TimeUnit(unit)
    except ValueError:
        known = ", ".join(u.value for u in TimeUnit)
        raise ValueError(f"unknown time unit {unit!r}; expected one of {known}") from None


def _to_decimal(value: int | float | Decimal) -> Decimal:
    # bool is an int subclass; True days is a bug, not a period.
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise TypeError(f"processing time must be a number, got {value!r}")
    try:
        # str() of a float is its shortest repr, so 0.1 hours stays exactly 0.1.
        number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    except InvalidOperation:  # pragma: no cover - Decimal(str(float)) always parses
        raise ValueError(f"processing time {value!r} is not a number") from None
    if not number.is_finite():
        raise ValueError(f"processing time must be finite, got {value!r}")
    if number < 0:
        raise ValueError(f"processing time must not be negative, got {value!r}")
    return number


def applicable_cutoff(
    calendar: WorkCalendar, unit: TimeUnit | str, paper: bool, procedure_cutoff: time | None = None
) -> time:
    """The receipt cut-off that applies to one dossier (LEGAL.md section 5).

    - A PAPER dossier (at the counter or by post) received after the cut-off
      counts from the next working day (Decree 61/2018 Art. 19, Decree 118/2025
      Art. 17-18, provincial 2025 procedures: 15:00).
    - A SAME-DAY procedure (``same_day``, trong ngày) received after the cut-off
      gives its result the next working day, whatever the channel (Decree
      23/2015 Art. 7 for certified copies; Decree 63/2024; the civil-status
      rules).
    - Any other dossier (online; ``immediately`` online too) counts from the
      day it arrives while the office is open: its cut-off is the close of the
      office day (``day_end``; the liên thông decree uses 17:00 for online
      dossiers). ``immediately`` (ngay, Civil Status Law 2014 Art. 16(2), 18(2))
      is due at the end of the receiving day; the text sets no cut-off for it,
      so only a paper dossier's cut-off moves its receiving day.

    Not applied: the liên thông decree's "received in the last office hour ->
    counted from 08:00 of the next working day" (LEGAL.md §5). It is written for
    the national electronic groups of Decree 63/2024 (birth + residence + health
    insurance; death + ...), which this portal does not run; a province that
    wants it for a procedure sets that procedure's ``cutoff`` to 16:00.

    The cut-off is the procedure's own (``cutoff`` in its file) when it has
    one, else the province's default ``calendar.cutoff`` (DEADLINE_CUTOFF).
    Use the result as ``dataclasses.replace(calendar, cutoff=...)`` for
    ``due_at`` and ``process_start``.
    """
    kind = _to_unit(unit)
    if paper or kind is TimeUnit.SAME_DAY:
        return procedure_cutoff or calendar.cutoff
    return calendar.day_end


def _receipt_start(local: datetime, base: date, calendar: WorkCalendar) -> datetime:
    """The first office instant a receipt counts from: the receipt itself (moved into the
    next office window) when it counts for its own day, else the opening of ``base``."""
    if base != local.date():
        return calendar._office_open(base)
    return calendar._snap_to_office_time(local)


def _close_of_window_reaching(day: date, amount: timedelta, calendar: WorkCalendar) -> datetime:
    """The close of the office window of ``day`` in which ``amount`` of office time, counted
    from the day's opening, runs out (``amount`` is less than an office day)."""
    used = timedelta(0)
    for open_, close in calendar.office_hours:
        used += datetime.combine(day, close) - datetime.combine(day, open_)
        if used >= amount:
            return datetime.combine(day, close, tzinfo=OFFICE_TZ)
    return calendar._end_of_office_day(day)  # pragma: no cover - amount < an office day


def due_at(
    received_at: datetime,
    value: int | float | Decimal,
    unit: TimeUnit | str,
    calendar: WorkCalendar,
) -> datetime:
    """The due instant of a period of ``value`` ``unit`` for a dossier received at ``received_at``.

    ``received_at`` must be timezone-aware (ValueError otherwise); it is read in
    office time (Asia/Ho_Chi_Minh). The result is aware, in ``OFFICE_TZ``.
    ``calendar.cutoff`` is the cut-off used: pass a calendar with the cut-off
    that applies to the dossier (``applicable_cutoff``).

    WORKING_DAYS (Civil Code 2015 Art. 147: counting starts the day after;
    Decree 118/2025 Art. 17-18: after the cut-off counts from the next working
    day): the due date is the N-th working day after ``counting_start``; N = 0
    is that day itself. Due at the end of the office day (see module
    docstring). A fractional N is NOT rounded up to a whole day: the fraction
    is office time of the next working day (one working day being
    ``office_day_length``), and the period ends at the close of the office
    window in which it runs out: with the default hours 0.5 day (3 h 45 of
    office time, inside the 4-hour morning) ends at 11:30, the close of the
    morning, and 0.75 day at 17:00. So 0.5 day from a Monday receipt ends
    Tuesday 11:30 (counting starts the next day, Art. 147), 1.5 days Wednesday
    11:30.

    SAME_DAY (trong ngày, Decree 23/2015 Art. 7) and IMMEDIATELY (ngay, Civil
    Status Law 2014 Art. 16(2), 18(2)): due at the end of the office day of
    ``counting_start``, i.e. the receiving day, or the next working day if
    received after the cut-off or on a day off. ``value`` is ignored (0).

    CALENDAR_DAYS (Civil Code 2015 Art. 147-148): ``counting_start`` + N
    calendar days, moved to the next working day if that is a day off; due at
    the end of the office day. A fractional N is rounded up (half a calendar
    day has no office meaning).

    WORKING_HOURS (Decree 118/2025 Art. 17; the liên thông notice limits are
    in working hours): office time is consumed from the start instant, which
    is the opening of the next working day if received at/after the cut-off or
    on a day off, else ``received_at`` moved forward into the next office
    window (12:00 -> 13:30). Fractional hours are exact. If the hours end at a
    window's close, that close is returned (not the next opening).

    Raises ValueError for a negative or non-finite value, an unknown unit or
    a naive ``received_at``.
    """
    kind = _to_unit(unit)
    amount = _to_decimal(value)
    local = _to_office_time(received_at)
    base = calendar.counting_start(local)

    if kind in SAME_DAY_UNITS:
        return calendar._end_of_office_day(base)

    if kind is TimeUnit.WORKING_DAYS:
        whole = int(amount)
        due_day = base
        for _ in range(whole):
            due_day = calendar.next_working_day(due_day)
        fraction = amount - whole
        if not fraction:
            return calendar._end_of_office_day(due_day)
        return _close_of_window_reaching(
            calendar.next_working_day(due_day), _scaled(fraction, calendar.office_day_length), calendar
        )

    if kind is TimeUnit.CALENDAR_DAYS:
        due_day = base + timedelta(days=math.ceil(amount))
        if not calendar.is_working_day(due_day):
            # Civil Code 2015 Art. 148: a deadline on a day off moves to the
            # next working day.
            due_day = calendar.next_working_day(due_day)
        return calendar._end_of_office_day(due_day)

    # WORKING_HOURS
    return _add_office_time(_receipt_start(local, base, calendar), _hours(amount), calendar)


def process_start(received_at: datetime, unit: TimeUnit | str, calendar: WorkCalendar) -> datetime:
    """Where the internal process's step shares start counting (``step_due_dates``).

    Periods in days start the day after receipt (Civil Code 2015 Art. 147), so
    the steps of a working-day process start at the opening of the working day
    after ``counting_start`` and the last one ends when the dossier is due. A
    same-day or immediate procedure is done on the receiving day: its steps
    start at the receipt (moved into office time; the next working day's
    opening if received after the cut-off or on a day off). ``calendar`` must
    carry the dossier's cut-off, as for ``due_at``.
    """
    local = _to_office_time(received_at)
    base = calendar.counting_start(local)
    if _to_unit(unit) in SAME_DAY_UNITS:
        return _receipt_start(local, base, calendar)
    return calendar._office_open(calendar.next_working_day(base))


# --------------------------------------------------------------------------
# Office time: counting and adding minutes the office is open
# --------------------------------------------------------------------------

_MINUTE = timedelta(minutes=1)


def _scaled(amount: Decimal, unit: timedelta) -> timedelta:
    """``amount`` times ``unit``, exact to the microsecond (Decimal, no float drift)."""
    micros = Decimal(unit // timedelta(microseconds=1))
    return timedelta(microseconds=int((amount * micros).to_integral_value()))


def _hours(amount: Decimal) -> timedelta:
    return _scaled(amount, timedelta(hours=1))


def _snap_forward(moment: datetime, calendar: WorkCalendar) -> datetime:
    """``moment`` (office time) if the office is open then, else the next opening.

    Windows are open on [start, end): a moment exactly at a close (11:30,
    17:00) snaps to the next opening. A day off snaps to the opening of the
    next working day.
    """
    if not calendar.is_working_day(moment.date()):
        return calendar._office_open(calendar.next_working_day(moment.date()))
    return calendar._snap_to_office_time(moment)


def _office_time_between(start: datetime, end: datetime, calendar: WorkCalendar) -> timedelta:
    """Exact office time in [start, end); both already in office time."""
    total = timedelta(0)
    if end <= start:
        return total
    day = start.date()
    while day <= end.date():
        if calendar.is_working_day(day):
            for open_, close in calendar.office_hours:
                low = max(start, datetime.combine(day, open_, tzinfo=OFFICE_TZ))
                high = min(end, datetime.combine(day, close, tzinfo=OFFICE_TZ))
                if high > low:
                    total += high - low
        day += timedelta(days=1)
    return total


def _add_office_time(start: datetime, amount: timedelta, calendar: WorkCalendar) -> datetime:
    """The instant ``amount`` of office time after ``start`` (office time, amount >= 0).

    ``start`` is first snapped forward into office time; an amount that runs
    out exactly at a window's close ends there (11:30, 17:00), not at the next
    opening.
    """
    cursor = _snap_forward(start, calendar)
    remaining = amount
    while True:
        day = cursor.date()
        for open_, close in calendar.office_hours:
            window_end = datetime.combine(day, close, tzinfo=OFFICE_TZ)
            if window_end <= cursor:
                continue
            window_start = max(cursor, datetime.combine(day, open_, tzinfo=OFFICE_TZ))
            available = window_end - window_start
            # `<=`: time that ends exactly at the close ends there.
            if remaining <= available:
                return window_start + remaining
            remaining -= available
        cursor = calendar._office_open(calendar.next_working_day(day))


def working_minutes_between(start: datetime, end: datetime, calendar: WorkCalendar) -> int:
    """Office minutes in [start, end): minutes inside the office windows of working days.

    The measure of "time used" for a dossier or a step (Decree 61/2018
    Art. 21: a pause does not reset the clock, the time already used counts;
    Decision 766 index 2.2 averages the processing time). Lunch, evenings,
    weekends, public holidays and the administrator's days off do not count
    (same day rules as ``WorkCalendar.is_working_day``).

    Both instants must be timezone-aware; they are read in office time.
    Returns whole minutes, rounded down (a 59-second stretch is 0 minutes);
    0 if ``end <= start``.
    """
    low = _to_office_time(start, "start")
    high = _to_office_time(end, "end")
    return _office_time_between(low, high, calendar) // _MINUTE


def add_working_minutes(start: datetime, minutes: int, calendar: WorkCalendar) -> datetime:
    """The instant ``minutes`` office minutes after ``start``, in ``OFFICE_TZ``.

    The inverse of ``working_minutes_between``. ``start`` outside office time
    (lunch, after the close, a day off) is first moved forward to the next
    opening (12:00 -> 13:30, Fri 17:30 -> Mon 07:30); ``minutes == 0`` returns
    that snapped start. Minutes that run out exactly at a window's close
    return the close (10:30 + 60 -> 11:30, not 13:30), as ``due_at`` does for
    working hours (Decree 118/2025 Art. 17).

    Raises TypeError if ``minutes`` is not an int, ValueError if it is
    negative or ``start`` is naive.
    """
    if isinstance(minutes, bool) or not isinstance(minutes, int):
        raise TypeError(f"minutes must be an int, got {minutes!r}")
    if minutes < 0:
        raise ValueError(f"minutes must not be negative, got {minutes!r}")
    local = _to_office_time(start, "start")
    return _add_office_time(local, timedelta(minutes=minutes), calendar)


def extend_for_pause(
    due_at: datetime, paused_from: datetime, resumed_at: datetime, calendar: WorkCalendar
) -> datetime:
    """The due instant after the clock was paused from ``paused_from`` to ``resumed_at``.

    A supplement request during processing pauses the clock and the time
    already used still counts (Decree 61/2018 Art. 21; LEGAL.md 1.4 and 5;
    Decision 766 index 2.1 subtracts the supplement waiting time). So the
    office time that was LEFT when the clock stopped is given back from the
    resumption:

        remaining = office time in [paused_from, due_at)
        new due   = ``remaining`` office time after ``resumed_at``

    (``resumed_at`` snapped forward into office time, as ``add_working_minutes``
    does). Equivalently, the due moves later by the office time inside the
    pause: a pause that covers only lunch, a night or a weekend changes
    nothing, a pause of one full office day moves a 17:00 due to 17:00 of the
    next working day. If the remaining time runs out exactly at a window's
    close, that close is kept (17:00, not 07:30 the next morning), so a due at
    the end of an office day stays at the end of an office day.

    The arithmetic is exact (seconds included); for minute-stamped instants it
    equals ``add_working_minutes(resumed_at, working_minutes_between(paused_from,
    due_at))``.

    Two project choices, where that formula alone would misbehave:
    - a pause that starts at or after ``due_at`` (the dossier was already
      late, no office time was left) does not move the due: ``due_at`` is
      returned, and the dossier stays late;
    - a pause never brings the due forward: the result is at least ``due_at``
      (matters only for a due outside office time, e.g. a calendar-day step
      due at 21:00, which the formula would pull back to 17:00).

    All three instants must be timezone-aware; ValueError if ``resumed_at`` is
    before ``paused_from``. The result is in ``OFFICE_TZ``.
    """
    due = _to_office_time(due_at, "due_at")
    paused = _to_office_time(paused_from, "paused_from")
    resumed = _to_office_time(resumed_at, "resumed_at")
    if resumed < paused:
        raise ValueError(
            f"resumed_at {resumed.isoformat()} is before paused_from {paused.isoformat()}"
        )
    if paused >= due:
        return due
    remaining = _office_time_between(paused, due, calendar)
    return max(due, _add_office_time(resumed, remaining, calendar))


def step_due_dates(
    start: datetime,
    durations: list[Decimal | int | float],
    unit: TimeUnit | str,
    calendar: WorkCalendar,
) -> list[datetime]:
    """The due instant of each step of a procedure's internal process, chained.

    Each step has its share of the processing time (the internal process,
    quy trình nội bộ, that splits a procedure's time between the one-stop
    desk, the specialist, the leader and the clerk; Decree 61/2018 Art. 21
    and the control slip of Circular 01/2018/TT-VPCP track each hand-off):
    step 1 is due ``durations[0]`` after ``start``, step 2 ``durations[1]``
    after step 1's due, and so on, in the procedure's unit. One due per step.

    WORKING_DAYS: a share becomes office time, one working day being the
    office day's length (``WorkCalendar.office_day_length``, 7.5 h by
    default), so 0.5 day = 3 h 45 min; the shares are chained with office
    time as in ``add_working_minutes`` (lunch, nights and days off skipped;
    a share that ends exactly at a close ends there).
    WORKING_HOURS: the same with 60 minutes an hour.
    SAME_DAY, IMMEDIATELY: the shares are working hours too (the time limit
    has no count of days to share); the caller keeps the dues within the
    dossier's own due.
    CALENDAR_DAYS (Civil Code 2015 Art. 147-148): a share is added as
    calendar time (0.5 day = 12 h); a step due that lands on a day off moves
    to the close of the next working day (Art. 148), and the next step counts
    from that moved due. A step due on a working day keeps its clock time.

    ``start`` is used as given: no cut-off is applied here. To make the last
    step of a working-day process fall on ``due_at`` of the whole dossier,
    pass ``process_start(received_at, unit, calendar)`` (Civil Code Art. 147:
    counting starts the next day), e.g. a dossier received Mon 10:00 -> start
    Tue 07:30 -> 3 days end Thu 17:00.

    Durations must be finite and non-negative (a 0 share gives the snapped
    start for office-time units); raises ValueError/TypeError like ``due_at``.
    All dues are aware, in ``OFFICE_TZ``.
    """
    kind = _to_unit(unit)
    amounts = [_to_decimal(value) for value in durations]
    cursor = _to_office_time(start, "start")
    dues: list[datetime] = []
    for amount in amounts:
        if kind is TimeUnit.CALENDAR_DAYS:
            cursor = cursor + _scaled(amount, timedelta(days=1))
            if not calendar.is_working_day(cursor.date()):
                # Civil Code 2015 Art. 148: a deadline on a day off moves to
                # the (end of the) next working day.
                cursor = calendar._end_of_office_day(calendar.next_working_day(cursor.date()))
        else:
            per_unit = (
                calendar.office_day_length
                if kind is TimeUnit.WORKING_DAYS
                else timedelta(hours=1)
            )
            cursor = _add_office_time(cursor, _scaled(amount, per_unit), calendar)
        dues.append(cursor)
    return dues


# --------------------------------------------------------------------------
# Classification (LEGAL.md section 5; Decision 766 index 2.1)
# --------------------------------------------------------------------------

class ResultClass(Vocabulary):
    """How a finished dossier or hand-off stands against its due time (``classify``)."""

    EARLY = "early", N_("Trước hạn")
    ON_TIME = "on_time", N_("Đúng hạn")
    LATE = "late", N_("Quá hạn")


class OpenState(Vocabulary):
    """How an unfinished dossier stands against its due time (``open_state``)."""

    WITHIN = "within", N_("Trong hạn")
    DUE_SOON = "due_soon", N_("Sắp đến hạn")
    OVERDUE = "overdue", N_("Quá hạn")


def classify(finished_at: datetime, due_at: datetime) -> str:
    """Classify a finished dossier or hand-off: ``"early"``, ``"on_time"`` or ``"late"``.

    LEGAL.md 5 and Decision 766/QĐ-TTg index 2.1 (on time <=> NgayKetThucXuLy
    <= NgayHenTra); applied per dossier and per hand-off (the control slip):
    - ``"early"`` (trước hạn): finished on a calendar day before the due day;
    - ``"on_time"`` (đúng hạn): finished on the due day, at or before
      ``due_at`` (exactly at ``due_at`` is on time);
    - ``"late"`` (quá hạn): otherwise (the due day after ``due_at``, or later).

    Days are calendar days in office time (Asia/Ho_Chi_Minh), whatever zone
    the instants come in: a result at 00:30 ICT on the due day (17:30 UTC the
    day before) is on time, not early. Both must be timezone-aware. Labels
    for display: ``ResultClass``.
    """
    finished = _to_office_time(finished_at, "finished_at")
    due = _to_office_time(due_at, "due_at")
    if finished.date() < due.date():
        return "early"
    if finished <= due:
        return "on_time"
    return "late"


def open_state(
    now: datetime, due_at: datetime, calendar: WorkCalendar, due_soon_working_days: int = 1
) -> str:
    """State of an open dossier or step: ``"within"``, ``"due_soon"`` or ``"overdue"``.

    LEGAL.md 5: open dossiers are trong hạn / sắp đến hạn (configurable) /
    quá hạn.
    - ``"overdue"`` if ``now`` is after ``due_at`` (exactly at it is not);
    - ``"due_soon"`` if the due falls within the next ``due_soon_working_days``
      working days counting today: day 1 is today if today (office time) is a
      working day, else the next working day; day N is the N-th working day
      from there. Due soon means the due instant is before the end of day N
      (so a due at that day's 17:00 close is due soon, and so is a due later
      that evening, e.g. a calendar-day step at 21:00, or on a day off before
      day N);
    - ``"within"`` otherwise. ``due_soon_working_days = 0`` switches the
      "due soon" state off.

    Both instants must be timezone-aware. Labels: ``OpenState``.
    """
    if isinstance(due_soon_working_days, bool) or not isinstance(due_soon_working_days, int):
        raise TypeError(f"due_soon_working_days must be an int, got {due_soon_working_days!r}")
    if due_soon_working_days < 0:
        raise ValueError(
            f"due_soon_working_days must not be negative, got {due_soon_working_days!r}"
        )
    current = _to_office_time(now, "now")
    due = _to_office_time(due_at, "due_at")
    if current > due:
        return "overdue"
    if due_soon_working_days == 0:
        return "within"
    day = current.date()
    if not calendar.is_working_day(day):
        day = calendar.next_working_day(day)
    for _ in range(due_soon_working_days - 1):
        day = calendar.next_working_day(day)
    return "due_soon" if due.date() <= day else "within"


def apology_deadline(due_at: datetime, calendar: WorkCalendar, received_at: datetime | None = None) -> datetime:
    """The last instant at which the apology of a dossier going to be late is issued on time.

    Decree 61/2018 Art. 21 (kept by the provincial 2025 rules, LEGAL.md 1.4 and
    8): a dossier going to be late gets its apology and proposed new date
    (form 04, "Phiếu xin lỗi và đề nghị gia hạn thời gian giải quyết") "no later
    than 1 working day before the due date". That is a DEADLINE, not an
    opening: the apology may be issued any time from acceptance until the end
    of the working day before the due day. The end is the close of that office
    day (``WorkCalendar.day_end``, 17:00 by default), the same convention as the
    appointment itself (module docstring): issuing is an act of the office,
    done while it is open. A Monday due -> the previous Friday 17:00; a due
    right after Tết -> the close of the last working day before Tết; a due on
    a day off -> the working day before that day.

    An apology issued after this instant is still issued (the citizen must be
    told) but recorded as late (``apology_is_late``); it never changes the
    original due date the statistics use. Result aware, in ``OFFICE_TZ``.

    A time limit shorter than that (same day, immediately, one working day after the
    cut-off, a few working hours) puts the literal deadline before the dossier was
    received (``received_at``): no apology could ever be on time. No text covers this case
    (the rule presumes a time limit of more than one working day); our reading: the
    deadline is then the due time itself, an apology before the dossier becomes late.
    """
    due = _to_office_time(due_at, "due_at")
    deadline = calendar._end_of_office_day(calendar.previous_working_day(due.date()))
    if received_at is not None and deadline < _to_office_time(received_at):
        return due
    return deadline


def apology_is_late(issued_at: datetime, due_at: datetime, calendar: WorkCalendar,
                    received_at: datetime | None = None) -> bool:
    """Whether an apology issued at ``issued_at`` missed ``apology_deadline(due_at)``.

    "Issued" is the agency's act of issuing, i.e. the head's approval of the
    letter, not the specialist's draft (LEGAL.md 8: the head signs form 04).
    Exactly at the deadline is on time.
    """
    return _to_office_time(issued_at, "issued_at") > apology_deadline(due_at, calendar, received_at)
