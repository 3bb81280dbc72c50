"""SMS lengths (3GPP TS 23.038 / 23.040), the three-part limit of a notice (201 UCS-2 characters: a
project rule, domain/sms.py; each kind's text is checked in tests/services/test_notices.py), and
phone numbers in international form (Zalo ZNS)."""
from app.domain import sms


def test_gsm7_counts_septets_and_ucs2_code_units():
    assert sms.encoding("Ho so 1.2 da tiep nhan") == "gsm7"
    assert sms.length("a€b") == 4                         # € is in the extension table: two septets
    assert sms.encoding("Hồ sơ") == "ucs2" and sms.length("Hồ sơ") == 5


def test_parts_are_160_or_153_gsm7_and_70_or_67_ucs2():
    assert sms.segments("a" * 160) == 1 and sms.segments("a" * 161) == 2 and sms.segments("a" * 307) == 3
    assert sms.segments("ồ" * 70) == 1 and sms.segments("ồ" * 71) == 2 and sms.segments("ồ" * 201) == 3
    assert sms.segments("ồ" * 202) == 4


def test_phones_in_international_form_digits_only():
    for written in ("0912345678", "0912 345 678", "+84 912 345 678", "+84912345678", "0084912345678",
                    "84912345678", "091.234.5678", "912345678"):
        assert sms.international(written) == "84912345678", written
    assert sms.international("024 3825 1234") == "842438251234"      # a Hà Nội landline
    assert sms.international("+44 20 7946 0958") == "442079460958"   # a foreign number keeps its country
    for nothing in (None, "", "   ", "abc", "12345", "0912 34", "+84 12"):
        assert sms.international(nothing) is None, nothing


def test_a_notice_fits_three_parts():
    assert sms.fits("ồ" * 201) and not sms.fits("ồ" * 202)
    assert sms.fits("a" * 459) and not sms.fits("a" * 460)
