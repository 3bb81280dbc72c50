"""Re-queue the jobs that did not finish (`flask jobs replay`, safe to run from cron).

Each job's work is recorded on its row, so what is unfinished is read from the database: an
outbox message with no `sent_at`, not given up, whose next attempt is due (notify.deliver), a
document with no `sha256` (issuing.render),
a rendered electronic document with no `signed_at` that signing can progress (signing.sign).
Only rows older than the grace period are taken, so a job still waiting in the queue is not
raced; the jobs themselves are idempotent, so a replay that does overlap one does nothing twice.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from redis.exceptions import RedisError
from rq.registry import StartedJobRegistry

from app.models.users import utcnow
from app.queue import DELIVER_MESSAGE, RENDER_DOCUMENT, SIGN_DOCUMENT, enqueue, queues
from app.services import issuing, notify, signing

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Replayed:
    """The ids re-queued, by job."""
    messages: list[int]
    renders: list[int]
    signatures: list[int]


def replay(older_than: timedelta, now: datetime | None = None, failed: bool = False) -> Replayed:
    """Re-queue every unfinished job whose row is older than `older_than`. Rendering chains
    signing (tasks/documents.py), so the documents to sign are those rendered already. A render
    that failed with a recorded error is left until the caller says its cause is fixed (`failed`):
    re-running a form that overran its time limit would only block the queue again.

    A job of a worker killed mid-job has no error recorded: its row is simply unfinished and is
    re-queued here; RQ's own record of it (started, never finished) is moved to the failed jobs
    first (its abandoned-job clean-up), so RQ does not run it a second time."""
    abandon_dead_jobs()
    now = now or utcnow()
    cut = now - older_than
    # Collected before anything runs: inline, a render would otherwise also count as a signing.
    done = Replayed(notify.unsent(cut, now), issuing.unrendered(cut, failed), signing.waiting(cut))
    for job, ids in ((DELIVER_MESSAGE, done.messages), (RENDER_DOCUMENT, done.renders),
                     (SIGN_DOCUMENT, done.signatures)):
        for id_ in ids:
            enqueue(job, id_)
    return done


def abandon_dead_jobs() -> None:
    """RQ's clean-up of its started-job registries: a job whose worker died (its time limit and
    heartbeat passed) is marked failed. Nothing to do without Redis (jobs run inline) or when it
    cannot be reached (the re-queueing then waits in the database too)."""
    queue = current_app.extensions["rq_queue"]
    if queue is None:
        return
    try:
        for each in queues(queue):
            StartedJobRegistry(queue=each).cleanup()
    except RedisError:
        log.warning("queue unreachable: started jobs not cleaned up")
