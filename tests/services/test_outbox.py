"""The outbox: a receiver that fails is retried with backoff when due, exactly once delivered,
and a message that keeps failing is given up (domain/outbox.py)."""
from __future__ import annotations

from datetime import timedelta

from app.domain import outbox
from app.extensions import db
from app.models import OutboxMessage
from app.models.users import utcnow
from app.services import jobs, notify
from tests.factories import run_queued_jobs


class FailsTwice:
    """A receiver that refuses the first two requests, then accepts (and counts what it got)."""

    def __init__(self, failures: int = 2):
        self.failures, self.received = failures, []

    def deliver(self, message):
        if self.failures:
            self.failures -= 1
            raise ConnectionRefusedError("receiver down")
        self.received.append(message.id)


def queued_message() -> OutboxMessage:
    message = notify.account_email("a@example.vn", "Thử", ["Nội dung"])
    db.session.commit()
    return message


def replay_at(moment) -> list[int]:
    done = jobs.replay(timedelta(0), now=moment).messages
    run_queued_jobs()
    db.session.expire_all()
    return done


def test_a_receiver_failing_twice_gets_the_message_exactly_once(app, monkeypatch):
    receiver = FailsTwice()
    monkeypatch.setattr(notify, "adapter", lambda channel: receiver)
    message = queued_message()
    notify.dispatch(message)
    run_queued_jobs()
    db.session.expire_all()
    first = db.session.get(OutboxMessage, message.id)
    assert (first.attempts, first.sent_at, first.failed_at) == (1, None, None)
    assert first.last_error == "receiver down"
    first_due = first.next_attempt_at
    assert first_due is not None

    now = utcnow()
    assert replay_at(now) == []                              # not due: a minute's backoff
    assert replay_at(now + timedelta(minutes=2)) == [message.id]
    second = db.session.get(OutboxMessage, message.id)
    assert second.attempts == 2 and second.sent_at is None
    assert second.next_attempt_at - first_due >= timedelta(minutes=3)   # 4 min after the 2nd
    assert replay_at(now + timedelta(minutes=3)) == []
    assert replay_at(now + timedelta(minutes=10)) == [message.id]
    sent = db.session.get(OutboxMessage, message.id)
    assert sent.attempts == 3 and sent.sent_at is not None and sent.next_attempt_at is None
    assert receiver.received == [message.id]

    assert replay_at(now + timedelta(days=1)) == []          # delivered: never again
    notify.deliver(message.id)                               # even a stray job does nothing
    assert receiver.received == [message.id]


def test_a_message_failing_every_time_is_given_up_after_the_last_attempt(app, monkeypatch):
    receiver = FailsTwice(failures=100)
    monkeypatch.setattr(notify, "adapter", lambda channel: receiver)
    message = queued_message()
    moment = utcnow()
    for _ in range(outbox.MAX_ATTEMPTS):
        moment += timedelta(days=1)
        assert replay_at(moment) == [message.id]
    given_up = db.session.get(OutboxMessage, message.id)
    assert given_up.attempts == outbox.MAX_ATTEMPTS and given_up.failed_at is not None
    assert given_up.next_attempt_at is None and given_up.sent_at is None
    assert replay_at(moment + timedelta(days=30)) == []      # given up: left for the outbox page
    assert receiver.received == []


def test_a_permanent_refusal_gives_up_at_once(app, monkeypatch):
    class Refuses:
        def deliver(self, message):
            raise outbox.Permanent("invalid phone number")

    monkeypatch.setattr(notify, "adapter", lambda channel: Refuses())
    message = queued_message()
    notify.dispatch(message)
    run_queued_jobs()
    db.session.expire_all()
    refused = db.session.get(OutboxMessage, message.id)
    assert refused.attempts == 1 and refused.failed_at is not None and refused.next_attempt_at is None
    assert refused.last_error == "invalid phone number"
