"""Issue 13, accounts and security, through the services: the per-account log-in lockout, the
password rules, stored API tokens, the links sent by e-mail."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from itsdangerous import TimestampSigner
from sqlalchemy import select

from app.domain.passwords import weakness
from app.extensions import db
from app.models import ApiToken, OutboxMessage
from app.models.users import utcnow
from app.services import accounts, login_sessions, staff, tokens
from app.services.demo import DemoAgency

PASSWORD = "mat-khau-thu-nghiem"


@pytest.mark.parametrize("password", ["password123", "qwertyuiop", "1234567890", "matkhau123", "aaaaaaaaaaaa"])
def test_common_or_patterned_passwords_are_refused(password):
    assert "quá dễ đoán" in weakness(password)


def test_a_password_made_of_the_accounts_own_words_is_refused_and_a_passphrase_passes():
    assert weakness("nguyenvanan1990", ("an@motcua.example", "Nguyễn Văn An")) is not None
    assert weakness("hoa sen nở trên hồ tây") is None
    assert "từ 10 đến 128" in weakness("ngắn")


def _fail(user, times, now):
    for _ in range(times):
        assert accounts.authenticate(user.email, "sai-mat-khau", now=now) is None


def test_five_failures_in_a_row_lock_the_account_even_for_the_right_password(make_user):
    user, now = make_user(), utcnow()
    _fail(user, 4, now)
    assert accounts.authenticate(user.email, PASSWORD, now=now) == user  # four: not yet, and a success clears
    assert user.failed_logins == 0
    _fail(user, 5, now)
    db.session.refresh(user)  # stored in the database: another process sees the lock
    assert user.locked_until == now + timedelta(seconds=60)
    assert accounts.authenticate(user.email, PASSWORD, now=now + timedelta(seconds=59)) is None
    assert accounts.authenticate(user.email, PASSWORD, now=now + timedelta(seconds=61)) == user
    assert user.failed_logins == 0 and user.locked_until is None


def test_the_lock_doubles_with_each_failure_after_it_and_a_quiet_window_starts_a_new_run(make_user):
    user, now = make_user(), utcnow()
    # First run: three failures, then 16 quiet minutes (the window is 15): the count starts again.
    _fail(user, 3, now)
    later = now + timedelta(minutes=16)
    _fail(user, 3, later)
    assert user.failed_logins == 3 and user.locked_until is None
    # Second run goes on to the lock, then a failure after each lock doubles it.
    _fail(user, 2, later)
    assert user.locked_until == later + timedelta(seconds=60)
    after_lock = later + timedelta(seconds=61)
    _fail(user, 1, after_lock)
    assert user.locked_until == after_lock + timedelta(seconds=120)
    attempts_while_locked = user.failed_logins
    _fail(user, 3, after_lock + timedelta(seconds=1))  # refused without a count: the lock is not extended
    assert user.failed_logins == attempts_while_locked
    after_second = after_lock + timedelta(seconds=121)
    _fail(user, 1, after_second)
    assert user.locked_until == after_second + timedelta(seconds=240)


def test_the_lock_is_capped(app, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_LOCK_MAX_SECONDS", 300)
    user, now = make_user(), utcnow()
    _fail(user, 5, now)
    for _ in range(10):  # each failure right after the lock ends: 60, 120, 240, then 300 s
        _fail(user, 1, user.locked_until + timedelta(seconds=1))
    assert user.failed_logins == 15
    assert user.locked_until - user.last_failed_login_at == timedelta(seconds=300)


def test_unknown_email_and_wrong_password_answer_alike(make_user):
    user = make_user()
    assert accounts.authenticate("khong-co@motcua.example", PASSWORD) is None
    assert accounts.authenticate(user.email, "sai-mat-khau") is None


def test_a_token_is_stored_as_a_hash_and_works_until_revoked(make_user):
    user = make_user()
    secret = accounts.issue_token(user.email, PASSWORD, "Máy chủ kế toán")
    row = db.session.scalar(select(ApiToken))
    assert row.label == "Máy chủ kế toán" and secret not in (row.secret_hash, row.password_stamp)
    assert tokens.user_for(secret) == user and row.last_used_at is not None
    assert tokens.active_tokens(user) == [row]
    tokens.revoke(user, row.id)
    assert tokens.user_for(secret) is None and tokens.active_tokens(user) == []


def test_a_token_expires_as_configured(app, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "API_TOKEN_MAX_AGE", 3600)
    user, now = make_user(), utcnow()
    secret = tokens.issue(user, now=now)
    assert tokens.user_for(secret, now=now + timedelta(minutes=59)) == user
    assert tokens.user_for(secret, now=now + timedelta(minutes=61)) is None


def test_a_password_changed_by_any_path_ends_the_tokens(make_user):
    """Even one that revokes nothing itself (an admin's reset): the stamp no longer matches."""
    user = make_user()
    secret = tokens.issue(user)
    accounts._set_password(user, "mot-mat-khau-khac-han")
    db.session.commit()
    assert tokens.user_for(secret) is None and tokens.active_tokens(user) == []


def test_a_deactivated_account_token_is_refused(make_user):
    user = make_user()
    secret = tokens.issue(user)
    user.active = False
    db.session.commit()
    assert tokens.user_for(secret) is None


def test_revoking_another_users_token_is_403_and_an_unknown_one_404(make_user):
    owner, other = make_user(), make_user()
    tokens.issue(owner)
    row = db.session.scalar(select(ApiToken))
    with pytest.raises(tokens.TokenError) as refused:
        tokens.revoke(other, row.id)
    assert refused.value.status == 403 and row.revoked_at is None
    with pytest.raises(tokens.TokenError) as missing:
        tokens.revoke(owner, row.id + 1000)
    assert missing.value.status == 404


def _link(path: str) -> str:
    message = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
    return re.search(rf"/{path}/(\S+)", message.body).group(1)


def test_a_reset_link_works_once_and_ends_sessions_and_tokens(make_user):
    user = make_user()
    secret = tokens.issue(user)
    browser = login_sessions.start(user)
    accounts.request_password_reset(user.email.upper())
    token = _link("dat-lai-mat-khau")
    assert accounts.reset_target(token) == user
    accounts.reset_password(token, "mot-mat-khau-moi-dai")
    assert browser.ended_at is not None and tokens.user_for(secret) is None
    assert accounts.authenticate(user.email, "mot-mat-khau-moi-dai") == user
    with pytest.raises(tokens.LinkError, match="đã được dùng"):
        accounts.reset_password(token, "lai-mot-mat-khau-khac")


READERS = {  # every signed link of the portal, each read through tokens.read_link
    "reset": (accounts.RESET, lambda token: accounts.reset_target(token)),
    "set-password": (staff.SET_PASSWORD, lambda token: staff.user_for_link(token)),
    "verify": (accounts.VERIFY, lambda token: accounts.verify_email(token)),
}


@pytest.mark.parametrize("name", READERS)
def test_every_signed_link_is_refused_alike_410_expired_404_otherwise(name, make_user, monkeypatch):
    purpose, read = READERS[name]
    stamped = purpose != accounts.VERIFY
    user = make_user()
    extra = {} if stamped else {"e": user.email}
    sent = 1_800_000_000
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: sent)
    token = tokens.sign_link(purpose, user, stamped, **extra)
    assert read(token) == user
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: sent + 8 * 24 * 3600)  # past every max age
    with pytest.raises(tokens.LinkError) as expired:
        read(token)
    assert (expired.value.status, expired.value.message) == (410, tokens.LINK_EXPIRED)
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: sent)
    for forged in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
                   tokens.sign_link("another-purpose", user, stamped, **extra), "khong-phai-lien-ket"):
        with pytest.raises(tokens.LinkError) as refused:
            read(forged)
        assert (refused.value.status, refused.value.message) == (404, tokens.LINK_INVALID)
    if stamped:
        accounts.replace_password(user, "mot-mat-khau-moi-dai")
        db.session.commit()
        with pytest.raises(tokens.LinkError) as used:
            read(token)
        assert (used.value.status, used.value.message) == (404, tokens.LINK_USED)
        token = tokens.sign_link(purpose, user, stamped)
    user.active = False
    db.session.commit()
    with pytest.raises(tokens.LinkError) as locked:
        read(token)
    assert (locked.value.status, locked.value.message) == (404, tokens.LINK_INVALID)


