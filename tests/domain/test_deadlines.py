"""Tests for app.domain.deadlines.

Every expected date below was worked out by hand from a printed calendar and
the Vietnamese holiday list (holidays==0.108), and is written as a literal;
no expectation is computed with the code under test.

Calendar facts used (weekday of each date):
    2026: Mon 27 Apr (Hùng Kings, observed), Thu 30 Apr, Fri 1 May,
          Sat 22 Aug (swapped working Saturday), Mon 31 Aug (swap day off),
          Tue 1 Sep, Wed 2 Sep, Tue 24 Nov.
    2027: Tết Thu 4 Feb - Wed 10 Feb (Lunar New Year's Day Sat 6 Feb),
          Fri 16 Apr (Hùng Kings), Fri 30 Apr, Sat 1 May -> Mon 3 May observed,
          Thu 2 Sep, Fri 3 Sep. Mon 1 Mar - Sun 7 Mar is an ordinary week.
    Also: Mon 1 Feb, Thu 11 Feb, Mon 15 Feb, Mon 8 Mar, Thu 11 Mar, Thu 29 Apr,
          Tue 4 May, Thu 6 May 2027; Mon 24 Aug 2026.

Office time (working_minutes_between, add_working_minutes, extend_for_pause,
step_due_dates): the default office day is 07:30-11:30 (240 min) and
13:30-17:00 (210 min), 450 minutes in all; each expectation spells out the
minutes per day.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import holidays
import pytest

from app.domain import deadlines
from app.domain.deadlines import (
    OFFICE_TZ,
    OpenState,
    ResultClass,
    TimeUnit,
    WorkCalendar,
    add_working_minutes,
    apology_deadline,
    apology_is_late,
    applicable_cutoff,
    classify,
    due_at,
    extend_for_pause,
    official_days,
    open_state,
    parse_office_hours,
    process_start,
    step_due_dates,
    working_minutes_between,
)

ICT = ZoneInfo("Asia/Ho_Chi_Minh")
CAL = WorkCalendar()

WD = TimeUnit.WORKING_DAYS
WH = TimeUnit.WORKING_HOURS
CD = TimeUnit.CALENDAR_DAYS


def ict(y: int, m: int, d: int, hh: int = 0, mm: int = 0, ss: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, ss, tzinfo=ICT)


def assert_due(result: datetime, expected: datetime) -> None:
    assert result == expected, f"{result.isoformat()} != {expected.isoformat()}"
    # Always handed back in office time, not merely the same instant.
    assert result.tzinfo is not None
    assert str(result.tzinfo) == "Asia/Ho_Chi_Minh"
    assert (result.year, result.month, result.day, result.hour, result.minute) == (
        expected.year,
        expected.month,
        expected.day,
        expected.hour,
        expected.minute,
    )


# --------------------------------------------------------------------------
# What the holidays package gives (pinned version 0.108)
# --------------------------------------------------------------------------


def test_holidays_package_version_matches_the_checked_data():
    # The expected days off below are those of holidays 0.108 (0.109 gives
    # the same VN days for 2025-2028). A new version may add or move days.
    assert holidays.__version__ in {"0.108", "0.109"}


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 1, 1),  # Thu, New Year's Day
        date(2026, 2, 16),  # Mon, Lunar New Year's Eve
        date(2026, 2, 17),  # Tue, Lunar New Year
        date(2026, 2, 18),  # Wed
        date(2026, 2, 19),  # Thu
        date(2026, 2, 20),  # Fri, 4th day of Tết
        date(2026, 4, 27),  # Mon, Hùng Kings (26 Apr is a Sunday) observed
        date(2026, 4, 30),  # Thu, Reunification Day
        date(2026, 5, 1),  # Fri, Labour Day
        date(2026, 8, 31),  # Mon, day off swapped from Sat 22 Aug
        date(2026, 9, 1),  # Tue, day adjacent to National Day
        date(2026, 9, 2),  # Wed, National Day
        date(2026, 11, 24),  # Tue, Vietnam Cultural Day (package, from 2026)
        date(2027, 1, 1),  # Fri, New Year's Day
        date(2027, 2, 4),  # Thu, 29 Tết
        date(2027, 2, 5),  # Fri, Lunar New Year's Eve
        date(2027, 2, 8),  # Mon, 3rd day of Tết
        date(2027, 2, 9),  # Tue, 4th day
        date(2027, 2, 10),  # Wed, 5th day (compensates Sun 7 Feb)
        date(2027, 4, 16),  # Fri, Hùng Kings
        date(2027, 4, 30),  # Fri, Reunification Day
        date(2027, 5, 3),  # Mon, Labour Day (Sat 1 May) observed
        date(2027, 9, 2),  # Thu, National Day
        date(2027, 9, 3),  # Fri, day adjacent to National Day
        date(2027, 11, 24),  # Wed, Vietnam Cultural Day
    ],
)
def test_is_working_day_false_on_vn_public_holidays_2026_2027(day):
    assert day.weekday() < 5  # every one of these is a weekday
    assert CAL.is_working_day(day) is False


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 2, 13),  # Fri before Tết 2026
        date(2026, 2, 23),  # Mon after Tết 2026
        date(2026, 4, 28),  # Tue after Hùng Kings observed
        date(2026, 5, 4),  # Mon after 1 May
        date(2026, 9, 3),  # Thu after National Day
        date(2027, 2, 3),  # Wed before Tết 2027
        date(2027, 2, 11),  # Thu, first working day after Tết 2027
        date(2027, 4, 15),  # Thu before Hùng Kings
        date(2027, 4, 29),  # Thu before 30 Apr
        date(2027, 5, 4),  # Tue after the 1 May observed day
        date(2027, 9, 1),  # Wed before National Day
        date(2027, 9, 6),  # Mon after National Day
    ],
)
def test_is_working_day_true_on_ordinary_weekdays_around_holidays(day):
    assert CAL.is_working_day(day) is True


def test_is_working_day_weekends_are_off():
    assert CAL.is_working_day(date(2027, 3, 6)) is False  # Sat
    assert CAL.is_working_day(date(2027, 3, 7)) is False  # Sun
    assert CAL.is_working_day(date(2027, 2, 6)) is False  # Sat, Lunar New Year's Day


def test_is_working_day_government_swapped_saturday_2026_is_worked():
    # Sat 22 Aug 2026 was worked in exchange for Mon 31 Aug 2026 (package's
    # weekend_workdays); the next Saturday is an ordinary day off.
    assert CAL.is_working_day(date(2026, 8, 22)) is True
    assert CAL.is_working_day(date(2026, 8, 29)) is False


def test_is_working_day_rejects_datetime():
    with pytest.raises(TypeError):
        CAL.is_working_day(datetime(2027, 3, 1, 9, 0))


def test_holiday_set_is_built_once_per_year(monkeypatch):
    calls = []
    real = holidays.country_holidays

    def counting(*args, **kwargs):
        calls.append(kwargs.get("years"))
        return real(*args, **kwargs)

    deadlines._vn_year.cache_clear()
    monkeypatch.setattr(holidays, "country_holidays", counting)
    try:
        for d in range(1, 29):
            CAL.is_working_day(date(2031, 2, d))
        CAL.next_working_day(date(2031, 2, 27))
        assert len(calls) == 1
    finally:
        deadlines._vn_year.cache_clear()


# --------------------------------------------------------------------------
# Overrides and precedence
# --------------------------------------------------------------------------


def test_extra_working_day_override_makes_saturday_a_working_day():
    cal = WorkCalendar(extra_working_days=frozenset({date(2027, 3, 6)}))
    assert cal.is_working_day(date(2027, 3, 6)) is True
    assert cal.next_working_day(date(2027, 3, 5)) == date(2027, 3, 6)


def test_due_at_working_saturday_override_counts_the_saturday():
    cal = WorkCalendar(extra_working_days=frozenset({date(2027, 3, 6)}))
    # Fri 5 Mar 10:00, 1 working day: Sat 6 Mar is worked.
    assert_due(due_at(ict(2027, 3, 5, 10), 1, WD, cal), ict(2027, 3, 6, 17))
    # Without the override: Mon 8 Mar.
    assert_due(due_at(ict(2027, 3, 5, 10), 1, WD, CAL), ict(2027, 3, 8, 17))


def test_extra_working_day_wins_over_holiday_and_extra_day_off():
    day = date(2027, 11, 24)  # Wed, Vietnam Cultural Day in the package
    assert CAL.is_working_day(day) is False
    cal = WorkCalendar(extra_working_days=frozenset({day}), extra_days_off=frozenset({day}))
    assert cal.is_working_day(day) is True


def test_extra_day_off_override_skips_that_day():
    cal = WorkCalendar(extra_days_off={date(2027, 3, 2)})  # a set is accepted too
    assert isinstance(cal.extra_days_off, frozenset)
    assert cal.is_working_day(date(2027, 3, 2)) is False
    # Mon 1 Mar 10:00, 1 working day: Tue 2 Mar is off -> Wed 3 Mar.
    assert_due(due_at(ict(2027, 3, 1, 10), 1, WD, cal), ict(2027, 3, 3, 17))


def test_extra_day_off_override_beats_government_swapped_saturday():
    cal = WorkCalendar(extra_days_off=frozenset({date(2026, 8, 22)}))
    assert cal.is_working_day(date(2026, 8, 22)) is False


def test_overrides_cover_a_national_day_adjacent_day_the_package_got_wrong():
    # The package picks the day adjacent to 2 Sep by rule (Fri 3 Sep 2027).
    # Should the Government choose Wed 1 Sep 2027 instead, the admin records
    # 1 Sep as an extra day off and 3 Sep as an extra working day.
    cal = WorkCalendar(
        extra_days_off=frozenset({date(2027, 9, 1)}),
        extra_working_days=frozenset({date(2027, 9, 3)}),
    )
    # Tue 31 Aug 10:00, 1 working day: Wed 1 off, Thu 2 off, Fri 3 worked.
    assert_due(due_at(ict(2027, 8, 31, 10), 1, WD, cal), ict(2027, 9, 3, 17))
    # With the package alone: Wed 1 Sep is the next working day.
    assert_due(due_at(ict(2027, 8, 31, 10), 1, WD, CAL), ict(2027, 9, 1, 17))


# --------------------------------------------------------------------------
# Cut-off and counting base
# --------------------------------------------------------------------------


def test_counting_start_before_cutoff_is_the_receipt_day():
    assert CAL.counting_start(ict(2027, 3, 1, 14, 59)) == date(2027, 3, 1)


def test_counting_start_at_exactly_cutoff_is_the_next_working_day():
    assert CAL.counting_start(ict(2027, 3, 1, 15, 0)) == date(2027, 3, 2)


def test_counting_start_after_cutoff_on_friday_is_monday():
    assert CAL.counting_start(ict(2027, 3, 5, 15, 1)) == date(2027, 3, 8)


def test_counting_start_on_saturday_is_monday():
    assert CAL.counting_start(ict(2027, 3, 6, 9, 0)) == date(2027, 3, 8)


def test_counting_start_on_tet_2027_is_11_february():
    assert CAL.counting_start(ict(2027, 2, 6, 9, 0)) == date(2027, 2, 11)


def test_counting_start_rejects_naive_datetime():
    with pytest.raises(ValueError, match="timezone-aware"):
        CAL.counting_start(datetime(2027, 3, 1, 9, 0))


def test_due_at_cutoff_before_1500_counts_from_receipt_day():
    # Mon 1 Mar 14:59, 1 working day -> Tue 2 Mar 17:00.
    assert_due(due_at(ict(2027, 3, 1, 14, 59), 1, WD, CAL), ict(2027, 3, 2, 17))


def test_due_at_cutoff_at_exactly_1500_counts_as_after():
    # Mon 1 Mar 15:00 -> base Tue 2 Mar -> Wed 3 Mar 17:00.
    assert_due(due_at(ict(2027, 3, 1, 15, 0), 1, WD, CAL), ict(2027, 3, 3, 17))


def test_due_at_cutoff_after_1500_counts_from_next_working_day():
    assert_due(due_at(ict(2027, 3, 1, 15, 1), 1, WD, CAL), ict(2027, 3, 3, 17))


def test_due_at_cutoff_is_a_setting():
    cal = WorkCalendar(cutoff=time(17, 0))
    # Mon 1 Mar 16:00 is before a 17:00 cut-off: base Mon -> Tue 2 Mar.
    assert_due(due_at(ict(2027, 3, 1, 16, 0), 1, WD, cal), ict(2027, 3, 2, 17))


def test_due_at_input_in_utc_is_converted_to_vietnam_time():
    # 2027-03-01T08:30Z is 15:30 ICT: after the cut-off -> base Tue 2 -> Wed 3.
    received = datetime(2027, 3, 1, 8, 30, tzinfo=UTC)
    result = due_at(received, 1, WD, CAL)
    assert_due(result, ict(2027, 3, 3, 17))
    assert result == datetime(2027, 3, 3, 10, 0, tzinfo=UTC)


def test_due_at_input_in_utc_before_cutoff():
    # 2027-03-01T07:59Z is 14:59 ICT -> Tue 2 Mar.
    received = datetime(2027, 3, 1, 7, 59, tzinfo=UTC)
    assert_due(due_at(received, 1, WD, CAL), ict(2027, 3, 2, 17))


def test_due_at_input_in_utc_previous_evening_is_next_day_in_vietnam():
    # 2027-03-01T20:00Z is Tue 2 Mar 03:00 ICT: a working day, before the
    # cut-off -> base Tue 2 -> Wed 3 Mar.
    received = datetime(2027, 3, 1, 20, 0, tzinfo=UTC)
    assert_due(due_at(received, 1, WD, CAL), ict(2027, 3, 3, 17))


def test_due_at_rejects_naive_datetime():
    with pytest.raises(ValueError, match="timezone-aware"):
        due_at(datetime(2027, 3, 1, 9, 0), 1, WD, CAL)


# --------------------------------------------------------------------------
# Working days
# --------------------------------------------------------------------------


def test_due_at_working_days_ordinary_week():
    # Mon 1 Mar 10:00, 3 working days -> Thu 4 Mar 17:00.
    assert_due(due_at(ict(2027, 3, 1, 10), 3, WD, CAL), ict(2027, 3, 4, 17))


def test_due_at_working_days_skips_weekend():
    # Thu 4 Mar 10:00, 3 working days: Fri 5, Mon 8, Tue 9.
    assert_due(due_at(ict(2027, 3, 4, 10), 3, WD, CAL), ict(2027, 3, 9, 17))


def test_due_at_working_days_skips_tet_2027():
    # Tue 2 Feb 10:00, 3 working days: Wed 3 Feb, (4-10 Feb off), Thu 11, Fri 12.
    assert_due(due_at(ict(2027, 2, 2, 10), 3, WD, CAL), ict(2027, 2, 12, 17))


def test_due_at_working_days_after_cutoff_just_before_tet_2027():
    # Wed 3 Feb 16:00: base is Thu 11 Feb (first working day after Tết);
    # 1 working day -> Fri 12 Feb.
    assert_due(due_at(ict(2027, 2, 3, 16), 1, WD, CAL), ict(2027, 2, 12, 17))


def test_due_at_working_days_received_on_lunar_new_year_2027():
    # Sat 6 Feb 2027 (Lunar New Year's Day), 2 working days: base Thu 11 Feb
    # -> Fri 12, Mon 15 Feb.
    assert_due(due_at(ict(2027, 2, 6, 9), 2, WD, CAL), ict(2027, 2, 15, 17))


def test_due_at_working_days_skips_hung_kings_2027():
    # Thu 15 Apr 10:00, 1 working day: Fri 16 Apr is Hùng Kings -> Mon 19 Apr.
    assert_due(due_at(ict(2027, 4, 15, 10), 1, WD, CAL), ict(2027, 4, 19, 17))


def test_due_at_working_days_skips_30_4_and_1_5_2027():
    # Thu 29 Apr 14:59 (before cut-off): Fri 30 Apr, Sat 1, Sun 2, Mon 3 May
    # (observed) off -> 1 working day is Tue 4 May, 2 is Wed 5 May.
    assert_due(due_at(ict(2027, 4, 29, 14, 59), 1, WD, CAL), ict(2027, 5, 4, 17))
    assert_due(due_at(ict(2027, 4, 29, 14, 59), 2, WD, CAL), ict(2027, 5, 5, 17))


def test_due_at_working_days_skips_hung_kings_and_30_4_1_5_2026():
    # Fri 24 Apr 2026 10:00, 3 working days: Mon 27 off (Hùng Kings observed),
    # Tue 28 (1), Wed 29 (2), Thu 30 + Fri 1 May off, Mon 4 May (3).
    assert_due(due_at(ict(2026, 4, 24, 10), 3, WD, CAL), ict(2026, 5, 4, 17))


def test_due_at_working_days_skips_national_day_2026():
    # Fri 28 Aug 2026 10:00, 2 working days: Mon 31 Aug, Tue 1 and Wed 2 Sep
    # off -> Thu 3 (1), Fri 4 Sep (2).
    assert_due(due_at(ict(2026, 8, 28, 10), 2, WD, CAL), ict(2026, 9, 4, 17))


def test_due_at_working_days_counts_swapped_saturday_2026():
    # Fri 21 Aug 2026 10:00, 1 working day: Sat 22 Aug was a working day.
    assert_due(due_at(ict(2026, 8, 21, 10), 1, WD, CAL), ict(2026, 8, 22, 17))


def test_due_at_working_days_skips_national_day_2027_at_cutoff():
    # Wed 1 Sep 2027 at exactly 15:00: after the cut-off; Thu 2 and Fri 3 Sep
    # off -> base Mon 6 Sep -> 1 working day is Tue 7 Sep.
    assert_due(due_at(ict(2027, 9, 1, 15, 0), 1, WD, CAL), ict(2027, 9, 7, 17))


def test_due_at_working_days_received_on_saturday():
    # Sat 6 Mar 09:00: base Mon 8 -> 1 working day is Tue 9 Mar.
    assert_due(due_at(ict(2027, 3, 6, 9), 1, WD, CAL), ict(2027, 3, 9, 17))


def test_due_at_working_days_received_on_holiday():
    # Fri 30 Apr 2027 09:00 (holiday), same-day: base Tue 4 May.
    assert_due(due_at(ict(2027, 4, 30, 9), 0, WD, CAL), ict(2027, 5, 4, 17))


def test_due_at_zero_working_days_same_day_before_cutoff():
    # Certified copy received Mon 1 Mar 10:00 -> result Mon 1 Mar 17:00.
    assert_due(due_at(ict(2027, 3, 1, 10), 0, WD, CAL), ict(2027, 3, 1, 17))


def test_due_at_zero_working_days_after_cutoff_is_next_working_day():
    # Received Fri 5 Mar 16:00 -> result Mon 8 Mar 17:00.
    assert_due(due_at(ict(2027, 3, 5, 16), 0, WD, CAL), ict(2027, 3, 8, 17))


def test_half_a_working_day_ends_at_noon_not_a_whole_day_later():
    # Was: 0.5 rounded up to a whole day (Tue 17:00). The period starts the day after receipt
    # (Civil Code Art. 147); half of the 7 h 30 office day (3 h 45) runs out inside the 4-hour
    # morning of Tue 2 Mar, so it ends at that window's close, 11:30.
    assert_due(due_at(ict(2027, 3, 1, 10), 0.5, WD, CAL), ict(2027, 3, 2, 11, 30))
    assert_due(due_at(ict(2027, 3, 1, 14), 0.5, WD, CAL), ict(2027, 3, 2, 11, 30))
    # 1.5 days: Tue 2 Mar is the whole day, Wed 3 Mar the morning.
    assert_due(due_at(ict(2027, 3, 1, 10), 1.5, WD, CAL), ict(2027, 3, 3, 11, 30))
    # Received Fri 5 Mar: the half day is Mon 8 Mar's morning.
    assert_due(due_at(ict(2027, 3, 5, 9), 0.5, WD, CAL), ict(2027, 3, 8, 11, 30))


def test_fraction_beyond_the_morning_ends_at_the_close_of_the_day():
    # 0.75 day = 5 h 37.5 min: more than the 4-hour morning -> the afternoon's close, 17:00.
    assert_due(due_at(ict(2027, 3, 1, 10), 0.75, WD, CAL), ict(2027, 3, 2, 17))
    # 2.1 days: Tue, Wed whole, then 45 min of Thu 4 Mar -> its morning's close.
    assert_due(due_at(ict(2027, 3, 1, 10), Decimal("2.1"), WD, CAL), ict(2027, 3, 4, 11, 30))


def test_half_day_follows_the_office_hours_setting():
    # 08:00-12:00,13:00-17:30: 8 h 30 day, half = 4 h 15 > the 4-hour morning -> 17:30.
    cal = WorkCalendar(office_hours=parse_office_hours("08:00-12:00,13:00-17:30"))
    assert_due(due_at(ict(2027, 3, 1, 10), 0.5, WD, cal), ict(2027, 3, 2, 17, 30))
    # 07:00-11:30,13:30-16:30: 7 h 30 day, half = 3 h 45 within the 4 h 30 morning -> 11:30.
    cal = WorkCalendar(office_hours=parse_office_hours("07:00-11:30,13:30-16:30"))
    assert_due(due_at(ict(2027, 3, 1, 10), 0.5, WD, cal), ict(2027, 3, 2, 11, 30))


def test_same_day_received_before_the_cutoff_is_due_at_the_close_that_day():
    assert_due(due_at(ict(2027, 3, 1, 14, 59), 0, TimeUnit.SAME_DAY, CAL), ict(2027, 3, 1, 17))


def test_same_day_received_after_the_cutoff_is_due_the_next_working_day():
    assert_due(due_at(ict(2027, 3, 1, 15, 30), 0, TimeUnit.SAME_DAY, CAL), ict(2027, 3, 2, 17))
    # Friday after the cut-off -> Monday; Saturday -> Monday.
    assert_due(due_at(ict(2027, 3, 5, 16), 0, TimeUnit.SAME_DAY, CAL), ict(2027, 3, 8, 17))
    assert_due(due_at(ict(2027, 3, 6, 9), 0, TimeUnit.SAME_DAY, CAL), ict(2027, 3, 8, 17))


def test_immediately_is_due_at_the_end_of_the_receiving_day():
    online = WorkCalendar(cutoff=CAL.day_end)  # applicable_cutoff of an online dossier
    assert_due(due_at(ict(2027, 3, 1, 16, 30), 0, TimeUnit.IMMEDIATELY, online), ict(2027, 3, 1, 17))
    # After the close, or on a day off: the next working day's end.
    assert_due(due_at(ict(2027, 3, 1, 17, 30), 0, TimeUnit.IMMEDIATELY, online), ict(2027, 3, 2, 17))
    assert_due(due_at(ict(2027, 3, 6, 9), 0, TimeUnit.IMMEDIATELY, online), ict(2027, 3, 8, 17))


def test_cutoff_applies_to_paper_dossiers_and_same_day_procedures_only():
    # LEGAL.md section 5: paper after 15:00 -> next working day; same-day after 15:00 -> next
    # working day whatever the channel; an online dossier counts while the office is open.
    assert applicable_cutoff(CAL, WD, paper=True) == time(15, 0)
    assert applicable_cutoff(CAL, TimeUnit.SAME_DAY, paper=False) == time(15, 0)
    assert applicable_cutoff(CAL, TimeUnit.IMMEDIATELY, paper=True) == time(15, 0)
    assert applicable_cutoff(CAL, WD, paper=False) == time(17, 0)
    assert applicable_cutoff(CAL, TimeUnit.IMMEDIATELY, paper=False) == time(17, 0)


def test_cutoff_is_the_procedures_own_when_it_has_one():
    assert applicable_cutoff(CAL, TimeUnit.SAME_DAY, paper=False, procedure_cutoff=time(16, 0)) == time(16, 0)
    assert applicable_cutoff(CAL, WD, paper=True, procedure_cutoff=time(16, 0)) == time(16, 0)
    assert applicable_cutoff(CAL, WD, paper=False, procedure_cutoff=time(16, 0)) == time(17, 0)


def test_online_dossier_at_1600_counts_from_its_own_day():
    online = WorkCalendar(cutoff=applicable_cutoff(CAL, WD, paper=False))
    paper = WorkCalendar(cutoff=applicable_cutoff(CAL, WD, paper=True))
    assert_due(due_at(ict(2027, 3, 1, 16), 1, WD, online), ict(2027, 3, 2, 17))
    assert_due(due_at(ict(2027, 3, 1, 16), 1, WD, paper), ict(2027, 3, 3, 17))


def test_process_start_of_a_same_day_procedure_is_the_receipt():
    assert_due(process_start(ict(2027, 3, 1, 9, 10), TimeUnit.SAME_DAY, CAL), ict(2027, 3, 1, 9, 10))
    assert_due(process_start(ict(2027, 3, 1, 12), TimeUnit.IMMEDIATELY, CAL), ict(2027, 3, 1, 13, 30))
    assert_due(process_start(ict(2027, 3, 1, 15, 30), TimeUnit.SAME_DAY, CAL), ict(2027, 3, 2, 7, 30))
    # Days: the opening of the day after the counting day (Civil Code Art. 147).
    assert_due(process_start(ict(2027, 3, 1, 10), WD, CAL), ict(2027, 3, 2, 7, 30))
    assert_due(process_start(ict(2027, 3, 5, 15, 30), WD, CAL), ict(2027, 3, 9, 7, 30))


def test_due_at_accepts_unit_as_string():
    assert_due(due_at(ict(2027, 3, 1, 10), 1, "working_days", CAL), ict(2027, 3, 2, 17))


def test_due_at_day_end_follows_office_hours_setting():
    cal = WorkCalendar(office_hours=parse_office_hours("08:00-12:00,13:00-17:30"))
    assert_due(due_at(ict(2027, 3, 1, 10), 1, WD, cal), ict(2027, 3, 2, 17, 30))


# --------------------------------------------------------------------------
# Calendar days
# --------------------------------------------------------------------------


def test_due_at_calendar_days_on_a_weekday():
    # Mon 1 Mar 10:00 + 3 calendar days = Thu 4 Mar.
    assert_due(due_at(ict(2027, 3, 1, 10), 3, CD, CAL), ict(2027, 3, 4, 17))


def test_due_at_calendar_days_landing_on_sunday_moves_to_monday():
    # Mon 1 Mar + 6 = Sun 7 Mar -> Mon 8 Mar (Civil Code Art. 148).
    assert_due(due_at(ict(2027, 3, 1, 10), 6, CD, CAL), ict(2027, 3, 8, 17))


def test_due_at_calendar_days_landing_on_saturday_moves_to_monday():
    assert_due(due_at(ict(2027, 3, 1, 10), 5, CD, CAL), ict(2027, 3, 8, 17))


def test_due_at_calendar_days_landing_in_tet_2027():
    # Mon 1 Feb + 5 = Sat 6 Feb (Tết) -> first working day Thu 11 Feb.
    assert_due(due_at(ict(2027, 2, 1, 10), 5, CD, CAL), ict(2027, 2, 11, 17))


def test_due_at_calendar_days_landing_on_30_april_2027():
    # Mon 19 Apr + 10 = Thu 29 Apr (working); + 11 = Fri 30 Apr (holiday),
    # then Sat, Sun, Mon 3 May (observed) -> Tue 4 May.
    assert_due(due_at(ict(2027, 4, 19, 10), 10, CD, CAL), ict(2027, 4, 29, 17))
    assert_due(due_at(ict(2027, 4, 19, 10), 11, CD, CAL), ict(2027, 5, 4, 17))


def test_due_at_calendar_days_after_cutoff_counts_from_next_working_day():
    # Fri 5 Mar 16:00: base Mon 8 Mar, + 1 = Tue 9 Mar.
    assert_due(due_at(ict(2027, 3, 5, 16), 1, CD, CAL), ict(2027, 3, 9, 17))


# --------------------------------------------------------------------------
# Working hours
# --------------------------------------------------------------------------


def test_due_at_working_hours_within_a_window():
    # Mon 1 Mar 08:00 + 2 h = 10:00.
    assert_due(due_at(ict(2027, 3, 1, 8), 2, WH, CAL), ict(2027, 3, 1, 10))


def test_due_at_working_hours_crossing_lunch():
    # Mon 1 Mar 10:00 + 2 h: 1.5 h to 11:30, 0.5 h from 13:30 -> 14:00.
    assert_due(due_at(ict(2027, 3, 1, 10), 2, WH, CAL), ict(2027, 3, 1, 14))


def test_due_at_working_hours_received_at_lunch_starts_at_1330():
    # Mon 1 Mar 12:00 + 1 h -> start 13:30 -> 14:30.
    assert_due(due_at(ict(2027, 3, 1, 12), 1, WH, CAL), ict(2027, 3, 1, 14, 30))


def test_due_at_working_hours_received_before_opening_starts_at_0730():
    # Mon 1 Mar 06:00 + 1 h -> start 07:30 -> 08:30.
    assert_due(due_at(ict(2027, 3, 1, 6), 1, WH, CAL), ict(2027, 3, 1, 8, 30))


def test_due_at_working_hours_ending_exactly_at_window_close():
    # Mon 1 Mar 09:30 + 2 h = 11:30 exactly: 11:30, not 13:30.
    assert_due(due_at(ict(2027, 3, 1, 9, 30), 2, WH, CAL), ict(2027, 3, 1, 11, 30))
    # Mon 1 Mar 14:00 + 3 h = 17:00 exactly: 17:00, not Tue 07:30.
    assert_due(due_at(ict(2027, 3, 1, 14), 3, WH, CAL), ict(2027, 3, 1, 17))


def test_due_at_working_hours_after_cutoff_starts_next_morning():
    # Mon 1 Mar 15:30 + 2 h -> start Tue 2 Mar 07:30 -> 09:30.
    assert_due(due_at(ict(2027, 3, 1, 15, 30), 2, WH, CAL), ict(2027, 3, 2, 9, 30))


def test_due_at_working_hours_before_cutoff_runs_to_close():
    # Mon 1 Mar 14:30 + 2 h -> 16:30 the same day.
    assert_due(due_at(ict(2027, 3, 1, 14, 30), 2, WH, CAL), ict(2027, 3, 1, 16, 30))


def test_due_at_working_hours_full_day_spills_into_next_day():
    # Mon 1 Mar 08:00 + 8 h: 3.5 h to 11:30, 3.5 h to 17:00, 1 h Tue -> 08:30.
    assert_due(due_at(ict(2027, 3, 1, 8), 8, WH, CAL), ict(2027, 3, 2, 8, 30))


def test_due_at_working_hours_crossing_a_weekend():
    # Fri 5 Mar 14:00 + 8 h: 3 h Friday; Mon 8 Mar 07:30-11:30 (4 h); 1 h from
    # 13:30 -> Mon 8 Mar 14:30.
    assert_due(due_at(ict(2027, 3, 5, 14), 8, WH, CAL), ict(2027, 3, 8, 14, 30))


def test_due_at_working_hours_crossing_tet_2027():
    # Tue 2 Feb 14:00 + 16 h: 3 h Tue; 7.5 h Wed 3 Feb; 4-10 Feb off; Thu 11
    # Feb 07:30-11:30 (4 h); 1.5 h from 13:30 -> 15:00.
    assert_due(due_at(ict(2027, 2, 2, 14), 16, WH, CAL), ict(2027, 2, 11, 15))


def test_due_at_working_hours_received_on_saturday():
    # Sat 6 Mar 09:00 + 2 h -> start Mon 8 Mar 07:30 -> 09:30.
    assert_due(due_at(ict(2027, 3, 6, 9), 2, WH, CAL), ict(2027, 3, 8, 9, 30))


def test_due_at_fractional_working_hours_are_exact():
    # Mon 1 Mar 11:20 + 0.25 h (15 min): 10 min to 11:30, 5 min from 13:30.
    assert_due(due_at(ict(2027, 3, 1, 11, 20), Decimal("0.25"), WH, CAL), ict(2027, 3, 1, 13, 35))
    assert_due(due_at(ict(2027, 3, 1, 8), 1.5, WH, CAL), ict(2027, 3, 1, 9, 30))


def test_due_at_zero_working_hours_at_lunch_is_the_afternoon_opening():
    assert_due(due_at(ict(2027, 3, 1, 12), 0, WH, CAL), ict(2027, 3, 1, 13, 30))


# --------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------


@pytest.mark.parametrize("value", [-1, -0.5, Decimal("-1")])
def test_due_at_rejects_negative_value(value):
    with pytest.raises(ValueError, match="negative"):
        due_at(ict(2027, 3, 1, 10), value, WD, CAL)


@pytest.mark.parametrize("value", [math.nan, math.inf, Decimal("NaN")])
def test_due_at_rejects_non_finite_value(value):
    with pytest.raises(ValueError):
        due_at(ict(2027, 3, 1, 10), value, WD, CAL)


def test_due_at_rejects_boolean_value():
    with pytest.raises(TypeError):
        due_at(ict(2027, 3, 1, 10), True, WD, CAL)


def test_due_at_rejects_unknown_unit_naming_it():
    with pytest.raises(ValueError, match="months"):
        due_at(ict(2027, 3, 1, 10), 1, "months", CAL)


# --------------------------------------------------------------------------
# parse_office_hours and calendar validation
# --------------------------------------------------------------------------


def test_parse_office_hours_default_setting():
    assert parse_office_hours("07:30-11:30,13:30-17:00") == (
        (time(7, 30), time(11, 30)),
        (time(13, 30), time(17, 0)),
    )


def test_parse_office_hours_tolerates_spaces_single_digit_hours_and_order():
    assert parse_office_hours(" 13:00 - 17:30 , 8:00-12:00 ") == (
        (time(8, 0), time(12, 0)),
        (time(13, 0), time(17, 30)),
    )


def test_parse_office_hours_single_window_and_touching_windows():
    assert parse_office_hours("08:00-16:00") == ((time(8, 0), time(16, 0)),)
    assert parse_office_hours("08:00-12:00,12:00-16:00") == (
        (time(8, 0), time(12, 0)),
        (time(12, 0), time(16, 0)),
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("07:30", "not a window"),
        ("07:30-11:30;13:30-17:00", "not a window"),
        ("7h30-11h30", "not a time"),
        ("07:30-11:30,", "not a window"),
        ("25:00-26:00", "not a valid time"),
        ("07:30-07:75", "not a valid time"),
        ("11:30-07:30", "ends before it starts"),
        ("08:00-08:00", "ends before it starts"),
        ("07:30-12:00,11:30-17:00", "overlap"),
    ],
)
def test_parse_office_hours_rejects_bad_input(text, message):
    with pytest.raises(ValueError, match=message):
        parse_office_hours(text)


def test_work_calendar_rejects_bad_office_hours():
    with pytest.raises(ValueError, match="overlap"):
        WorkCalendar(office_hours=((time(8), time(12)), (time(11), time(17))))
    with pytest.raises(ValueError, match="at least one"):
        WorkCalendar(office_hours=())


def test_office_tz_is_vietnam():
    assert OFFICE_TZ == ZoneInfo("Asia/Ho_Chi_Minh")


# --------------------------------------------------------------------------
# Property-style sweep over two years (no hypothesis, fixed range)
# --------------------------------------------------------------------------


def _in_office_window(moment: datetime) -> bool:
    t = moment.timetz().replace(tzinfo=None)
    return any(start < t <= end for start, end in CAL.office_hours)


def test_due_dates_are_always_working_days_and_never_before_receipt():
    day = date(2026, 1, 1)
    while day <= date(2027, 12, 31):
        for clock in (time(8, 0), time(14, 59), time(15, 0), time(16, 30)):
            received = datetime.combine(day, clock, tzinfo=ICT)
            previous = None
            for n in (0, 1, 3, 10):
                for unit in (WD, CD):
                    due = due_at(received, n, unit, CAL)
                    assert due >= received, (received, n, unit)
                    assert CAL.is_working_day(due.date()), (received, n, unit)
                    assert due.timetz().replace(tzinfo=None) == time(17, 0)
                wd = due_at(received, n, WD, CAL)
                if previous is not None:
                    assert wd > previous  # more days, strictly later
                previous = wd
            for hours in (1, 7.5, 8):
                due = due_at(received, hours, WH, CAL)
                assert due > received, (received, hours)
                assert CAL.is_working_day(due.date()), (received, hours)
                assert _in_office_window(due), (received, hours, due)
        day += timedelta(days=1)


# --------------------------------------------------------------------------
# Office time: working_minutes_between
#
# Default office day: 07:30-11:30 (240 min) + 13:30-17:00 (210 min) = 450 min.
# --------------------------------------------------------------------------


def test_working_minutes_within_one_window():
    # Mon 1 Mar 08:00 -> 10:00.
    assert working_minutes_between(ict(2027, 3, 1, 8), ict(2027, 3, 1, 10), CAL) == 120


def test_working_minutes_across_lunch():
    # Mon 1 Mar 10:00 -> 14:00: 10:00-11:30 (90) + 13:30-14:00 (30).
    assert working_minutes_between(ict(2027, 3, 1, 10), ict(2027, 3, 1, 14), CAL) == 120


def test_working_minutes_inside_lunch_is_zero():
    assert working_minutes_between(ict(2027, 3, 1, 11, 45), ict(2027, 3, 1, 13, 15), CAL) == 0


def test_working_minutes_is_half_open_on_the_window():
    # [07:30, 11:30) is exactly the morning window.
    assert working_minutes_between(ict(2027, 3, 1, 7, 30), ict(2027, 3, 1, 11, 30), CAL) == 240
    # A whole calendar day Mon 1 Mar 00:00 -> Tue 2 Mar 00:00 is one office day.
    assert working_minutes_between(ict(2027, 3, 1), ict(2027, 3, 2), CAL) == 450


def test_working_minutes_across_a_weekend():
    # Fri 5 Mar 14:00 -> Mon 8 Mar 09:00: Fri 14:00-17:00 (180) + Mon 07:30-09:00 (90).
    assert working_minutes_between(ict(2027, 3, 5, 14), ict(2027, 3, 8, 9), CAL) == 270


def test_working_minutes_starting_on_a_saturday():
    # Sat 6 Mar 09:00 -> Mon 8 Mar 08:00: only Mon 07:30-08:00.
    assert working_minutes_between(ict(2027, 3, 6, 9), ict(2027, 3, 8, 8), CAL) == 30


def test_working_minutes_across_tet_2027():
    # Wed 3 Feb 16:00 -> Thu 11 Feb 08:30: Wed 60; 4-10 Feb off; Thu 07:30-08:30 60.
    assert working_minutes_between(ict(2027, 2, 3, 16), ict(2027, 2, 11, 8, 30), CAL) == 120
    # Tue 2 Feb 14:00 -> Fri 12 Feb 10:00: Tue 180 + Wed 450 + Thu 11 450 + Fri 12
    # 07:30-10:00 150.
    assert working_minutes_between(ict(2027, 2, 2, 14), ict(2027, 2, 12, 10), CAL) == 1230


def test_working_minutes_across_30_4_and_1_5_2027():
    # Thu 29 Apr 14:00 -> Tue 4 May 09:00: Thu 180; Fri 30 Apr, Sat 1, Sun 2,
    # Mon 3 May (observed) off; Tue 07:30-09:00 90.
    assert working_minutes_between(ict(2027, 4, 29, 14), ict(2027, 5, 4, 9), CAL) == 270


def test_working_minutes_counts_swapped_saturday_2026():
    # Fri 21 Aug 2026 16:00 -> Mon 24 Aug 08:00: Fri 60 + Sat 22 Aug (worked)
    # 450 + Mon 30.
    assert working_minutes_between(ict(2026, 8, 21, 16), ict(2026, 8, 24, 8), CAL) == 540


def test_working_minutes_admin_extra_day_off():
    start, end = ict(2027, 3, 1, 16), ict(2027, 3, 3, 8)
    # Mon 1 Mar 16:00 -> Wed 3 Mar 08:00: Mon 60 + Tue 450 + Wed 30.
    assert working_minutes_between(start, end, CAL) == 540
    # The administrator closes Tue 2 Mar: Mon 60 + Wed 30.
    cal = WorkCalendar(extra_days_off=frozenset({date(2027, 3, 2)}))
    assert working_minutes_between(start, end, cal) == 90


def test_working_minutes_zero_when_end_not_after_start():
    assert working_minutes_between(ict(2027, 3, 1, 10), ict(2027, 3, 1, 10), CAL) == 0
    assert working_minutes_between(ict(2027, 3, 1, 10), ict(2027, 3, 1, 9), CAL) == 0


def test_working_minutes_utc_inputs_are_read_in_office_time():
    # 01:00Z = 08:00 ICT, 07:00Z = 14:00 ICT: 08:00-11:30 (210) + 13:30-14:00 (30).
    start = datetime(2027, 3, 1, 1, 0, tzinfo=UTC)
    end = datetime(2027, 3, 1, 7, 0, tzinfo=UTC)
    assert working_minutes_between(start, end, CAL) == 240


def test_working_minutes_rounds_partial_minutes_down():
    assert working_minutes_between(ict(2027, 3, 1, 8, 0, 0), ict(2027, 3, 1, 8, 0, 59), CAL) == 0
    # 08:00:30 -> 08:01:40 is 70 seconds.
    assert working_minutes_between(ict(2027, 3, 1, 8, 0, 30), ict(2027, 3, 1, 8, 1, 40), CAL) == 1


def test_working_minutes_follows_office_hours_setting():
    cal = WorkCalendar(office_hours=parse_office_hours("08:00-12:00,13:00-17:30"))
    # Mon 1 Mar 07:00 -> 18:00: 240 + 270.
    assert working_minutes_between(ict(2027, 3, 1, 7), ict(2027, 3, 1, 18), cal) == 510


def test_working_minutes_rejects_naive_datetimes():
    with pytest.raises(ValueError, match="start must be timezone-aware"):
        working_minutes_between(datetime(2027, 3, 1, 8), ict(2027, 3, 1, 10), CAL)
    with pytest.raises(ValueError, match="end must be timezone-aware"):
        working_minutes_between(ict(2027, 3, 1, 8), datetime(2027, 3, 1, 10), CAL)


# --------------------------------------------------------------------------
# Office time: add_working_minutes
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (ict(2027, 3, 1, 9), ict(2027, 3, 1, 9)),  # in a window: unchanged
        (ict(2027, 3, 1, 6), ict(2027, 3, 1, 7, 30)),  # before opening
        (ict(2027, 3, 1, 12), ict(2027, 3, 1, 13, 30)),  # lunch
        (ict(2027, 3, 1, 11, 30), ict(2027, 3, 1, 13, 30)),  # exactly at a close
        (ict(2027, 3, 1, 17), ict(2027, 3, 2, 7, 30)),  # exactly at the day's close
        (ict(2027, 3, 5, 17, 30), ict(2027, 3, 8, 7, 30)),  # Fri evening -> Mon
        (ict(2027, 3, 6, 10), ict(2027, 3, 8, 7, 30)),  # Saturday -> Mon
        (ict(2027, 2, 6, 10), ict(2027, 2, 11, 7, 30)),  # Tết 2027 -> Thu 11 Feb
        (ict(2027, 4, 30, 10), ict(2027, 5, 4, 7, 30)),  # 30/4 -> Tue 4 May
    ],
)
def test_add_working_minutes_zero_is_the_snapped_start(start, expected):
    assert_due(add_working_minutes(start, 0, CAL), expected)


def test_add_working_minutes_snaps_then_counts():
    # Mon 1 Mar 12:00 -> 13:30 + 60 = 14:30.
    assert_due(add_working_minutes(ict(2027, 3, 1, 12), 60, CAL), ict(2027, 3, 1, 14, 30))
    # Mon 1 Mar 18:00 -> Tue 07:30 + 30 = 08:00.
    assert_due(add_working_minutes(ict(2027, 3, 1, 18), 30, CAL), ict(2027, 3, 2, 8))


def test_add_working_minutes_across_lunch():
    # Mon 10:00 + 120: 90 to 11:30, 30 from 13:30.
    assert_due(add_working_minutes(ict(2027, 3, 1, 10), 120, CAL), ict(2027, 3, 1, 14))


def test_add_working_minutes_ending_exactly_at_a_close_returns_the_close():
    assert_due(add_working_minutes(ict(2027, 3, 1, 10, 30), 60, CAL), ict(2027, 3, 1, 11, 30))
    assert_due(add_working_minutes(ict(2027, 3, 1, 14), 180, CAL), ict(2027, 3, 1, 17))
    # One full office day from the opening ends at that day's close.
    assert_due(add_working_minutes(ict(2027, 3, 1, 7, 30), 450, CAL), ict(2027, 3, 1, 17))


def test_add_working_minutes_across_a_weekend():
    # Fri 5 Mar 14:00 + 480: 180 Fri; Mon 8 07:30-11:30 240; 60 from 13:30.
    assert_due(add_working_minutes(ict(2027, 3, 5, 14), 480, CAL), ict(2027, 3, 8, 14, 30))


def test_add_working_minutes_across_tet_2027():
    # Wed 3 Feb 16:00 + 120: 60 Wed; 4-10 Feb off; Thu 11 Feb 07:30 + 60.
    assert_due(add_working_minutes(ict(2027, 2, 3, 16), 120, CAL), ict(2027, 2, 11, 8, 30))


def test_add_working_minutes_across_30_4_and_1_5_2027():
    # Thu 29 Apr 16:30 + 60: 30 Thu; Fri 30 - Mon 3 May off; Tue 4 May 07:30 + 30.
    assert_due(add_working_minutes(ict(2027, 4, 29, 16, 30), 60, CAL), ict(2027, 5, 4, 8))


def test_add_working_minutes_admin_extra_day_off():
    cal = WorkCalendar(extra_days_off=frozenset({date(2027, 3, 2)}))
    # Mon 1 Mar 16:00 + 90: 60 Mon; Tue 2 closed; Wed 3 07:30 + 30.
    assert_due(add_working_minutes(ict(2027, 3, 1, 16), 90, cal), ict(2027, 3, 3, 8))
    assert_due(add_working_minutes(ict(2027, 3, 1, 16), 90, CAL), ict(2027, 3, 2, 8))


def test_add_working_minutes_utc_input_returned_in_office_time():
    # 03:00Z = 10:00 ICT, + 120 -> 14:00 ICT (07:00Z).
    result = add_working_minutes(datetime(2027, 3, 1, 3, 0, tzinfo=UTC), 120, CAL)
    assert_due(result, ict(2027, 3, 1, 14))
    assert result == datetime(2027, 3, 1, 7, 0, tzinfo=UTC)


def test_add_working_minutes_keeps_seconds():
    assert add_working_minutes(ict(2027, 3, 1, 9, 0, 30), 10, CAL) == ict(2027, 3, 1, 9, 10, 30)


def test_add_working_minutes_rejects_bad_input():
    with pytest.raises(ValueError, match="negative"):
        add_working_minutes(ict(2027, 3, 1, 9), -1, CAL)
    with pytest.raises(TypeError):
        add_working_minutes(ict(2027, 3, 1, 9), True, CAL)
    with pytest.raises(TypeError):
        add_working_minutes(ict(2027, 3, 1, 9), 1.5, CAL)
    with pytest.raises(ValueError, match="timezone-aware"):
        add_working_minutes(datetime(2027, 3, 1, 9), 10, CAL)


def test_add_and_count_working_minutes_are_inverse_over_2027():
    # Property check (no expected literal): counting the minutes back gives
    # the minutes added, from starts inside office time all through 2027.
    day = date(2027, 1, 1)
    while day <= date(2027, 12, 31):
        if CAL.is_working_day(day):
            for clock in (time(7, 30), time(11, 29), time(13, 30), time(16, 59)):
                start = datetime.combine(day, clock, tzinfo=ICT)
                for minutes in (1, 30, 450, 451, 2000):
                    end = add_working_minutes(start, minutes, CAL)
                    assert working_minutes_between(start, end, CAL) == minutes, (start, minutes)
        day += timedelta(days=1)


# --------------------------------------------------------------------------
# extend_for_pause (supplement during processing)
# --------------------------------------------------------------------------


def test_extend_for_pause_within_one_day():
    # Due Mon 1 Mar 14:00 (a working-hours due), paused 10:00-11:00: 120 min
    # were left (10:00-11:30 90 + 13:30-14:00 30); from 11:00: 30 to 11:30,
    # 90 from 13:30 -> 15:00 (the due moved by the 60 office minutes paused).
    result = extend_for_pause(ict(2027, 3, 1, 14), ict(2027, 3, 1, 10), ict(2027, 3, 1, 11), CAL)
    assert_due(result, ict(2027, 3, 1, 15))


def test_extend_for_pause_over_a_weekend_ending_at_a_close():
    # Due Mon 8 Mar 17:00; paused Fri 5 Mar 10:00, resumed Mon 8 Mar 10:00.
    # Left at the pause: Fri 10:00-17:00 (300) + Mon 450 = 750. From Mon
    # 10:00: 300 on Monday, 450 on Tue 9 Mar -> exactly its close, 17:00.
    result = extend_for_pause(ict(2027, 3, 8, 17), ict(2027, 3, 5, 10), ict(2027, 3, 8, 10), CAL)
    assert_due(result, ict(2027, 3, 9, 17))


def test_extend_for_pause_over_a_weekend_mid_day():
    # Due Tue 9 Mar 17:00; paused Thu 4 Mar 14:00, resumed Mon 8 Mar 09:00.
    # Left: Thu 180 + Fri 450 + Mon 450 + Tue 450 = 1530. From Mon 09:00: Mon
    # 360, Tue 450, Wed 10 450 (1260), Thu 11 07:30-11:30 240 (1500), 30 from
    # 13:30 -> Thu 11 Mar 14:00.
    result = extend_for_pause(ict(2027, 3, 9, 17), ict(2027, 3, 4, 14), ict(2027, 3, 8, 9), CAL)
    assert_due(result, ict(2027, 3, 11, 14))


def test_extend_for_pause_around_30_4_and_1_5_2027():
    # Due Wed 5 May 17:00; paused Thu 29 Apr 14:00, resumed Tue 4 May 09:00.
    # Left: Thu 29 Apr 180 + (30/4, 1/5, 2/5, 3/5 off) + Tue 4 450 + Wed 5 450
    # = 1080. From Tue 4 May 09:00: Tue 360, Wed 450 (810), Thu 6 May
    # 07:30-11:30 240 (1050), 30 from 13:30 -> Thu 6 May 14:00.
    result = extend_for_pause(ict(2027, 5, 5, 17), ict(2027, 4, 29, 14), ict(2027, 5, 4, 9), CAL)
    assert_due(result, ict(2027, 5, 6, 14))


def test_extend_for_pause_around_tet_2027():
    # Due Fri 12 Feb 17:00; paused Wed 3 Feb 10:00, resumed Thu 11 Feb 10:00.
    # Paused office time: Wed 10:00-17:00 (300) + Thu 07:30-10:00 (150) = one
    # office day -> the due moves one working day: Mon 15 Feb 17:00.
    result = extend_for_pause(ict(2027, 2, 12, 17), ict(2027, 2, 3, 10), ict(2027, 2, 11, 10), CAL)
    assert_due(result, ict(2027, 2, 15, 17))


def test_extend_for_pause_with_admin_day_off_in_the_remaining_time():
    # Due Wed 3 Mar 17:00; paused Mon 1 Mar 16:00, resumed Mon 1 Mar 16:30.
    # Tue 2 Mar closed by the administrator. Left: Mon 60 + Wed 450 = 510.
    # From Mon 16:30: 30 Mon; Wed 3 450 (480); Thu 4 07:30 + 30 -> 08:00.
    cal = WorkCalendar(extra_days_off=frozenset({date(2027, 3, 2)}))
    paused, resumed = ict(2027, 3, 1, 16), ict(2027, 3, 1, 16, 30)
    assert_due(extend_for_pause(ict(2027, 3, 3, 17), paused, resumed, cal), ict(2027, 3, 4, 8))


def test_extend_for_pause_outside_office_time_changes_nothing():
    due = ict(2027, 3, 9, 17)
    # Fri 5 Mar 17:10 -> Mon 8 Mar 07:00: no office minute paused.
    assert_due(extend_for_pause(due, ict(2027, 3, 5, 17, 10), ict(2027, 3, 8, 7), CAL), due)
    # Lunch Mon 1 Mar 11:40 -> 13:20.
    due = ict(2027, 3, 2, 17)
    assert_due(extend_for_pause(due, ict(2027, 3, 1, 11, 40), ict(2027, 3, 1, 13, 20), CAL), due)
    # Zero-length pause.
    assert_due(extend_for_pause(due, ict(2027, 3, 1, 10), ict(2027, 3, 1, 10), CAL), due)


def test_extend_for_pause_starting_at_or_after_the_due_keeps_the_due():
    due = ict(2027, 3, 2, 17)
    # Already late when the supplement was requested: stays late.
    assert_due(extend_for_pause(due, ict(2027, 3, 3, 9), ict(2027, 3, 4, 9), CAL), due)
    assert_due(extend_for_pause(due, ict(2027, 3, 2, 17), ict(2027, 3, 4, 9), CAL), due)


def test_extend_for_pause_never_moves_a_due_earlier():
    # A due outside office time (a calendar-day step due at 21:00): a zero
    # office-time pause would otherwise give back 17:00.
    due = ict(2027, 3, 1, 21)
    assert_due(extend_for_pause(due, ict(2027, 3, 1, 10), ict(2027, 3, 1, 10), CAL), due)


def test_extend_for_pause_utc_inputs():
    # Same as the one-day case with UTC inputs: due 07:00Z (14:00), paused
    # 03:00Z (10:00), resumed 04:00Z (11:00) -> 15:00 ICT.
    result = extend_for_pause(
        datetime(2027, 3, 1, 7, 0, tzinfo=UTC),
        datetime(2027, 3, 1, 3, 0, tzinfo=UTC),
        datetime(2027, 3, 1, 4, 0, tzinfo=UTC),
        CAL,
    )
    assert_due(result, ict(2027, 3, 1, 15))


def test_extend_for_pause_rejects_bad_input():
    with pytest.raises(ValueError, match="before paused_from"):
        extend_for_pause(ict(2027, 3, 5, 17), ict(2027, 3, 2, 10), ict(2027, 3, 1, 10), CAL)
    with pytest.raises(ValueError, match="paused_from must be timezone-aware"):
        extend_for_pause(ict(2027, 3, 5, 17), datetime(2027, 3, 2, 10), ict(2027, 3, 3, 10), CAL)


# --------------------------------------------------------------------------
# step_due_dates (internal process)
# --------------------------------------------------------------------------


def test_step_due_dates_working_days_half_days():
    # Mon 1 Mar 09:00, shares 0.5 / 1.5 / 1 working day = 225 / 675 / 450 min.
    # Step 1: 150 to 11:30, 75 from 13:30 -> Mon 14:45.
    # Step 2: 135 to Mon 17:00, Tue 450 (585), Wed 07:30 + 90 -> Wed 3 Mar 09:00.
    # Step 3: Wed 09:00-11:30 150 + 13:30-17:00 210 (360), Thu 07:30 + 90 -> 09:00.
    result = step_due_dates(ict(2027, 3, 1, 9), [Decimal("0.5"), 1.5, 1], WD, CAL)
    assert result == [ict(2027, 3, 1, 14, 45), ict(2027, 3, 3, 9), ict(2027, 3, 4, 9)]
    assert all(str(due.tzinfo) == "Asia/Ho_Chi_Minh" for due in result)


def test_step_due_dates_from_the_next_mornings_opening_end_on_due_at():
    # A dossier received Mon 1 Mar 10:00 with 3 working days is due Thu 4 Mar
    # 17:00; starting the steps at Tue 2 Mar 07:30 (the day after, Civil Code
    # Art. 147): 07:30 + 225 -> 11:15; + 675: 15 + 210 (225), Wed 450 -> Wed
    # 17:00 exactly (kept); + 450 from Thu 07:30 -> Thu 4 Mar 17:00.
    result = step_due_dates(ict(2027, 3, 2, 7, 30), [0.5, 1.5, 1], WD, CAL)
    assert result == [ict(2027, 3, 2, 11, 15), ict(2027, 3, 3, 17), ict(2027, 3, 4, 17)]


def test_step_due_dates_working_days_across_30_4_and_1_5_2027():
    # Thu 29 Apr 07:30, [1, 1]: Thu 17:00; then Fri 30 Apr - Mon 3 May off ->
    # Tue 4 May 17:00.
    result = step_due_dates(ict(2027, 4, 29, 7, 30), [1, 1], WD, CAL)
    assert result == [ict(2027, 4, 29, 17), ict(2027, 5, 4, 17)]


def test_step_due_dates_half_day_follows_office_hours_setting():
    # 08:00-12:00,13:00-17:00 is an 8 h day: 0.5 day = 240 min.
    cal = WorkCalendar(office_hours=parse_office_hours("08:00-12:00,13:00-17:00"))
    result = step_due_dates(ict(2027, 3, 1, 8), [0.5, 0.5], WD, cal)
    assert result == [ict(2027, 3, 1, 12), ict(2027, 3, 1, 17)]


def test_step_due_dates_zero_share_is_the_snapped_start():
    # Mon 12:00, [0, 1]: step 1 at 13:30; step 2: 210 to 17:00, Tue 07:30 +
    # 240 -> Tue 2 Mar 11:30 (a close, kept).
    result = step_due_dates(ict(2027, 3, 1, 12), [0, 1], "working_days", CAL)
    assert result == [ict(2027, 3, 1, 13, 30), ict(2027, 3, 2, 11, 30)]


def test_step_due_dates_working_hours():
    # Mon 1 Mar 10:00, [2, 1.5, 4] h: 10:00 + 120 -> 14:00; + 90 -> 15:30;
    # + 240: 90 to 17:00, Tue 07:30 + 150 -> Tue 2 Mar 10:00.
    result = step_due_dates(ict(2027, 3, 1, 10), [2, 1.5, 4], WH, CAL)
    assert result == [ict(2027, 3, 1, 14), ict(2027, 3, 1, 15, 30), ict(2027, 3, 2, 10)]


def test_step_due_dates_working_hours_across_tet_2027():
    # Wed 3 Feb 15:00, [1, 3] h: 16:00; + 180: 60 to 17:00, Thu 11 Feb
    # 07:30 + 120 -> 09:30.
    result = step_due_dates(ict(2027, 2, 3, 15), [1, 3], WH, CAL)
    assert result == [ict(2027, 2, 3, 16), ict(2027, 2, 11, 9, 30)]


def test_step_due_dates_calendar_days():
    # Mon 1 Mar 09:00, [1, 4, 0.5] calendar days: Tue 2 Mar 09:00 (working
    # day, kept); + 4 = Sat 6 Mar 09:00, a day off -> Mon 8 Mar 17:00; + 12 h
    # = Tue 9 Mar 05:00 (a working day: clock time kept).
    result = step_due_dates(ict(2027, 3, 1, 9), [1, 4, 0.5], CD, CAL)
    assert result == [ict(2027, 3, 2, 9), ict(2027, 3, 8, 17), ict(2027, 3, 9, 5)]


def test_step_due_dates_calendar_days_landing_in_tet_2027():
    # Mon 1 Feb 09:00, [2, 3]: Wed 3 Feb 09:00; Sat 6 Feb (Tết) -> first
    # working day Thu 11 Feb, at its close.
    result = step_due_dates(ict(2027, 2, 1, 9), [2, 3], "calendar_days", CAL)
    assert result == [ict(2027, 2, 3, 9), ict(2027, 2, 11, 17)]


def test_step_due_dates_empty_and_bad_input():
    assert step_due_dates(ict(2027, 3, 1, 9), [], WD, CAL) == []
    with pytest.raises(ValueError, match="negative"):
        step_due_dates(ict(2027, 3, 1, 9), [1, -1], WD, CAL)
    with pytest.raises(ValueError, match="months"):
        step_due_dates(ict(2027, 3, 1, 9), [1], "months", CAL)
    with pytest.raises(TypeError):
        step_due_dates(ict(2027, 3, 1, 9), [True], WD, CAL)
    with pytest.raises(ValueError, match="timezone-aware"):
        step_due_dates(datetime(2027, 3, 1, 9), [1], WD, CAL)


# --------------------------------------------------------------------------
# classify
# --------------------------------------------------------------------------

DUE = ict(2027, 3, 1, 17)  # Mon 1 Mar 2027 17:00


@pytest.mark.parametrize(
    ("finished", "expected"),
    [
        (ict(2027, 2, 26, 10), "early"),  # Fri before
        (ict(2027, 2, 28, 23, 59), "early"),  # the previous calendar day
        (ict(2027, 3, 1, 0, 0), "on_time"),  # due day, first minute
        (ict(2027, 3, 1, 8), "on_time"),  # due day, earlier time
        (ict(2027, 3, 1, 16, 59), "on_time"),
        (ict(2027, 3, 1, 17, 0), "on_time"),  # exactly at the due instant
        (ict(2027, 3, 1, 17, 0, 1), "late"),  # due day, one second after
        (ict(2027, 3, 1, 17, 1), "late"),  # same day, later time
        (ict(2027, 3, 2, 7, 30), "late"),  # next day
    ],
)
def test_classify(finished, expected):
    assert classify(finished, DUE) == expected


def test_classify_working_hours_due_same_day_later_is_late():
    due = ict(2027, 3, 1, 11, 30)
    assert classify(ict(2027, 3, 1, 11, 31), due) == "late"
    assert classify(ict(2027, 3, 1, 8), due) == "on_time"


def test_classify_uses_office_calendar_days_for_utc_inputs():
    # 2027-02-28T17:30Z is Mon 1 Mar 00:30 ICT: the due day, so on time (not
    # early, although the UTC date is 28 Feb).
    assert classify(datetime(2027, 2, 28, 17, 30, tzinfo=UTC), DUE) == "on_time"
    # 2027-02-28T16:59Z is Sun 28 Feb 23:59 ICT: the day before -> early.
    assert classify(datetime(2027, 2, 28, 16, 59, tzinfo=UTC), DUE) == "early"
    # Due given in UTC too: 10:00Z = 17:00 ICT.
    due_utc = datetime(2027, 3, 1, 10, 0, tzinfo=UTC)
    assert classify(datetime(2027, 3, 1, 10, 0, tzinfo=UTC), due_utc) == "on_time"
    assert classify(datetime(2027, 3, 1, 10, 1, tzinfo=UTC), due_utc) == "late"
    # 2027-03-01T18:00Z is Tue 2 Mar 01:00 ICT: late (same UTC date as the due).
    assert classify(datetime(2027, 3, 1, 18, 0, tzinfo=UTC), due_utc) == "late"


def test_classify_rejects_naive():
    with pytest.raises(ValueError, match="finished_at must be timezone-aware"):
        classify(datetime(2027, 3, 1, 9), DUE)


def test_labels():
    assert {c.value: c.label for c in ResultClass} == {"early": "Trước hạn", "on_time": "Đúng hạn", "late": "Quá hạn"}
    assert {s.value: s.label for s in OpenState} == {"within": "Trong hạn", "due_soon": "Sắp đến hạn",
                                                      "overdue": "Quá hạn"}


# --------------------------------------------------------------------------
# open_state
# --------------------------------------------------------------------------


def test_open_state_overdue_boundary():
    due = ict(2027, 3, 1, 17)
    assert open_state(ict(2027, 3, 1, 17, 0), due, CAL) == "due_soon"  # exactly at the due
    assert open_state(ict(2027, 3, 1, 17, 0, 1), due, CAL) == "overdue"
    # UTC now: 10:00:01Z = 17:00:01 ICT.
    assert open_state(datetime(2027, 3, 1, 10, 0, 1, tzinfo=UTC), due, CAL) == "overdue"


def test_open_state_due_today_is_due_soon():
    assert open_state(ict(2027, 3, 1, 9), ict(2027, 3, 1, 17), CAL) == "due_soon"


def test_open_state_due_tomorrow_depends_on_the_setting():
    now, due = ict(2027, 3, 1, 9), ict(2027, 3, 2, 17)
    assert open_state(now, due, CAL) == "within"
    assert open_state(now, due, CAL, due_soon_working_days=2) == "due_soon"
    assert open_state(now, ict(2027, 3, 3, 7, 30), CAL, due_soon_working_days=2) == "within"


def test_open_state_counts_working_days_over_a_weekend():
    # Fri 5 Mar: day 1 Fri, day 2 Mon 8 Mar.
    now, due = ict(2027, 3, 5, 9), ict(2027, 3, 8, 17)
    assert open_state(now, due, CAL) == "within"
    assert open_state(now, due, CAL, due_soon_working_days=2) == "due_soon"
    # A due on the Saturday in between is before the end of Monday.
    assert open_state(now, ict(2027, 3, 6, 17), CAL, due_soon_working_days=2) == "due_soon"


def test_open_state_on_a_day_off_counts_from_the_next_working_day():
    # Sat 6 Mar: day 1 is Mon 8 Mar.
    now = ict(2027, 3, 6, 10)
    assert open_state(now, ict(2027, 3, 8, 17), CAL) == "due_soon"
    assert open_state(now, ict(2027, 3, 9, 17), CAL) == "within"


def test_open_state_across_tet_2027():
    # Wed 3 Feb: day 1 Wed 3 Feb, day 2 Thu 11 Feb.
    now, due = ict(2027, 2, 3, 10), ict(2027, 2, 11, 17)
    assert open_state(now, due, CAL) == "within"
    assert open_state(now, due, CAL, due_soon_working_days=2) == "due_soon"
    assert open_state(now, ict(2027, 2, 12, 17), CAL, due_soon_working_days=2) == "within"


def test_open_state_after_close_today_still_counts_today():
    # Mon 1 Mar 18:00 is on a working day: day 1 is still Monday.
    assert open_state(ict(2027, 3, 1, 18), ict(2027, 3, 2, 17), CAL) == "within"


def test_open_state_due_after_the_close_of_day_n_is_due_soon():
    # A calendar-day step due Mon 1 Mar 21:00: before the end of day 1.
    assert open_state(ict(2027, 3, 1, 9), ict(2027, 3, 1, 21), CAL) == "due_soon"


def test_open_state_zero_days_switches_due_soon_off():
    due = ict(2027, 3, 1, 17)
    assert open_state(ict(2027, 3, 1, 9), due, CAL, due_soon_working_days=0) == "within"
    assert open_state(ict(2027, 3, 1, 18), due, CAL, due_soon_working_days=0) == "overdue"


def test_open_state_rejects_bad_setting():
    with pytest.raises(ValueError, match="negative"):
        open_state(ict(2027, 3, 1, 9), ict(2027, 3, 1, 17), CAL, due_soon_working_days=-1)
    with pytest.raises(TypeError):
        open_state(ict(2027, 3, 1, 9), ict(2027, 3, 1, 17), CAL, due_soon_working_days=True)


# --------------------------------------------------------------------------
# apology_deadline: a deadline ("no later than 1 working day before"), not an opening
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("due", "expected"),
    [
        (ict(2027, 3, 3, 17), ict(2027, 3, 2, 17)),  # Wed -> Tue, end of the office day
        (ict(2027, 3, 3, 10), ict(2027, 3, 2, 17)),  # working-hours due
        (ict(2027, 3, 8, 17), ict(2027, 3, 5, 17)),  # Mon -> previous Fri
        (ict(2027, 2, 11, 17), ict(2027, 2, 3, 17)),  # right after Tết -> Wed 3 Feb
        (ict(2027, 5, 4, 17), ict(2027, 4, 29, 17)),  # after 30/4-3/5 -> Thu 29 Apr
        (ict(2027, 3, 6, 17), ict(2027, 3, 5, 17)),  # due on a Saturday -> Fri
        (ict(2026, 8, 24, 17), ict(2026, 8, 22, 17)),  # Mon -> swapped working Sat
    ],
)
def test_apology_deadline_is_the_end_of_the_working_day_before_the_due_day(due, expected):
    assert_due(apology_deadline(due, CAL), expected)


def test_apology_deadline_utc_due():
    # 2027-03-08T10:00Z = Mon 8 Mar 17:00 ICT -> Fri 5 Mar 17:00 ICT.
    assert_due(apology_deadline(datetime(2027, 3, 8, 10, 0, tzinfo=UTC), CAL), ict(2027, 3, 5, 17))


def test_apology_deadline_follows_overrides_and_office_hours():
    cal = WorkCalendar(
        extra_days_off=frozenset({date(2027, 3, 5)}),
        office_hours=parse_office_hours("08:00-12:00,13:00-17:30"),
    )
    # Mon 8 Mar due, Fri 5 Mar closed -> Thu 4 Mar at its close, 17:30.
    assert_due(apology_deadline(ict(2027, 3, 8, 17, 30), cal), ict(2027, 3, 4, 17, 30))


def test_apology_right_after_acceptance_is_on_time():
    # Was refused before 07:30 of the day before the due date; the rule is a deadline.
    due = ict(2027, 3, 12, 17)  # Fri
    assert not apology_is_late(ict(2027, 3, 1, 9), due, CAL)
    assert not apology_is_late(ict(2027, 3, 11, 17), due, CAL)  # exactly at the deadline


def test_apology_after_the_deadline_is_late():
    due = ict(2027, 3, 12, 17)
    assert apology_is_late(ict(2027, 3, 11, 17, 1), due, CAL)
    assert apology_is_late(ict(2027, 3, 12, 9), due, CAL)  # on the due day
    assert apology_is_late(ict(2027, 3, 15, 9), due, CAL)  # after the due date


def test_apology_of_a_same_day_dossier_is_late_only_after_its_due_time():
    # Received Mon 1 Mar 2027 09:00, due 17:00 the same day: the working day before the due day
    # ends before the dossier existed, so the deadline is the due time (our reading, see the
    # docstring); without the receipt time the literal rule is kept.
    received, due = ict(2027, 3, 1, 9), ict(2027, 3, 1, 17)
    assert_due(apology_deadline(due, CAL, received), due)
    assert not apology_is_late(ict(2027, 3, 1, 9, 5), due, CAL, received)
    assert apology_is_late(ict(2027, 3, 1, 17, 1), due, CAL, received)
    assert_due(apology_deadline(due, CAL), ict(2027, 2, 26, 17))
    # A dossier received long before keeps the literal deadline.
    assert_due(apology_deadline(ict(2027, 3, 12, 17), CAL, received), ict(2027, 3, 11, 17))


def test_previous_working_day():
    assert CAL.previous_working_day(date(2027, 3, 8)) == date(2027, 3, 5)
    assert CAL.previous_working_day(date(2027, 2, 11)) == date(2027, 2, 3)
    assert CAL.previous_working_day(date(2027, 5, 4)) == date(2027, 4, 29)


def test_office_day_length():
    assert CAL.office_day_length == timedelta(hours=7, minutes=30)
    cal = WorkCalendar(office_hours=parse_office_hours("08:00-12:00,13:00-17:30"))
    assert cal.office_day_length == timedelta(hours=8, minutes=30)


# --------------------------------------------------------------------------
# The Government's swaps shipped as data (official_calendar.yaml)
# --------------------------------------------------------------------------

OFFICIAL = CAL.with_official_days(official_days())


def test_every_official_swap_names_its_source():
    days = official_days()
    assert {(d.day, d.kind) for d in days} >= {(date(2026, 1, 2), "day_off"), (date(2026, 1, 10), "working_day")}
    assert all("12729/VPCP-KGVX" in d.source for d in days if d.day.year == 2026 and d.day.month == 1)


@pytest.mark.parametrize("day", [date(2026, 1, d) for d in (1, 2, 3, 4)] + [date(2026, 2, d) for d in range(14, 23)])
def test_new_year_and_tet_2026_days_off(day):
    # VPCP letter 12729/VPCP-KGVX (25/12/2025): 1-4 January off; Tết Bính Ngọ 14-22 February.
    assert not OFFICIAL.is_working_day(day)


@pytest.mark.parametrize("day", [date(2026, 1, 5), date(2026, 1, 9), date(2026, 1, 10), date(2026, 1, 12),
                                 date(2026, 2, 13), date(2026, 2, 23)])
def test_days_around_the_2026_swaps_are_worked(day):
    assert OFFICIAL.is_working_day(day)  # Sat 10 January is the make-up day for Fri 2 January


def test_the_holidays_package_alone_misses_the_2026_swap():
    # Why the data file exists (holidays==0.108): without it 2 Jan is worked and 10 Jan is not.
    assert CAL.is_working_day(date(2026, 1, 2)) and not CAL.is_working_day(date(2026, 1, 10))


def test_due_date_skips_2_january_2026_and_counts_10_january():
    # Received Wed 31 Dec 2025 10:00: Thu 1 (holiday), Fri 2 (swap), Sat 3, Sun 4 off ->
    # 1 working day = Mon 5 Jan.
    assert_due(due_at(ict(2025, 12, 31, 10), 1, WD, OFFICIAL), ict(2026, 1, 5, 17))
    # Received Thu 8 Jan 10:00: Fri 9 (1), Sat 10 worked (2), Mon 12 (3).
    assert_due(due_at(ict(2026, 1, 8, 10), 2, WD, OFFICIAL), ict(2026, 1, 10, 17))
    assert_due(due_at(ict(2026, 1, 8, 10), 3, WD, OFFICIAL), ict(2026, 1, 12, 17))


def test_an_admin_override_wins_over_an_official_swap():
    cal = WorkCalendar(extra_working_days={date(2026, 1, 2)}, extra_days_off={date(2026, 1, 10)})
    cal = cal.with_official_days(official_days())
    assert cal.is_working_day(date(2026, 1, 2)) and not cal.is_working_day(date(2026, 1, 10))


def test_a_malformed_official_calendar_is_refused(tmp_path):
    bad = tmp_path / "swaps.yaml"
    bad.write_text("- {date: 2026-01-02, kind: holiday, source: x}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="kind must be day_off or working_day"):
        official_days(bad)
    bad.write_text("- {date: 2026-01-02, kind: day_off}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="date, kind and source"):
        official_days(bad)
