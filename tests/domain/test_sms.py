"""SMS lengths (3GPP TS 23.038 / 23.040) and the status SMS, whose longest form stays within
three UCS-2 parts (201 characters: a project rule, domain/sms.py)."""
from app.domain import sms
from app.domain.workflow import STATUS_TABLE


def test_gsm7_counts_septets_and_ucs2_code_units():
    assert sms.encoding("Ho so 1.2 da tiep nhan") == "gsm7"
    assert sms.length("a€b") == 4                         # € is in the extension table: two septets
    assert sms.encoding("Hồ sơ") == "ucs2" and sms.length("Hồ sơ") == 5


def test_parts_are_160_or_153_gsm7_and_70_or_67_ucs2():
    assert sms.segments("a" * 160) == 1 and sms.segments("a" * 161) == 2 and sms.segments("a" * 307) == 3
    assert sms.segments("ồ" * 70) == 1 and sms.segments("ồ" * 71) == 2 and sms.segments("ồ" * 201) == 3
    assert sms.segments("ồ" * 202) == 4


def test_the_longest_status_sms_fits_three_ucs2_parts():
    code = "000.00.23.H56-261203-0001"                    # the national code's full length (TT 01/2018)
    link = "https://dichvucong.vinhphuc.gov.vn/tra-cuu?ma=000.00.23.H56-261203-0001&k=" + "x" * 22
    longest = max((info.citizen_label for info in STATUS_TABLE), key=len)
    text = sms.status_text(code, longest, link)
    assert sms.encoding(text) == "ucs2"
    assert sms.length(text) <= 3 * 67 == 201 and sms.segments(text) <= sms.MAX_SEGMENTS
    assert code in text and longest in text and link in text
    assert sms.status_text("mã tham chiếu R-1", "Đã gửi, chờ tiếp nhận", None).endswith("chờ tiếp nhận.")
