"""The official forms as PDF (app/services/documents.py): rendered with WeasyPrint, then read
back with poppler (pdftotext, pdffonts, pdftoppm) to check what a citizen actually gets: the
exact Vietnamese text, a serif font with Vietnamese coverage, nothing outside the margins, and a
QR code that really encodes the lookup URL.

poppler-utils is required, not optional: without it these tests fail (they never skip).
"""
from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import unquote

import pytest
import segno

from app.services import documents
from app.services.documents import fmt_date, fmt_time, qr_svg_data_uri, render_pdf
from tests.pdf_helpers import run, text_of, words, write

UTC = UTC
LOOKUP_URL = "http://localhost/tra-cuu/000.00.01.H62-260302-0001"
A4_WIDTH_PT = 595.28
MARGIN_LEFT_PT = 30 / 25.4 * 72     # documents.css: @page margin 20mm 15mm 20mm 30mm
MARGIN_RIGHT_PT = 15 / 25.4 * 72

PAPERS = [
    {"name": "Tờ khai đăng ký khai sinh", "copy": "Bản chính", "count": 1},
    {"name": "Giấy chứng sinh do cơ sở y tế cấp", "copy": "Bản chính", "count": 1},
    {"name": "Văn bản ủy quyền có chứng thực", "copy": "Bản sao", "count": 1},
    {"name": "Giấy tờ chứng minh nơi cư trú hợp pháp", "copy": "Bản sao có chứng thực", "count": 2},
]


def full_context(**changes) -> dict:
    context = {
        "managing_body": "UBND tỉnh Vĩnh Phúc",
        "issuer": "Trung tâm Phục vụ hành chính công",
        "centre": "Trung tâm Phục vụ hành chính công tỉnh Vĩnh Phúc",
        "number": "12/PTN-TTPVHCC",
        "place": "Vĩnh Phúc",
        # 01:30 on 2 March in Vietnam: the date line must use office time, not UTC (1 March).
        "issued_at": datetime(2026, 3, 1, 18, 30, tzinfo=UTC),
        "electronic": False,
        "code": "000.00.01.H62-260302-0001",
        "procedure": {"code": "1.001193", "name": "Đăng ký khai sinh kết hợp đăng ký thường trú"},
        "applicant": {
            "full_name": "Nguyễn Thị Ánh Tuyết", "id_number": "026186001234",
            "address": "Số 18 đường Nguyễn Tất Thành, Phường Tích Sơn, thành phố Vĩnh Yên, tỉnh Vĩnh Phúc",
            "phone": "0912 345 678", "email": "anh.tuyet.nguyen@example.vn",
        },
        "represented": {
            "full_name": "Đặng Quốc Khánh", "id_number": "026090004321",
            "address": "Thôn Đồng Thịnh, xã Định Trung, thành phố Vĩnh Yên",
            "phone": "0987 654 321", "email": "khanh.dq@example.vn",
            "authorisation": "Văn bản ủy quyền số 45/2026/UQ ngày 25/02/2026",
        },
        "documents": PAPERS,
        "sets": 1,
        "processing_time": "15 ngày làm việc",
        "received_at": datetime(2026, 3, 2, 2, 5, tzinfo=UTC),     # 09:05 in Vietnam
        "due_at": datetime(2026, 3, 23, 10, 0, tzinfo=UTC),        # 17:00 in Vietnam
        "pickup": "Tại Bộ phận Một cửa, Trung tâm Phục vụ hành chính công tỉnh Vĩnh Phúc",
        "register": {"book": "01", "entry": 12},
        "official": {"full_name": "Lê Thị Hường", "phone": "0211 3862 555"},
        "lookup_url": LOOKUP_URL,
        "qr": None,
        "items": [
            "Bổ sung bản sao có chứng thực Giấy chứng sinh của trẻ",
            "Bổ sung văn bản ủy quyền có chứng thực chữ ký của người ủy quyền",
        ],
        "reason": "Hồ sơ chưa có đủ giấy tờ theo quy định tại Điều 16 Luật Hộ tịch.",
        "reasons": [
            "Thủ tục không thuộc thẩm quyền giải quyết của Trung tâm",
            "Người nộp hồ sơ không xuất trình được văn bản ủy quyền hợp lệ",
        ],
    }
    context.update(changes)
    return context





