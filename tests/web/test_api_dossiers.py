"""/api/v1: token, dossier submission and follow-up, desk actions, documents."""
import json
from io import BytesIO

import pytest

from app.extensions import db
from app.models import Dossier, OutboxMessage
from app.services import dossiers, processing
from app.services.demo import DemoAgency
from tests.factories import (
    BIRTH,
    BIRTH_FORM,
    EXE,
    GUARDIANSHIP,
    PDF,
    PNG,
    TICH_SON_DESK,
    at_counter,
    submitted_birth,
)

APPLICANT = {"full_name": "Nguyễn Văn An", "id_number": "026090001234", "address": "Phường Tích Sơn",
             "phone": "0912345678", "email": "an@motcua.example"}


def token(client, user, password="mat-khau-thu-nghiem"):
    response = client.post("/api/v1/auth/token", json={"email": user.email, "password": password})
    assert response.status_code == 200
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def new_dossier(client, headers, **overrides):
    data = {"procedure": BIRTH, "agency": TICH_SON_DESK, "data": json.dumps(BIRTH_FORM),
            "applicant": json.dumps(APPLICANT),
            "delivery": "online", "to_khai": (BytesIO(PDF), "to-khai.pdf"), "giay_chung_sinh": (BytesIO(PNG), "cs.png")}
    data.update(overrides)
    data = {k: v for k, v in data.items() if v is not None}
    return client.post("/api/v1/dossiers", data=data, headers=headers, content_type="multipart/form-data")


def test_token_wrong_password_401_and_missing_fields_400(client, make_user):
    user = make_user()
    assert client.post("/api/v1/auth/token", json={"email": user.email, "password": "sai"}).status_code == 401
    response = client.post("/api/v1/auth/token", json={"email": user.email})
    assert response.status_code == 400 and "password" in response.get_json()["fields"]


def test_no_or_bad_token_is_401(client, loaded_catalogue):
    assert client.get("/api/v1/dossiers").status_code == 401
    assert client.get("/api/v1/dossiers", headers={"Authorization": "Bearer sai"}).status_code == 401


def test_session_cookie_does_not_authenticate_the_api(client, make_user, login, loaded_catalogue):
    login(make_user())
    assert client.get("/api/v1/dossiers").status_code == 401


def test_submit_201_with_a_reference_and_no_code_yet(client, make_user, loaded_catalogue):
    """The owner reaches a dossier not yet received through its reference (list, detail)."""
    headers = token(client, make_user())
    response = new_dossier(client, headers)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == "submitted" and body["status_code"] == 1 and body["code"] is None
    assert body["reference"].startswith("TC-")
    mine = client.get("/api/v1/dossiers", headers=headers).get_json()
    assert [(d["reference"], d["code"]) for d in mine["items"]] == [(body["reference"], None)]
    detail = client.get(f"/api/v1/dossiers/{body['reference'].lower()}", headers=headers).get_json()
    assert detail["data"]["child_full_name"] == "Nguyễn Minh Khôi" and len(detail["files"]) == 2


@pytest.mark.parametrize("overrides, status, field", [
    ({"agency": DemoAgency.CENTRE}, 422, "agency"),
    ({"procedure": "9.999999"}, 422, "procedure"),
    ({"data": "{not json"}, 400, "data"),
    ({"giay_chung_sinh": None}, 422, "documents.giay_chung_sinh"),
    ({"giay_chung_sinh": (BytesIO(EXE), "cs.png")}, 422, "documents.giay_chung_sinh"),
    ({"data": json.dumps({})}, 422, "form.child_full_name"),
])
def test_submit_errors_name_the_field_and_leave_nothing(client, make_user, loaded_catalogue, overrides, status, field):
    headers = token(client, make_user())
    response = new_dossier(client, headers, **overrides)
    assert response.status_code == status and field in response.get_json()["fields"], response.get_json()
    assert db.session.query(Dossier).count() == 0


