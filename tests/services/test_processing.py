"""The internal process: hand-offs across levels, pauses, fees, apology, withdrawal, decision, return."""
from datetime import datetime, timedelta, timezone

import pytest

from app.extensions import db
from app.models import OutboxMessage
from app.services import catalogue, control, dossiers, processing
from tests.dossier_helpers import (
    LAND,
    TICH_SON_DESK,
    birth_input,
    complete_input,
    submitted_birth,
)
from tests.pdf_helpers import text_of, write

UTC = timezone.utc


@pytest.fixture
def people(make_user, loaded_catalogue):
    class People:
        citizen = make_user()
        desk = make_user("reception", TICH_SON_DESK)
        commune_specialist = make_user("specialist", "000.10.21.H62")
        commune_leader = make_user("leader", "000.10.21.H62")
        commune_clerk = make_user("clerk", "000.10.21.H62")
        province_land = make_user("specialist", "000.00.05.H62")      # Sở Tài nguyên và Môi trường
        district_land = make_user("specialist", "000.05.21.H62")      # Phòng TN&MT thành phố Vĩnh Yên
        district_land_leader = make_user("leader", "000.05.21.H62")
        district_land_clerk = make_user("clerk", "000.05.21.H62")
    return People


def accepted_birth(people, now=None):
    dossier = submitted_birth(people.citizen)
    return dossiers.accept(dossier, people.desk, now=now)


def test_three_level_dossier_end_to_end(people, run_jobs):
    version = catalogue.current_version(LAND)
    dossier = dossiers.counter_intake(people.desk, version, TICH_SON_DESK, 1, complete_input(version.spec))
    assert dossier.current_step.agency.code == "000.10.21.H62"  # the commune committee verifies
    processing.complete_step(dossier, people.commune_specialist, "Đã xác nhận nguồn gốc đất")
    assert dossier.status == "processing" and dossier.current_step.agency.code == "000.00.05.H62"  # province
    processing.complete_step(dossier, people.province_land)
    assert dossier.current_step.agency.code == "000.05.21.H62"  # district
    processing.complete_step(dossier, people.district_land)
    with pytest.raises(dossiers.DossierError) as error:
        processing.complete_step(dossier, people.district_land_leader)  # the decision step needs a decision
    assert error.value.status == 409
    processing.resolve(dossier, people.district_land_leader, "approved")
    assert dossier.status == "resolved" and dossier.outcome == "approved" and dossier.finished_at
    processing.complete_step(dossier, people.district_land_clerk)
    assert dossier.current_step.agency.code == TICH_SON_DESK  # back to the commune desk
    processing.return_result(dossier, people.desk, "counter")
    assert dossier.status == "returned" and dossier.returned_at and dossier.current_step is None
    levels = [s.agency.unit.level for s in dossier.steps]
    assert levels == ["commune", "commune", "province", "district", "district", "district", "commune"]
    assert [e.to_status for e in dossier.events] == ["submitted", "accepted", "processing", "resolved", "returned"]
    run_jobs()
    assert {d.kind for d in dossier.documents} == {"receipt", "result"}
    result = next(d for d in dossier.documents if d.kind == "result")
    assert result.agency.code == "000.05.21.H62" and result.number == "1/KQ-CQCM"
    db.session.refresh(dossier)
    # Rendered is not signed: an unsigned result PDF is not an electronic result (LEGAL.md §8,
    # was counted before issue 10); the dossier gets the fact when the result is signed.
    assert not dossier.has_e_result and dossier.result_class in ("early", "on_time") and dossier.processing_minutes >= 0
    result.signed_at = dossier.finished_at
    assert dossier.has_e_result


def test_control_slip_names_the_lead_agency_and_the_coordinating_ones(people, tmp_path):
    version = catalogue.current_version(LAND)
    dossier = dossiers.counter_intake(people.desk, version, TICH_SON_DESK, 1, complete_input(version.spec))
    processing.complete_step(dossier, people.commune_specialist)
    processing.complete_step(dossier, people.province_land)
    text = " ".join(text_of(write(tmp_path, "slip", control.control_slip_pdf(dossier))).split())
    assert "Phòng Tài nguyên và Môi trường thành phố Vĩnh Yên" in text  # resolves it
    assert "Sở Tài nguyên và Môi trường; Ủy ban nhân dân phường Tích Sơn" in text  # take part


def test_step_due_times_share_the_processing_time(people):
    # Birth registration, 1 working day: received Mon 1 Feb 2027 09:00 → due Tue 2 Feb 17:00.
    dossier = accepted_birth(people, now=datetime(2027, 2, 1, 2, 0, tzinfo=UTC))
    assert dossier.due_at == datetime(2027, 2, 2, 10, 0, tzinfo=UTC)
    reception, specialist = dossier.steps
    assert reception.done_at and reception.result == "early"
    # Shares of a 450-minute office day from Tue 07:30 (the day after receipt): reception 0.125
    # (56 min 15 s → 08:26:15), specialist 0.5 (225 min: 183 min 45 s to 11:30, 41 min 15 s
    # after 13:30 → 14:11:15 in Vietnam, 07:11:15 UTC).
    assert specialist.due_at == datetime(2027, 2, 2, 7, 11, 15, tzinfo=UTC)


