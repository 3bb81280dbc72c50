"""app/domain/eform.py: the one set of rules for what an applicant submits (web form and API)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.domain import eform

TODAY = date(2027, 3, 1)
COPIES = {"key": "copies", "type": "number", "integer": True, "min": 1}


@pytest.mark.parametrize("value, cleaned", [
    (2, "2"), ("2", "2"), (2.0, "2"), (Decimal("2.00"), "2"), (" 3 ", "3"), ("", None), (None, None),
])
def test_a_count_is_cleaned_to_plain_text(value, cleaned):
    assert eform.check_value(COPIES, value, TODAY) == (cleaned, None)


@pytest.mark.parametrize("value", [0, -1, "1.5", Decimal("1.5"), True, "1e3", "NaN", "Infinity", float("nan"),
                                   10**16, "١٢", [1], {"a": 1}])
def test_a_count_refuses_what_is_not_a_whole_number_from_one(value):
    cleaned, message = eform.check_value(COPIES, value, TODAY)
    assert cleaned is None and message


def test_number_bounds_and_decimals():
    area = {"key": "area", "type": "number", "min": 0, "max": 1000.5}
    assert eform.check_value(area, "1000.5", TODAY) == ("1000.5", None)
    assert eform.check_value(area, "1000.51", TODAY)[1] == "Nhập số từ 0 đến 1000.5."
    assert eform.check_value(area, 1e-300, TODAY)[1] == "Tối đa 6 chữ số thập phân."


def test_dates_in_range_and_not_in_the_future_when_the_field_says_so():
    born = {"key": "born", "type": "date", "not_future": True}
    assert eform.check_value(born, "2027-03-01", TODAY) == ("2027-03-01", None)
    assert eform.check_value(born, date(2020, 1, 2), TODAY) == ("2020-01-02", None)
    assert "không được sau ngày hôm nay (01/03/2027)" in eform.check_value(born, "2027-03-02", TODAY)[1]
    assert eform.check_value({"key": "until", "type": "date"}, "2030-01-01", TODAY) == ("2030-01-01", None)
    for bad in ("0001-01-01", "9999-12-31", "2027-02-30", "2027-W09-1", 20270301):
        assert eform.check_value({"key": "d", "type": "date"}, bad, TODAY)[0] is None, bad


def test_pattern_with_its_message():
    plot = {"key": "plot", "type": "text", "pattern": r"\d{1,6}", "pattern_message": "Số thửa gồm chữ số."}
    assert eform.check_value(plot, "123", TODAY) == ("123", None)
    assert eform.check_value(plot, "12a", TODAY) == (None, "Số thửa gồm chữ số.")


def test_check_form_refuses_unknown_keys_and_drops_empty_values():
    fields = [COPIES, {"key": "note", "type": "text"}]
    cleaned, errors = eform.check_form(fields, {"copies": "2", "note": "  ", "other": 1}, TODAY)
    assert cleaned == {"copies": "2"} and list(errors) == ["form.other"]
    assert list(eform.check_form(fields, ["copies"], TODAY)[1]) == ["data"]


def test_check_person_keeps_every_key_and_names_the_bad_ones():
    cleaned, errors = eform.check_person({"full_name": " An ", "id_number": "abc", "x": "1"}, eform.APPLICANT,
                                         "applicant")
    assert cleaned == {"full_name": "An", "id_number": "", "address": "", "phone": "", "email": ""}
    assert set(errors) == {"applicant.id_number", "applicant.x"}


def test_check_parts():
    documents = [{"key": "to_khai"}]
    assert eform.check_parts(documents, {"to_khai": eform.MAX_FILES_PER_DOCUMENT}) == {}
    errors = eform.check_parts(documents, {"to_khai": eform.MAX_FILES_PER_DOCUMENT + 1, "khac": 1})
    assert set(errors) == {"documents.to_khai", "documents.khac"}


def test_the_applicant_columns_hold_what_the_rules_let_through():
    from app.models import Dossier

    columns = {"full_name": "applicant_name", "id_number": "applicant_id_number", "address": "applicant_address",
               "phone": "applicant_phone", "email": "applicant_email"}
    for name, column in columns.items():
        assert Dossier.__table__.c[column].type.length == eform.APPLICANT_COLUMNS[name]
    assert eform.check_value(eform.APPLICANT["phone"], "+84" + "9" * 10, TODAY)[1] is None  # 13 ≤ 15
    assert eform.check_value(eform.APPLICANT["email"], "a@" + "b" * 250 + ".vn", TODAY)[1]
