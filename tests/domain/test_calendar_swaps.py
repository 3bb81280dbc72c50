"""domain/deadlines.swap_problems: a pair of swapped days the Government's yearly notice can make."""
from datetime import date

import pytest

from app.domain.deadlines import SwapProblem, WorkCalendar, swap_problems

FRIDAY, SATURDAY = date(2027, 10, 8), date(2027, 10, 16)
CALENDAR = WorkCalendar()


def test_a_weekday_off_for_a_saturday_worked_is_a_valid_swap():
    assert CALENDAR.is_working_day(FRIDAY) and not CALENDAR.is_working_day(SATURDAY)
    assert swap_problems(FRIDAY, SATURDAY, CALENDAR) == {}
    assert swap_problems(FRIDAY, date(2027, 10, 17), CALENDAR) == {}  # a Sunday too


def test_the_2026_new_year_swap_of_the_vpcp_letter_would_be_valid_on_the_package_alone():
    assert swap_problems(date(2026, 1, 2), date(2026, 1, 10), CALENDAR) == {}


@pytest.mark.parametrize("day_off, make_up, expected", [
    (FRIDAY, FRIDAY, {"working_day": SwapProblem.SAME_DAY}),
    (date(2027, 9, 2), SATURDAY, {"day_off": SwapProblem.DAY_OFF_NOT_WORKED}),         # National Day
    (date(2027, 10, 9), SATURDAY, {"day_off": SwapProblem.DAY_OFF_NOT_WORKED}),        # a Saturday
    (FRIDAY, date(2027, 10, 13), {"working_day": SwapProblem.MAKE_UP_NOT_WEEKEND}),    # a Wednesday
    (date(2027, 12, 31), date(2028, 1, 8), {"working_day": SwapProblem.OTHER_YEAR}),
])
def test_refused_pairs_name_the_field_at_fault(day_off, make_up, expected):
    assert swap_problems(day_off, make_up, CALENDAR) == expected


def test_a_weekend_day_already_worked_cannot_be_the_make_up_day():
    calendar = WorkCalendar(official_working_days=frozenset({SATURDAY}))
    assert swap_problems(FRIDAY, SATURDAY, calendar) == {"working_day": SwapProblem.MAKE_UP_NOT_WEEKEND}
