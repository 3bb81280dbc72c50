"""What an applicant may submit: the e-form's values against the procedure version's spec, the
applicant block, the person represented and how many files each document may have. One set of
rules for the web form (app/forms/dynamic.py asks them through its validators) and the API
(app/services/dossiers.py applies them to every DraftInput), so both answer alike (issue 18
item 1, issue 14 item 3).

Pure: no Flask, no database; today's date is a parameter. Every check returns the cleaned value
(what is stored) or a Vietnamese message; `check_form` and `check_person` return
``(cleaned, {field: message})`` with the service's field keys (``form.<key>``,
``applicant.<name>``, ``represented.<name>``, ``documents.<key>``).

Required-ness is not checked here: a draft may be half filled; submission checks it
(services/dossiers.missing_items). An empty value (None, "", blanks) is simply left out.

Legal anchors: the e-form (Decree 42/2022/NĐ-CP Art. 12); the personal identification number
of 12 digits (Law on Identification 2023 Art. 12); the lengths are those of the dossier's
columns (app/models/dossiers.py takes them from here).
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from email_validator import EmailNotValidError, validate_email

# --------------------------------------------------------------------------- formats, once
# Số định danh cá nhân: 12 digits (Law on Identification 2023 Art. 12).
ID_NUMBER_PATTERN = r"^\d{12}$"
ID_NUMBER_MESSAGE = "Số định danh cá nhân gồm đúng 12 chữ số."
# A Vietnamese number: 0 then 9 or 10 digits, or +84 instead of the 0 (at most 13 characters).
PHONE_PATTERN = r"^(0|\+84)\d{9,10}$"
PHONE_MESSAGE = "Số điện thoại gồm 10 chữ số, bắt đầu bằng 0 (hoặc +84)."
EMAIL_MESSAGE = "Địa chỉ e-mail không hợp lệ."
EMAIL_MAX_LENGTH = 254  # RFC 5321's path limit

# Text without a max_length in the procedure file gets these (issue 18: a 100,000-character
# value kept the PDF worker busy for minutes).
DEFAULT_MAX_LENGTH = {"text": 500, "textarea": 4000}
# Dates within a sane range (the database and the PDF layouts hold any of these).
MIN_DATE, MAX_DATE = date(1900, 1, 1), date(2100, 12, 31)
# Numbers: at most 15 digits before the point and 6 after (a capital in đồng fits; 1e999999 does not).
MAX_NUMBER = Decimal(10) ** 15
MAX_DECIMALS = 6
NUMBER_TEXT = re.compile(r"^[+-]?\d{1,16}(\.\d{1,6})?$", re.ASCII)  # ASCII digits only, not "١٢"
DATE_TEXT = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)
# Files in one document (thành phần hồ sơ): a few scanned pages each; 300 in one part was taken.
MAX_FILES_PER_DOCUMENT = 20

# The longest value each column of the applicant block takes (app/models/dossiers.py uses these);
# the ID number and phone formats fit theirs (12 and at most 13 characters).
APPLICANT_COLUMNS = {"full_name": 150, "id_number": 12, "address": 300, "phone": 15, "email": EMAIL_MAX_LENGTH}
# The applicant block and the person represented, as e-form fields.
APPLICANT: dict[str, dict] = {
    "full_name": {"key": "full_name", "type": "text", "max_length": APPLICANT_COLUMNS["full_name"]},
    "id_number": {"key": "id_number", "type": "id_number"},
    "address": {"key": "address", "type": "text", "max_length": APPLICANT_COLUMNS["address"]},
    "phone": {"key": "phone", "type": "phone"},
    "email": {"key": "email", "type": "email"},
}
REPRESENTED: dict[str, dict] = {
    "full_name": {"key": "full_name", "type": "text", "max_length": 150},
    "id_number": {"key": "id_number", "type": "id_number"},
    "address": {"key": "address", "type": "text", "max_length": 300},
    "authorisation": {"key": "authorisation", "type": "text", "max_length": 200},
}

TEXT_TYPES = ("text", "textarea", "id_number", "phone", "email")
_KEEP_CONTROLS = {"text": "", "textarea": "\t\n\r"}


# --------------------------------------------------------------------------- one value
def max_length(field: Mapping) -> int | None:
    """The longest text a field takes: its own max_length, or the default of its type."""
    if field["type"] == "email":
        return EMAIL_MAX_LENGTH
    return field.get("max_length") or DEFAULT_MAX_LENGTH.get(field["type"])


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    return Decimal(str(value))


def _fmt(number: Decimal) -> str:
    """A number as stored and shown in messages: 2, 1995, 2.5 (never 2.00 or 1E+3)."""
    if number == number.to_integral_value():
        return str(int(number))
    return format(number.normalize(), "f")


def number_range(field: Mapping) -> tuple[Decimal | None, Decimal | None]:
    """The field's `min` and `max` (procedure file), as decimals."""
    return _decimal(field.get("min")), _decimal(field.get("max"))