def test_supplement_during_processing_pauses_the_clock_once(people):
    # Accepted Thu 29 Apr 2027 09:00: due Tue 4 May 17:00 (30 Apr, 1 May and the substitute 3 May are off).
    dossier = accepted_birth(people, now=datetime(2027, 4, 29, 2, 0, tzinfo=UTC))
    assert dossier.due_at == datetime(2027, 5, 4, 10, 0, tzinfo=UTC)
    processing.request_supplement(dossier, people.commune_specialist, ["Bản chính giấy chứng sinh"], "Bản chụp mờ",
                                  now=datetime(2027, 4, 29, 7, 0, tzinfo=UTC))  # Thu 14:00
    assert dossier.status == "supplement_requested" and dossier.paused_at
    dossiers.save_draft(dossier, people.citizen, birth_input(uploads={}), dossier.lock_version)
    dossiers.resubmit(dossier, people.citizen, now=datetime(2027, 5, 5, 2, 0, tzinfo=UTC))  # Wed 5 May 09:00
    assert dossier.status == "processing"
    # 630 office minutes were left (Thu 14:00–17:00 and all of Tue 4 May): from Wed 09:00 that is Thu 6 May 14:00.
    assert dossier.effective_due_at == datetime(2027, 5, 6, 7, 0, tzinfo=UTC)
    assert dossier.due_at == datetime(2027, 5, 4, 10, 0, tzinfo=UTC)  # the original stays for statistics
    with pytest.raises(dossiers.DossierError) as error:
        processing.request_supplement(dossier, people.commune_specialist, ["Thêm"], "Lần hai")
    assert error.value.status == 409 and "một lần" in error.value.message


def test_apology_once_only_and_not_too_early(people, run_jobs):
    dossier = accepted_birth(people, now=datetime(2027, 2, 1, 2, 0, tzinfo=UTC))  # due Tue 2 Feb 17:00
    new_due = datetime(2027, 2, 12, 10, 0, tzinfo=UTC)
    with pytest.raises(dossiers.DossierError) as error:  # the window opens Mon 1 Feb 07:30: 00:00 UTC
        processing.apologise(dossier, people.commune_specialist, new_due, "Chờ xác minh", now=datetime(2027, 1, 31, 23, 0, tzinfo=UTC))
    assert error.value.status == 409
    processing.apologise(dossier, people.commune_specialist, new_due, "Chờ xác minh", now=datetime(2027, 2, 1, 3, 0, tzinfo=UTC))
    assert dossier.rescheduled_due_at == new_due and dossier.due_at == datetime(2027, 2, 2, 10, 0, tzinfo=UTC)
    with pytest.raises(dossiers.DossierError) as error:
        processing.apologise(dossier, people.commune_specialist, new_due + timedelta(days=3), "Lần hai")
    assert "một lần" in error.value.message
    run_jobs()
    apology = next(d for d in dossier.documents if d.kind == "apology")
    db.session.refresh(apology)
    assert apology.sha256 and apology.agency.code == "000.10.21.H62"


def test_return_step_and_assign(people, make_user):
    dossier = accepted_birth(people)
    with pytest.raises(dossiers.DossierError):
        processing.return_step(dossier, people.commune_specialist, "Không có bước trước")  # step 2 is the first
    processing.complete_step(dossier, people.commune_specialist)
    processing.return_step(dossier, people.commune_leader, "Thiếu trích lục")
    assert dossier.current_step.role == "specialist" and "Thiếu trích lục" in dossier.current_step.note
    colleague = make_user("specialist", "000.10.21.H62")
    processing.assign(dossier, people.commune_specialist, colleague.id)
    with pytest.raises(dossiers.DossierError):  # once assigned, only the assignee acts
        processing.complete_step(dossier, people.commune_specialist)
    processing.complete_step(dossier, colleague)
    outsider = make_user("specialist", "000.11.21.H62")
    with pytest.raises(dossiers.DossierError):
        processing.assign(dossier, people.commune_leader, outsider.id)


def test_fee_request_and_payment(people):
    version = catalogue.current_version(LAND)
    dossier = dossiers.counter_intake(people.desk, version, TICH_SON_DESK, 1, complete_input(version.spec))
    processing.request_fee(dossier, people.commune_specialist)
    assert dossier.status == "fee_requested"
    with pytest.raises(dossiers.DossierError):
        processing.record_payment(dossier, people.desk, 0)
    processing.record_payment(dossier, people.desk, 25000, "BL-0001")
    assert dossier.status == "processing" and dossier.payments[0].amount == 25000
    birth = accepted_birth(people)
    with pytest.raises(dossiers.DossierError) as error:
        processing.request_fee(birth, people.commune_specialist)
    assert "không thu phí" in error.value.message


