"""The internal process: hand-offs across levels, pauses, fees, apology, withdrawal, decision, return."""
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from app.extensions import db
from app.models import OutboxMessage
from app.services import catalogue, control, dossiers, issuing, processing, storage
from app.services.demo import DemoAgency
from tests.factories import (
    BIRTH,
    GUARDIANSHIP,
    LAND,
    TICH_SON_DESK,
    Office,
    at_counter,
    birth_in,
    birth_input,
    complete_input,
    land_office,
)
from tests.pdf_helpers import text_of, write

UTC = UTC


@pytest.fixture
def people(make_user, loaded_catalogue):
    return land_office(make_user)


def accepted_birth(people, now=None):
    office = Office(people.citizen, people.desk, people.commune, people.commune_leader, people.commune_clerk)
    return birth_in("accepted", office, now)


def guardianship_at_counter(people, now):
    """A paper guardianship dossier received at the Tích Sơn counter at `now`, at the specialist."""
    return at_counter(GUARDIANSHIP, people.citizen, people.desk, now)


# Received Mon 1 Mar 2027 09:00 ICT: due Thu 4 Mar 17:00 ICT; the apology is due by the end of
# the working day before, Wed 3 Mar 17:00 ICT (10:00 UTC).
MON_0900 = datetime(2027, 3, 1, 2, 0, tzinfo=UTC)
DUE = datetime(2027, 3, 4, 10, 0, tzinfo=UTC)
NEW_DUE = datetime(2027, 3, 11, 10, 0, tzinfo=UTC)


def test_three_level_dossier_end_to_end(people, run_jobs):
    version = catalogue.current_version(LAND)
    dossier = dossiers.counter_intake(people.desk, version, TICH_SON_DESK, 1, complete_input(version.spec))
    assert dossier.current_step.agency.code == DemoAgency.TICH_SON  # the commune committee verifies
    processing.complete_step(dossier, people.commune, "Đã xác nhận nguồn gốc đất")
    assert dossier.status == "processing"
    assert dossier.current_step.agency.code == DemoAgency.ENVIRONMENT_DEPARTMENT  # province
    processing.complete_step(dossier, people.province)
    assert dossier.current_step.agency.code == DemoAgency.VINH_YEN_ENVIRONMENT  # district
    processing.complete_step(dossier, people.district)
    with pytest.raises(dossiers.DossierError) as error:
        processing.complete_step(dossier, people.district_leader)  # the decision step needs a decision
    assert error.value.status == 409
    processing.resolve(dossier, people.district_leader, "approved")
    assert dossier.status == "resolved" and dossier.outcome == "approved" and dossier.finished_at
    processing.complete_step(dossier, people.district_clerk)
    assert dossier.current_step.agency.code == TICH_SON_DESK  # back to the commune desk
    processing.return_result(dossier, people.desk, "counter")
    assert dossier.status == "returned" and dossier.returned_at and dossier.current_step is None
    levels = [s.agency.unit.level for s in dossier.steps]
    assert levels == ["commune", "commune", "province", "district", "district", "district", "commune"]
    assert [e.to_status for e in dossier.events] == ["submitted", "accepted", "processing", "resolved", "returned"]
    run_jobs()
    assert {d.kind for d in dossier.documents} == {"receipt", "result"}
    result = next(d for d in dossier.documents if d.kind == "result")
    assert result.agency.code == DemoAgency.VINH_YEN_ENVIRONMENT and result.number == "1/KQ-CQCM"
    db.session.refresh(dossier)
    # Rendered is not signed: an unsigned result PDF is not an electronic result (LEGAL.md §8,
    # was counted before issue 10); the dossier gets the fact when the result is signed.
    assert not dossier.has_e_result and dossier.result_class in ("early", "on_time") and dossier.processing_minutes >= 0
    result.signed_at = dossier.finished_at
    assert dossier.has_e_result


