"""Dates and times as Vietnamese is written (20/11/2026; 09:05), from Babel with the locale
`vi`: the one place the portal turns a date or a time into text, for the pages, the PDFs, the
exports and the e-mails (app/numbers.py does the same for numbers). Times are shown in office
time (Asia/Ho_Chi_Minh) whatever the server's zone; the JSON API keeps ISO 8601.

Babel's own short pattern for `vi` is d/M/yy; the portal writes the day and the month with two
digits and the year with four (dd/mm/yyyy), as official papers do (Decree 30/2020/NĐ-CP,
Appendix I), so the patterns below are CLDR patterns given to Babel, not Babel's defaults."""
from __future__ import annotations

import datetime as dt

from babel.dates import format_date, format_datetime

from app import i18n
from app.domain.deadlines import OFFICE_TZ
from app.numbers import BABEL_LOCALE

DATE = "dd/MM/yyyy"
TIME = "HH:mm"
MONTH = "MM/yyyy"
# A time and its day, as the form 01 convention writes it (09:05 ngày 20/11/2026); an English page
# keeps the day as dd/mm/yyyy (unambiguous to a UK reader) without the Vietnamese word.
DATETIME = {"vi": "HH:mm 'ngày' dd/MM/yyyy", "en": "HH:mm, dd/MM/yyyy"}
SHORT_DATETIME = "HH:mm dd/MM/yyyy"  # narrow columns and spreadsheet cells
INPUT_HINT = "dd/mm/yyyy, ví dụ 20/11/2026"
INPUT_FORMATS = ("%d/%m/%Y", "%Y-%m-%d")  # what a date box accepts: typed the Vietnamese way, or ISO (links, API)


def office_time(value: dt.datetime) -> dt.datetime:
    """`value` in office time; a naive datetime is refused (every stored time is UTC-aware)."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("datetimes to show must be timezone-aware")
    return value.astimezone(OFFICE_TZ)


def _day(value: dt.date | dt.datetime | str) -> dt.date:
    if isinstance(value, str):  # an e-form date, kept as ISO text
        return dt.date.fromisoformat(value)
    return office_time(value).date() if isinstance(value, dt.datetime) else value


def _format(value, pattern: str) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        return format_datetime(office_time(value), pattern, locale=BABEL_LOCALE)
    return format_date(_day(value), pattern, locale=BABEL_LOCALE)


def date(value: dt.date | dt.datetime | str | None) -> str:
    """20/11/2026 ("" for None); a datetime gives its day in office time."""
    return _format(value, DATE)


def time(value: dt.datetime | None) -> str:
    """09:05, office time ("" for None)."""
    return "" if value is None else format_datetime(office_time(value), TIME, locale=BABEL_LOCALE)


def datetime(value: dt.datetime | None) -> str:
    """09:05 ngày 20/11/2026, office time ("" for None); 09:05, 20/11/2026 on an English page (the
    official PDFs are always made in Vietnamese, app/services/documents.py)."""
    layout = DATETIME.get(i18n.current(), DATETIME[i18n.DEFAULT])
    return "" if value is None else format_datetime(office_time(value), layout, locale=BABEL_LOCALE)


def short_datetime(value: dt.datetime | None) -> str:
    """09:05 20/11/2026, office time ("" for None)."""
    return "" if value is None else format_datetime(office_time(value), SHORT_DATETIME, locale=BABEL_LOCALE)


def month(value: dt.date | dt.datetime | None) -> str:
    """11/2026."""
    return _format(value, MONTH)


def pattern(value: dt.date | dt.datetime | None, cldr_pattern: str) -> str:
    """Any other layout an official form prescribes, as a CLDR pattern ("HH 'giờ' mm 'phút'")."""
    return _format(value, cldr_pattern)


def parse_date(text: str | None) -> dt.date:
    """A typed date: dd/mm/yyyy (also d/m/yyyy) or yyyy-mm-dd; ValueError otherwise."""
    text = (text or "").strip()
    for layout in INPUT_FORMATS:
        try:
            return dt.datetime.strptime(text, layout).date()
        except ValueError:
            continue
    raise ValueError(f"not a date: {text!r}")
