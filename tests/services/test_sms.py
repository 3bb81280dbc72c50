"""The SMS channel on the real HTTP path: each adapter posts to a local server that answers as
its provider documents — taken, a temporary error (HTTP 500), a timeout, an invalid number — and
the outbox retries what may pass later, gives up what cannot, and delivers each message once."""
from __future__ import annotations

from contextlib import ExitStack
from datetime import timedelta

import pytest

from app import dates
from app.extensions import db
from app.models import OutboxMessage
from app.models.users import utcnow
from app.services import dossiers, jobs
from tests.factories import run_queued_jobs, submitted_birth, tich_son
from tests.http_peer import TIMEOUT, Peer, serving

# As eSMS documents SendMultipleMessage_V4_post_json: HTTP 200 with CodeResult "100" when taken,
# another CodeResult with an ErrorMessage when refused (the code here stands for any refusal).
ESMS = {"ok": (200, {"CodeResult": "100", "CountRegenerate": 0, "SMSID": "d8e0f1f0702544b2"}),
        "timeout": (200, {"CodeResult": "100", "SMSID": "late"}),
        "500": (500, {"Message": "Internal Server Error"}),
        "invalid": (200, {"CodeResult": "99", "ErrorMessage": "Phone number is invalid"})}
GENERIC = {"ok": (202, {"id": "accepted"}), "timeout": (202, {"id": "late"}),
           "500": (500, {"error": "unavailable"}), "invalid": (422, {"error": "invalid phone number"})}


@pytest.fixture
def provider(app, monkeypatch):
    with ExitStack() as stack:
        def start(kind: str, script: list[str]) -> Peer:
            server = stack.enter_context(serving(Peer(ESMS if kind == "esms" else GENERIC, script)))
            for key, value in {"SMS_PROVIDER": kind, "SMS_API_URL": server.url(), "SMS_API_KEY": "khoa-api",
                               "SMS_SECRET_KEY": "khoa-bi-mat", "SMS_SENDER": "MOTCUA",
                               "SMS_TIMEOUT": TIMEOUT}.items():
                monkeypatch.setitem(app.config, key, value)
            return server

        yield start


def sms_of(dossier) -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(db.select(OutboxMessage).filter_by(dossier_id=dossier.id, channel="sms")
                                   .order_by(OutboxMessage.id)))


def replay_at(moment) -> list[int]:
    done = jobs.replay(timedelta(0), now=moment).messages
    run_queued_jobs()
    return done


def retried_until_delivered(dossier) -> OutboxMessage:
    """Replay far enough ahead each time for the backoff to have passed, until nothing is due."""
    moment = utcnow()
    for _ in range(5):
        moment += timedelta(hours=7)
        if not replay_at(moment):
            break
    [message] = sms_of(dossier)
    return message


@pytest.mark.parametrize("kind", ["esms", "json"])
def test_a_temporary_error_and_a_timeout_are_retried_and_the_sms_delivered_once(make_user, loaded_catalogue,
                                                                                 provider, kind):
    server = provider(kind, ["500", "timeout"])
    office = tich_son(make_user)
    dossier = submitted_birth(office.citizen)
    run_queued_jobs()
    [message] = sms_of(dossier)
    assert message.recipient == "0912345678" and message.attempts == 1 and "HTTP 500" in message.last_error
    assert message.next_attempt_at is not None and message.failed_at is None

    message = retried_until_delivered(dossier)
    assert message.sent_at is not None and message.attempts == 3 and message.failed_at is None
    assert len(server.received) == 3                     # 500, the timeout, then taken: nothing more
    assert replay_at(utcnow() + timedelta(days=2)) == []
    assert len(server.received) == 3

    key = f"outbox-{message.id}"
    bodies = server.bodies()
    if kind == "esms":
        assert {b["RequestId"] for b in bodies} == {key}   # one idempotency key for every attempt
        body = bodies[-1]
        assert (body["ApiKey"], body["SecretKey"], body["Phone"], body["Brandname"]) == (
            "khoa-api", "khoa-bi-mat", "0912345678", "MOTCUA")
        assert body["SmsType"] == "2" and body["IsUnicode"] == "1" and body["Content"] == message.body
    else:
        assert {b["id"] for b in bodies} == {key}
        assert {h["Idempotency-Key"] for _b, h in server.received} == {key}
        assert server.received[-1][1]["Authorization"] == "Bearer khoa-api"
        assert bodies[-1] == {"to": "0912345678", "text": message.body, "sender": "MOTCUA", "id": key}
    assert "Đã gửi, chờ tiếp nhận" in message.body


@pytest.mark.parametrize("kind", ["esms", "json"])
def test_an_invalid_number_is_given_up_at_once(make_user, loaded_catalogue, provider, kind):
    server = provider(kind, ["invalid"])
    dossier = submitted_birth(tich_son(make_user).citizen)
    run_queued_jobs()
    [message] = sms_of(dossier)
    assert message.failed_at is not None and message.next_attempt_at is None and message.sent_at is None
    assert "invalid" in message.last_error.lower()
    assert replay_at(utcnow() + timedelta(days=1)) == [] and len(server.received) == 1


def test_the_acceptance_sms_has_the_code_and_the_lookup_link(make_user, loaded_catalogue, provider):
    server = provider("json", [])
    office = tich_son(make_user)
    dossier = dossiers.accept(submitted_birth(office.citizen), office.desk)
    run_queued_jobs()
    submitted, accepted = sms_of(dossier)
    assert submitted.sent_at and accepted.sent_at and len(server.received) == 2
    assert dossier.code in accepted.body and "/tra-cuu?" in accepted.body
    assert f"đã được tiếp nhận, hẹn trả kết quả {dates.date(dossier.due_at)}" in accepted.body


def test_no_sms_without_a_provider(make_user, loaded_catalogue):
    dossier = submitted_birth(tich_son(make_user).citizen)
    assert sms_of(dossier) == []