def test_control_slip_names_the_lead_agency_and_the_coordinating_ones(people, tmp_path):
    version = catalogue.current_version(LAND)
    dossier = dossiers.counter_intake(people.desk, version, TICH_SON_DESK, 1, complete_input(version.spec))
    processing.complete_step(dossier, people.commune)
    processing.complete_step(dossier, people.province)
    text = " ".join(text_of(write(tmp_path, "slip", control.control_slip_pdf(dossier))).split())
    assert "Phòng Tài nguyên và Môi trường thành phố Vĩnh Yên" in text  # resolves it
    assert "Sở Tài nguyên và Môi trường; Ủy ban nhân dân phường Tích Sơn" in text  # take part


def test_step_due_times_share_the_processing_time(people):
    # Guardianship, 3 working days: received at the counter Mon 1 Mar 2027 09:00 → due Thu 4 Mar 17:00.
    dossier = guardianship_at_counter(people, MON_0900)
    reception, specialist = dossier.steps
    assert reception.done_at and reception.result == "early"
    # Shares of a 450-minute office day from Tue 07:30 (the day after receipt): reception 0.5
    # (225 min → 11:15), specialist 1.5 (675 min: 225 to Tue 17:00, all of Wed) → Wed 3 Mar 17:00.
    assert specialist.due_at == datetime(2027, 3, 3, 10, 0, tzinfo=UTC)


def test_steps_of_an_immediate_procedure_are_hours_of_the_receiving_day(people):
    # Birth registration is immediate (Civil Status Law 2014 Art. 16(2)): received online Mon 1 Feb
    # 2027 09:00, due that day 17:00; its steps are working hours from the receipt: reception 0.5 h
    # → 09:30, specialist 2 h → 11:30 (04:30 UTC).
    dossier = accepted_birth(people, now=datetime(2027, 2, 1, 2, 0, tzinfo=UTC))
    assert dossier.due_at == datetime(2027, 2, 1, 10, 0, tzinfo=UTC)
    reception, specialist = dossier.steps
    assert reception.result == "on_time" and specialist.due_at == datetime(2027, 2, 1, 4, 30, tzinfo=UTC)
    # Received at 16:00 online: still due at 17:00 that day, and no step runs past it.
    late_in_day = accepted_birth(people, now=datetime(2027, 2, 1, 9, 0, tzinfo=UTC))
    assert late_in_day.due_at == datetime(2027, 2, 1, 10, 0, tzinfo=UTC)
    assert late_in_day.current_step.due_at == late_in_day.due_at


def test_supplement_during_processing_pauses_the_clock_once(people):
    # Birth registration (immediate) accepted Thu 29 Apr 2027 09:00: due that day 17:00.
    dossier = accepted_birth(people, now=datetime(2027, 4, 29, 2, 0, tzinfo=UTC))
    assert dossier.due_at == datetime(2027, 4, 29, 10, 0, tzinfo=UTC)
    processing.request_supplement(dossier, people.commune, ["Bản chính giấy chứng sinh"], "Bản chụp mờ",
                                  now=datetime(2027, 4, 29, 7, 0, tzinfo=UTC))  # Thu 14:00
    assert dossier.status == "supplement_requested" and dossier.paused_at
    dossiers.save_draft(dossier, people.citizen, birth_input(uploads={}), dossier.lock_version)
    dossiers.resubmit(dossier, people.citizen, now=datetime(2027, 5, 5, 2, 0, tzinfo=UTC))  # Wed 5 May 09:00
    assert dossier.status == "processing"
    # 180 office minutes were left (Thu 14:00–17:00); 30 Apr, 1 May and the substitute 3 May are
    # off, so from Wed 5 May 09:00 that is 150 min to 11:30 and 30 after 13:30: Wed 14:00.
    assert dossier.effective_due_at == dossier.due_in_force == datetime(2027, 5, 5, 7, 0, tzinfo=UTC)
    assert dossier.due_at == datetime(2027, 4, 29, 10, 0, tzinfo=UTC)  # the original stays for statistics
    with pytest.raises(dossiers.DossierError) as error:
        processing.request_supplement(dossier, people.commune, ["Thêm"], "Lần hai")
    assert error.value.status == 409 and "một lần" in error.value.message