def test_oversize_request_is_413_json(client, app, make_user, loaded_catalogue):
    headers = token(client, make_user())
    app.config["MAX_CONTENT_LENGTH"] = 1000
    try:
        response = new_dossier(client, headers, to_khai=(BytesIO(PDF + b"x" * 5000), "big.pdf"))
    finally:
        app.config["MAX_CONTENT_LENGTH"] = 60 * 1024 * 1024
    assert response.status_code == 413 and "error" in response.get_json()


def test_another_citizen_gets_404_for_my_reference(client, make_user, loaded_catalogue):
    dossier = submitted_birth(make_user())
    headers = token(client, make_user())
    for method, url in (("get", f"/api/v1/dossiers/{dossier.reference}"),
                        ("get", f"/api/v1/dossiers/{dossier.reference}/documents"),
                        ("post", f"/api/v1/dossiers/{dossier.reference}/withdraw"),
                        ("post", f"/api/v1/dossiers/{dossier.reference}/supplement")):
        assert getattr(client, method)(url, headers=headers).status_code == 404, url
    assert client.get("/api/v1/dossiers/001.10.21.H62-270201-9999", headers=headers).status_code == 404


def test_desk_actions_by_api(client, make_user, loaded_catalogue, run_jobs):
    citizen = make_user()
    dossier = submitted_birth(citizen)
    desk = token(client, make_user("reception", TICH_SON_DESK))
    bad = client.post(f"/api/v1/dossiers/{dossier.reference}/actions/request_supplement", json={"items": "x"},
                      headers=desk)
    assert bad.status_code == 400 and "items" in bad.get_json()["fields"]
    response = client.post(f"/api/v1/dossiers/{dossier.reference}/actions/request_supplement",
                           json={"items": ["Giấy chứng sinh bản chính"], "reason": "Ảnh mờ"}, headers=desk)
    assert response.status_code == 200 and response.get_json()["status_code"] == 5
    again = client.post(f"/api/v1/dossiers/{dossier.reference}/actions/request_supplement",
                        json={"items": ["Khác"], "reason": "Lần hai"}, headers=desk)
    assert again.status_code == 409
    mine = token(client, citizen)
    supplement = client.post(f"/api/v1/dossiers/{dossier.reference}/supplement", headers=mine,
                             content_type="multipart/form-data",
                             data={"applicant": json.dumps(APPLICANT), "data": json.dumps(BIRTH_FORM),
                                   "delivery": "online",
                                   "giay_chung_sinh": (BytesIO(PDF), "cs-ban-chinh.pdf")})
    assert supplement.status_code == 200 and supplement.get_json()["status"] == "submitted"
    accepted = client.post(f"/api/v1/dossiers/{dossier.reference}/actions/accept", headers=desk)
    assert accepted.status_code == 200 and accepted.get_json()["status_code"] == 2 and accepted.get_json()["due_at"]
    code = accepted.get_json()["code"]
    assert code.startswith(TICH_SON_DESK) and accepted.get_json()["reference"] == dossier.reference
    run_jobs()
    # From now on the code names it (the reference still does, for links already sent).
    docs = client.get(f"/api/v1/dossiers/{code}/documents", headers=mine).get_json()
    assert all(f"/dossiers/{code}/" in d["url"] for d in docs)
    assert [d["kind"] for d in docs] == ["supplement_request", "receipt"]
    pdf = client.get(docs[1]["url"], headers=mine)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


@pytest.mark.parametrize("role, agency, status", [
    (None, None, 404), ("reception", DemoAgency.LIEN_BAO_DESK, 404), ("specialist", DemoAgency.TICH_SON, 404)])
def test_desk_actions_wrong_role(client, make_user, loaded_catalogue, role, agency, status):
    dossier = submitted_birth(make_user())
    headers = token(client, make_user(role, agency))
    for action, body in (("accept", None), ("refuse", {"reason": "x"}),
                         ("request_supplement", {"items": ["x"], "reason": "y"})):
        assert client.post(f"/api/v1/dossiers/{dossier.reference}/actions/{action}", json=body,
                           headers=headers).status_code == status
    assert client.post(f"/api/v1/dossiers/{dossier.reference}/actions/fly", headers=headers).status_code == 404


