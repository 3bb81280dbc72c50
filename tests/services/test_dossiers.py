"""Intake use cases: draft, submit, accept, one supplement request, refuse, counter intake."""
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.domain import codes
from app.extensions import db
from app.models import Dossier, DossierEvent, IssuedDocument, OutboxMessage
from app.services import catalogue, dossiers
from app.services.demo import DemoAgency
from app.services.dossiers import Applicant
from app.services.storage import path_for
from tests.factories import (
    BIRTH,
    EXE,
    PDF,
    TICH_SON_DESK,
    birth_input,
    submitted_birth,
    upload,
)
from tests.pdf_helpers import text_of, write


@pytest.fixture
def citizen(make_user, loaded_catalogue):
    return make_user()


@pytest.fixture
def reception(make_user):
    return make_user("reception", TICH_SON_DESK)


def test_draft_is_prefilled_from_the_account_and_saved_without_checks(citizen):
    version = catalogue.current_version(BIRTH)
    dossier = dossiers.start_draft(citizen, version, TICH_SON_DESK)
    assert dossier.status == "draft" and dossier.code is None and dossier.channel == 2
    assert dossier.applicant_name == citizen.full_name and dossier.applicant_email == citizen.email
    half = birth_input(form_data={"child_full_name": "Nguyễn Minh Khôi"}, uploads={})
    dossiers.save_draft(dossier, citizen, half, dossier.lock_version)
    assert db.session.get(Dossier, dossier.id).form_data == {
        "child_full_name": "Nguyễn Minh Khôi",
        # the declaration's requester, filled from the applicant block
        "applicant_full_name": "Nguyễn Văn An", "applicant_id_number": "026090001234"}


def test_the_declarations_requester_fields_come_from_the_applicant_block(citizen):
    version = catalogue.current_version(BIRTH)
    dossier = dossiers.start_draft(citizen, version, TICH_SON_DESK)
    typed = birth_input(applicant=Applicant("Trần Thị Bình", "", "Phường Tích Sơn", "", ""),
                        form_data={"child_full_name": "Khôi", "applicant_full_name": "Tên gõ khác",
                                   "applicant_id_number": "026090009999"})
    dossiers.save_draft(dossier, citizen, typed, dossier.lock_version)
    assert dossier.form_data["applicant_full_name"] == "Trần Thị Bình"
    assert "applicant_id_number" not in dossier.form_data  # empty in the block: nothing from elsewhere
    missing = dossiers.missing_items(dossier)
    assert "applicant.id_number" in missing and not any(key.startswith("form.applicant_") for key in missing)


def test_online_submission_gets_a_reference_not_a_code(citizen, run_jobs):
    """Submitting is not receiving (Circular 01/2018 Art. 19: the code's date is the date
    received): status 1, a reference at once, told to the applicant; no dossier code yet."""
    dossier = submitted_birth(citizen)
    run_jobs()
    day = datetime.now(UTC).astimezone(__import__("zoneinfo").ZoneInfo("Asia/Ho_Chi_Minh"))
    assert dossier.reference == f"TC-{day:%y%m%d}-000001" and dossier.code is None
    assert not codes.is_valid_code(dossier.reference) and dossier.identifier == dossier.reference
    assert dossier.status == "submitted" and dossier.submitted_at is not None and dossier.received_at is None
    assert [(e.from_status, e.to_status) for e in dossier.events] == [("draft", "submitted")]
    message = db.session.query(OutboxMessage).one()
    assert message.recipient == "an@motcua.example" and message.sent_at is not None
    assert dossier.reference in message.subject and dossier.reference in message.body
    assert "Mã hồ sơ sẽ được cấp khi Bộ phận Một cửa tiếp nhận hồ sơ" in message.body and "tra-cuu" not in message.body
    assert dossiers.by_identifier(dossier.reference.lower()) is dossier and dossiers.by_code(dossier.reference) is None