def test_apology_right_after_acceptance_is_allowed_and_on_time(people):
    # Was refused before 07:30 of the day before the due date: the rule is a deadline, not an opening.
    dossier = guardianship_at_counter(people, MON_0900)
    assert dossier.due_at == DUE
    draft = processing.draft_apology(dossier, people.commune, NEW_DUE, "Chờ xác minh",
                                     now=datetime(2027, 3, 1, 3, 0, tzinfo=UTC))
    assert draft.status == "drafted" and dossier.rescheduled_due_at is None  # a draft changes no date
    assert dossier.due_in_force == DUE
    assert draft.deadline_at == datetime(2027, 3, 3, 10, 0, tzinfo=UTC)
    approved = processing.approve_apology(dossier, people.commune_leader, now=datetime(2027, 3, 1, 4, 0, tzinfo=UTC))
    assert approved.status == "approved" and approved.late is False
    assert dossier.rescheduled_due_at == NEW_DUE and dossier.due_at == DUE
    assert dossier.due_in_force == NEW_DUE  # the applicant's appointment; the statistics keep due_at
    assert [e.action for e in dossier.events][-2:] == ["draft_apology", "approve_apology"]


def test_apology_after_the_deadline_is_recorded_late(people):
    dossier = guardianship_at_counter(people, MON_0900)
    # Wed 3 Mar 17:00 ICT is the deadline: exactly then is on time, a minute later is late.
    processing.draft_apology(dossier, people.commune, NEW_DUE, "Chờ xác minh",
                             now=datetime(2027, 3, 4, 2, 0, tzinfo=UTC))  # Thu 09:00, the due day
    apology = processing.approve_apology(dossier, people.commune_leader, now=datetime(2027, 3, 4, 3, 0, tzinfo=UTC))
    assert apology.status == "approved" and apology.late is True
    assert dossier.rescheduled_due_at == NEW_DUE  # still issued: the applicant must be told
    assert "quá thời hạn xin lỗi" in dossier.events[-1].note


def test_apology_of_an_immediate_procedure_before_its_due_time_is_on_time(people):
    """Birth registration is due at 17:00 the day received (Civil Status Law 2014 Art. 16(2)):
    the working day before the due day ends before the dossier existed, so an apology issued
    before the due time is on time (domain.deadlines.apology_deadline)."""
    dossier = at_counter(BIRTH, people.citizen, people.desk, MON_0900)
    apology = processing.draft_apology(dossier, people.commune_leader, NEW_DUE, "Chờ xác minh nơi sinh", issue=True,
                                       now=datetime(2027, 3, 1, 2, 5, tzinfo=UTC))  # 09:05, the same morning
    assert apology.late is False and apology.deadline_at == dossier.due_at


def test_apology_after_the_due_date_is_still_issued_late(people):
    dossier = guardianship_at_counter(people, MON_0900)
    apology = processing.draft_apology(dossier, people.commune_leader, NEW_DUE, "Chờ kết quả xác minh", issue=True,
                                       now=datetime(2027, 3, 5, 2, 0, tzinfo=UTC))  # Fri, a day past due
    assert apology.status == "approved" and apology.late is True and dossier.rescheduled_due_at == NEW_DUE


def test_late_is_judged_at_the_approval_not_at_the_draft(people):
    dossier = guardianship_at_counter(people, MON_0900)
    processing.draft_apology(dossier, people.commune, NEW_DUE, "Chờ xác minh",
                             now=datetime(2027, 3, 3, 9, 0, tzinfo=UTC))  # Wed 16:00, before the deadline
    apology = processing.approve_apology(dossier, people.commune_leader,
                                         now=datetime(2027, 3, 3, 10, 1, tzinfo=UTC))  # Wed 17:01
    assert apology.late is True
    other = guardianship_at_counter(people, MON_0900)
    processing.draft_apology(other, people.commune, NEW_DUE, "x", now=datetime(2027, 3, 3, 9, 0, tzinfo=UTC))
    assert processing.approve_apology(other, people.commune_leader,
                                      now=DUE - timedelta(days=1)).late is False  # 17:00 sharp


