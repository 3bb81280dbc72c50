"""The printed forms as an inspector reads them (issue 10, "Forms"): every PDF is rendered by the
real use cases and read back with pdftotext; each test is named after the rule it pins."""
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from app import numbers
from app.domain.codes import format_reference
from app.domain.procedure_spec import ProcedureFileError, parse_procedure
from app.domain.structure import signing_capacity
from app.domain.text import date_in_words
from app.extensions import db
from app.services import catalogue, control, dossiers, exports, issuing, processing
from app.services.demo import DemoAgency
from app.services.documents import fmt_short
from app.services.storage import path_for
from tests.factories import BIRTH, TICH_SON_DESK, birth_input, run_queued_jobs, submitted_birth
from tests.pdf_helpers import reading_text, text_of, write

UTC = UTC
COMMITTEE = DemoAgency.TICH_SON  # Ủy ban nhân dân phường Tích Sơn: resolves birth registrations
MON = datetime(2027, 2, 1, 2, 0, tzinfo=UTC)   # Monday 1 February 2027, 09:00 in Vietnam


@pytest.fixture
def people(make_user, loaded_catalogue):
    """The applicant, and the phường's desk officer, specialist and chairman (with phones)."""
    staff = {role: make_user(role, TICH_SON_DESK if role == "reception" else COMMITTEE)
             for role in ("reception", "specialist", "leader")}
    # Fixed names: the forms' layout (where a cell wraps) must not depend on how many users
    # earlier tests made ("Người dùng 7" and "Người dùng 1234" wrap differently).
    names = {"reception": "Ngô Văn Bình", "specialist": "Đặng Thị Hạnh", "leader": "Phan Văn Tuấn"}
    for n, (role, user) in enumerate(staff.items()):
        user.phone, user.full_name = f"021138601{n:02d}", names[role]
    db.session.commit()
    return make_user(), staff


def pdf_text(tmp_path, name, document) -> str:
    run_queued_jobs()  # with Redis (CI) the form is rendered by the worker
    db.session.refresh(document)
    return text_of(write(tmp_path, name, path_for(document.sha256).read_bytes()))


def at(hours: float) -> datetime:
    return MON + timedelta(hours=hours)


# --- Control slip -------------------------------------------------------------------------------

def test_control_slip_giao_is_previous_handover_and_nhan_is_this_receipt(people, tmp_path):
    citizen, staff = people
    dossier = submitted_birth(citizen, now=at(-1))
    dossiers.accept(dossier, staff["reception"], now=at(0))
    processing.complete_step(dossier, staff["specialist"], now=at(2))
    rows = control.slip_rows(dossier)
    # Row 1: the desk received the applicant's papers on acceptance.
    assert (rows[0]["giver"], rows[0]["receiver"]) == (dossier.applicant_name, staff["reception"].full_name)
    assert rows[0]["given_at"] == rows[0]["received_at"] == at(0) and rows[0]["result"]
    # Row 2: handed over by the desk officer who completed row 1, at that instant; held and
    # completed by the specialist — the completion (at 2 h) is not its "Nhận".
    assert rows[1]["giver"] == staff["reception"].full_name and rows[1]["receiver"] == staff["specialist"].full_name
    assert rows[1]["given_at"] == rows[1]["received_at"] == at(0) and rows[1]["result"]
    # Row 3: the leader's, open: handed over by the specialist when they finished; no result yet.
    assert rows[2]["giver"] == staff["specialist"].full_name and rows[2]["receiver"] == ""
    assert rows[2]["given_at"] == rows[2]["received_at"] == at(2) and rows[2]["result"] is None

    text = reading_text(write(tmp_path, "slip", control.control_slip_pdf(dossier)))
    assert "Giao: 09 giờ 00 phút, ngày 01/02/2027 Nhận: 09 giờ 00 phút, ngày 01/02/2027" in text
    assert "Giao: 11 giờ 00 phút, ngày 01/02/2027 Nhận: 11 giờ 00 phút, ngày 01/02/2027" in text
    # Two finished hand-offs judged; the heading (repeated on each page) names the three words.
    headings = text.count("(Trước hạn/Đúng hạn/Quá hạn)")
    assert sum(text.count(word) for word in ("Trước hạn", "Đúng hạn", "Quá hạn")) - 3 * headings == 2


