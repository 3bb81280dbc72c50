"""Background jobs (RQ).

Jobs take ids, are safe to re-run, and are enqueued by services only after their commit.
With REDIS_URL set they go to the Redis queue that `flask worker` serves; without it (the
embedded default) the same function runs inline, so a laptop needs no Redis.
"""
from __future__ import annotations

import logging
from typing import Any, Callable

from flask import Flask, current_app
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue


def init_queue(app: Flask) -> None:
    url = app.config["REDIS_URL"]
    app.extensions["rq_queue"] = Queue(app.config["RQ_QUEUE"], connection=Redis.from_url(url)) if url else None


def enqueue(func: Callable[..., Any], *args: Any) -> Any:
    """Queue `func(*args)`, or run it now when no Redis is configured.

    Returns the RQ job, or the function's result when run inline. Inline, a failing job is
    logged and does not undo or fail the request whose commit came first: jobs are re-runnable
    (an unsent message keeps `sent_at` empty, an unrendered form keeps `sha256` empty).
    Likewise a queue that cannot be reached (Redis down) is logged and returns None: the change
    is committed, the user is told so, and the work waits in the database for a re-run.
    """
    queue: Queue | None = current_app.extensions["rq_queue"]
    if queue is None:
        try:
            return func(*args)
        except Exception:
            logging.getLogger(__name__).exception("inline job %s%r failed", func.__name__, args)
            return None
    try:
        return queue.enqueue(func, *args)
    except RedisError:
        logging.getLogger(__name__).warning("queue unreachable: %s%r left for a re-run", func.__name__, args)
        return None
