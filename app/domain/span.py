"""The span of time the portal deals in.

Dates typed by people or programs (a period of the statistics, a receiving time to compute a
due date from) are accepted between 1 January 2000 and 31 December 2100. Outside it nothing
the portal does has a meaning — the one-stop mechanism dates from Decision 181/2003/QĐ-TTg —
and arithmetic breaks: 15 working days after 31/12/9999 is past Python's last date, and
0001-01-01 in office time is before its first instant in UTC.
"""
from __future__ import annotations

from datetime import date, datetime

FIRST = date(2000, 1, 1)
LAST = date(2100, 12, 31)
MESSAGE = f"Ngày phải trong khoảng {FIRST:%d/%m/%Y} – {LAST:%d/%m/%Y}."


def within(value: date | datetime) -> bool:
    """Whether `value` (a date, or a datetime by its own calendar date) lies in the span."""
    day = value.date() if isinstance(value, datetime) else value
    return FIRST <= day <= LAST
