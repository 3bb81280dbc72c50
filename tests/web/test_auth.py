"""Registration, log-in, log-out, CSRF, rate limit."""
import re

import pytest

from app.extensions import limiter
from app.models import User
from app.services import accounts
from app.services.demo import DemoAgency

VALID = {
    "full_name": "Nguyễn Thị Bích", "id_number": "026190001111", "email": "Bich@Motcua.Example",
    "phone": "0912345678", "password": "mat-khau-du-dai", "confirm": "mat-khau-du-dai",
}


def test_register_creates_citizen_and_logs_in(client, app):
    response = client.post("/dang-ky", data=VALID)
    assert response.status_code == 302
    user = accounts.find_by_email("bich@motcua.example")
    assert user is not None and user.is_citizen
    assert user.email == "bich@motcua.example"
    assert user.password_hash != VALID["password"] and user.password_hash.startswith("pbkdf2:sha256:1000$")
    home = client.get("/").get_data(as_text=True)
    assert "Nguyễn Thị Bích" in home


@pytest.mark.parametrize("field, value, message", [
    ("id_number", "12345", "đúng 12 chữ số"),
    ("id_number", "02619000111a", "đúng 12 chữ số"),
    ("email", "khong-phai-email", "e-mail không hợp lệ"),
    ("phone", "12345", "10 chữ số"),
    ("password", "ngan", "từ 10 đến 128"),
    ("confirm", "khac-mat-khau", "không khớp"),
    ("full_name", "", "Vui lòng nhập họ và tên"),
])
def test_register_rejects_bad_field_with_linked_vietnamese_error(client, field, value, message):
    response = client.post("/dang-ky", data=VALID | {field: value})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    assert f'href="#{field}"' in page  # the error summary links to the field
    assert 'aria-invalid="true"' in page
    # What was typed is kept (except passwords).
    if field not in ("full_name", "password", "confirm"):
        assert VALID["full_name"] in page


def test_register_duplicate_email_or_id_number_is_refused(client, make_user):
    client.post("/dang-ky", data=VALID)
    client.post("/dang-xuat")
    again = client.post("/dang-ky", data=VALID | {"id_number": "026190002222"})
    assert again.status_code == 422 and "đã được đăng ký" in again.get_data(as_text=True)
    again = client.post("/dang-ky", data=VALID | {"email": "khac@motcua.example"})
    assert again.status_code == 422 and "Số định danh cá nhân này đã được đăng ký" in again.get_data(as_text=True)


def test_login_with_right_password_and_logout(client, make_user):
    user = make_user(password="dung-mat-khau")
    response = client.post("/dang-nhap?next=/thu-tuc", data={"email": user.email.upper(), "password": "dung-mat-khau"})
    assert response.status_code == 302 and response.headers["Location"] == "/thu-tuc"
    assert user.full_name in client.get("/").get_data(as_text=True)
    client.post("/dang-xuat")
    assert user.full_name not in client.get("/").get_data(as_text=True)


def test_login_wrong_password_or_unknown_email_says_the_same(client, make_user):
    user = make_user(password="dung-mat-khau")
    wrong = client.post("/dang-nhap", data={"email": user.email, "password": "sai"})
    unknown = client.post("/dang-nhap", data={"email": "ai@motcua.example", "password": "sai"})
    for response in (wrong, unknown):
        assert response.status_code == 401
        assert "E-mail hoặc mật khẩu không đúng" in response.get_data(as_text=True)


def test_login_refuses_a_deactivated_account(client, make_user, app):
    from app.extensions import db
    user = make_user(password="dung-mat-khau")
    user.active = False
    db.session.commit()
    response = client.post("/dang-nhap", data={"email": user.email, "password": "dung-mat-khau"})
    assert response.status_code == 401


@pytest.mark.parametrize("target", ["https://evil.example/x", "//evil.example/x", "/\\evil.example/x",
                                    "javascript:alert(1)"])
def test_login_never_redirects_off_site(client, make_user, target):
    user = make_user(password="dung-mat-khau")
    response = client.post("/dang-nhap", query_string={"next": target},
                           data={"email": user.email, "password": "dung-mat-khau"})
    assert response.headers["Location"] == "/ho-so"  # a citizen's own landing, not the target


@pytest.mark.parametrize("role, agency, landing", [
    (None, None, "/ho-so"),                                   # a citizen: "Hồ sơ của tôi"
    ("reception", DemoAgency.TICH_SON_DESK, "/mot-cua/"),     # the desk's queue
    ("specialist", DemoAgency.TICH_SON, "/xu-ly/"),           # the officials' worklist
    ("leader", DemoAgency.TICH_SON, "/xu-ly/"),
    ("clerk", DemoAgency.TICH_SON, "/xu-ly/"),
    ("admin", DemoAgency.PROVINCE, "/quan-tri/lich"),         # the administrator's page
])
def test_each_role_lands_on_its_work_after_log_in(client, make_user, role, agency, landing):
    user = make_user(role, agency, password="dung-mat-khau")
    response = client.post("/dang-nhap", data={"email": user.email, "password": "dung-mat-khau"})
    assert response.status_code == 302 and response.headers["Location"] == landing
    assert client.get(landing).status_code == 200  # and the page is theirs to open
    # Already signed in, the log-in page sends them there too; a safe `next` still wins.
    assert client.get("/dang-nhap").headers["Location"] == landing
    assert client.get("/dang-nhap?next=/thu-tuc").headers["Location"] == "/thu-tuc"


def test_a_safe_next_wins_over_the_landing(client, make_user):
    user = make_user("reception", DemoAgency.TICH_SON_DESK, password="dung-mat-khau")
    response = client.post("/dang-nhap?next=/thu-tuc", data={"email": user.email, "password": "dung-mat-khau"})
    assert response.headers["Location"] == "/thu-tuc"


def test_forms_without_csrf_token_are_refused(client, app, make_user):
    user = make_user(password="dung-mat-khau")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        forged = client.post("/dang-nhap", data={"email": user.email, "password": "dung-mat-khau"})
        assert forged.status_code == 400
        assert "Phiên làm việc" in forged.get_data(as_text=True)
        page = client.get("/dang-nhap").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        ok = client.post("/dang-nhap", data={"email": user.email, "password": "dung-mat-khau", "csrf_token": token})
        assert ok.status_code == 302
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_login_is_rate_limited(client, app):
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    limiter.reset()
    try:
        codes = [client.post("/dang-nhap",
                             data={"email": "x@motcua.example", "password": "sai"}).status_code for _ in range(4)]
        assert codes == [401, 401, 401, 429]
        assert "quá nhiều yêu cầu" in client.post("/dang-nhap", data={}).get_data(as_text=True)
    finally:
        app.config["LOGIN_RATE_LIMIT"] = "1000 per minute"
        limiter.reset()


def test_default_password_hash_is_scrypt(app):
    from app.config import from_environ
    assert from_environ()["PASSWORD_HASH_METHOD"] == "scrypt"


def test_session_cookie_is_httponly_and_samesite(client, make_user):
    user = make_user(password="dung-mat-khau")
    response = client.post("/dang-nhap", data={"email": user.email, "password": "dung-mat-khau"})
    cookie = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")][0]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_user_count_unchanged_by_failed_registration(client):
    before = User.query.count()
    client.post("/dang-ky", data=VALID | {"id_number": "1"})
    assert User.query.count() == before