def range_message(field: Mapping) -> str:
    low, high = number_range(field)
    kind = "số nguyên" if field.get("integer") else "số"
    if low is not None and high is not None:
        return f"Nhập {kind} từ {_fmt(low)} đến {_fmt(high)}."
    if low is not None:
        return f"Nhập {kind} không nhỏ hơn {_fmt(low)}."
    return f"Nhập {kind} không lớn hơn {_fmt(high)}."


def _text(field: Mapping, value: Any) -> tuple[str | None, str | None]:
    if not isinstance(value, str):
        return None, "Giá trị phải là chuỗi ký tự."
    value = value.strip()
    if not value:
        return None, None
    keep = _KEEP_CONTROLS.get(field["type"], "")
    if any(unicodedata.category(c) == "Cc" and c not in keep for c in value):
        return None, "Không được chứa ký tự điều khiển."
    limit = max_length(field)
    if limit is not None and len(value) > limit:
        return None, f"Tối đa {limit} ký tự (đã nhập {len(value)})."
    kind = field["type"]
    if kind == "id_number" and not re.match(ID_NUMBER_PATTERN, value, re.ASCII):
        return None, ID_NUMBER_MESSAGE
    if kind == "phone" and not re.match(PHONE_PATTERN, value, re.ASCII):
        return None, PHONE_MESSAGE
    if kind == "email":
        try:
            validate_email(value, check_deliverability=False)
        except EmailNotValidError:
            return None, EMAIL_MESSAGE
    if field.get("pattern") and not re.fullmatch(field["pattern"], value):
        return None, field.get("pattern_message") or "Giá trị không đúng định dạng."
    return value, None


def _date(field: Mapping, value: Any, today: date) -> tuple[str | None, str | None]:
    bad = "Ngày không hợp lệ: nhập theo dạng năm-tháng-ngày, ví dụ 2025-02-12."
    if isinstance(value, str):
        value = value.strip()
        if not value:
            return None, None
        if not DATE_TEXT.match(value):
            return None, bad
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return None, bad
    if not isinstance(value, date):
        return None, bad
    if not MIN_DATE <= value <= MAX_DATE:
        return None, f"Ngày phải trong khoảng {MIN_DATE:%d/%m/%Y} đến {MAX_DATE:%d/%m/%Y}."
    if field.get("not_future") and value > today:
        return None, f"Ngày không được sau ngày hôm nay ({today:%d/%m/%Y})."
    return value.isoformat(), None


def _number(field: Mapping, value: Any) -> tuple[str | None, str | None]:
    bad = "Vui lòng nhập một số nguyên." if field.get("integer") else "Vui lòng nhập một số."
    if isinstance(value, bool):
        return None, bad
    if isinstance(value, str):
        value = value.strip()
        if not value:
            return None, None
        if not NUMBER_TEXT.match(value):
            return None, bad
    if not isinstance(value, (int, float, Decimal, str)):
        return None, bad
    try:
        number = Decimal(str(value)) if not isinstance(value, Decimal) else value
    except InvalidOperation:
        return None, bad
    if not number.is_finite() or abs(number) >= MAX_NUMBER:
        return None, f"Nhập một số nhỏ hơn {_fmt(MAX_NUMBER)}."
    if number != number.to_integral_value() and number.normalize().as_tuple().exponent < -MAX_DECIMALS:
        return None, f"Tối đa {MAX_DECIMALS} chữ số thập phân."
    if field.get("integer") and number != number.to_integral_value():
        return None, bad
    low, high = number_range(field)
    if (low is not None and number < low) or (high is not None and number > high):
        return None, range_message(field)
    return _fmt(number), None