def test_dossier_code_date_is_the_acceptance_date(citizen, reception, run_jobs, tmp_path):
    """Sent on Friday 29 January 2027, received by the desk on Monday 1 February: the code says
    270201 with the desk's first sequence of that day, and the receipt and its QR code carry it."""
    dossier = submitted_birth(citizen, now=datetime(2027, 1, 29, 3, 0, tzinfo=UTC))
    assert dossier.reference == "TC-270129-000001"
    dossiers.accept(dossier, reception, now=datetime(2027, 2, 1, 2, 5, tzinfo=UTC))
    run_jobs()
    assert dossier.code == f"{TICH_SON_DESK}-270201-0001" and dossier.reference == "TC-270129-000001"
    assert dossiers.by_code(dossier.code) is dossier and dossiers.by_identifier(dossier.reference) is dossier
    receipt = dossier.documents[0]
    db.session.refresh(receipt)
    flat = text_of(write(tmp_path, "receipt", path_for(receipt.sha256).read_bytes()))
    assert f"Mã hồ sơ: {dossier.code}" in flat and "TC-270129" not in flat
    assert f"tra-cuu?ma={dossier.code}" in flat
    accepted_mail = db.session.query(OutboxMessage).order_by(OutboxMessage.id.desc()).first()
    assert dossier.code in accepted_mail.subject and f"tra-cuu?ma={dossier.code}" in accepted_mail.body


def test_a_dossier_coded_before_the_change_keeps_its_code_on_acceptance(citizen, reception):
    """Migration 0009 keeps the codes given at submission; accepting such a dossier gives no second one."""
    dossier = submitted_birth(citizen)
    dossier.code = dossier.reference = f"{TICH_SON_DESK}-261101-0007"
    db.session.commit()
    dossiers.accept(dossier, reception)
    assert dossier.code == f"{TICH_SON_DESK}-261101-0007"


def test_files_are_stored_by_content_hash_with_the_name_as_label(citizen, app):
    dossier = submitted_birth(citizen)
    stored = {f.component: f for f in dossier.files}
    assert stored["to_khai"].name == "to-khai.pdf" and stored["to_khai"].content_type == "application/pdf"
    path = path_for(stored["to_khai"].sha256)
    assert path.read_bytes() == PDF and path.name == stored["to_khai"].sha256
    assert stored["giay_chung_sinh"].content_type == "image/png"
    assert dossier.has_files  # stamped for the digitisation index (4.2)


def test_submit_refuses_a_draft_missing_required_items_and_names_them(citizen):
    version = catalogue.current_version(BIRTH)
    dossier = dossiers.start_draft(citizen, version, TICH_SON_DESK)
    dossiers.save_draft(dossier, citizen, birth_input(form_data={}, uploads={"to_khai": [upload()]}),
                        dossier.lock_version)
    with pytest.raises(dossiers.DossierError) as error:
        dossiers.submit(dossier, citizen)
    assert "documents.giay_chung_sinh" in error.value.fields
    assert error.value.fields["form.child_full_name"].startswith("Chưa nhập")
    assert db.session.get(Dossier, dossier.id).status == "draft"


@pytest.mark.parametrize("data, name, message", [
    (EXE, "giay-to.pdf", "không phải PDF, JPEG hoặc PNG"),
    (b"GIF89a" + b"\x00" * 10, "anh.png", "không phải PDF, JPEG hoặc PNG"),
])
def test_an_upload_is_judged_by_its_content_not_its_name(citizen, data, name, message):
    version = catalogue.current_version(BIRTH)
    dossier = dossiers.start_draft(citizen, version, TICH_SON_DESK)
    bad = birth_input(uploads={"to_khai": [upload()], "giay_chung_sinh": [upload(data, name)]})
    with pytest.raises(dossiers.DossierError) as error:
        dossiers.save_draft(dossier, citizen, bad, dossier.lock_version)
    refusal = error.value.fields["documents.giay_chung_sinh"]
    assert message in refusal and name in refusal
    # The good file and the typed fields were kept.
    saved = db.session.get(Dossier, dossier.id)
    assert [f.component for f in saved.files] == ["to_khai"]
    assert saved.form_data["child_full_name"] == "Nguyễn Minh Khôi"


