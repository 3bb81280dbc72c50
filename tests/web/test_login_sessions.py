"""Issue 13, "Phiên đăng nhập": each browser's log-in is a row the owner sees and ends alone;
ending one stops that browser at its next request (its session and remember-me cookies), and
only the owner reaches their sessions."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import LoginSession, OutboxMessage
from app.models.users import utcnow
from app.services import login_sessions
from app.services.demo import DemoAgency

PASSWORD = "mat-khau-thu-nghiem"
FIREFOX_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
CHROME_ANDROID = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
                  "Chrome/131.0.0.0 Mobile Safari/537.36")


def _log_in(client, user, agent=FIREFOX_LINUX, address="203.0.113.57", remember=False):
    response = client.post("/dang-nhap", data={"email": user.email, "password": PASSWORD,
                                               "remember": "y" if remember else ""},
                           headers={"User-Agent": agent}, environ_base={"REMOTE_ADDR": address})
    assert response.status_code == 302
    return response


def _rows(user) -> list[LoginSession]:
    return list(db.session.scalars(select(LoginSession).where(LoginSession.user_id == user.id)
                                   .order_by(LoginSession.id)))


@pytest.mark.parametrize("role, agency, landing", [(None, None, "/ho-so"),
                                                   ("reception", DemoAgency.TICH_SON_DESK, "/mot-cua/")])
def test_log_in_creates_a_row_with_a_short_browser_and_a_masked_address(client, make_user, role, agency, landing):
    user = make_user(role, agency)
    _log_in(client, user)
    [row] = _rows(user)
    assert row.ended_at is None and row.address == "203.0.113.0/24" and "Firefox" in row.user_agent
    assert len(row.secret_hash) == 64 and row.secret_hash not in str(client.get_cookie("session").value)
    page = client.get("/phien-dang-nhap").get_data(as_text=True)
    assert "Firefox trên Linux" in page and "Phiên này" in page and "203.0.113.0/24" in page
    assert "203.0.113.57" not in page
    assert client.get(landing).status_code == 200


def test_registration_starts_a_session_too(client):
    client.post("/dang-ky", data={"full_name": "Trần Văn Cường", "id_number": "026190002222",
                                  "email": "cuong@motcua.example", "phone": "0912345679",
                                  "password": "mot-cau-de-nho-lau", "confirm": "mot-cau-de-nho-lau"})
    assert db.session.scalar(select(LoginSession)).user.email == "cuong@motcua.example"
    assert client.get("/phien-dang-nhap").status_code == 200


@pytest.mark.parametrize("role, agency, landing", [(None, None, "/ho-so"),
                                                   ("specialist", DemoAgency.TICH_SON, "/xu-ly/")])
def test_ending_one_session_from_another_browser_signs_that_browser_out_only(app, client, make_user,
                                                                            role, agency, landing):
    user = make_user(role, agency)
    laptop, phone = app.test_client(), client
    _log_in(laptop, user, remember=True)
    remember = laptop.get_cookie("remember_token")
    _log_in(phone, user, agent=CHROME_ANDROID, address="2001:db8:abcd:12::7")
    first, second = _rows(user)
    page = phone.get("/phien-dang-nhap").get_data(as_text=True)
    assert "Firefox trên Linux" in page and "Chrome Mobile trên Android" in page and "2001:db8:abcd::/48" in page
    assert page.count("Phiên này") == 1 and f"/phien-dang-nhap/{first.id}/dang-xuat" in page
    confirm = phone.get(f"/phien-dang-nhap/{first.id}/dang-xuat")
    assert confirm.status_code == 200 and "Đăng xuất phiên “Firefox trên Linux”?" in confirm.get_data(as_text=True)
    assert laptop.get(landing).status_code == 200  # asking changes nothing
    answer = phone.post(f"/phien-dang-nhap/{first.id}/dang-xuat")
    assert answer.status_code == 302 and answer.headers["Location"] == "/phien-dang-nhap"
    assert laptop.get(landing).status_code == 302  # anonymous at its next request: sent to log in
    thief = app.test_client()
    thief.set_cookie("remember_token", remember.value)
    assert thief.get(landing).status_code == 302  # its remember-me cookie is dead too
    assert phone.get(landing).status_code == 200
    assert [r.ended_at is not None for r in _rows(user)] == [True, False]
    assert phone.post(f"/phien-dang-nhap/{first.id}/dang-xuat").status_code == 302  # twice: no harm
    assert "Firefox trên Linux" not in phone.get("/phien-dang-nhap").get_data(as_text=True)


def test_ending_this_session_logs_out(client, make_user):
    user = make_user()
    _log_in(client, user)
    [row] = _rows(user)
    page = client.get(f"/phien-dang-nhap/{row.id}/dang-xuat").get_data(as_text=True)
    assert "Đây là phiên bạn đang dùng" in page
    assert client.post(f"/phien-dang-nhap/{row.id}/dang-xuat").headers["Location"] == "/dang-nhap"
    assert client.get("/ho-so").status_code == 302 and _rows(user)[0].ended_at is not None


def test_log_out_ends_this_browser_only(app, client, make_user):
    user = make_user()
    other = app.test_client()
    _log_in(client, user)
    _log_in(other, user)
    client.post("/dang-xuat")
    assert client.get("/ho-so").status_code == 302 and other.get("/ho-so").status_code == 200
    assert [r.ended_at is not None for r in _rows(user)] == [True, False]


def test_another_users_session_or_a_missing_one_is_404(app, client, make_user):
    owner, stranger = make_user(), make_user()
    theirs = app.test_client()
    _log_in(theirs, owner, agent=CHROME_ANDROID)
    [row] = _rows(owner)
    _log_in(client, stranger)
    for method in (client.get, client.post):
        assert method(f"/phien-dang-nhap/{row.id}/dang-xuat").status_code == 404
        assert method(f"/phien-dang-nhap/{row.id + 1000}/dang-xuat").status_code == 404
    assert theirs.get("/ho-so").status_code == 200 and _rows(owner)[0].ended_at is None
    page = client.get("/phien-dang-nhap").get_data(as_text=True)
    assert "Chrome Mobile trên Android" not in page and f"/phien-dang-nhap/{row.id}/" not in page


def test_anonymous_is_sent_to_log_in(client, make_user):
    user = make_user()
    row = login_sessions.start(user)
    for method, path in ((client.get, "/phien-dang-nhap"), (client.get, f"/phien-dang-nhap/{row.id}/dang-xuat"),
                         (client.post, f"/phien-dang-nhap/{row.id}/dang-xuat")):
        answer = method(path)
        assert answer.status_code == 302 and answer.headers["Location"].startswith("/dang-nhap")
    assert db.session.get(LoginSession, row.id).ended_at is None


def test_ending_a_session_needs_the_csrf_token(app, client, make_user):
    user = make_user()
    other = app.test_client()
    _log_in(other, user)
    _log_in(client, user)
    first = _rows(user)[0]
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert client.post(f"/phien-dang-nhap/{first.id}/dang-xuat").status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert other.get("/ho-so").status_code == 200


def test_sign_out_everywhere_and_a_password_change_end_the_rows(app, client, make_user):
    user = make_user()
    other = app.test_client()
    _log_in(client, user)
    _log_in(other, user)
    changed = client.post("/doi-mat-khau", data={"current": PASSWORD, "password": "mot-mat-khau-moi-dai",
                                                 "confirm": "mot-mat-khau-moi-dai"})
    assert changed.status_code == 302
    assert client.get("/ho-so").status_code == 200 and other.get("/ho-so").status_code == 302
    assert [r.ended_at is not None for r in _rows(user)] == [True, True, False]  # this browser: a new one
    client.post("/phien-dang-nhap/dang-xuat-moi-noi")
    assert login_sessions.active(user) == [] and client.get("/ho-so").status_code == 302


def test_last_seen_is_written_at_most_once_every_few_minutes(make_user):
    user = make_user()
    start = utcnow()
    row = login_sessions.start(user, now=start)
    session_id = user.get_id()
    assert login_sessions.user_for(session_id, now=start + timedelta(minutes=4)) == user
    assert db.session.get(LoginSession, row.id).last_seen_at == start
    assert login_sessions.user_for(session_id, now=start + timedelta(minutes=6)) == user
    assert db.session.get(LoginSession, row.id).last_seen_at == start + timedelta(minutes=6)
    assert login_sessions.user_for(f"{user.id + 1}.{user.login_key}") is None  # another account's id
    assert login_sessions.user_for(f"{user.id}.khong-phai-khoa") is None
    user.active = False
    db.session.commit()
    assert login_sessions.user_for(session_id) is None


@pytest.mark.parametrize("agent, expected", [
    (FIREFOX_LINUX, ("Firefox", "Linux")),
    (CHROME_ANDROID, ("Chrome Mobile", "Android")),
    ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chromium/120.0 Chrome/120.0 "
     "Safari/537.36", ("Chromium", "Linux")),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 "
     "Safari/537.36 Edg/131.0.0.0", ("Edge", "Windows")),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Version/17.5 Mobile/15E148 Safari/604.1", ("Mobile Safari", "iOS")),
    ("curl/8.5.0", ("curl", None)),
    ("", (None, None)),
])
def test_the_browser_is_named_in_a_few_words(agent, expected):
    assert login_sessions.device(agent) == expected


@pytest.mark.parametrize("address, masked", [("203.0.113.57", "203.0.113.0/24"),
                                             ("2001:db8:abcd:12::7", "2001:db8:abcd::/48"),
                                             ("::ffff:198.51.100.9", "198.51.100.0/24"),
                                             ("khong-phai-dia-chi", ""), (None, "")])
def test_the_address_is_kept_as_its_network_only(address, masked):
    assert login_sessions.masked_address(address) == masked


def test_a_reset_link_used_in_a_signed_in_browser_ends_that_browsers_session(client, make_user):
    signed_in, other = make_user(), make_user()
    _log_in(client, signed_in)
    client.post("/quen-mat-khau", data={"email": other.email})
    message = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
    link = re.search(r"(/dat-lai-mat-khau/\S+)", message.body).group(1)
    answer = client.post(link, data={"password": "mot-mat-khau-moi-dai", "confirm": "mot-mat-khau-moi-dai"})
    assert answer.headers["Location"] == "/dang-nhap"
    assert [r.ended_at is not None for r in _rows(signed_in)] == [True]  # not left open, forgotten


def test_the_sessions_page_and_a_refused_link_read_in_english(client, make_user):
    _log_in(client, make_user())
    page = client.get("/phien-dang-nhap?lang=en").get_data(as_text=True)
    assert "Firefox on Linux" in page and "This session" in page and "Sign out this session" in page
    refused = client.get("/dat-lai-mat-khau/x.y.z?lang=en")
    assert refused.status_code == 404 and "The link is not valid" in refused.get_data(as_text=True)
