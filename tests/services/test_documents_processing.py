"""The processing forms as PDF (templates/documents/: apology, stop_notice, control_slip, result),
rendered by app/services/documents.render_pdf and read back with poppler (pdftotext, pdffonts,
pdfinfo, pdftohtml) as in tests/services/test_documents.py: the exact Vietnamese text, the times
in office time, the serif font, nothing outside the margins.

poppler-utils is required, not optional: without it these tests fail (they never skip). The
small poppler helpers are repeated here rather than imported, so that this file does not depend
on the other test module's internals.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime
from pathlib import Path

from app.services.documents import render_pdf
from tests.pdf_helpers import run, text_of, words, write

UTC = UTC
A4_SHORT_PT = 595.28
A4_LONG_PT = 841.89
MARGIN_LEFT_PT = 30 / 25.4 * 72     # documents.css: @page margin 20mm 15mm 20mm 30mm
MARGIN_RIGHT_PT = 15 / 25.4 * 72

CODE = "000.00.01.H62-260302-0001"
PROCEDURE = {"code": "1.001193", "name": "Đăng ký khai sinh kết hợp đăng ký thường trú"}
APPLICANT = {
    "full_name": "Nguyễn Thị Ánh Tuyết", "id_number": "026186001234",
    "address": "Số 18 đường Nguyễn Tất Thành, Phường Tích Sơn, thành phố Vĩnh Yên, tỉnh Vĩnh Phúc",
    "phone": "0912 345 678", "email": "anh.tuyet.nguyen@example.vn",
}


def common(**changes) -> dict:
    """The keys every form shares (app/services/documents.py), for a dossier received at 09:05
    on 2 March 2026 and due at 17:00 on 23 March 2026 (office time, stored in UTC)."""
    context = {
        "managing_body": "UBND tỉnh Vĩnh Phúc",
        "issuer": "Sở Tư pháp",
        "number": "08/PXL-STP",
        "place": "Vĩnh Phúc",
        "issued_at": datetime(2026, 3, 20, 3, 15, tzinfo=UTC),          # 10:15, 20 March
        "electronic": False,
        "code": CODE,
        "procedure": PROCEDURE,
        "applicant": APPLICANT,
        "received_at": datetime(2026, 3, 2, 2, 5, tzinfo=UTC),         # 09:05 in Vietnam
        "due_at": datetime(2026, 3, 23, 10, 0, tzinfo=UTC),            # 17:00 in Vietnam
    }
    context.update(changes)
    return context


def apology_context(**changes) -> dict:
    context = common(
        agency_name="Sở Tư pháp tỉnh Vĩnh Phúc",
        reason="Cần xác minh thông tin nơi cư trú của người mẹ tại Công an phường Tích Sơn.",
        new_due_at=datetime(2026, 3, 27, 10, 0, tzinfo=UTC),           # 17:00, 27 March
        signer="Trịnh Đức Thắng",
    )
    context.update(changes)
    return context


def stop_context(**changes) -> dict:
    context = common(
        issuer="Trung tâm Phục vụ hành chính công",
        centre="Trung tâm Phục vụ hành chính công tỉnh Vĩnh Phúc",
        number="05/TB-TTPVHCC",
        # 01:30 on 9 March in Vietnam, still 8 March in UTC: the date must be the office date.
        requested_at=datetime(2026, 3, 8, 18, 30, tzinfo=UTC),
        issued_at=datetime(2026, 3, 9, 7, 20, tzinfo=UTC),             # 14:20, 9 March
        reason="Người nộp hồ sơ có đơn đề nghị rút hồ sơ để bổ sung giấy tờ.",
        pickup="Tại Bộ phận Một cửa, Trung tâm Phục vụ hành chính công tỉnh Vĩnh Phúc",
        official={"full_name": "Lê Thị Hường", "phone": "0211 3862 555"},
    )
    context.update(changes)
    return context


STEPS = [
    {"unit": "Phòng Hành chính tư pháp, Sở Tư pháp",
     "given_at": datetime(2026, 3, 2, 3, 0, tzinfo=UTC), "received_at": datetime(2026, 3, 2, 3, 20, tzinfo=UTC),
     "giver": "Lê Thị Hường", "receiver": "Đỗ Mạnh Cường", "result": "early", "note": "Kèm bản điện tử"},
    {"unit": "Công an phường Tích Sơn",
     "given_at": datetime(2026, 3, 9, 1, 45, tzinfo=UTC), "received_at": datetime(2026, 3, 9, 8, 5, tzinfo=UTC),
     "giver": "Đỗ Mạnh Cường", "receiver": "Vũ Thị Thùy Dương", "result": "on_time", "note": "Xác minh cư trú"},
    {"unit": "Trung tâm Phục vụ hành chính công",
     # 23:50 UTC on 23 March is 06:50 on 24 March in Vietnam.
     "given_at": datetime(2026, 3, 23, 23, 50, tzinfo=UTC), "received_at": datetime(2026, 3, 24, 1, 0, tzinfo=UTC),
     "giver": "Hoàng Thị Hồng Nhung", "receiver": "Lê Thị Hường", "result": "late", "note": "Đã gửi Phiếu xin lỗi"},
]


def control_context(**changes) -> dict:
    context = common(
        issuer="Trung tâm Phục vụ hành chính công",
        number="12/PKS-TTPVHCC",
        issued_at=datetime(2026, 3, 2, 2, 10, tzinfo=UTC),
        agency_name="Sở Tư pháp tỉnh Vĩnh Phúc",
        coordinating=["Công an tỉnh Vĩnh Phúc", "Ủy ban nhân dân phường Tích Sơn"],
        steps=STEPS,
    )
    context.update(changes)
    return context


BIRTH_FIELDS = [
    {"label": "Họ, chữ đệm, tên", "value": "Đặng Ngọc Bảo Châu"},
    {"label": "Ngày, tháng, năm sinh", "value": "14/02/2026"},
    {"label": "Giới tính", "value": "Nữ"},
    {"label": "Dân tộc", "value": "Kinh"},
    {"label": "Quốc tịch", "value": "Việt Nam"},
    {"label": "Nơi sinh", "value": "Bệnh viện Sản - Nhi tỉnh Vĩnh Phúc"},
    {"label": "Họ, chữ đệm, tên người mẹ", "value": "Nguyễn Thị Ánh Tuyết"},
    {"label": "Họ, chữ đệm, tên người cha", "value": "Đặng Quốc Khánh"},
]


def result_context(**changes) -> dict:
    context = common(
        number="125/TLKS-STP",
        issued_at=datetime(2026, 3, 16, 8, 0, tzinfo=UTC),            # 15:00, 16 March
        agency_name="Sở Tư pháp tỉnh Vĩnh Phúc",
        result_title="Trích lục khai sinh",
        fields=BIRTH_FIELDS,
        outcome="approved",
        reason=None,
        signer="Trịnh Đức Thắng",
    )
    context.update(changes)
    return context




def cells(pdf: Path) -> list[tuple[int, float, float, str]]:
    """(page, xMin, yMin, text) of every text block poppler finds (pdftotext -bbox-layout): one
    per table cell. A cell's lines are joined by a space, except after a line ending in "/"
    (a break after a slash, not a space: "(Trước hạn/" + "Đúng hạn/Quá hạn)")."""
    found = []
    for page_no, page in enumerate(re.split(r"<page ", run("pdftotext", "-bbox-layout", str(pdf), "-"))[1:], 1):
        for m in re.finditer(r'<block xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>(.*?)</block>', page, re.S):
            text = ""
            for line in re.findall(r"<line [^>]*>(.*?)</line>", m[3], re.S):
                line_text = " ".join(re.findall(r"<word [^>]*>(.*?)</word>", line))
                text += line_text if not text or text.endswith("/") else " " + line_text
            text = unicodedata.normalize("NFC", text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">"))
            found.append((page_no, float(m[1]), float(m[2]), text))
    return found


def bold_texts(pdf: Path) -> list[str]:
    """The runs of bold text (pdftohtml -xml marks them <b>)."""
    xml = run("pdftohtml", "-xml", "-i", "-stdout", "-q", str(pdf))
    return [unicodedata.normalize("NFC", b) for b in re.findall(r"<b>(.*?)</b>", xml)]


def page_sizes(pdf: Path) -> list[tuple[int, int]]:
    """Each page's (width, height) in whole points (A4: 595 x 842)."""
    info = run("pdfinfo", "-f", "1", "-l", "99", str(pdf))
    return [(round(float(w)), round(float(h)))
            for w, h in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", info)]



def assert_liberation_serif(pdf: Path) -> None:
    rows = run("pdffonts", str(pdf)).splitlines()[2:]
    names = [row.split()[0].split("+", 1)[-1] for row in rows]
    assert names, "no font in the PDF"
    assert all(re.match(r"Liberation[- ]?Serif", n) for n in names), names
    assert all(" yes " in f" {row} " for row in rows), rows          # embedded


def assert_within_margins(pdf: Path, page_width: float = A4_SHORT_PT) -> None:
    """No text overflows the left/right margins (2 pt of slack for justified lines)."""
    for page, x0, _y0, x1, _y1, word in words(pdf):
        assert x0 >= MARGIN_LEFT_PT - 2, (page, word, x0)
        assert x1 <= page_width - MARGIN_RIGHT_PT + 2, (page, word, x1)


def assert_all_in(expected: list[str], text: str) -> None:
    missing = [s for s in expected if s not in text]
    assert not missing, f"missing from the PDF text: {missing}\n---\n{text}"


# --- Form 04: apology and new appointment ------------------------------------------------------

def test_apology_prints_form_04(tmp_path):
    pdf = write(tmp_path, "apology", render_pdf("apology", apology_context()))
    text = text_of(pdf)
    assert_all_in([
        "UBND TỈNH VĨNH PHÚC", "SỞ TƯ PHÁP",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
        "Số: 08/PXL-STP", "Vĩnh Phúc, ngày 20 tháng 3 năm 2026",
        "PHIẾU XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT",
        "Kính gửi: Nguyễn Thị Ánh Tuyết",
        # The 2025 form 04 (BM.04 of QĐ 3621/QĐ-BYT) addresses "Ông/Bà/Tổ chức" throughout.
        "Ngày 02 tháng 3 năm 2026, Sở Tư pháp tỉnh Vĩnh Phúc tiếp nhận giải quyết hồ sơ đề nghị giải "
        "quyết thủ tục hành chính Đăng ký khai sinh kết hợp đăng ký thường trú (mã thủ tục 1.001193) "
        f"của Ông/Bà/Tổ chức Nguyễn Thị Ánh Tuyết; số định danh: 026186001234; mã số hồ sơ: {CODE}.",
        "Thời gian hẹn trả kết quả giải quyết hồ sơ: 17 giờ 00 phút, ngày 23/03/2026",
        "Tuy nhiên đến nay, Sở Tư pháp tỉnh Vĩnh Phúc chưa trả kết quả giải quyết hồ sơ của Ông/Bà/Tổ chức "
        "đúng thời hạn quy định ghi trên Giấy tiếp nhận hồ sơ và hẹn trả kết quả.",
        "Lý do: Cần xác minh thông tin nơi cư trú của người mẹ tại Công an phường Tích Sơn.",
        "Sở Tư pháp tỉnh Vĩnh Phúc xin trân trọng gửi lời xin lỗi đến Ông/Bà/Tổ chức vì sự chậm trễ",
        "Sở Tư pháp tỉnh Vĩnh Phúc xin lỗi Ông/Bà/Tổ chức và đề nghị gia hạn thời gian giải quyết; sẽ trả kết "
        "quả giải quyết hồ sơ cho Ông/Bà/Tổ chức vào thời gian sau:",
        "Thời gian hẹn lại trả kết quả giải quyết hồ sơ: 17 giờ 00 phút, ngày 27/03/2026",
        "Mong nhận được sự thông cảm của Ông/Bà/Tổ chức vì sự chậm trễ này./.",
        "THỦ TRƯỞNG CƠ QUAN, ĐƠN VỊ", "(Ký và ghi rõ họ tên)", "Trịnh Đức Thắng",
    ], text)
    # The 2018 title and "Ông (Bà)" are gone; the applicant does not sign it.
    assert "HẸN LẠI NGÀY TRẢ KẾT QUẢ" not in text and "Ông (Bà)" not in text and "NGƯỜI NỘP HỒ SƠ" not in text
    assert "Văn bản điện tử" not in text and "Chữ ký số" not in text
    assert "17 giờ 00 phút, ngày 27/03/2026" in bold_texts(pdf)     # the new time stands out
    assert_liberation_serif(pdf)
    assert_within_margins(pdf)


def test_apology_electronic_and_header_defaults_to_the_agency(tmp_path):
    pdf = write(tmp_path, "apology-e", render_pdf("apology", apology_context(issuer=None, electronic=True)))
    text = text_of(pdf)
    assert_all_in([
        "SỞ TƯ PHÁP TỈNH VĨNH PHÚC",                     # no issuer: the agency heads the form
        "(Chữ ký số của Thủ trưởng cơ quan, đơn vị)",
        "Văn bản điện tử được ký số theo quy định.",
    ], text)
    assert "(Ký và ghi rõ họ tên)" not in text and "None" not in text


def test_apology_values_are_text_never_markup(tmp_path):
    hostile = '<b>Trần Văn Hùng</b> <img src="http://169.254.169.254/latest">'
    pdf = write(tmp_path, "apology-x", render_pdf("apology", apology_context(reason=hostile)))
    assert f"Lý do: {hostile}" in text_of(pdf)


# --- Stop notice -------------------------------------------------------------------------------

def test_stop_notice_prints_the_notice(tmp_path):
    pdf = write(tmp_path, "stop", render_pdf("stop_notice", stop_context()))
    text = text_of(pdf)
    assert_all_in([
        "UBND TỈNH VĨNH PHÚC", "TRUNG TÂM PHỤC VỤ HÀNH", "CHÍNH CÔNG",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
        "Số: 05/TB-TTPVHCC", "Vĩnh Phúc, ngày 09 tháng 3 năm 2026",
        "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ",
        "Kính gửi: Nguyễn Thị Ánh Tuyết",
        "Căn cứ đề nghị rút hồ sơ của Ông (Bà) ngày 09 tháng 3 năm 2026, Trung tâm Phục vụ hành chính "
        "công tỉnh Vĩnh Phúc thông báo dừng giải quyết hồ sơ sau:",
        f"Mã hồ sơ: {CODE}",
        "Nội dung yêu cầu giải quyết: Đăng ký khai sinh kết hợp đăng ký thường trú (mã thủ tục 1.001193)",
        "Người nộp hồ sơ: Nguyễn Thị Ánh Tuyết",
        "Số định danh cá nhân/tổ chức: 026186001234",
        "Thời gian nhận hồ sơ: 09 giờ 05 phút, ngày 02/03/2026",
        "Hồ sơ nêu trên dừng giải quyết kể từ 14 giờ 20 phút, ngày 09/03/2026.",
        "Lý do: Người nộp hồ sơ có đơn đề nghị rút hồ sơ để bổ sung giấy tờ.",
        # The form-01 value "Tại Bộ phận ..." does not give "tại Tại".
        "Hồ sơ được trả lại cho Ông (Bà) tại Bộ phận Một cửa, Trung tâm Phục vụ hành chính công tỉnh "
        "Vĩnh Phúc.",
        "Xin thông báo để Ông (Bà) được biết./.",
        "NGƯỜI TIẾP NHẬN HỒ SƠ", "(Ký và ghi rõ họ tên)", "Lê Thị Hường",
    ], text)
    assert "ngày 08 tháng 3" not in text                 # the office date, not the UTC one
    assert "tại Tại" not in text and "NGƯỜI NỘP HỒ SƠ" not in text
    assert_liberation_serif(pdf)
    assert_within_margins(pdf)


def test_stop_notice_without_reason_or_pickup_and_electronic(tmp_path):
    pdf = write(tmp_path, "stop-e", render_pdf("stop_notice", stop_context(
        reason=None, pickup="Bộ phận Một cửa phường Tích Sơn", electronic=True)))
    text = text_of(pdf)
    assert "Lý do" not in text and "None" not in text
    assert_all_in([
        "Hồ sơ được trả lại cho Ông (Bà) tại Bộ phận Một cửa phường Tích Sơn.",
        "(Chữ ký số của người tiếp nhận hồ sơ)", "Văn bản điện tử được ký số theo quy định.",
    ], text)
    online = text_of(write(tmp_path, "stop-online", render_pdf("stop_notice", stop_context(pickup=None))))
    assert "trả lại" not in online                      # nothing on paper to hand back


# --- Control slip ------------------------------------------------------------------------------

def test_control_slip_prints_one_row_per_hand_off(tmp_path):
    pdf = write(tmp_path, "control", render_pdf("control_slip", control_context()))
    text = text_of(pdf)
    assert_all_in([
        "UBND TỈNH VĨNH PHÚC", "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG",     # one line in landscape
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
        "Số: 12/PKS-TTPVHCC", "Vĩnh Phúc, ngày 02 tháng 3 năm 2026",
        "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
        f"Mã hồ sơ: {CODE}",
        "Cơ quan (bộ phận) giải quyết hồ sơ: Sở Tư pháp tỉnh Vĩnh Phúc",
        "Cơ quan phối hợp giải quyết hồ sơ: Công an tỉnh Vĩnh Phúc; Ủy ban nhân dân phường Tích Sơn",
        "Thời gian nhận hồ sơ: 09 giờ 05 phút, ngày 02/03/2026",
        "Thời gian hẹn trả kết quả: 17 giờ 00 phút, ngày 23/03/2026",
        "Ghi chú: Kết quả giải quyết hồ sơ do bên nhận ghi khi nhận bàn giao hồ sơ.",
    ], text)
    # The column headings, each read back as one cell even where it wraps.
    blocks = cells(pdf)
    texts = [cell for _, _, _, cell in blocks]
    assert_all_in(["STT", "Tên cơ quan/đơn vị", "Thời gian giao, nhận hồ sơ", "Người giao", "Người nhận",
                   "Kết quả giải quyết hồ sơ (Trước hạn/Đúng hạn/Quá hạn)", "Ghi chú"], texts)

    # Each row, cell by cell from left to right: unit, both times in office time, the giver's and
    # the receiver's names, the result, the note. A row runs from its number down to the next.
    rows = {
        "1": ["Phòng Hành chính tư pháp, Sở Tư pháp",
              "Giao: 10 giờ 00 phút, ngày 02/03/2026 Nhận: 10 giờ 20 phút, ngày 02/03/2026",
              "Lê Thị Hường", "Đỗ Mạnh Cường", "Trước hạn", "Kèm bản điện tử"],
        "2": ["Công an phường Tích Sơn",
              "Giao: 08 giờ 45 phút, ngày 09/03/2026 Nhận: 15 giờ 05 phút, ngày 09/03/2026",
              "Đỗ Mạnh Cường", "Vũ Thị Thùy Dương", "Đúng hạn", "Xác minh cư trú"],
        "3": ["Trung tâm Phục vụ hành chính công",
              # 23:50 UTC on 23 March: 06:50 on 24 March in Vietnam.
              "Giao: 06 giờ 50 phút, ngày 24/03/2026 Nhận: 08 giờ 00 phút, ngày 24/03/2026",
              "Hoàng Thị Hồng Nhung", "Lê Thị Hường", "Quá hạn", "Đã gửi Phiếu xin lỗi"],
    }
    stt_x = next(x for _, x, _, cell in blocks if cell == "STT")
    numbers = {cell: y for _, x, y, cell in blocks if cell in rows and x < stt_x + 20}
    assert sorted(numbers) == ["1", "2", "3"], numbers
    end = next(y for _, _, y, cell in blocks if cell.startswith("Ghi chú: Kết quả"))
    tops = sorted(numbers.values()) + [end]
    for number, top in numbers.items():
        bottom = tops[tops.index(top) + 1]
        row = [cell for _, x, y, cell in sorted(blocks, key=lambda b: b[1])
               if top - 1 <= y < bottom - 1 and x > stt_x + 20]
        assert row == rows[number], (number, row)
    # Each classification once in its row and once in the heading, nowhere else.
    for label in ("Trước hạn", "Đúng hạn", "Quá hạn"):
        assert texts.count(label) == 1 and text.count(label) == 2, label
    assert_liberation_serif(pdf)
    assert_within_margins(pdf, page_width=A4_LONG_PT)


def test_control_slip_is_landscape_and_the_other_forms_stay_portrait(tmp_path):
    slip = write(tmp_path, "control", render_pdf("control_slip", control_context()))
    assert page_sizes(slip) == [(842, 595)]                # A4 landscape, in points
    for form, context in (("apology", apology_context()), ("stop_notice", stop_context()),
                          ("result", result_context())):
        assert all(size == (595, 842)
                   for size in page_sizes(write(tmp_path, form, render_pdf(form, context)))), form


def test_control_slip_without_coordination_or_result_yet(tmp_path):
    steps = [dict(STEPS[0], result=None, note=None)]
    pdf = write(tmp_path, "control-open", render_pdf("control_slip", control_context(
        coordinating=[], steps=steps, electronic=True)))
    text = text_of(pdf)
    assert "Cơ quan phối hợp giải quyết hồ sơ:" in text
    assert "None" not in text
    for label in ("Trước hạn", "Đúng hạn", "Quá hạn"):
        assert text.count(label) == 1, label            # the heading only
    assert "Việc lưu vết được thực hiện tự động trên Hệ thống thông tin giải quyết thủ tục hành chính." in text
    assert "Văn bản điện tử được ký số theo quy định." in text


def test_control_slip_long_table_breaks_across_pages_inside_the_margins(tmp_path):
    steps = [dict(STEPS[i % 3], unit=f"Phòng Quản lý hộ tịch, quốc tịch và chứng thực số {i + 1}")
             for i in range(14)]
    pdf = write(tmp_path, "control-long", render_pdf("control_slip", control_context(steps=steps)))
    pages = len(page_sizes(pdf))
    assert pages >= 2
    # The heading row is repeated on every page, and every row is there, in order.
    assert text_of(pdf).count("Quá hạn") == pages + sum(1 for step in steps if step["result"] == "late")
    numbers = [cell for _, x, _, cell in sorted(cells(pdf), key=lambda b: (b[0], b[2]))
               if cell.isdigit() and x < MARGIN_LEFT_PT + 30]
    assert numbers == [str(n) for n in range(1, 15)], numbers
    assert_within_margins(pdf, page_width=A4_LONG_PT)


# --- Result ------------------------------------------------------------------------------------

def test_result_prints_an_approved_result(tmp_path):
    pdf = write(tmp_path, "result", render_pdf("result", result_context()))
    text = text_of(pdf)
    assert_all_in([
        "UBND TỈNH VĨNH PHÚC", "SỞ TƯ PHÁP",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
        "Số: 125/TLKS-STP", "Vĩnh Phúc, ngày 16 tháng 3 năm 2026",
        "KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH",
        "(Bản thể hiện kết quả điện tử; mẫu chính thức của từng loại giấy tờ do cơ quan ban hành)",
        "Cơ quan giải quyết: Sở Tư pháp tỉnh Vĩnh Phúc",
        "Thủ tục hành chính: Đăng ký khai sinh kết hợp đăng ký thường trú (mã thủ tục 1.001193)",
        f"Mã hồ sơ: {CODE}",
        "Tổ chức, cá nhân yêu cầu: Nguyễn Thị Ánh Tuyết",
        "Số định danh cá nhân/tổ chức: 026186001234",
        "Địa chỉ: Số 18 đường Nguyễn Tất Thành, Phường Tích Sơn, thành phố Vĩnh Yên, tỉnh Vĩnh Phúc",
        "Giấy tờ kết quả: Trích lục khai sinh",
        "Nội dung kết quả:",
        "STT Thông tin Nội dung",
        "1 Họ, chữ đệm, tên Đặng Ngọc Bảo Châu",
        "2 Ngày, tháng, năm sinh 14/02/2026",
        "3 Giới tính Nữ",
        "4 Dân tộc Kinh",
        "5 Quốc tịch Việt Nam",
        "6 Nơi sinh Bệnh viện Sản - Nhi tỉnh Vĩnh Phúc",
        "7 Họ, chữ đệm, tên người mẹ Nguyễn Thị Ánh Tuyết",
        "8 Họ, chữ đệm, tên người cha Đặng Quốc Khánh",
        "Kết quả giải quyết: Chấp thuận",
        "THỦ TRƯỞNG CƠ QUAN", "(Ký và ghi rõ họ tên)", "Trịnh Đức Thắng",
    ], text)
    assert "Không chấp thuận" not in text and "Lý do" not in text
    assert "Văn bản điện tử" not in text
    # The disclaimer is in italics (pdftohtml marks italics <i>).
    xml = unicodedata.normalize("NFC", run("pdftohtml", "-xml", "-i", "-stdout", "-q", str(pdf)))
    assert "<i>(Bản thể hiện kết quả điện tử; mẫu chính thức của từng loại giấy tờ do cơ quan ban hành)</i>" in xml
    assert_liberation_serif(pdf)
    assert_within_margins(pdf)


def test_result_prints_a_denial_with_its_reason_electronically(tmp_path):
    reason = "Giấy tờ chứng minh nơi cư trú không hợp lệ theo kết quả xác minh của Công an phường Tích Sơn."
    pdf = write(tmp_path, "result-denied", render_pdf("result", result_context(
        outcome="denied", reason=reason, fields=[], issuer=None, electronic=True)))
    text = text_of(pdf)
    assert_all_in([
        "SỞ TƯ PHÁP TỈNH VĨNH PHÚC",
        "Kết quả giải quyết: Không chấp thuận",
        f"Lý do: {reason}",
        "(Chữ ký số của thủ trưởng cơ quan)",
        "Văn bản điện tử được ký số theo quy định.",
    ], text)
    assert "Kết quả giải quyết: Chấp thuận" not in text
    assert "Nội dung kết quả" not in text and "STT" not in text   # no e-form data: no table
    assert_liberation_serif(pdf)


def test_result_signature_is_never_alone_on_a_page(tmp_path):
    # 16 rows: without the closing block the signature would be alone on page 2.
    fields = [{"label": f"Thông tin bổ sung số {n}", "value": "Nội dung kê khai của người yêu cầu"} for n in range(1,
                                                                                                                   17)]
    pdf = write(tmp_path, "result-long", render_pdf("result", result_context(fields=fields)))
    found = words(pdf)
    assert max(page for page, *_ in found) >= 2
    caption_page = next(page for page, *_, word in found if word == "TRƯỞNG")
    assert caption_page == next(page for page, *_, word in found if word == "Chấp")  # the outcome goes with it
    assert_within_margins(pdf)


def test_long_values_wrap_inside_the_margins(tmp_path):
    long_name = "Ủy ban nhân dân phường Tích Sơn, thành phố Vĩnh Yên, tỉnh Vĩnh Phúc (Bộ phận Một cửa)"
    unbroken = "Giấychứngnhậnquyềnsửdụngđấtquyềnsởhữunhàởvàtàisảnkhácgắnliềnvớiđất"
    changes = dict(managing_body="Ủy ban nhân dân thành phố Vĩnh Yên, tỉnh Vĩnh Phúc",
                   issuer="Bộ phận Tiếp nhận và Trả kết quả, Ủy ban nhân dân phường Tích Sơn",
                   agency_name=long_name, reason=unbroken)
    steps = [dict(STEPS[0], unit=unbroken, giver=long_name, receiver=long_name, note=unbroken)]
    fields = BIRTH_FIELDS + [{"label": unbroken, "value": unbroken + " " + long_name}]
    for form, context, width in (
            ("apology", apology_context(**changes), A4_SHORT_PT),
            ("stop_notice", stop_context(**changes), A4_SHORT_PT),
            ("control_slip", control_context(steps=steps, coordinating=[long_name] * 3, **changes), A4_LONG_PT),
            ("result", result_context(fields=fields, **changes), A4_SHORT_PT)):
        pdf = write(tmp_path, form, render_pdf(form, context))
        assert_within_margins(pdf, page_width=width)
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text_of(pdf), form
