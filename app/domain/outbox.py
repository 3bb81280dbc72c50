"""When an outgoing message that failed is tried again, and when it is given up.

Pure: no Flask, no database. `notify.deliver` asks `next_attempt` after each failure.

Basis
    Not a legal rule: a project rule (issue 16, "retried with exponential backoff"). No text
    in LEGAL.md sets how often a dead receiver is retried; the numbers are ours.
    The shape is the usual capped exponential backoff (as in RFC 6298 §5.5's doubling of the
    retransmission timer, here by four): 1, 4, 16, 64, 256 minutes, capped at 6 hours; after
    the sixth failed attempt (341 minutes, nearly six hours, of trying) the message is given up
    and shown as failed on the outbox page, where an administrator can send it again.
    A receiver's refusal that no retry can fix (an invalid phone number, a 4xx) gives up at
    once (`Permanent`).
"""
from __future__ import annotations

from datetime import datetime, timedelta

FIRST_DELAY = timedelta(minutes=1)
FACTOR = 4
MAX_DELAY = timedelta(hours=6)
MAX_ATTEMPTS = 6


class Permanent(Exception):
    """A failure that retrying cannot fix (the receiver refused the request itself)."""


def delay(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed attempt (1 → 1 min, 2 → 4 min, …, capped)."""
    if attempts < 1:
        raise ValueError("attempts counts from 1")
    return min(FIRST_DELAY * FACTOR ** (attempts - 1), MAX_DELAY)


def next_attempt(attempts: int, failed_at: datetime, permanent: bool = False) -> datetime | None:
    """When to try again after the `attempts`-th attempt failed at `failed_at`; None: give up."""
    if permanent or attempts >= MAX_ATTEMPTS:
        return None
    return failed_at + delay(attempts)


def http_failure(status: int, text: str) -> Exception | None:
    """What an HTTP receiver's answer means for the outbox: None for a success (below 400), a
    ConnectionError that retrying may fix (a 5xx, a 429 "too many requests"), or Permanent for
    any other 4xx (the request itself was refused); the error quotes the receiver's answer."""
    if status < 400:
        return None
    error = f"HTTP {status}: {text[:500]}"
    return ConnectionError(error) if status >= 500 or status == 429 else Permanent(error)
