"""Agency identifiers as QĐ 20/2020/QĐ-TTg structures them (app/domain/structure.py)."""
import pytest

from app.domain.structure import agency_code_depth, agency_code_problem
from app.services.structure import _province_data, agency_rows


@pytest.mark.parametrize("code, depth", [
    ("000.00.00.H62", 1), ("000.00.02.H62", 2), ("000.10.21.H62", 3), ("001.10.21.H62", 4), ("000.00.00.G01", 1),
])
def test_depth_of_well_formed_codes(code, depth):
    assert agency_code_depth(code) == depth


@pytest.mark.parametrize("code", [
    "000.05.00.H62",    # level 3 without level 2
    "001.00.21.H62",    # level 4 without level 3
    "00.00.00.H62", "000.0.00.H62", "000.00.00.62", "000.00.00.h62", "000.00.00.HH2", "000.00.H62", "A00.00.00.H62",
])
def test_malformed_codes_have_no_depth(code):
    assert agency_code_depth(code) is None


def test_every_demo_agency_code_fits_its_parent():
    rows = agency_rows(_province_data())
    levels = {"26": "province"}
    for row in rows:
        level = levels.get(row.unit_code, "district" if len(row.unit_code) == 3 else "commune")
        assert agency_code_problem(row.code, level, row.parent_code) is None, row.code


@pytest.mark.parametrize("code, level, parent, words", [
    ("", "commune", "000.10.21.H62", "Vui lòng nhập"),
    ("000.00.00." + "H62" * 10, "province", None, "tối đa 35 ký tự"),
    ("1.2.3", "commune", "000.10.21.H62", "V1V2V3.Z1Z2.Y1Y2.M1X1X2"),
    ("000.05.00.H62", "district", "000.00.00.H62", "cấp trên"),
    ("000.00.21.H62", "district", None, "không có cơ quan cấp trên"),
    ("000.00.00.H62", "commune", None, "không có cơ quan cấp trên"),
    ("000.12.21.H62", "commune", "000.00.00.H62", "phải có mã cấp 2"),
    ("000.00.21.H62", "district", "000.00.21.H62", "phải có mã cấp 3"),
    ("000.12.22.H62", "commune", "000.00.21.H62", "giữ phần mã của cơ quan cấp trên"),
    ("000.00.21.H01", "district", "000.00.00.H62", "giữ phần mã"),
    ("002.11.21.H62", "commune", "000.10.21.H62", "giữ phần mã"),
    ("001.10.21.H62", "commune", "001.10.21.H62", "cấp cuối"),
    ("000.10.21.H62", "commune", "bad", "cơ quan cấp trên không đúng"),
])
def test_problems_are_named(code, level, parent, words):
    problem = agency_code_problem(code, level, parent)
    assert problem is not None and words in problem


def test_right_codes_have_no_problem():
    assert agency_code_problem("000.00.00.H62", "province", None) is None
    assert agency_code_problem(" 000.12.21.H62 ", "commune", "000.00.21.H62") is None
    assert agency_code_problem("002.10.21.H62", "commune", "000.10.21.H62") is None
