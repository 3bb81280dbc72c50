"""The outbox's retry rule: capped exponential backoff, and when a message is given up."""
from datetime import UTC, datetime, timedelta

import pytest

from app.domain import outbox

AT = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)


def test_the_delay_grows_by_four_from_a_minute_and_is_capped():
    assert [outbox.delay(n) for n in range(1, 6)] == [timedelta(minutes=m) for m in (1, 4, 16, 64, 256)]
    assert outbox.delay(6) == outbox.delay(20) == timedelta(hours=6)
    with pytest.raises(ValueError):
        outbox.delay(0)


def test_the_sixth_failure_or_a_permanent_one_gives_up():
    assert outbox.next_attempt(1, AT) == AT + timedelta(minutes=1)
    assert outbox.next_attempt(5, AT) == AT + timedelta(minutes=256)
    assert outbox.next_attempt(outbox.MAX_ATTEMPTS, AT) is None
    assert outbox.next_attempt(1, AT, permanent=True) is None