def test_an_oversize_file_or_dossier_is_refused(citizen, app):
    version = catalogue.current_version(BIRTH)
    dossier = dossiers.start_draft(citizen, version, TICH_SON_DESK)
    app.config.update(MAX_FILE_SIZE=len(PDF) + 700, MAX_DOSSIER_SIZE=2 * len(PDF) + 1500)
    try:
        big = PDF + b"x" * 2000
        with pytest.raises(dossiers.DossierError) as error:
            dossiers.save_draft(dossier, citizen, birth_input(uploads={"to_khai": [upload(big)]}), dossier.lock_version)
        assert "vượt quá dung lượng" in error.value.fields["documents.to_khai"]
        three = [upload(PDF + bytes([48 + i]) * 600) for i in range(3)]  # each fits; together they do not
        with pytest.raises(dossiers.DossierError) as error:
            dossiers.save_draft(dossier, citizen, birth_input(uploads={"to_khai": three}),
                                db.session.get(Dossier, dossier.id).lock_version)
        assert "tổng dung lượng" in error.value.fields["documents.to_khai"]
    finally:
        app.config.update(MAX_FILE_SIZE=10 * 1024 * 1024, MAX_DOSSIER_SIZE=50 * 1024 * 1024)


def test_a_stale_draft_is_refused_not_overwritten(citizen):
    version = catalogue.current_version(BIRTH)
    dossier = dossiers.start_draft(citizen, version, TICH_SON_DESK)
    old_lock = dossier.lock_version
    dossiers.save_draft(dossier, citizen, birth_input(uploads={}), old_lock)
    with pytest.raises(dossiers.DossierError) as error:
        dossiers.save_draft(dossier, citizen, birth_input(form_data={}, uploads={}), old_lock)
    assert error.value.status == 409 and "tải lại trang" in error.value.message
    assert db.session.get(Dossier, dossier.id).form_data["child_full_name"] == "Nguyễn Minh Khôi"


def test_wrong_receiving_desk_is_refused(citizen):
    version = catalogue.current_version(BIRTH)
    with pytest.raises(dossiers.DossierError) as error:
        dossiers.start_draft(citizen, version, DemoAgency.CENTRE)  # the province centre: wrong level
    assert "agency" in error.value.fields


def test_accept_stamps_received_and_due_dates_and_issues_a_receipt(citizen, reception, run_jobs):
    dossier = submitted_birth(citizen)
    now = datetime(2027, 2, 1, 2, 0, tzinfo=UTC)  # Mon 1 Feb 2027 09:00 in Vietnam
    dossiers.accept(dossier, reception, now=now)
    run_jobs()
    db.session.refresh(dossier.documents[0])
    assert dossier.status == "accepted"
    assert dossier.received_at == now
    # Birth registration is done immediately on complete papers (Civil Status Law 2014 Art. 16(2);
    # the catalogue said 1 working day): due at the close of the receiving day, Mon 1 Feb 17:00
    # (Vietnam) = 10:00 UTC.
    assert dossier.due_at == datetime(2027, 2, 1, 10, 0, tzinfo=UTC)
    (receipt,) = dossier.documents
    assert receipt.kind == "receipt" and receipt.number == "1/GTN-BPMC" and receipt.sha256
    assert Path(path_for(receipt.sha256)).read_bytes().startswith(b"%PDF")
    assert dossier.events[-1].actor_id == reception.id and dossier.events[-1].agency.code == TICH_SON_DESK


