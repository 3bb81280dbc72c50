"""Issue 13, accounts and security, through the pages and the API: log-in lockout and its one
message, forgotten password, password change, e-mail verification before submitting, the
"Phiên đăng nhập" page (tokens, sign out everywhere), staff tokens without roles."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import ApiToken, Dossier, Membership, OutboxMessage
from app.models.users import utcnow
from app.services.demo import DemoAgency
from tests.factories import birth_in, tich_son
from tests.security.test_sessions import _copy_cookies
from tests.web.test_api_dossiers import new_dossier, token

PASSWORD = "mat-khau-thu-nghiem"
NEW = "mot-mat-khau-moi-dai"
WRONG = "E-mail hoặc mật khẩu không đúng."


def _log_in(client, user, password=PASSWORD):
    return client.post("/dang-nhap", data={"email": user.email, "password": password})


def _link(path: str) -> str:
    message = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
    return re.search(rf"(/{path}/\S+)", message.body).group(1)


def _unverified(user):
    user.email_verified_at = None
    db.session.commit()
    return user


# --- log-in ---------------------------------------------------------------------------------

def test_unknown_email_and_wrong_password_get_the_same_answer(client, make_user):
    user = make_user()
    unknown = client.post("/dang-nhap", data={"email": "khong-co@motcua.example", "password": PASSWORD})
    wrong = _log_in(client, user, "sai-mat-khau")
    assert unknown.status_code == wrong.status_code == 401
    assert WRONG in unknown.get_data(as_text=True) and WRONG in wrong.get_data(as_text=True)


def test_a_locked_account_answers_like_a_wrong_password_until_the_lock_ends(client, make_user):
    user = make_user()
    for _ in range(5):
        assert _log_in(client, user, "sai-mat-khau").status_code == 401
    locked = _log_in(client, user)  # the right password, refused while locked, with the same words
    assert locked.status_code == 401 and WRONG in locked.get_data(as_text=True)
    user.locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert _log_in(client, user).status_code == 302


def test_two_failure_runs_apart_do_not_lock_and_one_long_run_does(client, make_user):
    user = make_user()
    for _ in range(4):
        _log_in(client, user, "sai-mat-khau")
    user.last_failed_login_at = utcnow() - timedelta(minutes=16)  # a quiet quarter of an hour
    db.session.commit()
    for _ in range(4):
        _log_in(client, user, "sai-mat-khau")
    assert _log_in(client, user).status_code == 302  # 4 + 4 apart: not locked
    client.post("/dang-xuat")
    for _ in range(5):
        _log_in(client, user, "sai-mat-khau")
    assert _log_in(client, user).status_code == 401
    # The API's token route shares the lock.
    assert client.post("/api/v1/auth/token", json={"email": user.email, "password": PASSWORD}).status_code == 401


def test_the_log_in_page_links_to_the_forgotten_password(client):
    assert 'href="/quen-mat-khau"' in client.get("/dang-nhap").get_data(as_text=True)


# --- forgotten password -----------------------------------------------------------------------

def test_forgot_answers_the_same_whether_the_address_exists_or_not(client, make_user):
    user = make_user()
    known = client.post("/quen-mat-khau", data={"email": user.email})
    unknown = client.post("/quen-mat-khau", data={"email": "khong-co@motcua.example"})
    assert known.status_code == unknown.status_code == 200
    strip = lambda response, email: response.get_data(as_text=True).replace(email, "")  # noqa: E731
    assert strip(known, user.email) == strip(unknown, "khong-co@motcua.example")
    assert [m.recipient for m in db.session.scalars(select(OutboxMessage))] == [user.email]


def test_forgot_refuses_a_malformed_address_in_vietnamese(client):
    response = client.post("/quen-mat-khau", data={"email": "khong-phai-email"})
    assert response.status_code == 422 and "e-mail không hợp lệ" in response.get_data(as_text=True)


def test_reset_through_the_link_once_ends_other_sessions_and_tokens(app, client, make_user):
    user = make_user()
    _log_in(client, user)
    headers = token(client, user)
    client.post("/quen-mat-khau", data={"email": user.email})
    link = _link("dat-lai-mat-khau")
    stranger = app.test_client()
    assert stranger.get(link).status_code == 200
    weak = stranger.post(link, data={"password": "password123", "confirm": "password123"})
    assert weak.status_code == 422 and "quá dễ đoán" in weak.get_data(as_text=True)
    assert stranger.post(link, data={"password": NEW, "confirm": NEW}).headers["Location"] == "/dang-nhap"
    assert client.get("/ho-so").status_code == 302  # the old session has ended
    assert client.get("/api/v1/dossiers", headers=headers).status_code == 401
    again = stranger.get(link)
    assert again.status_code == 404 and "đã được dùng" in again.get_data(as_text=True)
    assert _log_in(stranger, user, NEW).status_code == 302


def test_a_forged_reset_link_is_404_and_an_expired_one_410_in_vietnamese(app, client, make_user, monkeypatch):
    user = make_user()
    forged = client.get("/dat-lai-mat-khau/gia-mao.abc.def")
    assert forged.status_code == 404 and "Liên kết không hợp lệ" in forged.get_data(as_text=True)
    client.post("/quen-mat-khau", data={"email": user.email})
    link = _link("dat-lai-mat-khau")
    tampered = client.post(link[:-2] + "xx", data={"password": NEW, "confirm": NEW})
    assert tampered.status_code == 404
    monkeypatch.setitem(app.config, "PASSWORD_RESET_MAX_AGE", -1)
    expired = client.post(link, data={"password": NEW, "confirm": NEW})
    assert expired.status_code == 410 and "hết hạn" in expired.get_data(as_text=True)


# --- password change -------------------------------------------------------------------------

def test_change_password_needs_log_in(client):
    assert client.get("/doi-mat-khau").headers["Location"].startswith("/dang-nhap")


def test_change_password_needs_the_current_one_and_a_strong_new_one(client, make_user):
    user = make_user()
    _log_in(client, user)
    wrong = client.post("/doi-mat-khau", data={"current": "sai", "password": NEW, "confirm": NEW})
    assert wrong.status_code == 422 and "Mật khẩu hiện tại không đúng" in wrong.get_data(as_text=True)
    weak = client.post("/doi-mat-khau", data={"current": PASSWORD, "password": "1234567890", "confirm": "1234567890"})
    assert weak.status_code == 422 and "quá dễ đoán" in weak.get_data(as_text=True)


def test_change_password_keeps_this_session_and_ends_the_others_and_the_tokens(app, client, make_user):
    user = make_user()
    _log_in(client, user)
    other = app.test_client()
    _copy_cookies(client, other)
    headers = token(client, user)
    assert client.get("/doi-mat-khau").status_code == 200
    changed = client.post("/doi-mat-khau", data={"current": PASSWORD, "password": NEW, "confirm": NEW})
    assert changed.headers["Location"] == "/phien-dang-nhap"
    assert client.get("/ho-so").status_code == 200  # this session goes on
    assert other.get("/ho-so").status_code == 302  # the copy from before has ended
    assert client.get("/api/v1/dossiers", headers=headers).status_code == 401
    assert db.session.scalar(select(ApiToken)).revoked_at is not None


# --- e-mail verification ---------------------------------------------------------------------

REGISTER = {"full_name": "Nguyễn Thị Bích", "id_number": "026190001111", "email": "bich@motcua.example",
            "phone": "0912345678", "password": "mot-cau-de-nho-lau", "confirm": "mot-cau-de-nho-lau"}


def test_registration_sends_a_link_that_verifies_the_address(client):
    assert client.post("/dang-ky", data=REGISTER).status_code == 302
    assert "Gửi lại thư xác nhận" in client.get("/ho-so").get_data(as_text=True)
    link = _link("xac-nhan-email")
    assert client.get(link).headers["Location"] == "/ho-so"
    assert "Gửi lại thư xác nhận" not in client.get("/ho-so").get_data(as_text=True)


def test_registration_refuses_a_common_password(client):
    response = client.post("/dang-ky", data=REGISTER | {"password": "password1234", "confirm": "password1234"})
    assert response.status_code == 422 and "quá dễ đoán" in response.get_data(as_text=True)
    english = client.post("/dang-ky?lang=en", data=REGISTER | {"password": "password1234", "confirm": "password1234"})
    assert english.status_code == 422 and "too easy to guess" in english.get_data(as_text=True)
    short = client.post("/dang-ky?lang=en", data=REGISTER | {"password": "ngan", "confirm": "ngan"})
    assert short.status_code == 422 and "The password must be 10 to 128 characters." in short.get_data(as_text=True)


def test_a_forged_verification_link_is_404(client):
    response = client.get("/xac-nhan-email/gia-mao")
    assert response.status_code == 404 and "Liên kết không hợp lệ" in response.get_data(as_text=True)


def test_resend_needs_log_in_and_sends_a_new_link(client, make_user, login):
    assert client.post("/xac-nhan-email/gui-lai").headers["Location"].startswith("/dang-nhap")
    login(_unverified(make_user()))
    response = client.post("/xac-nhan-email/gui-lai", data={"next": "/ho-so"})
    assert response.headers["Location"] == "/ho-so"
    assert "/xac-nhan-email/" in db.session.scalar(select(OutboxMessage)).body


def test_an_unverified_account_keeps_drafts_but_cannot_submit_on_the_web(client, make_user, login, loaded_catalogue):
    office = tich_son(make_user)
    dossier = birth_in("draft", office)
    login(_unverified(office.citizen))
    review = client.get(f"/ho-so/{dossier.id}/kiem-tra").get_data(as_text=True)
    assert "Gửi lại thư xác nhận" in review
    response = client.post(f"/ho-so/{dossier.id}/nop", data={"lock_version": dossier.lock_version})
    assert response.status_code == 403 and "xác nhận địa chỉ e-mail" in response.get_data(as_text=True)
    db.session.refresh(dossier)
    assert dossier.status == "draft"


def test_an_unverified_account_cannot_submit_through_the_api_and_asks_for_a_new_link(client, make_user,
                                                                                     loaded_catalogue):
    user = _unverified(make_user())
    headers = token(client, user)
    response = new_dossier(client, headers)
    assert response.status_code == 403 and "xác nhận địa chỉ e-mail" in response.get_json()["error"]
    assert db.session.scalar(select(Dossier)) is None
    assert client.post("/api/v1/auth/verification-email").status_code == 401
    sent = client.post("/api/v1/auth/verification-email", headers=headers)
    assert sent.status_code == 200 and user.email in sent.get_json()["message"]
    client.get(_link("xac-nhan-email"))
    assert new_dossier(client, headers).status_code == 201


# --- "Phiên đăng nhập" -------------------------------------------------------------------------

def test_the_sessions_page_needs_log_in_and_lists_my_tokens_only(client, make_user, login):
    assert client.get("/phien-dang-nhap").headers["Location"].startswith("/dang-nhap")
    user, other = make_user(), make_user()
    client.post("/api/v1/auth/token", json={"email": user.email, "password": PASSWORD, "label": "Phần mềm kế toán"})
    client.post("/api/v1/auth/token", json={"email": other.email, "password": PASSWORD, "label": "Của người khác"})
    login(user)
    page = client.get("/phien-dang-nhap").get_data(as_text=True)
    assert "Phần mềm kế toán" in page and "Của người khác" not in page and "Thu hồi" in page


def test_revoke_my_token_stops_it_at_once(client, make_user, login):
    user = make_user()
    headers = token(client, user)
    login(user)
    row = db.session.scalar(select(ApiToken))
    confirm = client.get(f"/phien-dang-nhap/ma-truy-cap/{row.id}/thu-hoi")
    assert confirm.status_code == 200 and "Thu hồi mã truy cập" in confirm.get_data(as_text=True)
    assert client.get("/api/v1/dossiers", headers=headers).status_code == 200  # asking changes nothing
    assert client.post(f"/phien-dang-nhap/ma-truy-cap/{row.id}/thu-hoi").headers["Location"] == "/phien-dang-nhap"
    assert client.get("/api/v1/dossiers", headers=headers).status_code == 401
    assert "Không có mã truy cập API nào" in client.get("/phien-dang-nhap").get_data(as_text=True)


def test_revoking_another_users_token_is_403_and_a_missing_one_404(client, make_user, login):
    owner = make_user()
    headers = token(client, owner)
    login(make_user())
    row = db.session.scalar(select(ApiToken))
    for method in (client.get, client.post):
        assert method(f"/phien-dang-nhap/ma-truy-cap/{row.id}/thu-hoi").status_code == 403
        assert method(f"/phien-dang-nhap/ma-truy-cap/{row.id + 1000}/thu-hoi").status_code == 404
    assert client.get("/api/v1/dossiers", headers=headers).status_code == 200


def test_sign_out_everywhere_asks_first_then_ends_sessions_and_tokens(app, client, make_user):
    user = make_user()
    _log_in(client, user)
    other = app.test_client()
    _log_in(other, user)
    headers = token(client, user)
    confirm = client.get("/phien-dang-nhap/dang-xuat-moi-noi")
    assert confirm.status_code == 200 and "Đăng xuất khỏi mọi nơi?" in confirm.get_data(as_text=True)
    assert client.get("/ho-so").status_code == 200  # asking changes nothing
    assert client.post("/phien-dang-nhap/dang-xuat-moi-noi").headers["Location"] == "/dang-nhap"
    assert client.get("/ho-so").status_code == 302 and other.get("/ho-so").status_code == 302
    assert client.get("/api/v1/dossiers", headers=headers).status_code == 401


# --- staff tokens ----------------------------------------------------------------------------

def test_a_staff_token_carries_no_role_removing_a_membership_takes_effect_at_once(client, make_user):
    specialist = make_user("specialist", DemoAgency.TICH_SON)
    headers = token(client, specialist)
    assert client.get("/api/v1/worklist", headers=headers).status_code == 200
    db.session.execute(Membership.__table__.delete().where(Membership.user_id == specialist.id))
    db.session.commit()
    refused = client.get("/api/v1/worklist", headers=headers)
    assert refused.status_code == 403  # the same token, the account's roles of now


def test_the_openapi_document_says_tokens_are_revocable(client):
    scheme = client.get("/api/v1/openapi.json").get_json()["components"]["securitySchemes"]["bearer"]
    assert "thu hồi" in scheme["description"] and "API_TOKEN_MAX_AGE" in scheme["description"]


