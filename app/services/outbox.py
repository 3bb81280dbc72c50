"""The outbox as the province administrator sees it (/quan-tri/hop-thu-di, issue 16): what waits,
what was given up, what was delivered, and sending a given-up message again. The delivery itself
and its retries are notify.deliver's (domain/outbox.py)."""
from __future__ import annotations

from enum import StrEnum

from sqlalchemy import ColumnElement, func, select

from app.extensions import db
from app.models import OutboxMessage
from app.services import notify


class State(StrEnum):
    """A message's place in the outbox (by its columns: `sent_at`, `failed_at`)."""
    PENDING = "pending"        # not delivered yet: never tried, or waiting for its next attempt
    FAILED = "failed"          # given up after its last attempt or a permanent refusal
    DELIVERED = "delivered"


_WHERE: dict[State, tuple[ColumnElement[bool], ...]] = {
    State.PENDING: notify.PENDING,
    State.FAILED: (OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_not(None)),
    State.DELIVERED: (OutboxMessage.sent_at.is_not(None),),
}


def counts() -> dict[State, int]:
    return {state: db.session.scalar(select(func.count(OutboxMessage.id)).where(*where))
            for state, where in _WHERE.items()}


def messages(state: State, page: int = 1, per_page: int = 50):
    """One page of the messages in `state`, newest first."""
    query = select(OutboxMessage).where(*_WHERE[state]).order_by(OutboxMessage.id.desc())
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def retry(message_id: int) -> bool:
    """Send a given-up message again (LookupError when there is none): it is due now and no longer
    failed, and its job is queued after the commit. Its attempts keep counting, so a message given
    up after its last attempt gets one more: failing again, it is given up again. Idempotent: a
    message already pending again or delivered is left as it is (False), so a second click sends
    nothing twice."""
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        raise LookupError(message_id)
    if message.sent_at is not None or message.failed_at is None:
        return False
    message.failed_at = None
    message.next_attempt_at = None
    db.session.commit()
    notify.dispatch(message)
    return True