def test_supplement_at_intake_only_once_then_resubmit_keeps_the_reference(citizen, reception):
    dossier = submitted_birth(citizen)
    reference = dossier.reference
    dossiers.request_supplement(dossier, reception, ["Bản chính giấy chứng sinh"], "Ảnh chụp mờ")
    assert dossier.status == "supplement_requested" and dossier.received_at is None and dossier.due_at is None
    assert dossier.documents[-1].kind == "supplement_request"
    assert dossier.documents[-1].content == {"items": ["Bản chính giấy chứng sinh"], "reason": "Ảnh chụp mờ"}
    dossiers.save_draft(dossier, citizen, birth_input(uploads={"giay_chung_sinh": [upload()]}), dossier.lock_version)
    dossiers.resubmit(dossier, citizen)
    assert dossier.status == "submitted" and dossier.reference == reference and dossier.code is None
    with pytest.raises(dossiers.DossierError) as error:
        dossiers.request_supplement(dossier, reception, ["Thêm"], "Lần hai")
    assert error.value.status == 409 and "một lần" in error.value.message


def test_a_refused_dossier_is_never_received_and_keeps_only_its_reference(citizen, reception, run_jobs, tmp_path):
    """Refused = not received (national status 3): no dossier code; form 03 prints the code
    only "if any", so it names the dossier by its reference."""
    dossier = submitted_birth(citizen)
    with pytest.raises(dossiers.DossierError):
        dossiers.refuse(dossier, reception, ["  "])
    dossiers.refuse(dossier, reception, ["Không thuộc thẩm quyền của UBND phường"])
    run_jobs()
    assert dossier.status == "refused" and dossier.code is None and dossier.reference
    refusal = dossier.documents[-1]
    db.session.refresh(refusal)
    assert refusal.kind == "refusal"
    flat = text_of(write(tmp_path, "refusal", path_for(refusal.sha256).read_bytes()))
    assert f"Mã tham chiếu hồ sơ nộp trực tuyến: {dossier.reference}" in flat and "Mã hồ sơ:" not in flat


@pytest.mark.parametrize("role, agency", [
    ("reception", DemoAgency.LIEN_BAO_DESK),  # another commune's desk
    ("specialist", DemoAgency.TICH_SON),  # the right commune, wrong role
    ("admin", DemoAgency.PROVINCE),
])
def test_wrong_staff_cannot_decide(citizen, make_user, role, agency):
    dossier = submitted_birth(citizen)
    other = make_user(role, agency)
    for act in (lambda: dossiers.accept(dossier, other), lambda: dossiers.refuse(dossier, other, ["x"]),
                lambda: dossiers.request_supplement(dossier, other, ["x"], "y")):
        with pytest.raises(dossiers.DossierError) as error:
            act()
        assert error.value.status == 403
    assert db.session.get(Dossier, dossier.id).status == "submitted"


def test_another_citizen_cannot_edit_submit_or_withdraw(citizen, make_user):
    version = catalogue.current_version(BIRTH)
    dossier = dossiers.start_draft(citizen, version, TICH_SON_DESK)
    intruder = make_user()
    with pytest.raises(dossiers.DossierError) as error:
        dossiers.save_draft(dossier, intruder, birth_input(), dossier.lock_version)
    assert error.value.status == 403
    with pytest.raises(dossiers.DossierError):
        dossiers.submit(dossier, intruder)


def test_counter_intake_accepts_in_one_flow(reception, loaded_catalogue):
    version = catalogue.current_version(BIRTH)
    dossier = dossiers.counter_intake(reception, version, TICH_SON_DESK, 1, birth_input(delivery="counter"))
    assert dossier.status == "accepted" and dossier.channel == 1 and dossier.owner_id is None
    assert [e.to_status for e in dossier.events] == ["submitted", "accepted"]
    day = datetime.now(UTC).astimezone(__import__("zoneinfo").ZoneInfo("Asia/Ho_Chi_Minh"))
    # Received at once: the code of today, and no separate reference (it is the code).
    assert dossier.code == f"{TICH_SON_DESK}-{day:%y%m%d}-0001" and dossier.reference == dossier.code
    assert dossier.documents[0].kind == "receipt"