def test_withdraw_and_take_it_back_by_api(client, make_user, loaded_catalogue):
    citizen = make_user()
    dossier = submitted_birth(citizen)
    headers = token(client, citizen)
    response = client.post(f"/api/v1/dossiers/{dossier.reference}/actions/request_withdrawal",
                           json={"reason": "Nhầm"}, headers=headers)
    assert response.status_code == 200 and response.get_json()["status_code"] == 7
    other = client.post(f"/api/v1/dossiers/{dossier.reference}/actions/cancel_withdrawal",
                        headers=token(client, make_user()))
    assert other.status_code == 404  # a citizen cannot tell that the code exists
    response = client.post(f"/api/v1/dossiers/{dossier.reference}/actions/cancel_withdrawal", headers=headers)
    assert response.status_code == 200 and response.get_json()["status_code"] == 1
    assert client.post(f"/api/v1/dossiers/{dossier.reference}/actions/cancel_withdrawal",
                       headers=headers).status_code == 409
    assert client.post("/api/v1/dossiers/000.00.00.H62-000000-0000/actions/cancel_withdrawal",
                       headers=headers).status_code == 404


def test_desk_declines_a_withdrawal_by_api(client, make_user, loaded_catalogue):
    citizen = make_user()
    dossier = submitted_birth(citizen)
    dossiers.request_withdrawal(dossier, citizen, "")
    url = f"/api/v1/dossiers/{dossier.reference}/actions/decline_withdrawal"
    assert client.post(url, json={"reason": "x"},
                       headers=token(client, make_user("specialist", DemoAgency.TICH_SON))).status_code == 404
    desk = token(client, make_user("reception", TICH_SON_DESK))
    response = client.post(url, json={}, headers=desk)
    assert response.status_code == 422 and response.get_json()["fields"] == {"reason": "Nhập lý do để gửi người nộp."}
    response = client.post(url, json={"reason": "Đã có kết quả"}, headers=desk)
    assert response.status_code == 200 and response.get_json()["status_code"] == 1


# --- the apology (form 04) by API: draft, approve, reject ----------------------------------

@pytest.fixture
def in_processing(make_user, loaded_catalogue):
    """3 working days from now: an apology today is on time (a birth registration is immediate)."""
    return at_counter(GUARDIANSHIP, make_user(), make_user("reception", TICH_SON_DESK))


def test_apology_drafted_by_the_holder_and_approved_by_a_leader_by_api(client, make_user, in_processing):
    code = in_processing.code
    specialist = token(client, make_user("specialist", DemoAgency.TICH_SON))
    leader = token(client, make_user("leader", DemoAgency.TICH_SON))
    url = f"/api/v1/dossiers/{code}/actions/"
    drafted = client.post(url + "draft_apology",
                          json={"new_due_at": "2030-01-15T17:00:00+07:00", "reason": "Chờ xác minh"},
                          headers=specialist)
    assert drafted.status_code == 200 and drafted.get_json()["apology"]["status"] == "drafted"
    assert drafted.get_json()["rescheduled_due_at"] is None
    assert client.post(url + "approve_apology", json={}, headers=specialist).status_code == 403
    owner = client.get(f"/api/v1/dossiers/{code}", headers=token(client, in_processing.owner)).get_json()
    assert owner["apology"] is None  # a draft is internal
    approved = client.post(url + "approve_apology", json={}, headers=leader)
    body = approved.get_json()
    assert approved.status_code == 200 and body["apology"]["status"] == "approved" and body["apology"]["late"] is False
    assert body["rescheduled_due_at"] == "2030-01-15T10:00:00+00:00"
    assert body["due_at"] == in_processing.due_at.isoformat()
    assert [h["action"] for h in body["history"]][-2:] == ["draft_apology", "approve_apology"]
    second = client.post(url + "draft_apology", json={"new_due_at": "2030-02-15T17:00:00+07:00", "reason": "Lần hai"},
                         headers=leader)
    assert second.status_code == 409 and "lần thứ hai" in second.get_json()["error"]