def test_late_apology_leaves_due_at_and_the_classification_untouched(people):
    dossier = guardianship_at_counter(people, MON_0900)
    processing.draft_apology(dossier, people.commune_leader, NEW_DUE, "Chờ xác minh", issue=True,
                             now=datetime(2027, 3, 4, 3, 0, tzinfo=UTC))
    processing.complete_step(dossier, people.commune, now=datetime(2027, 3, 8, 2, 0, tzinfo=UTC))
    processing.resolve(dossier, people.commune_leader, "approved", now=datetime(2027, 3, 8, 3, 0, tzinfo=UTC))
    db.session.expire_all()
    # Resolved Mon 8 Mar, before the new date (11 Mar) but after the original due (4 Mar): late,
    # counted against due_at, which the apology did not move (Decision 766 index 2.1).
    assert dossier.due_at == DUE and dossier.rescheduled_due_at == NEW_DUE
    assert dossier.result_class == "late"


def test_control_slip_shows_the_apology_and_that_it_was_issued_late(people, tmp_path):
    dossier = guardianship_at_counter(people, MON_0900)
    processing.draft_apology(dossier, people.commune_leader, NEW_DUE, "Chờ xác minh", issue=True,
                             now=datetime(2027, 3, 4, 3, 0, tzinfo=UTC))
    text = text_of(write(tmp_path, "slip", control.control_slip_pdf(dossier)))
    assert "Hẹn lại theo phiếu xin lỗi: 17 giờ 00 phút, ngày 11/03/2027" in text
    assert "phiếu ban hành 10 giờ 00 phút, ngày 04/03/2027, ban hành muộn" in text


def test_a_second_apology_is_refused(people):
    dossier = guardianship_at_counter(people, MON_0900)
    processing.draft_apology(dossier, people.commune, NEW_DUE, "Chờ xác minh", now=MON_0900)
    with pytest.raises(dossiers.DossierError) as error:  # one draft at a time
        processing.draft_apology(dossier, people.commune, NEW_DUE, "Lần hai", now=MON_0900)
    assert error.value.status == 409 and "chờ lãnh đạo duyệt" in error.value.message
    processing.approve_apology(dossier, people.commune_leader, now=MON_0900)
    for call in (lambda: processing.draft_apology(dossier, people.commune, NEW_DUE + timedelta(days=3),
                                                  "Lần hai"),
                 lambda: processing.approve_apology(dossier, people.commune_leader)):
        with pytest.raises(dossiers.DossierError) as error:
            call()
        assert error.value.status == 409 and "lần thứ hai" in error.value.message
    assert len([d for d in dossier.documents if d.kind == "apology"]) == 1


def test_apology_for_a_dossier_not_in_processing_is_refused(people):
    dossier = guardianship_at_counter(people, MON_0900)
    processing.complete_step(dossier, people.commune)
    processing.resolve(dossier, people.commune_leader, "approved")
    with pytest.raises(dossiers.DossierError) as error:
        processing.draft_apology(dossier, people.commune_leader, NEW_DUE, "Muộn", issue=True)
    assert error.value.status == 409 and dossier.apology is None


def test_apology_draft_needs_a_reason_and_a_later_date(people):
    dossier = guardianship_at_counter(people, MON_0900)
    with pytest.raises(dossiers.DossierError) as error:
        processing.draft_apology(dossier, people.commune, DUE, " ", now=MON_0900)
    assert error.value.status == 422 and set(error.value.fields) == {"reason", "new_due_at"}
    assert dossier.apology is None


def test_a_rejected_draft_is_kept_and_a_new_one_may_follow(people):
    dossier = guardianship_at_counter(people, MON_0900)
    processing.draft_apology(dossier, people.commune, NEW_DUE, "Lý do chưa rõ", now=MON_0900)
    with pytest.raises(dossiers.DossierError) as error:
        processing.reject_apology(dossier, people.commune_leader, "")
    assert error.value.fields == {"note": "Nhập lý do trả lại dự thảo."}
    rejected = processing.reject_apology(dossier, people.commune_leader, "Ghi rõ lý do", now=MON_0900)
    assert rejected.status == "rejected" and dossier.apology is None and dossier.rescheduled_due_at is None
    again = processing.draft_apology(dossier, people.commune, NEW_DUE, "Chờ xác minh của công an",
                                     now=MON_0900)
    assert dossier.apology is again and [a.status for a in dossier.apologies] == ["rejected", "drafted"]
    assert dossier.events[-2].action == "reject_apology"


