"""/xu-ly (officials), the desk's register, and the API actions of the internal process."""
from datetime import timedelta

import pytest

from app.extensions import db
from app.services import control, dossiers, processing
from app.services.demo import DemoAgency
from tests.factories import GUARDIANSHIP, TICH_SON_DESK, at_counter, birth_in, submitted_birth, tich_son
from tests.pdf_helpers import layout, text_of, write
from tests.web.test_api_dossiers import token


@pytest.fixture
def accepted(make_user, loaded_catalogue):
    return birth_in("accepted", tich_son(make_user))


def test_worklist_for_the_right_role_and_403_for_others(client, make_user, login, accepted):
    login(make_user("specialist", DemoAgency.TICH_SON))
    page = client.get("/xu-ly/").get_data(as_text=True)
    assert accepted.code in page and any(state in page for state in ("Trong hạn", "Sắp đến hạn", "Quá hạn"))
    assert accepted.code in client.get("/xu-ly/?sap_xep=nhan").get_data(as_text=True)


def test_worklist_second_page(app, client, make_user, login, loaded_catalogue, monkeypatch):
    """Three open steps at one a page: page 2 lists the second by due date, links both ways."""
    office = tich_son(make_user)
    codes = [birth_in("accepted", office).code for _ in range(3)]
    monkeypatch.setitem(app.config, "PER_PAGE", 1)
    login(office.specialist)
    page = client.get("/xu-ly/?page=2").get_data(as_text=True)
    assert codes[1] in page and codes[0] not in page and codes[2] not in page
    assert 'href="/xu-ly/?page=1"' in page and 'href="/xu-ly/?page=3"' in page
    assert codes[2] in client.get("/xu-ly/?page=3").get_data(as_text=True)
    assert "Không có hồ sơ nào đang chờ bạn xử lý." in client.get("/xu-ly/?page=9").get_data(as_text=True)


@pytest.mark.parametrize("role, agency", [(None, None), ("admin", DemoAgency.PROVINCE)])
def test_worklist_wrong_role_403(client, make_user, login, loaded_catalogue, role, agency):
    login(make_user(role, agency))
    assert client.get("/xu-ly/").status_code == 403


def test_work_page_acts_for_the_holder(client, make_user, login, accepted):
    login(make_user("specialist", DemoAgency.TICH_SON))
    page = client.get(f"/xu-ly/ho-so/{accepted.id}").get_data(as_text=True)
    assert "Hoàn thành, chuyển bước tiếp theo" in page
    response = client.post(f"/xu-ly/ho-so/{accepted.id}", data={"action": "complete_step", "note": "Đủ điều kiện"})
    assert response.status_code == 302
    assert accepted.current_step.role == "leader"


def test_work_page_other_agency_and_missing_404(client, make_user, login, accepted):
    login(make_user("specialist", DemoAgency.LIEN_BAO))
    assert client.get(f"/xu-ly/ho-so/{accepted.id}").status_code == 404
    assert client.post(f"/xu-ly/ho-so/{accepted.id}", data={"action": "complete_step"}).status_code == 404
    assert client.get(f"/xu-ly/ho-so/{accepted.id}/phieu-kiem-soat.pdf").status_code == 404
    assert client.get("/xu-ly/ho-so/999999").status_code == 404
    assert client.get("/xu-ly/ho-so/999999/phieu-kiem-soat.pdf").status_code == 404


def test_work_page_same_agency_wrong_role_cannot_act(client, make_user, login, accepted):
    login(make_user("leader", DemoAgency.TICH_SON))
    assert client.get(f"/xu-ly/ho-so/{accepted.id}").status_code == 200  # may look
    assert client.post(f"/xu-ly/ho-so/{accepted.id}", data={"action": "complete_step"}).status_code == 403