def test_a_reset_for_an_unknown_address_sends_nothing(make_user):
    accounts.request_password_reset("khong-co@motcua.example")
    assert db.session.scalar(select(OutboxMessage)) is None


def test_reset_refuses_a_common_password(make_user):
    user = make_user()
    accounts.request_password_reset(user.email)
    with pytest.raises(accounts.AccountError) as refused:
        accounts.reset_password(_link("dat-lai-mat-khau"), "password123")
    assert "password" in refused.value.fields
    assert accounts.authenticate(user.email, PASSWORD) == user  # unchanged


def test_registration_sends_a_verification_link_and_staff_are_verified(make_user):
    citizen = accounts.register_citizen(email="Moi@Motcua.Example", password="mot-cau-dai-de-nho",
                                        full_name="Lê Văn Mới", id_number="026090009999", phone="0912000111")
    assert not citizen.email_verified
    accounts.verify_email(_link("xac-nhan-email"))
    assert citizen.email_verified
    assert make_user("reception", DemoAgency.CENTRE).email_verified  # made by an admin (flask user create)


def test_registration_refuses_a_password_built_from_the_name(make_user):
    with pytest.raises(accounts.AccountError) as refused:
        accounts.register_citizen(email="le@motcua.example", password="levanmoi2024", full_name="Lê Văn Mới",
                                  id_number="026090009998", phone="0912000112")
    assert "password" in refused.value.fields