def test_counter_intake_by_staff_of_another_desk_is_refused(make_user, loaded_catalogue):
    staff = make_user("reception", DemoAgency.LIEN_BAO_DESK)
    with pytest.raises(dossiers.DossierError) as error:
        dossiers.counter_intake(staff, catalogue.current_version(BIRTH), TICH_SON_DESK, 1, birth_input())
    assert error.value.status == 403
    assert db.session.query(Dossier).count() == 0


def test_withdrawal_request(citizen):
    dossier = submitted_birth(citizen)
    dossiers.request_withdrawal(dossier, citizen, "Đã nộp nhầm")
    assert dossier.status == "withdrawal_requested" and dossier.events[-1].note == "Đã nộp nhầm"


def test_filing_on_behalf_the_declarations_requester_is_the_principal(citizen):
    version = catalogue.current_version(BIRTH)
    dossier = dossiers.start_draft(citizen, version, TICH_SON_DESK)
    principal = {"full_name": "Trần Thị Bình", "id_number": "026190004321", "address": "",
                 "authorisation": "GUQ 12/2026"}
    dossiers.save_draft(dossier, citizen, birth_input(represented=principal), dossier.lock_version)
    assert dossier.form_data["applicant_full_name"] == "Trần Thị Bình"
    assert dossier.form_data["applicant_id_number"] == "026190004321"
    assert dossier.applicant_name == "Nguyễn Văn An"  # the filer stays the applicant


def test_the_applicant_takes_back_a_withdrawal_request(citizen, make_user):
    dossier = submitted_birth(citizen)
    dossiers.request_withdrawal(dossier, citizen, "Đã nộp nhầm")
    with pytest.raises(dossiers.DossierError) as error:
        dossiers.cancel_withdrawal(dossier, make_user())
    assert error.value.status == 403
    with pytest.raises(dossiers.DossierError) as error:
        dossiers.cancel_withdrawal(dossier, citizen, lock_version=dossier.lock_version - 1)
    assert error.value.status == 409
    dossiers.cancel_withdrawal(dossier, citizen, lock_version=dossier.lock_version)
    assert dossier.status == "submitted" and dossier.events[-1].action == "cancel_withdrawal"
    with pytest.raises(dossiers.DossierError) as error:  # nothing left to take back
        dossiers.cancel_withdrawal(dossier, citizen)
    assert error.value.status == 409


def test_events_are_the_history_in_order(citizen, reception):
    dossier = submitted_birth(citizen)
    dossiers.accept(dossier, reception)
    rows = db.session.query(DossierEvent).filter_by(dossier_id=dossier.id).order_by(DossierEvent.id).all()
    assert [(r.action, r.to_status) for r in rows] == [("submit", "submitted"), ("accept", "accepted")]
    assert db.session.query(IssuedDocument).count() == 1


def test_the_receipt_pdf_says_the_dossier_in_vietnamese(citizen, reception, run_jobs, tmp_path):
    """pdftotext of the rendered receipt gives back the exact Vietnamese text (form 01)."""
    dossier = submitted_birth(citizen)
    dossiers.accept(dossier, reception, now=datetime(2027, 2, 1, 2, 5, tzinfo=UTC))
    run_jobs()
    receipt = dossier.documents[0]
    db.session.refresh(receipt)
    flat = text_of(write(tmp_path, "receipt", path_for(receipt.sha256).read_bytes()))
    for expected in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                     "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", dossier.code, "Nguyễn Văn An", "026090001234",
                     "Thủ tục đăng ký khai sinh", "09 giờ 05 phút, ngày 01/02/2027", "17 giờ 00 phút, ngày 01/02/2027",
                     "BỘ PHẬN MỘT CỬA PHƯỜNG TÍCH SƠN", "1/GTN-BPMC"):
        assert expected in flat, expected