def check_value(field: Mapping, value: Any, today: date) -> tuple[Any, str | None]:
    """One value of a field: ``(cleaned, None)``, ``(None, message)``, or ``(None, None)`` when
    empty. Accepts what a web form parses (date, Decimal, bool) and what JSON carries (text,
    numbers, booleans)."""
    if value is None:
        return None, None
    kind = field["type"]
    if kind in TEXT_TYPES:
        return _text(field, value)
    if kind == "date":
        return _date(field, value, today)
    if kind == "number":
        return _number(field, value)
    if kind == "select":
        if value == "":
            return None, None
        if not isinstance(value, str) or value not in {c["value"] for c in field.get("choices") or ()}:
            return None, "Lựa chọn không hợp lệ."
        return value, None
    if kind == "checkbox":
        if not isinstance(value, bool):
            return None, "Giá trị phải là true hoặc false."
        return value, None
    raise ValueError(f"unknown e-form field type {kind!r}")


# --------------------------------------------------------------------------- blocks
def check_form(fields: list[Mapping], values: Mapping, today: date) -> tuple[dict, dict[str, str]]:
    """The e-form's values against the version's `form` list: unknown keys are refused, every
    value checked by its field. Errors are keyed ``form.<key>``."""
    if not isinstance(values, Mapping):
        return {}, {"data": "Tờ khai phải là một đối tượng JSON {khóa: giá trị}."}
    by_key = {f["key"]: f for f in fields}
    cleaned: dict = {}
    errors: dict[str, str] = {}
    for key, value in values.items():
        field = by_key.get(key)
        if field is None:
            errors[f"form.{key}"[:80]] = "Trường không có trong tờ khai của thủ tục này."
            continue
        clean, message = check_value(field, value, today)
        if message:
            errors[f"form.{key}"] = message
        elif clean is not None:
            cleaned[key] = clean
    return cleaned, errors


def check_person(values: Mapping | None, fields: Mapping[str, Mapping], prefix: str) -> tuple[dict, dict[str, str]]:
    """The applicant block (`APPLICANT`) or the person represented (`REPRESENTED`): every key
    present in the result ("" when empty), unknown keys refused; errors keyed ``<prefix>.<name>``."""
    values = values or {}
    if not isinstance(values, Mapping):
        return {}, {prefix: "Phải là một đối tượng JSON {khóa: giá trị}."}
    errors = {f"{prefix}.{k}"[:80]: "Khóa không hợp lệ." for k in values if k not in fields}
    cleaned = {}
    for name, field in fields.items():
        clean, message = check_value(field, values.get(name) if values.get(name) is not None else "", date.min)
        if message:
            errors[f"{prefix}.{name}"] = message
        cleaned[name] = clean or ""
    return cleaned, errors


def check_parts(documents: list[Mapping], counts: Mapping[str, int]) -> dict[str, str]:
    """At most the documents the procedure lists, each with at most MAX_FILES_PER_DOCUMENT files
    (`counts`: document key → files it would then have). Errors keyed ``documents.<key>``."""
    known = {d["key"] for d in documents}
    errors = {}
    for key, count in counts.items():
        if key not in known:
            errors[f"documents.{key}"] = "Thành phần hồ sơ không có trong thủ tục."
        elif count > MAX_FILES_PER_DOCUMENT:
            errors[f"documents.{key}"] = (f"Mỗi thành phần hồ sơ có tối đa {MAX_FILES_PER_DOCUMENT} tệp "
                                          f"(đang có {count}).")
    return errors
