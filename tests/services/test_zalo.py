"""The Zalo channel on the real HTTP path: `notify.deliver` sends outbox rows to a local server
that answers as Zalo documents its two calls (app/integrations/zalo.py) — POST
/message/template with the OA access token, POST /v4/oa/access_token renewing it from a
single-use refresh token — and the outbox retries what may pass later, gives up what cannot,
sends each message once, and keeps the token chain, encrypted, in the database."""
from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest
from cryptography.fernet import Fernet

from app.extensions import db
from app.models import OutboxMessage, ZaloToken
from app.models.users import utcnow
from app.services import notify, zalo
from tests.http_peer import APP_ID, PARAMS, SECRET, Zalo, configure_zalo, serving


@pytest.fixture
def server(app, monkeypatch):
    with serving(Zalo()) as server:
        configure_zalo(app, monkeypatch, server, {"received": "231234", "fee_requested": "231240"})
        yield server


def zalo_message(kind: str = "received", phone: str = "84912345678", params: dict | None = None) -> OutboxMessage:
    message = OutboxMessage(channel="zalo", recipient=phone, subject=kind,
                            body=json.dumps(params or PARAMS, ensure_ascii=False))
    db.session.add(message)
    db.session.commit()
    return message


def deliver(message: OutboxMessage, fails: bool = False) -> OutboxMessage:
    """notify.deliver, as the job runs it; the row read back as the next job would."""
    if fails:
        with pytest.raises(Exception):  # noqa: B017 - deliver re-raises whatever the adapter raised
            notify.deliver(message.id)
    else:
        notify.deliver(message.id)
    db.session.expire_all()
    return db.session.get(OutboxMessage, message.id)


def stored() -> ZaloToken:
    db.session.expire_all()
    return db.session.get(ZaloToken, APP_ID)


def test_a_message_goes_with_its_template_and_a_token_renewed_from_the_refresh_token(server, app):
    message = deliver(zalo_message())
    assert message.sent_at is not None and message.attempts == 1 and message.failed_at is None

    [(form, headers)] = server.renewals
    assert form == {"app_id": APP_ID, "refresh_token": "rt-0", "grant_type": "refresh_token"}
    assert headers["secret_key"] == SECRET
    [(body, headers)] = server.sends
    assert headers["access_token"] == "at-1"
    assert body == {"phone": "84912345678", "template_id": "231234", "template_data": PARAMS,
                    "tracking_id": f"outbox-{message.id}"}

    # Delivered: a second job for the row sends nothing (exactly once).
    deliver(message)
    assert len(server.sends) == 1

    # The next message uses the stored token: no renewal while it lives.
    deliver(zalo_message("fee_requested"))
    assert len(server.renewals) == 1 and [h["access_token"] for _b, h in server.sends] == ["at-1", "at-1"]
    assert server.sends[1][0]["template_id"] == "231240"


def test_the_tokens_are_stored_encrypted_and_the_rotated_refresh_token_is_used_next(server, app):
    deliver(zalo_message())
    row = stored()
    for plaintext in ("at-1", "rt-1", "rt-0"):
        assert plaintext not in row.access_token and plaintext not in row.refresh_token
    # The key derived from SECRET_KEY (no ZALO_TOKEN_KEY) opens them.
    assert zalo._open(row.access_token) == "at-1" and zalo._open(row.refresh_token) == "rt-1"
    assert row.expires_at > utcnow() + timedelta(hours=24)
    assert zalo._open(Fernet(Fernet.generate_key()).encrypt(b"rt-1").decode()) is None  # another key's: unreadable

    # Within five minutes of expiry the token is renewed before sending, with the stored rt-1.
    row.expires_at = utcnow() + timedelta(minutes=4)
    db.session.commit()
    message = deliver(zalo_message())
    assert message.sent_at is not None
    assert [form["refresh_token"] for form, _h in server.renewals] == ["rt-0", "rt-1"]
    assert server.sends[-1][1]["access_token"] == "at-2" and len(server.sends) == 2
    assert zalo._open(stored().refresh_token) == "rt-2"


def test_an_own_token_key_encrypts_them(server, app, monkeypatch):
    key = Fernet.generate_key().decode()
    monkeypatch.setitem(app.config, "ZALO_TOKEN_KEY", key)
    deliver(zalo_message())
    assert Fernet(key).decrypt(stored().refresh_token.encode()) == b"rt-1"