def test_apology_refused_by_api_only_where_the_law_forbids(client, make_user, in_processing):
    code = in_processing.code
    leader = token(client, make_user("leader", DemoAgency.TICH_SON))
    url = f"/api/v1/dossiers/{code}/actions/"
    bad = client.post(url + "draft_apology", json={"new_due_at": "2030-01-15T17:00:00+07:00", "reason": ""},
                      headers=leader)
    assert bad.status_code == 422 and "reason" in bad.get_json()["fields"]
    assert client.post(url + "approve_apology", json={}, headers=leader).status_code == 409  # nothing drafted
    assert client.post(url + "reject_apology", json={"note": "x"}, headers=leader).status_code == 409
    drafted = client.post(url + "draft_apology", json={"new_due_at": "2030-01-15T17:00:00+07:00", "reason": "Chờ"},
                          headers=leader)
    assert drafted.status_code == 200
    rejected = client.post(url + "reject_apology", json={"note": "Ghi rõ lý do"}, headers=leader)
    assert rejected.status_code == 200 and rejected.get_json()["apology"] is None
    issued = client.post(url + "draft_apology",
                         json={"new_due_at": "2030-01-15T17:00:00+07:00", "reason": "Chờ", "issue": True},
                         headers=leader)  # after a rejected draft, a leader drafts and issues at once
    assert issued.status_code == 200 and issued.get_json()["apology"]["status"] == "approved"


def test_apology_by_api_after_its_deadline_is_issued_and_marked_late(client, make_user, in_processing):
    """The law does not forbid a late apology: it is issued (200), recorded late, and the
    original due date stays (LEGAL.md §8)."""
    from datetime import timedelta

    from app.models.users import utcnow

    in_processing.received_at -= timedelta(days=10)
    in_processing.due_at = in_processing.effective_due_at = utcnow() - timedelta(hours=1)  # already overdue
    db.session.commit()
    original = in_processing.due_at
    answer = client.post(f"/api/v1/dossiers/{in_processing.code}/actions/draft_apology",
                         json={"new_due_at": "2030-01-15T17:00:00+07:00", "reason": "Chờ xác minh", "issue": True},
                         headers=token(client, make_user("leader", DemoAgency.TICH_SON)))
    assert answer.status_code == 200
    assert answer.get_json()["apology"]["status"] == "approved" and answer.get_json()["apology"]["late"] is True
    assert db.session.get(Dossier, in_processing.id).due_at == original


def test_apology_by_api_for_a_dossier_not_in_processing_is_409(client, make_user, in_processing):
    specialist, leader = make_user("specialist", DemoAgency.TICH_SON), make_user("leader", DemoAgency.TICH_SON)
    processing.complete_step(in_processing, specialist)
    processing.resolve(in_processing, leader, "approved")
    answer = client.post(f"/api/v1/dossiers/{in_processing.code}/actions/draft_apology",
                         json={"new_due_at": "2030-01-15T17:00:00+07:00", "reason": "Muộn", "issue": True},
                         headers=token(client, leader))
    assert answer.status_code == 409


def test_apology_by_api_wrong_role_403_and_missing_404(client, make_user, in_processing):
    clerk = token(client, make_user("clerk", DemoAgency.TICH_SON))
    body = {"new_due_at": "2030-01-15T17:00:00+07:00", "reason": "x"}
    assert client.post(f"/api/v1/dossiers/{in_processing.code}/actions/draft_apology", json=body,
                       headers=clerk).status_code == 403
    specialist = token(client, make_user("specialist", DemoAgency.TICH_SON))
    issued = client.post(f"/api/v1/dossiers/{in_processing.code}/actions/draft_apology", json=body | {"issue": True},
                         headers=specialist)
    assert issued.status_code == 403  # only a leader issues
    missing = client.post("/api/v1/dossiers/000.00.00.H62-000000-0000/actions/approve_apology", json={}, headers=clerk)
    assert missing.status_code == 404
    db.session.expire_all()
    assert in_processing.apology is None