def test_form_04_is_issued_under_the_head_with_the_approving_leaders_name(people, run_jobs, tmp_path):
    dossier = guardianship_at_counter(people, MON_0900)
    processing.draft_apology(dossier, people.commune, NEW_DUE, "Chờ xác minh", now=MON_0900)
    assert not [d for d in dossier.documents if d.kind == "apology"]  # nothing is issued for a draft
    processing.approve_apology(dossier, people.commune_leader, now=MON_0900)
    run_jobs()
    document = next(d for d in dossier.documents if d.kind == "apology")
    db.session.refresh(document)
    assert document.issued_by == people.commune_leader and document.agency.code == DemoAgency.TICH_SON
    text = text_of(write(tmp_path, "apology", storage.path_for(document.sha256).read_bytes()))
    assert "PHIẾU XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT" in text
    assert "xin lỗi Ông/Bà/Tổ chức và đề nghị gia hạn thời gian giải quyết" in text
    assert "THỦ TRƯỞNG CƠ QUAN" in text and people.commune_leader.full_name in text
    assert people.commune.full_name not in text
    assert "17 giờ 00 phút, ngày 11/03/2027" in text and "Chờ xác minh" in text


def test_return_step_and_assign(people, make_user):
    dossier = accepted_birth(people)
    with pytest.raises(dossiers.DossierError):
        processing.return_step(dossier, people.commune, "Không có bước trước")  # step 2 is the first
    processing.complete_step(dossier, people.commune)
    processing.return_step(dossier, people.commune_leader, "Thiếu trích lục")
    assert dossier.current_step.role == "specialist" and "Thiếu trích lục" in dossier.current_step.note
    colleague = make_user("specialist", DemoAgency.TICH_SON)
    processing.assign(dossier, people.commune, colleague.id)
    with pytest.raises(dossiers.DossierError):  # once assigned, only the assignee acts
        processing.complete_step(dossier, people.commune)
    processing.complete_step(dossier, colleague)
    outsider = make_user("specialist", DemoAgency.LIEN_BAO)
    with pytest.raises(dossiers.DossierError):
        processing.assign(dossier, people.commune_leader, outsider.id)


def test_fee_request_and_payment(people):
    version = catalogue.current_version(LAND)
    dossier = dossiers.counter_intake(people.desk, version, TICH_SON_DESK, 1, complete_input(version.spec))
    processing.request_fee(dossier, people.commune)
    assert dossier.status == "fee_requested"
    for wrong in (0, 1, 24999, 25001, 2**63):  # only the exact amount due settles the fee
        with pytest.raises(dossiers.DossierError) as error:
            processing.record_payment(dossier, people.desk, wrong)
        assert error.value.fields == {"amount": "Số tiền phải đúng bằng số phải nộp: 25.000 đồng."}
    assert dossier.status == "fee_requested" and not dossier.payments
    processing.record_payment(dossier, people.desk, 25000, "BL-0001")
    assert dossier.status == "processing" and dossier.payments[0].amount == 25000
    birth = accepted_birth(people)
    with pytest.raises(dossiers.DossierError) as error:
        processing.request_fee(birth, people.commune)
    assert "không thu phí" in error.value.message


def test_withdrawal_then_stop_notice(people, run_jobs):
    dossier = accepted_birth(people)
    dossiers.request_withdrawal(dossier, people.citizen, "Nộp nhầm thủ tục")
    with pytest.raises(dossiers.DossierError):
        processing.stop(dossier, people.commune)
    processing.stop(dossier, people.desk)
    assert dossier.status == "stopped" and dossier.current_step is None
    run_jobs()
    notice = next(d for d in dossier.documents if d.kind == "stop_notice")
    db.session.refresh(notice)
    assert notice.sha256


def test_the_desk_declines_a_withdrawal_with_a_reason_and_processing_goes_on(people, run_jobs):
    dossier = accepted_birth(people)
    processing.complete_step(dossier, people.commune)  # now at the leader, processing
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
    last_message = (db.session.query(OutboxMessage).filter_by(dossier_id=dossier.id)
                    .order_by(OutboxMessage.id.desc()).first())
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
    processing.request_supplement(dossier, people.commune, ["Giấy chứng sinh"], "Bản chụp mờ")
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
    processing.complete_step(dossier, people.commune)
    with pytest.raises(dossiers.DossierError):
        processing.resolve(dossier, people.commune_leader, "denied", "")
    processing.resolve(dossier, people.commune_leader, "denied", "Không đủ điều kiện")
    assert dossier.status == "resolved" and dossier.outcome == "denied"