def test_control_slip_a_stopped_step_shows_no_result(people, tmp_path):
    citizen, staff = people
    dossier = submitted_birth(citizen, now=at(-1))
    dossiers.accept(dossier, staff["reception"], now=at(0))
    dossiers.request_withdrawal(dossier, citizen, "Nộp nhầm", now=at(1))
    processing.stop(dossier, staff["reception"], now=at(1.5))
    last = dossier.steps[-1]
    assert last.done_at == at(1.5) and last.result is None
    assert control.slip_rows(dossier)[-1]["result"] is None


def test_control_slip_signature_note_only_on_electronic_dossiers_and_paper_gets_room_to_sign(people, tmp_path):
    citizen, staff = people
    online = submitted_birth(citizen, now=at(-1))
    dossiers.accept(online, staff["reception"], now=at(0))
    counter = dossiers.counter_intake(staff["reception"], catalogue.current_version(BIRTH), TICH_SON_DESK, 1,
                                      birth_input(delivery="counter"), now=at(1))
    electronic = text_of(write(tmp_path, "online", control.control_slip_pdf(online)))
    paper = text_of(write(tmp_path, "paper", control.control_slip_pdf(counter)))
    # The hand-offs of an electronic dossier are acknowledged in the system (captions); the slip
    # itself is printed on demand and never signed, so it claims no signature (issue 11).
    assert "(Chữ ký số)" in electronic and "Văn bản điện tử được ký số theo quy định." not in electronic
    assert "Chữ ký số" not in paper and "ký số" not in paper
    # Numbered by the dossier's entry in the desk's book: the receipts' numbers 1 and 2.
    assert "Số: 1/PKS-BPMC" in electronic and "Số: 2/PKS-BPMC" in paper


# --- Register -----------------------------------------------------------------------------------

def test_register_appointment_column_keeps_original_due_date(people, tmp_path):
    citizen, staff = people
    dossier = submitted_birth(citizen, now=at(-1))
    dossiers.accept(dossier, staff["reception"], now=at(0))
    original = dossier.due_at
    dossier.rescheduled_due_at = original + timedelta(days=3)  # an apology's new date
    db.session.commit()
    (row,) = control.register(dossier.receiving_agency, date(2027, 2, 1), date(2027, 2, 1))
    assert row.due_at == original and row.rescheduled_due_at == original + timedelta(days=3)
    table = control.register_table([row])[0]
    columns = control.REGISTER_COLUMNS
    assert table[columns.index("Ngày hẹn trả")] == original
    assert table[columns.index("Ngày hẹn trả mới (xin lỗi)")] == original + timedelta(days=3)
    csv_text = exports.as_csv(columns, [table]).decode("utf-8")
    # birth registration is due at once (Civil Status Law 2014 Art. 16(2)): 17:00 the day received
    new = original + timedelta(days=3)
    assert fmt_short(original) == "17:00 01/02/2027" and fmt_short(original) in csv_text and fmt_short(new) in csv_text
    text = text_of(write(tmp_path, "register", control.register_pdf(dossier.receiving_agency, date(2027, 2, 1),
                                                                     date(2027, 2, 1))))
    assert "01/02/2027 01/02/2027 04/02/2027" in text  # received, original appointment, new date


def test_register_row_numbers_follow_the_book_whatever_period_is_shown(people, tmp_path):
    citizen, staff = people
    made = []
    for day in range(3):  # received Monday, Tuesday, Wednesday: entries 1, 2, 3 of the 2027 book
        dossier = submitted_birth(citizen, now=at(24 * day - 1))
        made.append(dossiers.accept(dossier, staff["reception"], now=at(24 * day)))
    desk = made[0].receiving_agency
    (only,) = control.register(desk, date(2027, 2, 3), date(2027, 2, 3))
    assert only.number == 3 and only.code == made[2].code
    page, rows = control.register_page(desk, date(2027, 2, 1), date(2027, 2, 3), page=2, per_page=1)
    assert [r.number for r in rows] == [2]
    assert control.register_table([only])[0][0] == 3
    receipt = pdf_text(tmp_path, "receipt", made[2].documents[0])
    assert "Quyển số: 2027, Số thứ tự: 3" in receipt
    printed = text_of(write(tmp_path, "register", control.register_pdf(desk, date(2027, 2, 3), date(2027, 2, 3))))
    assert "Số: 2027/STD-BPMC" in printed and f"3 {made[2].code}" in printed


