"""Issue 18: a session ends on the server. A session cookie or a remember-me cookie copied
before log-out no longer works after it; cookies are SameSite=Lax; personal pages and API
answers are never cached."""
from __future__ import annotations

from http.cookies import SimpleCookie

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import LoginSession


def _log_in(client, user, remember=False):
    response = client.post("/dang-nhap", data={"email": user.email, "password": "mat-khau-thu-nghiem",
                                               "remember": "y" if remember else ""})
    assert response.status_code == 302
    return response


def _copy_cookies(source, target):
    for cookie in source._cookies.values():
        target.set_cookie(cookie.key, cookie.value, domain=cookie.domain, path=cookie.path)


def test_a_session_cookie_copied_before_log_out_is_dead_after_it(app, client, make_user):
    user = make_user()
    _log_in(client, user)
    thief = app.test_client()
    _copy_cookies(client, thief)
    assert thief.get("/ho-so").status_code == 200
    client.post("/dang-xuat")
    assert thief.get("/ho-so").status_code == 302  # sent to log in again
    [row] = db.session.scalars(select(LoginSession).where(LoginSession.user_id == user.id))
    assert row.ended_at is not None


def test_a_remember_me_cookie_copied_before_log_out_is_dead_after_it(app, client, make_user):
    user = make_user()
    _log_in(client, user, remember=True)
    remember = next(c for c in client._cookies.values() if c.key == "remember_token")
    thief = app.test_client()
    thief.set_cookie("remember_token", remember.value, domain=remember.domain, path=remember.path)
    assert thief.get("/ho-so").status_code == 200  # the cookie alone logs in...
    client.post("/dang-xuat")
    fresh = app.test_client()
    fresh.set_cookie("remember_token", remember.value, domain=remember.domain, path=remember.path)
    assert fresh.get("/ho-so").status_code == 302  # ...until the log-out


@pytest.mark.parametrize("old", ["{id}", "{id}.0", "{id}.1"])
def test_a_session_from_before_the_session_rows_finds_no_one(app, client, make_user, old):
    user = make_user()
    with client.session_transaction() as session:
        session["_user_id"] = old.format(id=user.id)  # without a version, or with a session version
    assert client.get("/ho-so").status_code == 302


def test_session_and_remember_cookies_are_samesite_lax_and_httponly(client, make_user):
    response = _log_in(client, make_user(), remember=True)
    cookies = {name: morsel for header in response.headers.getlist("Set-Cookie")
               for name, morsel in SimpleCookie(header).items()}
    for name in ("session", "remember_token"):
        assert cookies[name]["samesite"] == "Lax" and cookies[name]["httponly"]


@pytest.mark.parametrize("path", ["/ho-so", "/"])
def test_pages_of_a_signed_in_person_are_not_stored(client, make_user, login, path):
    login(make_user())
    assert client.get(path).headers["Cache-Control"] == "no-store"


def test_api_answers_to_a_token_are_not_stored_and_public_pages_may_be(client, make_user):
    assert "no-store" not in client.get("/thu-tuc").headers.get("Cache-Control", "")
    user = make_user()
    token = client.post("/api/v1/auth/token", json={"email": user.email, "password": "mat-khau-thu-nghiem"})
    response = client.get("/api/v1/dossiers", headers={"Authorization": f"Bearer {token.get_json()['token']}"})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