def test_return_by_post_needs_a_tracking_number(people):
    dossier = accepted_birth(people)
    processing.complete_step(dossier, people.commune)
    processing.resolve(dossier, people.commune_leader, "approved")
    processing.complete_step(dossier, people.commune_clerk)
    with pytest.raises(dossiers.DossierError):
        processing.return_result(dossier, people.desk, "post")
    processing.return_result(dossier, people.desk, "post", "EL123456789VN")
    assert dossier.status == "returned" and dossier.tracking_number == "EL123456789VN"


def test_worklist_shows_own_agency_and_role_only(people, make_user):
    dossier = accepted_birth(people)
    assert [t.dossier_id for t in processing.worklist(people.commune, 1, 20).items] == [dossier.id]
    assert processing.worklist(people.commune_leader, 1, 20).items == []
    assert processing.worklist(make_user("specialist", DemoAgency.LIEN_BAO), 1, 20).items == []


def test_a_waiting_dossier_leaves_the_worklist_and_comes_back_when_it_goes_on(people):
    """Its step stays open while the dossier waits for the applicant's supplement or for the
    desk's answer to a withdrawal request, but it is nobody's work then; a returned or stopped
    dossier has no open step (test_withdrawal_then_stop_notice, the return above)."""
    def listed():
        return [t.dossier_id for t in processing.worklist(people.commune, 1, 20).items]

    waiting, withdrawing, working = accepted_birth(people), accepted_birth(people), accepted_birth(people)
    processing.request_supplement(waiting, people.commune, ["Bản chính giấy chứng sinh"], "Bản chụp mờ")
    dossiers.request_withdrawal(withdrawing, people.citizen, "Nộp nhầm thủ tục")
    page = processing.worklist(people.commune, 1, 20)
    assert listed() == [working.id] and page.total == 1
    assert waiting.current_step is not None and withdrawing.current_step is not None
    dossiers.save_draft(waiting, people.citizen, birth_input(uploads={}), waiting.lock_version)
    dossiers.resubmit(waiting, people.citizen)
    processing.decline_withdrawal(withdrawing, people.desk, "Hồ sơ đã có kết quả")
    assert sorted(listed()) == sorted([waiting.id, withdrawing.id, working.id])


def test_worklist_pages_are_cut_in_sql_in_a_stable_order(people):
    """Five open steps, two a page: three pages that together list each step once, by due date
    then id (the steps given with the same due date keep their id order), each page counting
    all five; past the last page, no step and still the count."""
    steps = [accepted_birth(people).current_step for _ in range(5)]
    same = steps[0].due_at
    for step in steps[1:4]:
        step.due_at = same          # a tie: the id decides
    steps[4].due_at = same - timedelta(hours=1)
    steps[4].given_at = max(s.given_at for s in steps) + timedelta(minutes=1)   # the last given
    db.session.commit()
    pages = [processing.worklist(people.commune, n, 2) for n in (1, 2, 3)]
    assert [p.total for p in pages] == [5, 5, 5] and [p.pages for p in pages] == [3, 3, 3]
    assert pages[1].has_next and pages[1].has_prev and not pages[2].has_next
    listed = [t.id for p in pages for t in p.items]
    assert listed == [steps[4].id, *sorted(s.id for s in steps[:4])]
    assert [t.id for t in processing.worklist(people.commune, 2, 2).items] == listed[2:4]   # same again
    by_given = [t.id for n in (1, 2, 3) for t in processing.worklist(people.commune, n, 2, "given").items]
    assert by_given[-1] == steps[4].id and sorted(by_given) == sorted(listed)
    beyond = processing.worklist(people.commune, 4, 2)
    assert beyond.items == [] and beyond.total == 5
    # each row comes with what the page shows, loaded with the page (no query per row)
    assert all("dossier" in t.__dict__ and "agency" in t.__dict__ for t in pages[0].items)


