"""Vietnamese formats (issue 14, item 2): dates, times and numbers through Babel with the
locale vi (app/dates.py, app/numbers.py), and the same functions registered once as the
templates' filters."""
from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from flask import render_template_string

from app import dates, numbers
from app.forms.fields import VietnameseDateField

# 20/11/2026 02:05 UTC is 09:05 in Vietnam (UTC+7)
MORNING = datetime(2026, 11, 20, 2, 5, tzinfo=UTC)
LATE_EVENING = datetime(2026, 11, 20, 18, 30, tzinfo=UTC)  # already 21/11 in Vietnam


def test_dates_day_first_with_four_digit_years_in_office_time():
    assert dates.date(date(2026, 11, 20)) == "20/11/2026"
    assert dates.date(date(2027, 2, 3)) == "03/02/2027"
    assert dates.date("2026-11-20") == "20/11/2026"  # an e-form date, kept as ISO text
    assert dates.date(MORNING) == "20/11/2026" and dates.date(LATE_EVENING) == "21/11/2026"
    assert dates.date(None) == "" and dates.date("") == ""
    assert dates.month(date(2026, 3, 1)) == "03/2026"


def test_times_are_hours_and_minutes_in_office_time():
    assert dates.time(MORNING) == "09:05"
    assert dates.datetime(MORNING) == "09:05 ngày 20/11/2026"
    assert dates.short_datetime(LATE_EVENING) == "01:30 21/11/2026"
    assert dates.datetime(None) == "" and dates.time(None) == ""


def test_a_naive_datetime_is_refused_rather_than_guessed():
    with pytest.raises(ValueError):
        dates.datetime(datetime(2026, 11, 20, 9, 5))


@pytest.mark.parametrize("text", ["20/11/2026", "20/11/2026 ", "2026-11-20", "20/11/2026"])
def test_typed_dates_are_read_day_first_or_iso(text):
    assert dates.parse_date(text) == date(2026, 11, 20)


@pytest.mark.parametrize("text", ["", "31/02/2026", "11/20/2026", "20.11.2026", "hôm nay", None])
def test_other_typed_dates_are_refused(text):
    with pytest.raises(ValueError):
        dates.parse_date(text)


def test_numbers_dot_thousands_comma_decimals_and_integers_without_decimals():
    assert numbers.number(1234567) == "1.234.567"
    assert numbers.number(Decimal("1.5")) == "1,5"
    assert numbers.exact(Decimal("2.00")) == "2" and numbers.exact("2.00") == "2"
    assert numbers.exact(Decimal("0.125")) == "0,125" and numbers.exact(1995) == "1995"
    assert numbers.two_decimals(Decimal("2.5")) == "2,50"
    assert numbers.two_digits(1) == "01" and numbers.two_digits(12) == "12"
    assert numbers.percent(Decimal("0.85333")) == "85,33%" and numbers.percent(None) == "N/A"


def test_an_average_of_many_digits_prints_two_decimals():
    """Index 2.2 is an average: a Decimal division gives 28 significant digits, never shown."""

    class Value:
        rate = Decimal(10) / Decimal(3)

    assert numbers.index_value(Value, "working_days") == "3,33 ngày làm việc"


def test_the_filters_are_the_same_functions(app):
    with app.test_request_context():
        rendered = render_template_string(
            "{{ d | date_vn }}|{{ t | time_vn }}|{{ t | datetime_vn }}|{{ t | short_datetime_vn }}|{{ d | month_vn }}|"
            "{{ n | number }}|{{ c | exact }}|{{ r | percent }}|{{ a | two_decimals }}|{{ 3 | two_digits }}",
            d=date(2026, 11, 20), t=MORNING, n=1234, c=Decimal("2.00"), r=Decimal("0.8533"), a=Decimal("2.5"))
    assert rendered == "20/11/2026|09:05|09:05 ngày 20/11/2026|09:05 20/11/2026|11/2026|1.234|2|85,33%|2,50|03"


def test_the_date_box_is_a_text_box_with_a_day_first_hint(app):
    from flask_wtf import FlaskForm
    from werkzeug.datastructures import MultiDict

    class Form(FlaskForm):
        day = VietnameseDateField("Ngày sinh", description="Theo giấy chứng sinh.")

    with app.test_request_context():
        form = Form(MultiDict({"day": "20/11/2026"}), meta={"csrf": False})
        assert form.validate() and form.day.data == date(2026, 11, 20)
        html = form.day()
        assert 'type="text"' in html and 'value="20/11/2026"' in html and 'type="date"' not in html
        assert form.day.description.startswith("Theo giấy chứng sinh.") and "dd/mm/yyyy" in form.day.description
        shown = Form(data={"day": date(2026, 11, 20)}, meta={"csrf": False})
        assert 'value="20/11/2026"' in shown.day()
        wrong = Form(MultiDict({"day": "31/02/2026"}), meta={"csrf": False})
        assert not wrong.validate() and "ngày/tháng/năm" in wrong.day.errors[0]