def test_without_smtp_the_email_lands_in_the_outbox_folder(citizen, reception, app, run_jobs):
    from email import message_from_bytes
    from email.header import decode_header, make_header

    dossier = submitted_birth(citizen)
    dossiers.accept(dossier, reception)
    run_jobs()
    message = db.session.query(OutboxMessage).order_by(OutboxMessage.id.desc()).first()
    mail = message_from_bytes((Path(app.config["OUTBOX_DIR"]) / f"{message.id:08d}.eml").read_bytes())
    assert mail["To"] == "an@motcua.example"
    assert dossier.code in str(make_header(decode_header(mail["Subject"])))
    body = mail.get_payload(decode=True).decode("utf-8")
    assert f"{app.config['PUBLIC_URL']}/tra-cuu?ma={dossier.code}" in body and "Kính gửi Nguyễn Văn An" in body


def test_marriage_is_due_at_once_or_within_5_working_days_when_the_desk_records_verification(make_user,
                                                                                             loaded_catalogue):
    """Civil Status Law 2014 Art. 18(2): marriage registration is done immediately on complete
    papers; where the conditions must be verified, within 5 working days. The desk records the
    need at receipt; the longer limit then applies, and the statistics judge against it."""
    from datetime import datetime

    from app.services.catalogue import current_version
    from tests.factories import complete_input

    desk = make_user("reception", TICH_SON_DESK)
    version = current_version("1.000894")
    monday = datetime(2027, 3, 1, 2, 0, tzinfo=UTC)  # 09:00 in Vietnam
    plain = dossiers.counter_intake(desk, version, TICH_SON_DESK, 1, complete_input(version.spec), now=monday)
    verified = dossiers.counter_intake(desk, version, TICH_SON_DESK, 1,
                                       complete_input(version.spec, verification=True), now=monday)
    assert plain.due_at == datetime(2027, 3, 1, 10, 0, tzinfo=UTC)    # 17:00 the same day
    assert verified.due_at == datetime(2027, 3, 8, 10, 0, tzinfo=UTC)  # 5 working days: Mon 8 Mar 17:00
    assert verified.needs_verification and not plain.needs_verification
    birth = current_version(BIRTH)  # no verification limit in its file: the desk cannot choose one
    with pytest.raises(dossiers.DossierError) as error:
        dossiers.counter_intake(desk, birth, TICH_SON_DESK, 1, complete_input(birth.spec, verification=True),
                                now=monday)
    assert "verification" in error.value.fields


def test_the_checklist_is_kept_only_when_every_required_paper_is_ticked(citizen, reception):
    """Issue 14: accept and counter intake take the desk's checklist; a required paper not
    ticked refuses the receipt and changes nothing; None records no checklist."""
    from dataclasses import replace

    dossier = submitted_birth(citizen)
    with pytest.raises(dossiers.DossierError) as error:
        dossiers.accept(dossier, reception, checked=["to_khai"])
    assert error.value.status == 422 and "Giấy chứng sinh" in error.value.fields["checked"]
    db.session.rollback()
    assert dossier.status == "submitted" and dossier.checked_documents is None and not dossier.documents
    dossiers.accept(dossier, reception, checked=["to_khai", "giay_chung_sinh"])
    assert dossier.checked_documents == ["to_khai", "giay_chung_sinh"]

    version = catalogue.current_version(BIRTH)
    with pytest.raises(dossiers.DossierError) as error:
        dossiers.counter_intake(reception, version, TICH_SON_DESK, 1,
                                replace(birth_input(delivery="counter"), checked=[]))
    assert "Tờ khai" in error.value.fields["checked"] and "Giấy chứng sinh" in error.value.fields["checked"]
    assert db.session.query(Dossier).count() == 1
    plain = dossiers.counter_intake(reception, version, TICH_SON_DESK, 1, birth_input(delivery="counter"))
    assert plain.status == "accepted" and plain.checked_documents is None
