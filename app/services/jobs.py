"""Re-queue the jobs that did not finish (`flask jobs replay`, safe to run from cron).

Each job's work is recorded on its row, so what is unfinished is read from the database: an
outbox message with no `sent_at` (notify.deliver), a document with no `sha256` (issuing.render),
a rendered electronic document with no `signed_at` that signing can progress (signing.sign).
Only rows older than the grace period are taken, so a job still waiting in the queue is not
raced; the jobs themselves are idempotent, so a replay that does overlap one does nothing twice.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from app.models.users import utcnow
from app.queue import DELIVER_MESSAGE, RENDER_DOCUMENT, SIGN_DOCUMENT, enqueue
from app.services import issuing, notify, signing


@dataclass(frozen=True)
class Replayed:
    """The ids re-queued, by job."""
    messages: list[int]
    renders: list[int]
    signatures: list[int]


def replay(older_than: timedelta, now: datetime | None = None) -> Replayed:
    """Re-queue every unfinished job whose row is older than `older_than`. Rendering chains
    signing (tasks/documents.py), so the documents to sign are those rendered already."""
    cut = (now or utcnow()) - older_than
    # Collected before anything runs: inline, a render would otherwise also count as a signing.
    done = Replayed(notify.unsent(cut), issuing.unrendered(cut), signing.waiting(cut))
    for job, ids in ((DELIVER_MESSAGE, done.messages), (RENDER_DOCUMENT, done.renders),
                     (SIGN_DOCUMENT, done.signatures)):
        for id_ in ids:
            enqueue(job, id_)
    return done