def test_a_supplement_changes_only_what_it_sends(client, make_user, loaded_catalogue):
    citizen = make_user()
    dossier = submitted_birth(citizen)
    submitted_at, name, form = dossier.submitted_at, dossier.applicant_name, dict(dossier.form_data)
    desk = token(client, make_user("reception", TICH_SON_DESK))
    client.post(f"/api/v1/dossiers/{dossier.reference}/actions/request_supplement",
                json={"items": ["Giấy chứng sinh bản chính"], "reason": "Ảnh mờ"}, headers=desk)
    mine = token(client, citizen)
    url = f"/api/v1/dossiers/{dossier.reference}/supplement"
    empty = client.post(url, headers=mine, content_type="multipart/form-data", data={})
    assert empty.status_code == 422 and "không thay đổi" in empty.get_json()["error"]
    same = client.post(url, headers=mine, content_type="multipart/form-data",
                       data={"applicant": json.dumps({"full_name": name})})
    assert same.status_code == 422
    db.session.refresh(dossier)
    assert dossier.status == "supplement_requested" and dossier.intake_supplements == 1  # still waiting, nothing spent
    files = len(dossier.files)
    only_file = client.post(url, headers=mine, content_type="multipart/form-data",
                            data={"giay_chung_sinh": (BytesIO(PDF), "cs-ban-chinh.pdf")})
    assert only_file.status_code == 200 and only_file.get_json()["status"] == "submitted"
    db.session.refresh(dossier)
    assert dossier.applicant_name == name and dossier.form_data == form and len(dossier.files) == files + 1
    assert dossier.submitted_at == submitted_at  # the original submission time stays


def test_a_supplement_with_an_unknown_applicant_key_is_400(client, make_user, loaded_catalogue):
    citizen = make_user()
    dossier = submitted_birth(citizen)
    desk = token(client, make_user("reception", TICH_SON_DESK))
    client.post(f"/api/v1/dossiers/{dossier.reference}/actions/request_supplement",
                json={"items": ["Giấy chứng sinh"], "reason": "Thiếu"}, headers=desk)
    bad = client.post(f"/api/v1/dossiers/{dossier.reference}/supplement", headers=token(client, citizen),
                      content_type="multipart/form-data", data={"applicant": json.dumps({"nickname": "x"})})
    assert bad.status_code == 400 and "applicant.nickname" in bad.get_json()["fields"]  # the key named


def test_an_api_submission_without_an_e_mail_uses_the_account_s_and_mails_it(client, make_user, loaded_catalogue):
    """Issue 18 item 7: the applicant block's e-mail is optional; the account holder still hears."""
    user = make_user()
    without = {k: v for k, v in APPLICANT.items() if k != "email"}
    response = new_dossier(client, token(client, user), applicant=json.dumps(without))
    assert response.status_code == 201
    dossier = db.session.scalar(db.select(Dossier).filter_by(reference=response.get_json()["reference"]))
    assert dossier.applicant_email == user.email
    messages = db.session.scalars(db.select(OutboxMessage).filter_by(dossier=dossier))
    assert [m.recipient for m in messages] == [user.email]


def test_api_accept_may_send_the_desk_checklist(client, make_user, loaded_catalogue):
    """Issue 14: `checked` on accept is the desk's checklist (every required paper); without it
    no checklist is recorded, as before."""
    headers = token(client, make_user("reception", TICH_SON_DESK))
    first, second = submitted_birth(make_user()), submitted_birth(make_user())
    half = client.post(f"/api/v1/dossiers/{first.reference}/actions/accept", headers=headers,
                       json={"checked": ["to_khai"]})
    assert half.status_code == 422 and "checked" in half.get_json()["fields"]
    assert "Giấy chứng sinh" in half.get_json()["fields"]["checked"]
    bad_type = client.post(f"/api/v1/dossiers/{first.reference}/actions/accept", headers=headers,
                           json={"checked": "to_khai"})
    assert bad_type.status_code == 400
    ok = client.post(f"/api/v1/dossiers/{first.reference}/actions/accept", headers=headers,
                     json={"checked": ["giay_chung_sinh", "to_khai"]})
    assert ok.status_code == 200
    assert db.session.get(Dossier, first.id).checked_documents == ["to_khai", "giay_chung_sinh"]
    plain = client.post(f"/api/v1/dossiers/{second.reference}/actions/accept", headers=headers)
    assert plain.status_code == 200 and db.session.get(Dossier, second.id).checked_documents is None