def test_withdrawal_then_stop_notice(people, run_jobs):
    dossier = accepted_birth(people)
    dossiers.request_withdrawal(dossier, people.citizen, "Nộp nhầm thủ tục")
    with pytest.raises(dossiers.DossierError):
        processing.stop(dossier, people.commune_specialist)
    processing.stop(dossier, people.desk)
    assert dossier.status == "stopped" and dossier.current_step is None
    run_jobs()
    notice = next(d for d in dossier.documents if d.kind == "stop_notice")
    db.session.refresh(notice)
    assert notice.sha256


def test_the_desk_declines_a_withdrawal_with_a_reason_and_processing_goes_on(people, run_jobs):
    dossier = accepted_birth(people)
    processing.complete_step(dossier, people.commune_specialist)  # now at the leader, processing
    dossiers.request_withdrawal(dossier, people.citizen, "Đổi ý")
    with pytest.raises(dossiers.DossierError) as error:
        processing.decline_withdrawal(dossier, people.desk, "  ")
    assert error.value.fields == {"reason": "Nhập lý do để gửi người nộp."} and dossier.status == "withdrawal_requested"
    with pytest.raises(dossiers.DossierError) as error:
        processing.decline_withdrawal(dossier, people.commune_leader, "Đã ký quyết định")
    assert error.value.status == 403
    processing.decline_withdrawal(dossier, people.desk, "Kết quả đã được ký")
    assert dossier.status == "processing" and dossier.previous_status == "accepted"
    assert (dossier.events[-1].action, dossier.events[-1].note) == ("decline_withdrawal", "Kết quả đã được ký")
    last_message = db.session.query(OutboxMessage).filter_by(dossier_id=dossier.id).order_by(OutboxMessage.id.desc()).first()
    assert "Yêu cầu rút hồ sơ không được chấp nhận: Kết quả đã được ký" in last_message.body
    processing.resolve(dossier, people.commune_leader, "approved")  # the leader's step goes on
    assert dossier.status == "resolved"
    with pytest.raises(dossiers.DossierError) as error:
        processing.decline_withdrawal(dossier, people.desk, "Lần nữa")
    assert error.value.status == 409


def test_a_withdrawal_taken_back_during_a_processing_supplement_still_resumes_processing(people):
    """The withdrawal round trip leaves the dossier as before: the answer to the supplement
    request resumes processing (not intake) because the status before it is restored too."""
    dossier = accepted_birth(people)
    processing.request_supplement(dossier, people.commune_specialist, ["Giấy chứng sinh"], "Bản chụp mờ")
    for _ in range(2):  # any number of round trips, taken back or declined
        dossiers.request_withdrawal(dossier, people.citizen, "")
        dossiers.cancel_withdrawal(dossier, people.citizen)
        dossiers.request_withdrawal(dossier, people.citizen, "")
        processing.decline_withdrawal(dossier, people.desk, "Đã có kết quả")
    assert dossier.status == "supplement_requested" and dossier.previous_status == "processing"
    dossiers.save_draft(dossier, people.citizen, birth_input(uploads={}), dossier.lock_version)
    dossiers.resubmit(dossier, people.citizen)
    assert dossier.status == "processing"


def test_denied_result_needs_a_reason(people):
    dossier = accepted_birth(people)
    processing.complete_step(dossier, people.commune_specialist)
    with pytest.raises(dossiers.DossierError):
        processing.resolve(dossier, people.commune_leader, "denied", "")
    processing.resolve(dossier, people.commune_leader, "denied", "Không đủ điều kiện")
    assert dossier.status == "resolved" and dossier.outcome == "denied"


def test_return_by_post_needs_a_tracking_number(people):
    dossier = accepted_birth(people)
    processing.complete_step(dossier, people.commune_specialist)
    processing.resolve(dossier, people.commune_leader, "approved")
    processing.complete_step(dossier, people.commune_clerk)
    with pytest.raises(dossiers.DossierError):
        processing.return_result(dossier, people.desk, "post")
    processing.return_result(dossier, people.desk, "post", "EL123456789VN")
    assert dossier.status == "returned" and dossier.tracking_number == "EL123456789VN"


def test_worklist_shows_own_agency_and_role_only(people, make_user):
    dossier = accepted_birth(people)
    assert [t.dossier_id for t in processing.worklist(people.commune_specialist, 1, 20).items] == [dossier.id]
    assert processing.worklist(people.commune_leader, 1, 20).items == []
    assert processing.worklist(make_user("specialist", "000.11.21.H62"), 1, 20).items == []


def test_control_slip_classifies_each_hand_off(people, tmp_path):
    dossier = accepted_birth(people, now=datetime(2027, 2, 1, 2, 0, tzinfo=UTC))  # due Tue 2 Feb 17:00
    processing.complete_step(dossier, people.commune_specialist, now=datetime(2027, 2, 1, 3, 0, tzinfo=UTC))  # early
    leader_due = dossier.current_step.due_at
    processing.resolve(dossier, people.commune_leader, "approved", now=leader_due + timedelta(days=2))  # late
    results = [s.result for s in dossier.steps if s.done_at]
    assert results == ["early", "early", "late"]
    text = text_of(write(tmp_path, "slip", control.control_slip_pdf(dossier)))
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in text and dossier.code in text
    assert text.count("Trước hạn") >= 2 and "Quá hạn" in text
