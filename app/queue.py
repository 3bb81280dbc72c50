"""The job queue (RQ): how services hand work to a job without importing the job.

A job is named by its dotted path ("app.tasks.documents.render_issued_document"); RQ stores
that string and the worker imports it, so services depend on this module only and the jobs in
app/tasks/ may import services freely (no import cycle). Jobs take ids, are safe to re-run,
and are enqueued by services only after their commit. With REDIS_URL set they go to the Redis
queue that `flask worker` serves; without it (the embedded default) the same function runs
inline, so a laptop needs no Redis. What did not finish is re-queued by `flask jobs replay`
(services/replay.py), from the database: a job leaves no trace of its own to look for.
"""
from __future__ import annotations

import logging
from typing import Any

from flask import Flask, current_app
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue
from werkzeug.utils import import_string

from app.config import redis_options

log = logging.getLogger(__name__)

# The jobs, by the path RQ imports them from (each named once; tests/tasks checks they resolve).
RENDER_DOCUMENT = "app.tasks.documents.render_issued_document"
SIGN_DOCUMENT = "app.tasks.signing.sign_issued_document"
DELIVER_MESSAGE = "app.tasks.notify.deliver_message"
JOBS = (RENDER_DOCUMENT, SIGN_DOCUMENT, DELIVER_MESSAGE)

# Bounded jobs (issue 18): each job has its queue and its time limit. E-mails never wait behind a
# PDF (a queue of their own); a job past its limit is stopped by the worker (RQ's job_timeout),
# fails, and its row stays unfinished for `flask jobs replay`. Limits: a form renders in about a
# second, signing may wait for a timestamp authority, SMTP answers fast or not at all.
DOCUMENTS, MESSAGES = "documents", "messages"
ROUTES: dict[str, tuple[str, int]] = {
    RENDER_DOCUMENT: (DOCUMENTS, 120),
    SIGN_DOCUMENT: (DOCUMENTS, 180),
    DELIVER_MESSAGE: (MESSAGES, 60),
}


def init_queue(app: Flask) -> None:
    url = app.config["REDIS_URL"]
    app.extensions["rq_queue"] = (Queue(app.config["RQ_QUEUE"], connection=Redis.from_url(url, **redis_options()))
                                  if url else None)


def queues(base: Queue, only: str | None = None) -> list[Queue]:
    """The queues a worker serves, in priority order: e-mails, documents, then the base queue
    (jobs with no route); `only`: one of them (DOCUMENTS or MESSAGES), for a dedicated worker."""
    names = [only] if only else [MESSAGES, DOCUMENTS]
    routed = [Queue(f"{base.name}-{name}", connection=base.connection) for name in names]
    return routed if only else [*routed, base]


def enqueue(job: str, *args: Any) -> Any:
    """Queue the job at dotted path `job` with `args`, or run it now when no Redis is configured.

    The path is resolved here in both modes, so a misspelt job fails where it is enqueued (an
    ImportError: a bug, never a job failure), not later in the worker.

    Returns the RQ job, or the function's result when run inline. Inline, a failing job is
    logged and does not undo or fail the request whose commit came first: jobs are re-runnable
    (an unsent message keeps `sent_at` empty, an unrendered form keeps `sha256` empty).
    Likewise a queue that cannot be reached (Redis down) is logged and returns None: the change
    is committed, the user is told so, and the work waits in the database for a re-run.
    """
    func = import_string(job)
    queue: Queue | None = current_app.extensions["rq_queue"]
    if queue is None:
        try:
            return func(*args)
        except Exception:
            log.exception("inline job %s%r failed", job, args)
            return None
    name, limit = ROUTES.get(job, (None, None))
    target = queues(queue, name)[0] if name else queue
    try:
        return target.enqueue(job, *args, job_timeout=limit)
    except RedisError:
        log.warning("queue unreachable: %s%r left for a re-run", job, args)
        return None
