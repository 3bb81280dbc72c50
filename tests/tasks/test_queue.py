"""Jobs run inline without Redis, and through a real RQ queue and worker with it."""
import os

import pytest
from redis import Redis
from rq import Queue, SimpleWorker

from app import create_app
from app.tasks import enqueue
from tests.tasks import jobs


def test_without_redis_a_job_runs_inline(app):
    jobs.RAN.clear()
    app.extensions["rq_queue"], saved = None, app.extensions["rq_queue"]
    try:
        assert enqueue(jobs.record, 21) == 42
    finally:
        app.extensions["rq_queue"] = saved
    assert jobs.RAN == [21]


@pytest.mark.redis
@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL not set: no Redis to test the queue against")
def test_with_redis_a_job_is_queued_and_a_worker_runs_it():
    app = create_app({"RQ_QUEUE": "motcua-test-queue"})
    with app.app_context():
        queue: Queue = app.extensions["rq_queue"]
        queue.empty()
        jobs.RAN.clear()
        job = enqueue(jobs.record, 5)
        assert jobs.RAN == [] and job.get_status() == "queued"
        SimpleWorker([queue], connection=queue.connection).work(burst=True)
        job.refresh()
        assert job.get_status() == "finished" and job.return_value() == 10
        assert isinstance(queue.connection, Redis)