# --- Receipt and form 02 ------------------------------------------------------------------------

def test_receipt_prints_the_sets_of_the_dossier_no_second_tai_and_the_centre_as_written(people, tmp_path):
    _, staff = people
    dossier = dossiers.counter_intake(staff["reception"], catalogue.current_version(BIRTH), TICH_SON_DESK, 1,
                                      birth_input(delivery="counter", sets=3), now=at(0))
    assert dossier.sets == 3
    text = pdf_text(tmp_path, "receipt", dossier.documents[0])
    assert "Số lượng hồ sơ: 03 bộ" in text
    assert "Bộ phận Một cửa phường Tích Sơn tiếp nhận hồ sơ của Ông (Bà)/Tổ chức" in text
    assert "Đăng ký nhận kết quả tại: Bộ phận Một cửa phường Tích Sơn" in text
    assert "tại: Tại" not in text and "Số lượng (bộ)" not in text


@pytest.mark.parametrize("sets", [0, 100, None])
def test_counter_intake_refuses_a_number_of_sets_that_is_not_a_count(people, sets):
    _, staff = people
    with pytest.raises(dossiers.DossierError) as error:
        dossiers.counter_intake(staff["reception"], catalogue.current_version(BIRTH), TICH_SON_DESK, 1,
                                birth_input(delivery="counter", sets=sets))
    assert error.value.fields["sets"] == "Nhập số bộ hồ sơ là số nguyên từ 1 đến 99."
    assert db.session.query(dossiers.Dossier).count() == 0


def test_an_online_dossier_is_one_set(people):
    citizen, _ = people
    assert submitted_birth(citizen).sets == 1


def test_form_02_prints_the_contact_officials_name_and_phone(people, tmp_path):
    citizen, staff = people
    dossier = submitted_birth(citizen, now=at(-1))
    dossiers.request_supplement(dossier, staff["reception"], ["Bản chính giấy chứng sinh"], "Ảnh chụp mờ", now=at(0))
    text = pdf_text(tmp_path, "form02", dossier.documents[-1])
    official = staff["reception"]
    assert f"liên hệ với {official.full_name}, số điện thoại {official.phone} để được hướng dẫn" in text
    # Not received yet: named by its reference, no code.
    assert f"Mã tham chiếu hồ sơ nộp trực tuyến: {dossier.reference}" in text and "Mã hồ sơ" not in text


# --- Result -------------------------------------------------------------------------------------

def resolved_birth(people, outcome="approved", **form):
    citizen, staff = people
    version = catalogue.current_version(BIRTH)
    dossier = dossiers.start_draft(citizen, version, TICH_SON_DESK)
    data = birth_input()
    data.form_data.update(form)
    dossiers.save_draft(dossier, citizen, data, dossier.lock_version)
    dossiers.submit(dossier, citizen, now=at(-1))
    dossiers.accept(dossier, staff["reception"], now=at(0))
    processing.complete_step(dossier, staff["specialist"], now=at(1))
    processing.resolve(dossier, staff["leader"], outcome,
                       "" if outcome == "approved" else "Giấy chứng sinh không hợp lệ",
                       now=at(2))
    return dossier, next(d for d in dossier.documents if d.kind == "result")


def test_result_is_issued_under_the_competent_agency_signed_by_the_deciding_leader(people, tmp_path):
    dossier, result = resolved_birth(people, child_ethnicity="Kinh", child_nationality="Việt Nam",
                                     mother_birth_year="1995.00", father_full_name="Nguyễn Văn An")
    leader = people[1]["leader"]
    text = pdf_text(tmp_path, "result", result)
    # The phường's People's Committee, not its one-stop desk, heads it; its chairman signs.
    header = text[:text.index("Số:")]
    assert header.startswith("ỦY BAN NHÂN DÂN PHƯỜNG") and "TÍCH SƠN" in header and "BỘ PHẬN MỘT CỬA" not in text
    assert f"TM. ỦY BAN NHÂN DÂN CHỦ TỊCH (Chữ ký số của thủ trưởng cơ quan) {leader.full_name}" in text
    assert result.issued_by_id == leader.id and result.agency.code == COMMITTEE