def test_work_page_refusal_is_shown_with_status_kept(client, make_user, login, accepted):
    login(make_user("specialist", DemoAgency.TICH_SON))
    response = client.post(f"/xu-ly/ho-so/{accepted.id}",
                           data={"action": "request_supplement", "items": "", "reason": ""})
    assert response.status_code == 422 and "Cần ghi đủ" in response.get_data(as_text=True)
    assert client.post(f"/xu-ly/ho-so/{accepted.id}", data={"action": "fly"}).status_code == 400


def test_error_summary_links_to_the_field_and_keeps_what_was_typed(client, make_user, login, accepted):
    login(make_user("specialist", DemoAgency.TICH_SON))
    response = client.post(f"/xu-ly/ho-so/{accepted.id}",
                           data={"action": "request_supplement", "items": "Giấy chứng sinh", "reason": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert '<a href="#request_supplement-reason">Cần ghi đủ' in page
    assert ('id="request_supplement-reason" name="reason" rows="2" aria-invalid="true" '
            'aria-describedby="request_supplement-reason-error"') in page
    assert '<p class="error-message" id="request_supplement-reason-error">Nhập lý do yêu cầu bổ sung.</p>' in page
    assert ">Giấy chứng sinh</textarea>" in page  # the other field keeps its text
    both = client.post(f"/xu-ly/ho-so/{accepted.id}",
                       data={"action": "request_supplement", "items": "", "reason": ""}).get_data(as_text=True)
    assert '<a href="#request_supplement-items">Nhập các giấy tờ cần bổ sung, mỗi dòng một mục.</a>' in both
    assert '<a href="#request_supplement-reason">Nhập lý do yêu cầu bổ sung.</a>' in both  # one link per field
    response = client.post(f"/xu-ly/ho-so/{accepted.id}",
                           data={"action": "draft_apology", "new_due_date": "31/02", "reason": "x"})
    page = response.get_data(as_text=True)
    assert '<a href="#draft_apology-new_due_at">' in page and 'id="draft_apology-new_due_at"' in page


def test_a_refused_assignment_marks_the_select(client, make_user, login, accepted):
    specialist = make_user("specialist", DemoAgency.TICH_SON)
    make_user("specialist", DemoAgency.TICH_SON)  # a colleague: the select is shown
    login(specialist)
    response = client.post(f"/xu-ly/ho-so/{accepted.id}", data={"action": "assign", "user": "999999"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and '<a href="#assign-user">' in page
    assert '<select id="assign-user" name="user" aria-invalid="true" aria-describedby="assign-user-error">' in page


def test_a_stranger_gets_403_not_a_request_to_confirm(client, make_user, login, accepted):
    dossiers.request_withdrawal(accepted, accepted.owner, "")
    login(make_user("specialist", DemoAgency.TICH_SON))
    assert client.post(f"/xu-ly/ho-so/{accepted.id}", data={"action": "stop"}).status_code == 403  # not the desk
    login(make_user("leader", DemoAgency.TICH_SON))  # the step is the specialist's, not the leader's
    assert client.post(f"/xu-ly/ho-so/{accepted.id}",
                       data={"action": "resolve", "outcome": "denied"}).status_code == 403


def test_stop_and_deny_need_the_confirmation_box(client, make_user, login, accepted):
    dossiers.request_withdrawal(accepted, accepted.owner, "")
    login(make_user("reception", TICH_SON_DESK))
    response = client.post(f"/xu-ly/ho-so/{accepted.id}", data={"action": "stop"})
    assert response.status_code == 422 and '<a href="#stop-confirm">' in response.get_data(as_text=True)
    db.session.refresh(accepted)
    assert accepted.status == "withdrawal_requested"
    assert client.post(f"/xu-ly/ho-so/{accepted.id}", data={"action": "stop", "confirm": "yes"}).status_code == 302
    db.session.refresh(accepted)
    assert accepted.status == "stopped"


def test_deny_needs_a_reason_and_the_confirmation_box(client, make_user, login, accepted):
    processing.complete_step(accepted, make_user("specialist", DemoAgency.TICH_SON))
    login(make_user("leader", DemoAgency.TICH_SON))
    url = f"/xu-ly/ho-so/{accepted.id}"
    page = client.post(url,
                       data={"action": "resolve", "outcome": "denied",
                             "reason": "Không đủ điều kiện"}).get_data(as_text=True)
    assert '<a href="#resolve-confirm">' in page and ">Không đủ điều kiện</textarea>" in page
    assert client.post(url,
                       data={"action": "resolve", "outcome": "denied", "reason": "Không đủ điều kiện",
                             "confirm": "yes"}).status_code == 302
    db.session.refresh(accepted)
    assert (accepted.status, accepted.outcome) == ("resolved", "denied")


def test_desk_answers_a_withdrawal_request(client, make_user, login, accepted):
    citizen = accepted.owner
    dossiers.request_withdrawal(accepted, citizen, "Đổi ý")
    login(make_user("specialist", DemoAgency.TICH_SON))  # not the desk: sees no answer to give
    page = client.get(f"/xu-ly/ho-so/{accepted.id}").get_data(as_text=True)
    assert "Không dừng, tiếp tục giải quyết" not in page
    assert client.post(f"/xu-ly/ho-so/{accepted.id}",
                       data={"action": "decline_withdrawal", "reason": "x"}).status_code == 403
    login(make_user("reception", TICH_SON_DESK))
    page = client.get(f"/xu-ly/ho-so/{accepted.id}").get_data(as_text=True)
    assert "lý do: “Đổi ý”" in page and "Dừng giải quyết hồ sơ (thông báo dừng)" in page
    response = client.post(f"/xu-ly/ho-so/{accepted.id}", data={"action": "decline_withdrawal", "reason": ""})
    assert response.status_code == 422
    assert '<a href="#decline_withdrawal-reason">Cần nêu lý do' in response.get_data(as_text=True)
    response = client.post(f"/xu-ly/ho-so/{accepted.id}",
                           data={"action": "decline_withdrawal", "reason": "Đã có kết quả"})
    assert response.status_code == 302
    db.session.refresh(accepted)
    assert accepted.status == "accepted"
    assert client.post("/xu-ly/ho-so/999999", data={"action": "decline_withdrawal", "reason": "x"}).status_code == 404


def test_control_slip_pdf_for_staff(client, make_user, login, accepted):
    login(make_user("specialist", DemoAgency.TICH_SON))
    response = client.get(f"/xu-ly/ho-so/{accepted.id}/phieu-kiem-soat.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")


def test_register_on_screen_and_csv(client, make_user, login, accepted):
    login(make_user("reception", TICH_SON_DESK))
    page = client.get("/mot-cua/so-theo-doi").get_data(as_text=True)
    assert accepted.code in page and "Sổ theo dõi hồ sơ" in page
    csv = client.get("/mot-cua/so-theo-doi?dinh_dang=csv")
    text = csv.data.decode("utf-8")
    assert csv.mimetype == "text/csv" and text.startswith("\ufeffSTT,Mã hồ sơ") and accepted.code in text
    assert client.get("/mot-cua/so-theo-doi?tu=2027-13-01").status_code == 400
    empty = client.get("/mot-cua/so-theo-doi?tu=2020-01-01&den=2020-01-31").get_data(as_text=True)
    assert "Không có hồ sơ nào" in empty


def test_register_pages_number_rows_through_the_period_and_name_the_lead_agency(client, make_user, login, accepted,
                                                                                monkeypatch):
    from app.blueprints import desk as desk_pages

    desk = make_user("reception", TICH_SON_DESK)
    second = dossiers.accept(submitted_birth(accepted.owner), desk)
    monkeypatch.setattr(desk_pages, "REGISTER_PER_PAGE", 1)
    login(desk)
    first_page = client.get("/mot-cua/so-theo-doi").get_data(as_text=True)
    assert accepted.code in first_page and second.code not in first_page and "2 hồ sơ được tiếp nhận" in first_page
    assert "<td>Ủy ban nhân dân phường Tích Sơn</td>" in first_page  # the lead agency, not the desk
    second_page = client.get("/mot-cua/so-theo-doi?page=2").get_data(as_text=True)
    assert second.code in second_page and "<tr><td>2</td>" in second_page
    past_the_end = client.get("/mot-cua/so-theo-doi?page=9").get_data(as_text=True)
    assert "Không có hồ sơ nào" not in past_the_end and "2 hồ sơ được tiếp nhận" in past_the_end


def test_register_as_pdf_for_the_paper_book(client, make_user, login, accepted, tmp_path, monkeypatch):
    login(make_user("reception", TICH_SON_DESK))
    response = client.get("/mot-cua/so-theo-doi?dinh_dang=pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    lines = layout(write(tmp_path, "register", response.data)).splitlines()
    assert any("SỔ THEO DÕI HỒ SƠ" in line for line in lines)
    header = next(line for line in lines if line.lstrip().startswith("STT"))
    assert "Mã hồ sơ" in header and header.rstrip().endswith(("Ký", "Ký nhận"))  # the signature column, last
    row = next(line for line in lines if accepted.code in line)
    assert row.split()[0] == "1" and "Thủ tục đăng ký khai sinh" in row and "Nguyễn Văn An" in row
    assert "Ủy ban nhân" in row  # the lead agency, wrapped over lines
    monkeypatch.setattr(control, "REGISTER_PDF_MAX_ROWS", 0)
    too_long = client.get("/mot-cua/so-theo-doi?dinh_dang=pdf", follow_redirects=True)
    assert "bản PDF in tối đa 0 dòng" in too_long.get_data(as_text=True)
    empty = client.get("/mot-cua/so-theo-doi?dinh_dang=pdf&tu=2020-01-01&den=2020-01-31")
    assert "Không có hồ sơ nào" in text_of(write(tmp_path, "empty", empty.data))


def test_register_wrong_role_403(client, make_user, login, loaded_catalogue):
    login(make_user("specialist", DemoAgency.TICH_SON))
    assert client.get("/mot-cua/so-theo-doi").status_code == 403


def test_api_worklist_actions_and_staff_view(client, make_user, accepted):
    specialist = make_user("specialist", DemoAgency.TICH_SON, password="mk-chuyen-vien")
    leader = make_user("leader", DemoAgency.TICH_SON, password="mk-lanh-dao")
    mine = token(client, specialist, "mk-chuyen-vien")
    items = client.get("/api/v1/worklist", headers=mine).get_json()["items"]
    assert [i["code"] for i in items] == [accepted.code] and items[0]["step"]["role"] == "specialist"
    body = client.get(f"/api/v1/dossiers/{accepted.code}", headers=mine).get_json()
    assert body["current_step"]["agency"] == DemoAgency.TICH_SON and len(body["steps"]) == 2
    wrong = client.post(f"/api/v1/dossiers/{accepted.code}/actions/resolve", json={"outcome": "approved"}, headers=mine)
    assert wrong.status_code == 403
    done = client.post(f"/api/v1/dossiers/{accepted.code}/actions/complete_step", json={}, headers=mine)
    assert done.status_code == 200 and done.get_json()["current_step"]["role"] == "leader"
    boss = token(client, leader, "mk-lanh-dao")
    again = client.post(f"/api/v1/dossiers/{accepted.code}/actions/return_result", json={"method": "counter"},
                        headers=boss)
    assert again.status_code == 409  # not resolved yet: nothing to return
    bad = client.post(f"/api/v1/dossiers/{accepted.code}/actions/draft_apology", json={"new_due_at": "mai"},
                      headers=boss)
    assert bad.status_code == 400 and "new_due_at" in bad.get_json()["fields"]
    resolved = client.post(f"/api/v1/dossiers/{accepted.code}/actions/resolve", json={"outcome": "approved"},
                           headers=boss)
    assert resolved.status_code == 200 and resolved.get_json()["status_code"] == 9
    # After the decision the clerk's step is open, and the API says so (issue 12).
    assert resolved.get_json()["current_step"]["role"] == accepted.current_step.role != "leader"
    assert resolved.get_json()["current_step"]["done_at"] is None
    kinds = [d["kind"] for d in client.get(f"/api/v1/dossiers/{accepted.code}/documents", headers=boss).get_json()]
    assert "result" in kinds and "control_slip" in kinds
    slip = client.get(f"/api/v1/dossiers/{accepted.code}/control-slip", headers=boss)
    assert slip.status_code == 200 and slip.data.startswith(b"%PDF")


def test_api_worklist_and_control_slip_are_for_staff_only(client, make_user, accepted):
    citizen = token(client, accepted.owner)
    assert client.get("/api/v1/worklist").status_code == 401
    assert client.get("/api/v1/worklist", headers=citizen).status_code == 403
    assert client.get(f"/api/v1/dossiers/{accepted.code}/control-slip", headers=citizen).status_code == 403
    stranger = token(client, make_user("specialist", DemoAgency.LIEN_BAO))
    assert client.get(f"/api/v1/dossiers/{accepted.code}/control-slip", headers=stranger).status_code == 404
    staff = token(client, make_user("specialist", DemoAgency.TICH_SON))
    assert client.get("/api/v1/dossiers/000.00.00.H62-000000-0000/control-slip", headers=staff).status_code == 404
    assert [i["code"] for i in client.get("/api/v1/worklist", headers=staff).get_json()["items"]] == [accepted.code]


def test_api_action_in_the_wrong_status_is_409_naming_it(client, make_user, loaded_catalogue):
    dossier = submitted_birth(make_user())
    desk = token(client, make_user("reception", TICH_SON_DESK))
    response = client.post(f"/api/v1/dossiers/{dossier.reference}/actions/stop", headers=desk)
    assert response.status_code == 409 and "Mới đăng ký" in response.get_json()["error"]  # the status, in its words


def test_register_as_xlsx(client, make_user, login, accepted):
    from io import BytesIO

    from openpyxl import load_workbook

    login(make_user("reception", TICH_SON_DESK))
    response = client.get("/mot-cua/so-theo-doi?dinh_dang=xlsx")
    rows = list(load_workbook(BytesIO(response.data)).active.iter_rows(values_only=True))
    assert rows[0][:2] == ("STT", "Mã hồ sơ") and rows[1][1] == accepted.code


# --- the apology (form 04): drafted by the step's holder, approved by a leader -------------

@pytest.fixture
def guardianship(make_user, loaded_catalogue):
    """A 3-working-day dossier received now: its apology is on time today (birth registration is
    immediate, so any apology of it is late)."""
    return at_counter(GUARDIANSHIP, make_user(), make_user("reception", TICH_SON_DESK))


def test_specialist_drafts_and_leader_approves_the_apology(client, make_user, login, guardianship):
    accepted = guardianship
    specialist, leader = make_user("specialist", DemoAgency.TICH_SON), make_user("leader", DemoAgency.TICH_SON)
    login(specialist)
    page = client.get(f"/xu-ly/ho-so/{accepted.id}").get_data(as_text=True)
    assert "Lập phiếu xin lỗi, trình lãnh đạo duyệt" in page and "duyệt và ban hành ngay" not in page
    response = client.post(f"/xu-ly/ho-so/{accepted.id}",
                           data={"action": "draft_apology", "new_due_date": "2030-01-15", "reason": "Chờ xác minh"})
    assert response.status_code == 302
    assert accepted.apology.status == "drafted" and accepted.rescheduled_due_at is None
    page = client.get(f"/xu-ly/ho-so/{accepted.id}").get_data(as_text=True)
    assert "đang chờ lãnh đạo cơ quan giải quyết duyệt" in page
    assert client.post(f"/xu-ly/ho-so/{accepted.id}", data={"action": "approve_apology"}).status_code == 403
    login(leader)
    page = client.get(f"/xu-ly/ho-so/{accepted.id}").get_data(as_text=True)
    assert "Duyệt và ban hành phiếu xin lỗi" in page and "Chờ xác minh" in page
    assert client.post(f"/xu-ly/ho-so/{accepted.id}", data={"action": "approve_apology"}).status_code == 302
    assert accepted.apology.status == "approved" and accepted.apology.decided_by == leader
    assert accepted.rescheduled_due_at is not None
    page = client.get(f"/xu-ly/ho-so/{accepted.id}").get_data(as_text=True)
    assert "Hẹn lại (phiếu xin lỗi)" in page and "15/01/2030" in page and "ban hành muộn" not in page


def test_leader_may_draft_and_issue_at_once_and_send_a_draft_back(client, make_user, login, accepted):
    leader = make_user("leader", DemoAgency.TICH_SON)
    processing.draft_apology(accepted, make_user("specialist", DemoAgency.TICH_SON),
                             accepted.due_at.replace(year=2030), "x")
    login(leader)
    refused = client.post(f"/xu-ly/ho-so/{accepted.id}", data={"action": "reject_apology", "note": ""})
    assert refused.status_code == 422 and '<a href="#reject_apology-note">' in refused.get_data(as_text=True)
    assert client.post(f"/xu-ly/ho-so/{accepted.id}",
                       data={"action": "reject_apology", "note": "Ghi rõ lý do"}).status_code == 302
    assert accepted.apology is None and accepted.apologies[0].status == "rejected"
    page = client.get(f"/xu-ly/ho-so/{accepted.id}").get_data(as_text=True)
    assert "duyệt và ban hành ngay" in page
    response = client.post(f"/xu-ly/ho-so/{accepted.id}", data={"action": "draft_apology", "new_due_date": "2030-01-15",
                                                                  "reason": "Chờ xác minh", "issue": "yes"})
    assert response.status_code == 302 and accepted.apology.status == "approved"


def test_a_late_apology_is_shown_late_to_staff_and_citizen(client, make_user, login, accepted):
    leader = make_user("leader", DemoAgency.TICH_SON)
    processing.draft_apology(accepted, leader, accepted.due_at.replace(year=2030), "Chờ xác minh", issue=True,
                             now=accepted.due_at + timedelta(minutes=1))  # after the due time: late in any reading
    assert accepted.apology.late is True
    login(leader)
    assert "ban hành muộn" in client.get(f"/xu-ly/ho-so/{accepted.id}").get_data(as_text=True)
    login(accepted.owner)
    page = client.get(f"/ho-so/{accepted.id}").get_data(as_text=True)
    assert "Hẹn lại (phiếu xin lỗi)" in page and "ban hành muộn" in page


def test_apology_actions_wrong_role_403_and_missing_404(client, make_user, login, accepted):
    login(make_user("clerk", DemoAgency.TICH_SON))  # same agency, holds no step, not a leader
    assert client.post(f"/xu-ly/ho-so/{accepted.id}", data={"action": "draft_apology", "new_due_date": "2030-01-15",
                                                              "reason": "x"}).status_code == 403
    login(make_user("leader", DemoAgency.LIEN_BAO))  # a leader of another commune
    assert client.post(f"/xu-ly/ho-so/{accepted.id}", data={"action": "approve_apology"}).status_code == 404
    assert client.post("/xu-ly/ho-so/999999", data={"action": "approve_apology"}).status_code == 404
    assert accepted.apology is None


def test_officials_open_the_submitted_files_and_issued_documents(client, make_user, login, accepted, run_jobs):
    run_jobs()
    receipt = next(d for d in accepted.documents if d.kind == "receipt")
    stored = accepted.files[0]
    login(make_user("specialist", DemoAgency.TICH_SON))
    page = client.get(f"/xu-ly/ho-so/{accepted.id}").get_data(as_text=True)
    assert f"/xu-ly/ho-so/{accepted.id}/tep/{stored.id}" in page and stored.name in page
    assert f"/xu-ly/ho-so/{accepted.id}/van-ban/{receipt.id}" in page
    opened = client.get(f"/xu-ly/ho-so/{accepted.id}/tep/{stored.id}")
    assert opened.status_code == 200 and opened.data
    pdf = client.get(f"/xu-ly/ho-so/{accepted.id}/van-ban/{receipt.id}")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert client.get(f"/xu-ly/ho-so/{accepted.id}/tep/999999").status_code == 404
    assert client.get(f"/xu-ly/ho-so/{accepted.id}/van-ban/999999").status_code == 404
    assert client.get(f"/xu-ly/ho-so/999999/tep/{stored.id}").status_code == 404
    login(make_user("specialist", DemoAgency.LIEN_BAO))  # another agency's official
    assert client.get(f"/xu-ly/ho-so/{accepted.id}/tep/{stored.id}").status_code == 404
    assert client.get(f"/xu-ly/ho-so/{accepted.id}/van-ban/{receipt.id}").status_code == 404
    login(make_user())  # a citizen, even the applicant's neighbour: not an official
    assert client.get(f"/xu-ly/ho-so/{accepted.id}/tep/{stored.id}").status_code == 403


def test_every_dossier_json_lists_what_the_caller_may_do_now(client, make_user, accepted):
    specialist = token(client, make_user("specialist", DemoAgency.TICH_SON))
    mine = client.get(f"/api/v1/dossiers/{accepted.code}", headers=specialist).get_json()["available_actions"]
    assert {"complete_step", "return_step", "assign", "request_supplement", "request_fee", "draft_apology"} <= set(mine)
    assert not {"accept", "stop", "request_withdrawal", "approve_apology"} & set(mine)
    citizen = token(client, accepted.owner)
    assert client.get(f"/api/v1/dossiers/{accepted.code}", headers=citizen).get_json()["available_actions"] == [
        "request_withdrawal"]
    assert client.get("/api/v1/dossiers", headers=citizen).get_json()["items"][0]["available_actions"] == [
        "request_withdrawal"]
    other = token(client, make_user("leader", DemoAgency.TICH_SON))  # same agency, not the step's role
    leader = client.get(f"/api/v1/dossiers/{accepted.code}", headers=other).get_json()["available_actions"]
    assert leader == ["draft_apology"]  # nothing to approve before a draft


def test_the_return_form_defaults_to_the_delivery_the_applicant_chose(client, make_user, login, loaded_catalogue):
    import re

    office = tich_son(make_user)
    login(office.desk)
    checked = {}
    for delivery in ("online", "post", "counter"):
        dossier = birth_in("resolved", office)
        while dossier.current_step.role != "reception":
            processing.complete_step(dossier, office.clerk)
        dossier.delivery = delivery  # as the applicant chose it on the e-form
        db.session.commit()
        page = client.get(f"/xu-ly/ho-so/{dossier.id}").get_data(as_text=True)
        checked[delivery] = re.findall(r'name="method" value="(\w+)" checked', page)
    assert checked == {"online": ["online"], "post": ["post"], "counter": ["counter"]}
    # A refused return keeps the choice that was posted, not the default.
    refused = client.post(f"/xu-ly/ho-so/{dossier.id}", data={"action": "return_result", "method": "post"})
    assert refused.status_code == 422
    assert re.findall(r'name="method" value="(\w+)" checked', refused.get_data(as_text=True)) == ["post"]