def test_a_token_zalo_rejects_is_renewed_and_the_message_sent_once_more(server, app):
    deliver(zalo_message())
    server.script = ["expire"]                 # Zalo revoked at-1 before it expired
    message = deliver(zalo_message())
    assert message.sent_at is not None and message.attempts == 1
    assert [h["access_token"] for _b, h in server.sends] == ["at-1", "at-1", "at-2"]
    assert [form["refresh_token"] for form, _h in server.renewals] == ["rt-0", "rt-1"]
    assert zalo._open(stored().access_token) == "at-2"


def test_temporary_errors_a_timeout_and_no_quota_are_retried_and_the_message_delivered_once(server, app):
    server.script = ["500", "timeout", "-100", "-115"]
    message = zalo_message()
    message = deliver(message, fails=True)
    assert message.attempts == 1 and "HTTP 500" in message.last_error
    assert message.next_attempt_at is not None and message.failed_at is None and message.sent_at is None
    message = deliver(message, fails=True)
    assert message.attempts == 2 and "timed out" in message.last_error.lower()
    message = deliver(message, fails=True)
    assert message.attempts == 3 and message.last_error == "Zalo ZNS -100: Unknown error"
    message = deliver(message, fails=True)     # the OA's ZNS balance is out until the province tops it up
    assert message.attempts == 4 and message.last_error == "Zalo ZNS -115: Out of quota"
    assert message.next_attempt_at is not None and message.failed_at is None
    message = deliver(message)
    assert message.sent_at is not None and message.attempts == 5 and message.failed_at is None
    deliver(message)
    assert len(server.sends) == 5 and {b["tracking_id"] for b, _h in server.sends} == {f"outbox-{message.id}"}
    assert len(server.renewals) == 1           # one token for every attempt


@pytest.mark.parametrize(("answer", "said"), [("-108", "Phone number invalid"), ("-118", "Zalo account not existed")])
def test_an_invalid_phone_or_a_user_not_on_zalo_is_given_up_at_once(server, app, answer, said):
    server.script = [answer]
    message = deliver(zalo_message(phone="84000"), fails=True)
    assert message.failed_at is not None and message.next_attempt_at is None and message.sent_at is None
    assert message.last_error == f"Zalo ZNS {answer}: {said}"
    deliver(message)                            # given up: no job sends it again
    assert len(server.sends) == 1


def test_a_kind_without_a_template_id_is_given_up_without_calling_zalo(server, app):
    message = deliver(zalo_message("apology"), fails=True)
    assert message.failed_at is not None
    assert "'apology'" in message.last_error and "ZALO_TEMPLATES" in message.last_error
    for body in ("not json", "[1, 2]", '{"so_tien": 50000}'):
        bad = OutboxMessage(channel="zalo", recipient="84912345678", subject="received", body=body)
        db.session.add(bad)
        db.session.commit()
        bad = deliver(bad, fails=True)
        assert bad.failed_at is not None and "JSON object of string parameters" in bad.last_error
    assert server.sends == [] and server.renewals == []


def test_a_refused_renewal_is_retried_and_a_new_refresh_token_in_the_environment_restarts_the_chain(
        server, app, monkeypatch):
    server.refresh_valid = set()                # rt-0 was spent elsewhere: Zalo refuses it
    message = deliver(zalo_message(), fails=True)
    assert message.failed_at is None and message.next_attempt_at is not None
    assert "Zalo OAuth -14014" in message.last_error and server.sends == []

    # The OA's administrator authorises the app again and sets the new refresh token.
    server.refresh_valid = {"rt-new"}
    monkeypatch.setitem(app.config, "ZALO_REFRESH_TOKEN", "rt-new")
    message = deliver(message)
    assert message.sent_at is not None and message.attempts == 2
    assert [form["refresh_token"] for form, _h in server.renewals] == ["rt-0", "rt-new"]
    assert zalo._open(stored().refresh_token) == "rt-1"


def test_two_workers_renewing_at_once_spend_the_refresh_token_once(server, app, monkeypatch):
    monkeypatch.setitem(app.config, "ZALO_TIMEOUT", 5)
    deliver(zalo_message())                     # the chain is stored (rt-1); its access token now expires
    row = stored()
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    server.renew_delay = 0.5                    # the first renewal is still under way when the second asks
    tokens, errors = [], []

    def worker():
        with app.app_context():
            try:
                tokens.append(zalo.access_token())
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert errors == [] and tokens == ["at-2", "at-2"]
    assert [form["refresh_token"] for form, _h in server.renewals] == ["rt-0", "rt-1"]
    assert zalo._open(stored().refresh_token) == "rt-2"


def test_no_zalo_adapter_without_its_configuration(app):
    assert not zalo.configured()
    with pytest.raises(LookupError):
        notify.adapter("zalo")