def test_control_slip_classifies_each_hand_off(people, tmp_path):
    dossier = guardianship_at_counter(people, MON_0900)  # due Thu 4 Mar 17:00
    processing.complete_step(dossier, people.commune, now=datetime(2027, 3, 1, 3, 0, tzinfo=UTC))  # early
    leader_due = dossier.current_step.due_at
    processing.resolve(dossier, people.commune_leader, "approved", now=leader_due + timedelta(days=2))  # late
    results = [s.result for s in dossier.steps if s.done_at]
    assert results == ["early", "early", "late"]
    text = text_of(write(tmp_path, "slip", control.control_slip_pdf(dossier)))
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in text and dossier.code in text
    assert text.count("Trước hạn") >= 2 and "Quá hạn" in text


# --- the cut-off at acceptance: paper dossiers and same-day procedures (LEGAL.md §5) -----------

def test_same_day_certified_copy_after_the_cutoff_is_due_the_next_working_day(people):
    # Decree 23/2015 Art. 7 (the file's cutoff: 15:00). Received at the counter Mon 1 Mar 2027.
    before = at_counter("2.000884", people.citizen, people.desk, datetime(2027, 3, 1, 7, 59, tzinfo=UTC))  # 14:59
    after = at_counter("2.000884", people.citizen, people.desk, datetime(2027, 3, 1, 8, 30, tzinfo=UTC))  # 15:30
    assert before.due_at == datetime(2027, 3, 1, 10, 0, tzinfo=UTC)  # Mon 17:00
    assert after.due_at == datetime(2027, 3, 2, 10, 0, tzinfo=UTC)   # Tue 17:00


def test_the_cutoff_applies_to_paper_dossiers_not_to_online_ones(people):
    # Birth registration (immediate) at 16:00 Mon 1 Feb 2027: online -> due that day 17:00; the same
    # procedure on paper at the counter -> counted from Tue, due Tue 17:00.
    online = accepted_birth(people, now=datetime(2027, 2, 1, 9, 0, tzinfo=UTC))
    paper = at_counter("1.001193", people.citizen, people.desk, datetime(2027, 2, 1, 9, 0, tzinfo=UTC))
    assert online.due_at == datetime(2027, 2, 1, 10, 0, tzinfo=UTC)
    assert paper.due_at == datetime(2027, 2, 2, 10, 0, tzinfo=UTC)
    receipt = next(d for d in paper.documents if d.kind == "receipt")
    assert issuing.context(receipt)["processing_time"] == "ngay khi nhận đủ hồ sơ"


def test_half_a_working_day_is_due_at_noon_at_acceptance(people, monkeypatch):
    # A procedure of 0.5 working day received Mon 1 Mar 2027 10:00 at the counter: Tue 2 Mar 11:30
    # (the close of the morning), not Tue 17:00.
    version = catalogue.current_version(GUARDIANSHIP)
    monkeypatch.setattr(version, "time_value", Decimal("0.5"))
    from app.services.calendar import expected_due
    assert expected_due(version, datetime(2027, 3, 1, 3, 0, tzinfo=UTC)) == datetime(2027, 3, 2, 4, 30, tzinfo=UTC)


def test_return_step_answers_from_the_workflow_table(people, make_user):
    dossier = accepted_birth(people)
    processing.complete_step(dossier, people.commune)
    with pytest.raises(dossiers.DossierError) as wrong_actor:
        processing.return_step(dossier, people.commune, "Không giữ bước")  # the leader holds it now
    assert wrong_actor.value.status == 403
    with pytest.raises(dossiers.DossierError) as no_reason:
        processing.return_step(dossier, people.commune_leader, "  ")
    assert no_reason.value.status == 422 and "note" in no_reason.value.fields
    processing.resolve(dossier, people.commune_leader, "approved")
    assert dossier.status == "resolved"
    clerk = make_user(dossier.current_step.role, dossier.current_step.agency.code)
    with pytest.raises(dossiers.DossierError) as resolved:  # KEEPS: not once the result is decided
        processing.return_step(dossier, clerk, "Quá muộn")
    assert resolved.value.status == 409 and "Đã xử lý xong" in resolved.value.message
