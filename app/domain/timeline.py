"""One dossier's timeline as Decision 766 reads it: when it ends, whether it is on time
(index 2.1), how long it took (index 2.2), and whether it has an electronic result (3.3,
4.1, 4.2).

Pure: no Flask, no database; the clock (``cut``) and the calendar are parameters. The
statistics stamp what these functions return on the dossier when the fact happens (finish,
supplement request, import), and the SQL of ``services/stats.py`` only picks, per period,
which stamp applies (the cut-dependent part of ``end_of_processing``, written once more in
SQL because a period's cut is only known when it is counted).

Source: the national portal's formula description "Mô tả công thức tính chỉ số 766"
(LEGAL.md §4 "Details for 2.1", §8 "Index 2.1's set"), line by line:

- "Thời điểm kết thúc": the first terminal status in priority order Đã xử lý xong (9,
  resolved) > Đã trả kết quả (10, returned) > Dừng xử lý / Từ chối (8 / 3; a withdrawal ends
  in 8), for dossiers that were received. Still open at the end of the period: the end of the
  period. Waiting for a supplement the citizen has not sent: the time of the request.
- "On time" ⇔ NgayKetThucXuLy ≤ NgayHenTra, the waiting time for the supplement subtracted
  (here: the due date moved later by the office time of the pause, ``extend_for_pause``);
  more than one supplement request ⇒ late.
- The due date is the ORIGINAL appointment (``due_at``); an apology's new date never makes a
  dossier on time (LEGAL.md §4: "Keep the original due date for metrics").

Not verifiable from a source we could read: whether a supplement request at intake (before
NgayTiepNhan) counts toward "more than one request". We count both kinds, as the portal's
stamps always did (an intake request and a processing request = two requests = late).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from app.domain.deadlines import (
    TimeUnit,
    WorkCalendar,
    classify,
    extend_for_pause,
    working_minutes_between,
)

__all__ = ["END_KINDS", "Timeline", "end_of_processing", "is_electronic_result", "on_time_verdict",
           "processing_minutes", "verdict_at"]

# What ended the dossier, in the formula's priority order, then the two non-terminal ends.
END_KINDS = ("resolved", "returned", "stopped", "supplement", "open")


@dataclass(frozen=True, kw_only=True)
class Timeline:
    """The dated facts of one received dossier that 2.1 and 2.2 read.

    ``paused_at`` / ``resumed_at``: the supplement pause during processing (request, answer);
    ``supplement_requests``: every supplement request made (at intake and in processing).
    ``stopped_at``: stopped (8) after a withdrawal, or refused (3) after receipt."""

    received_at: datetime
    due_at: datetime
    resolved_at: datetime | None = None
    returned_at: datetime | None = None
    stopped_at: datetime | None = None
    paused_at: datetime | None = None
    resumed_at: datetime | None = None
    supplement_requests: int = 0


def _before(moment: datetime | None, cut: datetime) -> bool:
    return moment is not None and moment < cut


def end_of_processing(t: Timeline, cut: datetime) -> tuple[datetime, str]:
    """(end time, what ended it) as seen at ``cut`` (the end of the period, or now if sooner).

    Priority: resolved > returned > stopped/refused (formula, "Thời điểm kết thúc"); then a
    supplement request not answered by ``cut`` ends it at the request; otherwise it is still
    open and ends at ``cut``. Facts at or after ``cut`` have not happened yet."""
    for moment, kind in ((t.resolved_at, "resolved"), (t.returned_at, "returned"), (t.stopped_at, "stopped")):
        if _before(moment, cut):
            return moment, kind
    if _before(t.paused_at, cut) and not _before(t.resumed_at, cut):
        return t.paused_at, "supplement"
    return cut, "open"


def _pause(t: Timeline, end: datetime) -> tuple[datetime, datetime] | None:
    """The supplement wait before ``end``: from the request to the answer, or to ``end`` when
    the dossier ended (e.g. was stopped) while still waiting."""
    if not _before(t.paused_at, end):
        return None
    return t.paused_at, min(t.resumed_at or end, end)


def _due_in_force(t: Timeline, end: datetime, calendar: WorkCalendar) -> datetime:
    """The original due date moved later by the supplement wait before ``end`` (the waiting
    time is subtracted)."""
    pause = _pause(t, end)
    return extend_for_pause(t.due_at, *pause, calendar) if pause else t.due_at


def on_time_verdict(end: datetime, due: datetime, supplement_requests: int) -> str:
    """"early" | "on_time" | "late" of a dossier that ended at ``end``: more than one
    supplement request is late whatever the dates (formula, 2.1); otherwise
    ``deadlines.classify`` (NgayKetThucXuLy ≤ NgayHenTra)."""
    return "late" if supplement_requests > 1 else classify(end, due)


def verdict_at(t: Timeline, cut: datetime, calendar: WorkCalendar) -> str:
    """The dossier's 2.1 state at ``cut``: "early" | "on_time" | "late" once it ended (a
    terminal status, or an unanswered supplement request), "within" | "overdue" while open
    (overdue past the due date in force, or after more than one supplement request)."""
    end, kind = end_of_processing(t, cut)
    due = _due_in_force(t, end, calendar)
    if kind != "open":
        return on_time_verdict(end, due, t.supplement_requests)
    return "overdue" if t.supplement_requests > 1 or due < cut else "within"


def processing_minutes(t: Timeline, end: datetime, unit: TimeUnit | str, calendar: WorkCalendar) -> int:
    """ThoiGianGiaiQuyet of index 2.2, in minutes of the procedure's own clock (DonViTinh):
    office minutes for working days and working hours (a working day is
    ``calendar.office_day_length``), elapsed minutes for calendar days; from receipt to
    ``end``, the supplement wait (request to answer, or to ``end`` if unanswered) subtracted."""
    pause = _pause(t, end)
    if TimeUnit(unit) is TimeUnit.CALENDAR_DAYS:
        used = (end - t.received_at) - ((pause[1] - pause[0]) if pause else timedelta(0))
        return max(used // timedelta(minutes=1), 0)
    used = working_minutes_between(t.received_at, end, calendar)
    if pause:
        used -= working_minutes_between(*pause, calendar)
    return max(used, 0)


def is_electronic_result(kind: str, signed_at: datetime | None) -> bool:
    """An issued document is an electronic result (kết quả giải quyết TTHC điện tử) only if it
    is the dossier's result and is fully signed: Decree 45/2020/NĐ-CP Art. 25 (an e-result is
    signed digitally by the competent agency) and LEGAL.md §8 ("an unsigned PDF is not an
    electronic result"). The single place this rule is written (indices 3.3, 4.1, 4.2)."""
    return kind == "result" and signed_at is not None