def assert_serif_fonts(pdf: Path) -> list[str]:
    rows = run("pdffonts", str(pdf)).splitlines()[2:]
    names = [row.split()[0].split("+", 1)[-1] for row in rows]
    assert names, "no font in the PDF"
    # Every embedded face is a Vietnamese-complete serif: no fallback to a sans face.
    assert all(re.match(r"(Liberation[- ]?Serif|DejaVu[- ]?Serif)", n) for n in names), names
    assert all(" yes " in f" {row} " for row in rows), rows          # embedded
    return names


def assert_within_margins(pdf: Path) -> None:
    """No text overflows the page's left/right margins (page numbers sit in the top margin).

    2 pt of slack: WeasyPrint's justified lines may end up to about 1 pt past the right edge."""
    for page, x0, _y0, x1, _y1, word in words(pdf):
        assert x0 >= MARGIN_LEFT_PT - 2, (page, word, x0)
        assert x1 <= A4_WIDTH_PT - MARGIN_RIGHT_PT + 2, (page, word, x1)


def gray_page(pdf: Path, page: int, dpi: int, tmp_path: Path) -> tuple[int, int, bytes]:
    """Page `page` as 8-bit gray pixels (PGM) from pdftoppm."""
    prefix = tmp_path / f"page{page}"
    run("pdftoppm", "-gray", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile", str(pdf), str(prefix))
    data = prefix.with_suffix(".pgm").read_bytes()
    m = re.match(rb"P5\s+(\d+)\s+(\d+)\s+(\d+)\s", data)
    assert m and m[3] == b"255"
    width, height = int(m[1]), int(m[2])
    return width, height, data[m.end():]


def read_qr_matrix(pdf: Path, tmp_path: Path, size: int) -> list[list[int]]:
    """The printed QR symbol, sampled module by module from a 200 dpi raster.

    The symbol is the dark area just left of the caption "Quét mã ...": from the caption's
    height, grow up and down until a white band as tall as two modules (its quiet zone is
    four), then take the dark columns of those rows."""
    caption = [w for w in words(pdf) if w[5] == "Quét"]
    assert caption, "QR caption not found"
    page, cx, cy, _, _, _ = caption[0]
    dpi = 200
    scale = dpi / 72
    width, height, pixels = gray_page(pdf, page, dpi, tmp_path)
    band = range(int((cx - 110) * scale), int((cx - 2) * scale))
    gap = int(2 * 0.6 * scale * 72 / 25.4)        # two modules of at least 0.6 mm

    def dark_row(y: int) -> bool:
        return any(pixels[y * width + x] < 128 for x in band)

    def grow(y: int, step: int) -> int:
        last, white = y, 0
        while 0 <= y + step < height and white < gap:
            y += step
            if dark_row(y):
                last, white = y, 0
            else:
                white += 1
        return last

    middle = int(cy * scale)
    assert dark_row(middle), "no QR code drawn left of its caption"
    top, bottom = grow(middle, -1), grow(middle, 1)
    dark_x = [x for y in range(top, bottom + 1) for x in band if pixels[y * width + x] < 128]
    left, right = min(dark_x), max(dark_x)
    module_w, module_h = (right - left + 1) / size, (bottom - top + 1) / size
    assert abs(module_w - module_h) < 0.5 and module_w >= 3, (module_w, module_h)
    return [[1 if pixels[int(top + (r + 0.5) * module_h) * width + int(left + (c + 0.5) * module_w)] < 128 else 0
             for c in range(size)] for r in range(size)]


# --- QR and formatting helpers -----------------------------------------------------------------

def test_qr_svg_data_uri_is_an_svg_qr_code_of_the_url_at_level_m():
    uri = qr_svg_data_uri(LOOKUP_URL)
    assert uri.startswith("data:image/svg+xml")
    svg = unquote(uri.split(",", 1)[1])
    assert "<svg" in svg and "<path" in svg and "viewBox" in svg
    assert uri == segno.make(LOOKUP_URL, error="m").svg_data_uri(omitsize=True, border=4)
    assert uri != segno.make(LOOKUP_URL, error="l", boost_error=False).svg_data_uri(omitsize=True, border=4)
    with pytest.raises(ValueError):
        qr_svg_data_uri("")


def test_time_and_date_formats_are_in_office_time():
    assert fmt_time(datetime(2026, 3, 2, 2, 5, tzinfo=UTC)) == "09 giờ 05 phút, ngày 02/03/2026"
    assert fmt_time(datetime(2026, 12, 31, 17, 30, tzinfo=UTC)) == "00 giờ 30 phút, ngày 01/01/2027"
    assert fmt_time(None) == ""
    # Decree 30/2020: a leading zero for days below 10 and for the months 1 and 2 only.
    assert fmt_date(datetime(2026, 3, 1, 18, 30, tzinfo=UTC)) == "ngày 02 tháng 3 năm 2026"
    assert fmt_date(datetime(2026, 2, 5, 3, 0, tzinfo=timezone(timedelta(hours=7)))) == "ngày 05 tháng 02 năm 2026"
    assert fmt_date(date(2026, 11, 20)) == "ngày 20 tháng 11 năm 2026"
    with pytest.raises(ValueError, match="timezone-aware"):
        fmt_time(datetime(2026, 3, 2, 9, 5))
    with pytest.raises(ValueError, match="timezone-aware"):
        fmt_date(datetime(2026, 3, 2, 9, 5))


# --- Form 01 -----------------------------------------------------------------------------------

NATIONAL_HEADER = [
    "UBND TỈNH VĨNH PHÚC",
    "TRUNG TÂM PHỤC VỤ HÀNH",          # the issuer wraps in its column; both halves are there
    "CHÍNH CÔNG",
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "Số: 12/PTN-TTPVHCC",
    "Vĩnh Phúc, ngày 02 tháng 3 năm 2026",
]


def test_receipt_prints_every_field_of_form_01(tmp_path):
    pdf = write(tmp_path, "receipt", render_pdf("receipt", full_context()))
    text = text_of(pdf)
    expected = NATIONAL_HEADER + [
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        "Mã hồ sơ: 000.00.01.H62-260302-0001",
        "Trung tâm Phục vụ hành chính công tỉnh Vĩnh Phúc tiếp nhận hồ sơ của Ông (Bà)/Tổ chức: Nguyễn Thị Ánh Tuyết",
        "Số định danh cá nhân/tổ chức: 026186001234",
        "Địa chỉ: Số 18 đường Nguyễn Tất Thành, Phường Tích Sơn, thành phố Vĩnh Yên, tỉnh Vĩnh Phúc",
        "Số điện thoại: 0912 345 678", "Email: anh.tuyet.nguyen@example.vn",
        "Thông tin người ủy quyền:",
        "Họ và tên: Đặng Quốc Khánh",
        "Số định danh cá nhân/tổ chức: 026090004321",
        "Địa chỉ: Thôn Đồng Thịnh, xã Định Trung, thành phố Vĩnh Yên",
        "Số điện thoại: 0987 654 321", "Email: khanh.dq@example.vn",
        "Giấy tờ ủy quyền: Văn bản ủy quyền số 45/2026/UQ ngày 25/02/2026",
        "Nội dung yêu cầu giải quyết: Đăng ký khai sinh kết hợp đăng ký thường trú (mã thủ tục 1.001193)",
        "Thành phần hồ sơ nộp gồm:",
        "STT Tên giấy tờ Hình thức Số lượng",
        "1 Tờ khai đăng ký khai sinh Bản chính 1",
        "2 Giấy chứng sinh do cơ sở y tế cấp Bản chính 1",
        "3 Văn bản ủy quyền có chứng thực Bản sao 1",
        "4 Giấy tờ chứng minh nơi cư trú hợp pháp Bản sao có chứng thực 2",
        "Số lượng hồ sơ: 01 bộ",
        "Thời gian giải quyết hồ sơ theo quy định là: 15 ngày làm việc",
        "Thời gian nhận hồ sơ: 09 giờ 05 phút, ngày 02/03/2026",
        "Thời gian trả kết quả giải quyết hồ sơ: 17 giờ 00 phút, ngày 23/03/2026",
        "Đăng ký nhận kết quả tại: Tại Bộ phận Một cửa, Trung tâm Phục vụ hành chính công tỉnh Vĩnh Phúc",
        "Vào Sổ theo dõi hồ sơ, Quyển số: 01, Số thứ tự: 12",
        "Quét mã để tra cứu tình trạng hồ sơ",
        LOOKUP_URL,
        "NGƯỜI NỘP HỒ SƠ", "NGƯỜI TIẾP NHẬN HỒ SƠ", "(Ký và ghi rõ họ tên)",
        "Nguyễn Thị Ánh Tuyết", "Lê Thị Hường",
    ]
    missing = [s for s in expected if s not in text]
    assert not missing, f"missing from the PDF text: {missing}\n---\n{text}"
    assert "Văn bản điện tử" not in text and "Chữ ký số" not in text    # a paper form
    assert_serif_fonts(pdf)
    assert_within_margins(pdf)


def test_receipt_qr_code_encodes_the_lookup_url(tmp_path):
    pdf = write(tmp_path, "receipt", render_pdf("receipt", full_context()))
    qr = segno.make(LOOKUP_URL, error="m")
    size = qr.symbol_size(scale=1, border=0)[0]
    assert read_qr_matrix(pdf, tmp_path, size) == [list(row) for row in qr.matrix]


def test_receipt_without_representative_and_electronic(tmp_path):
    context = full_context(represented=None, electronic=True, qr=qr_svg_data_uri(LOOKUP_URL),
                           applicant={**full_context()["applicant"], "email": None})
    pdf = write(tmp_path, "receipt-e", render_pdf("receipt", context))
    text = text_of(pdf)
    assert "người ủy quyền" not in text and "Đặng Quốc Khánh" not in text
    assert "Văn bản điện tử được ký số theo quy định." in text
    assert "(Chữ ký số của người tiếp nhận hồ sơ)" in text
    assert "Email:" in text and "None" not in text
    assert "Quét mã để tra cứu tình trạng hồ sơ" in text


def test_receipt_field_values_are_text_never_markup_or_fetched(tmp_path):
    hostile = '<img src="http://169.254.169.254/latest"> <b>Trần Văn Hùng</b>'
    pdf = write(tmp_path, "escaped", render_pdf("receipt", full_context(
        applicant={**full_context()["applicant"], "full_name": hostile})))
    assert '<img src="http://169.254.169.254/latest"> <b>Trần Văn Hùng</b>' in text_of(pdf)
    # The renderer reads only data: URIs and files of templates/documents, never the network.
    fetcher = documents._local_fetcher(documents._documents_folder())
    for url in ("http://169.254.169.254/latest", "file:///etc/passwd",
                documents._documents_folder().as_uri() + "/../base.html"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    with pytest.raises(ValueError):
        render_pdf("../base", full_context())
    with pytest.raises(ValueError):
        render_pdf("base", full_context())


def test_long_values_wrap_inside_the_margins(tmp_path):
    long_email = "nguyen.thi.anh.tuyet.phuong.tich.son.vinh.yen.vinh.phuc@example-ten-mien-rat-dai.gov.vn"
    context = full_context(
        managing_body="Ủy ban nhân dân thành phố Vĩnh Yên, tỉnh Vĩnh Phúc",
        issuer="Bộ phận Tiếp nhận và Trả kết quả, Ủy ban nhân dân phường Tích Sơn",
        applicant={**full_context()["applicant"], "email": long_email},
        documents=PAPERS + [{"name": "Giấychứngnhậnquyềnsửdụngđấtquyềnsởhữunhàởvàtàisảnkhácgắnliềnvớiđất",
                             "copy": "Bản sao", "count": 1}],
        lookup_url=LOOKUP_URL + "?ma=" + "x" * 60,
    )
    for form in ("receipt", "supplement_request", "refusal"):
        pdf = write(tmp_path, form, render_pdf(form, context))
        assert_within_margins(pdf)
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text_of(pdf)


# --- Form 02 -----------------------------------------------------------------------------------

def test_supplement_request_prints_form_02(tmp_path):
    context = full_context(number="07/PBS-TTPVHCC", code=None)
    pdf = write(tmp_path, "supplement", render_pdf("supplement_request", context))
    text = text_of(pdf)
    expected = [h for h in NATIONAL_HEADER if not h.startswith("Số:")] + [
        "Số: 07/PBS-TTPVHCC",
        "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
        "Hồ sơ của: Nguyễn Thị Ánh Tuyết",
        "Nội dung yêu cầu giải quyết: Đăng ký khai sinh kết hợp đăng ký thường trú",
        "Địa chỉ: Số 18 đường Nguyễn Tất Thành, Phường Tích Sơn, thành phố Vĩnh Yên, tỉnh Vĩnh Phúc",
        "Số điện thoại: 0912 345 678", "Email: anh.tuyet.nguyen@example.vn",
        "Yêu cầu hoàn thiện hồ sơ gồm những nội dung sau:",
        "1. Bổ sung bản sao có chứng thực Giấy chứng sinh của trẻ",
        "2. Bổ sung văn bản ủy quyền có chứng thực chữ ký của người ủy quyền",
        "Lý do: Hồ sơ chưa có đủ giấy tờ theo quy định tại Điều 16 Luật Hộ tịch.",
        "Ông/Bà liên hệ với Lê Thị Hường, số điện thoại 0211 3862 555 để được hướng dẫn./.",
        "NGƯỜI HƯỚNG DẪN", "(Ký và ghi rõ họ tên)",
    ]
    missing = [s for s in expected if s not in text]
    assert not missing, f"missing from the PDF text: {missing}\n---\n{text}"
    assert "Mã hồ sơ" not in text                      # no code yet: the line is left out
    assert "NGƯỜI NỘP HỒ SƠ" not in text               # only the guiding official signs
    assert_serif_fonts(pdf)
    assert_within_margins(pdf)

    with_code = text_of(write(tmp_path, "supplement-code", render_pdf(
        "supplement_request", full_context(code="000.00.01.H62-260302-0001", electronic=True))))
    assert "Mã hồ sơ: 000.00.01.H62-260302-0001" in with_code
    assert "(Chữ ký số của người hướng dẫn)" in with_code
    assert "Văn bản điện tử được ký số theo quy định." in with_code


# --- Form 03 -----------------------------------------------------------------------------------

def test_refusal_prints_form_03(tmp_path):
    context = full_context(number="03/PTC-TTPVHCC")
    pdf = write(tmp_path, "refusal", render_pdf("refusal", context))
    text = text_of(pdf)
    expected = [h for h in NATIONAL_HEADER if not h.startswith("Số:")] + [
        "Số: 03/PTC-TTPVHCC",
        "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
        "Trung tâm Phục vụ hành chính công tỉnh Vĩnh Phúc",
        "Tiếp nhận hồ sơ của: Nguyễn Thị Ánh Tuyết",
        "Số định danh cá nhân/tổ chức: 026186001234",
        "Địa chỉ: Số 18 đường Nguyễn Tất Thành, Phường Tích Sơn, thành phố Vĩnh Yên, tỉnh Vĩnh Phúc",
        "Số điện thoại: 0912 345 678", "Email: anh.tuyet.nguyen@example.vn",
        "Mã hồ sơ: 000.00.01.H62-260302-0001",
        "Nội dung yêu cầu giải quyết: Đăng ký khai sinh kết hợp đăng ký thường trú",
        "thông báo không tiếp nhận, giải quyết hồ sơ này với lý do cụ thể như sau:",
        "1. Thủ tục không thuộc thẩm quyền giải quyết của Trung tâm",
        "2. Người nộp hồ sơ không xuất trình được văn bản ủy quyền hợp lệ",
        "Xin thông báo cho Ông/Bà được biết và thực hiện./.",
        "NGƯỜI NỘP HỒ SƠ", "NGƯỜI TIẾP NHẬN HỒ SƠ", "Nguyễn Thị Ánh Tuyết", "Lê Thị Hường",
    ]
    missing = [s for s in expected if s not in text]
    assert not missing, f"missing from the PDF text: {missing}\n---\n{text}"
    assert_serif_fonts(pdf)
    assert_within_margins(pdf)

    # Refused before a code was given: the "Mã hồ sơ (nếu có)" line is left out.
    no_code = text_of(write(tmp_path, "refusal-nocode", render_pdf("refusal", full_context(code=None))))
    assert "Mã hồ sơ" not in no_code
