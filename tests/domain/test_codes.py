"""Tests for app.domain.codes. Expected codes and masked names are literals."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime

import pytest

from app.domain.codes import (
    DossierCode,
    format_code,
    is_valid_code,
    mask_name,
    parse_code,
)
from app.services.demo import DemoAgency

# -- format ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("agency", "day", "sequence", "expected"),
    [
        ("000.00.12.H13", date(2025, 7, 3), 1, "000.00.12.H13-250703-0001"),
        ("000.00.12.H13", date(2025, 7, 3), 42, "000.00.12.H13-250703-0042"),
        (DemoAgency.BINH_XUYEN, date(2026, 12, 31), 9999, "000.00.26.H62-261231-9999"),
        (DemoAgency.BINH_XUYEN, date(2026, 1, 5), 10000, "000.00.26.H62-260105-10000"),
        (DemoAgency.BINH_XUYEN, date(2026, 1, 5), 123456, "000.00.26.H62-260105-123456"),
        ("G22", date(2000, 2, 29), 7, "G22-000229-0007"),
    ],
)
def test_format_code(agency: str, day: date, sequence: int, expected: str) -> None:
    assert format_code(agency, day, sequence) == expected
    assert str(DossierCode(agency, day, sequence)) == expected


@pytest.mark.parametrize(
    "agency",
    [
        "",
        "000.00.12.h13",  # lower case: identifiers are official data in capitals
        "000..12.H13",
        ".000.00.12.H13",
        "000.00.12.H13.",
        "000.00.12-H13",
        "000 00 12 H13",
        "000.00.12.Đ13",
        "A" * 36,
        "000.000.000.000.000.000.000.000.0000",  # 36 characters
    ],
)
def test_bad_agency_codes(agency: str) -> None:
    with pytest.raises(ValueError):
        format_code(agency, date(2025, 7, 3), 1)


def test_agency_code_of_35_characters_is_accepted() -> None:
    agency = "000.000.000.000.000.000.000.000.000"  # 35 characters
    assert format_code(agency, date(2025, 7, 3), 1) == (
        "000.000.000.000.000.000.000.000.000-250703-0001"
    )


@pytest.mark.parametrize("sequence", [0, -1])
def test_sequence_starts_at_one(sequence: int) -> None:
    with pytest.raises(ValueError):
        format_code("000.00.12.H13", date(2025, 7, 3), sequence)


@pytest.mark.parametrize("sequence", [1.0, "1", True, None])
def test_sequence_must_be_an_integer(sequence: object) -> None:
    with pytest.raises(TypeError):
        format_code("000.00.12.H13", date(2025, 7, 3), sequence)  # type: ignore[arg-type]


def test_datetime_is_refused() -> None:
    # The caller must pick the office date; a UTC datetime could be the day before.
    with pytest.raises(TypeError):
        format_code("000.00.12.H13", datetime(2025, 7, 3, 9, 0), 1)  # type: ignore[arg-type]


@pytest.mark.parametrize("day", [date(1999, 12, 31), date(2100, 1, 1)])
def test_years_outside_yymmdd(day: date) -> None:
    with pytest.raises(ValueError):
        format_code("000.00.12.H13", day, 1)


# -- parse -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "agency", "day", "sequence", "canonical"),
    [
        (
            "000.00.12.H13-250703-0001",
            "000.00.12.H13",
            date(2025, 7, 3),
            1,
            "000.00.12.H13-250703-0001",
        ),
        (
            "  000.00.12.h13-250703-0001\n",
            "000.00.12.H13",
            date(2025, 7, 3),
            1,
            "000.00.12.H13-250703-0001",
        ),
        (
            "000.00.26.H62-260105-10000",
            DemoAgency.BINH_XUYEN,
            date(2026, 1, 5),
            10000,
            "000.00.26.H62-260105-10000",
        ),
        ("g22-000229-0100", "G22", date(2000, 2, 29), 100, "G22-000229-0100"),
    ],
)
def test_parse_code(text: str, agency: str, day: date, sequence: int, canonical: str) -> None:
    code = parse_code(text)
    assert code == DossierCode(agency, day, sequence)
    assert (code.agency_code, code.day, code.sequence) == (agency, day, sequence)
    assert str(code) == canonical
    assert is_valid_code(text)


@pytest.mark.parametrize(
    ("agency", "day", "sequence"),
    [
        ("000.00.12.H13", date(2025, 7, 3), 1),
        (DemoAgency.BINH_XUYEN, date(2099, 12, 31), 99999),
        ("H48", date(2024, 2, 29), 9999),
    ],
)
def test_round_trip(agency: str, day: date, sequence: int) -> None:
    assert parse_code(format_code(agency, day, sequence)) == DossierCode(agency, day, sequence)


@pytest.mark.parametrize(
    "text",
    [
        "000.00.12.H13-251399-0001",  # month 13, day 99
        "000.00.12.H13-250230-0001",  # 30 February
        "000.00.12.H13-250229-0001",  # 2025 is not a leap year
        "000.00.12.H13-250700-0001",  # day 0
    ],
)
def test_impossible_dates(text: str) -> None:
    with pytest.raises(ValueError, match="^Mã hồ sơ không đúng định dạng"):
        parse_code(text)
    assert not is_valid_code(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "hello",
        "000.00.12.H13",
        "000.00.12.H13-250703",
        "000.00.12.H13-250703-001",  # 3 digits
        "000.00.12.H13-250703-0000",  # sequence 0
        "000.00.12.H13-250703-00001",  # 5 digits with a leading zero: not canonical
        "000.00.12.H13-25073-0001",
        "000.00.12.H13-2507030-0001",
        "000.00.12.H13_250703_0001",
        "000.00.12.H13 250703 0001",
        "000.00.12.H13-250703-0001-2",
        "000.00.12.H13--250703-0001",
        "-250703-0001",
        "000.00.12.H13-250703-٠٠٠١",  # Arabic-Indic digits
        "000.00.12.Hß-250703-0001",  # "ß".upper() is "SS"
        "000.00.12.H 13-250703-0001",
        "A" * 36 + "-250703-0001",
        "000.00.12.H13-250703-0001; DROP TABLE dossier",
    ],
)
def test_garbage(text: str) -> None:
    with pytest.raises(ValueError, match="^Mã hồ sơ không đúng định dạng"):
        parse_code(text)
    assert not is_valid_code(text)


@pytest.mark.parametrize("value", [None, 123, b"000.00.12.H13-250703-0001"])
def test_not_a_string(value: object) -> None:
    with pytest.raises(ValueError, match="^Mã hồ sơ không đúng định dạng"):
        parse_code(value)  # type: ignore[arg-type]
    assert not is_valid_code(value)  # type: ignore[arg-type]


def test_long_input_is_not_echoed_whole() -> None:
    with pytest.raises(ValueError) as caught:
        parse_code("x" * 10_000)
    assert len(str(caught.value)) < 200


# -- mask_name ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Nguyễn Văn An", "Nguyễn V** A**"),
        ("Đặng Thị Ánh", "Đặng T** Á**"),
        ("Trần Ưng Ẩn Ơn", "Trần Ư** Ẩ** Ơ**"),
        ("Lê", "Lê"),
        ("  Nguyễn   Văn\tAn  ", "Nguyễn V** A**"),
        ("Tôn Nữ Thị Đức", "Tôn N** T** Đ**"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_mask_name(name: str, expected: str) -> None:
    assert mask_name(name) == expected


def test_mask_name_keeps_diacritics_of_decomposed_input() -> None:
    decomposed = unicodedata.normalize("NFD", "Đặng Thị Ánh")
    assert decomposed != "Đặng Thị Ánh"  # really decomposed
    assert mask_name(decomposed) == "Đặng T** Á**"


def test_mask_name_needs_a_string() -> None:
    with pytest.raises(TypeError):
        mask_name(None)  # type: ignore[arg-type]
