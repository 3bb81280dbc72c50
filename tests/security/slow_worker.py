"""A worker whose renders never finish, for tests/security/test_faults.py to kill mid-job.

Run as `python -m tests.security.slow_worker <marker>` with DATABASE_URL, REDIS_URL, RQ_QUEUE and
STORAGE_DIR set: it serves the documents queue with the real RQ Worker (a forked work horse, as
`flask worker` runs), writes the work horse's pid to <marker> when a render starts, and then sleeps in it."""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from rq import Worker

from app import create_app
from app.queue import DOCUMENTS, queues


def main(marker: str) -> None:
    import app.services.issuing as issuing

    def stuck(*args):
        Path(marker).write_text(str(os.getpid()))   # the work horse: RQ forks it into its own group
        time.sleep(600)

    issuing.render_pdf = stuck
    app = create_app()
    with app.app_context():
        base = app.extensions["rq_queue"]
        Worker(queues(base, DOCUMENTS), connection=base.connection).work(burst=True)


if __name__ == "__main__":
    main(sys.argv[1])