def test_birth_registration_result_looks_like_a_birth_extract(people, tmp_path):
    dossier, result = resolved_birth(people, child_ethnicity="Kinh", child_nationality="Việt Nam",
                                     mother_birth_year="1995.00", father_full_name="Nguyễn Văn An")
    assert issuing.template_of(result) == "result_birth_extract"
    text = pdf_text(tmp_path, "extract", result)
    for expected in ("TRÍCH LỤC KHAI SINH", "Họ, chữ đệm, tên: NGUYỄN MINH KHÔI",
                     "Ngày, tháng, năm sinh: 20/11/2025",
                     "ghi bằng chữ: Ngày hai mươi, tháng mười một, năm hai nghìn không trăm hai mươi lăm",
                     "Giới tính: Nam", "Dân tộc: Kinh", "Quốc tịch: Việt Nam",
                     "Nơi sinh: Bệnh viện Sản Nhi tỉnh Vĩnh Phúc",
                     "Họ, chữ đệm, tên người mẹ: TRẦN THỊ BÌNH", "Năm sinh: 1995",
                     "Họ, chữ đệm, tên người cha: NGUYỄN VĂN AN",
                     "Nơi đăng ký khai sinh: Ủy ban nhân dân phường Tích Sơn",
                     "Ngày, tháng, năm đăng ký: 01/02/2027", f"Mã hồ sơ: {dossier.code}"):
        assert expected in text, expected
    assert "2025-11-20" not in text and "1995.00" not in text and "KẾT QUẢ GIẢI QUYẾT THỦ TỤC" not in text


def test_a_denied_result_uses_the_generic_page_with_dates_and_counts_as_people_write_them(people, tmp_path):
    _, result = resolved_birth(people, outcome="denied", copies_requested="2.00")
    assert issuing.template_of(result) == "result"
    text = pdf_text(tmp_path, "denied", result)
    assert "KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH" in text and "Không chấp thuận" in text
    assert "Ngày, tháng, năm sinh 20/11/2025" in text and "Số bản sao Giấy khai sinh đề 2 nghị cấp" in text
    assert "2025-11-20" not in text and "2.00" not in text


def test_numbers_on_forms_are_integers_or_vietnamese_decimals():
    assert numbers.exact(Decimal("2.00")) == "2" and numbers.exact("15") == "15" and numbers.exact(1995) == "1995"
    assert numbers.exact(Decimal("0.50")) == "0,5" and numbers.exact(Decimal("0.125")) == "0,125"


def test_signing_capacity_follows_the_kind_of_agency():
    assert signing_capacity("committee", "commune") == ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH")
    assert signing_capacity("department", "province") == (None, "GIÁM ĐỐC")
    assert signing_capacity("department", "district") == (None, "TRƯỞNG PHÒNG")


def test_dates_of_birth_in_words():
    assert date_in_words(date(2005, 1, 15)) == "Ngày mười lăm, tháng một, năm hai nghìn không trăm linh năm"
    assert date_in_words(date(2021, 12,
                              31)) == "Ngày ba mươi mốt, tháng mười hai, năm hai nghìn không trăm hai mươi mốt"
    assert date_in_words(date(2000, 10, 10)) == "Ngày mười, tháng mười, năm hai nghìn"


def test_procedure_file_result_template_must_name_an_existing_layout():
    text = (catalogue_folder() / "1.001193-dang-ky-khai-sinh.yaml").read_text(encoding="utf-8")
    assert parse_procedure(text, "khai-sinh.yaml").result_template == "birth_extract"
    without = parse_procedure(text.replace("result_template: birth_extract\n", ""), "khai-sinh.yaml")
    assert without.result_template is None  # the generic page
    with pytest.raises(ProcedureFileError) as error:
        parse_procedure(text.replace("result_template: birth_extract", "result_template: marriage"), "khai-sinh.yaml")
    assert "result_template" in str(error.value) and "no result layout 'marriage'" in str(error.value)


def catalogue_folder():
    from app.config import ROOT

    return ROOT / "procedures"


def test_reference_shape():
    assert format_reference(date(2026, 3, 2), 7) == "TC-260302-000007"
