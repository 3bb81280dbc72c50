"""Jobs run inline without Redis, and through a real RQ queue and worker with it."""
import os

import pytest
from redis import Redis
from rq import Queue, SimpleWorker

from app import create_app
from app.queue import JOBS, enqueue
from tests.tasks import jobs


def test_without_redis_a_job_runs_inline(app):
    jobs.RAN.clear()
    app.extensions["rq_queue"], saved = None, app.extensions["rq_queue"]
    try:
        assert enqueue("tests.tasks.jobs.record", 21) == 42
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
        job = enqueue("tests.tasks.jobs.record", 5)
        assert jobs.RAN == [] and job.get_status() == "queued"
        SimpleWorker([queue], connection=queue.connection).work(burst=True)
        job.refresh()
        assert job.get_status() == "finished" and job.return_value() == 10
        assert isinstance(queue.connection, Redis)


def test_every_job_path_names_a_function_and_a_misspelt_one_fails_where_it_is_enqueued(app):
    from werkzeug.utils import ImportStringError, import_string

    assert all(callable(import_string(path)) for path in JOBS)
    with pytest.raises(ImportStringError):
        enqueue("app.tasks.documents.render_documnet", 1)


def test_services_do_not_import_the_jobs():
    """The jobs import services; services reach jobs only by path (app/queue.py): no cycle."""
    import ast
    from pathlib import Path

    services = Path(__file__).resolve().parents[2] / "app" / "services"
    imported = {node.module if isinstance(node, ast.ImportFrom) else alias.name
                for path in services.glob("*.py") for node in ast.walk(ast.parse(path.read_text()))
                if isinstance(node, ast.Import | ast.ImportFrom) for alias in node.names}
    assert not {name for name in imported if name and name.startswith("app.tasks")}


def test_every_job_has_its_queue_and_time_limit():
    from app.queue import DOCUMENTS, MESSAGES, ROUTES

    assert set(ROUTES) == set(JOBS)
    assert all(name in (DOCUMENTS, MESSAGES) and 0 < limit <= 300 for name, limit in ROUTES.values())


@pytest.mark.redis
@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL not set: no Redis to test the queue against")
def test_e_mails_and_documents_go_to_their_own_queues_with_their_limits():
    from app.queue import DELIVER_MESSAGE, DOCUMENTS, MESSAGES, RENDER_DOCUMENT, ROUTES, queues

    app = create_app({"RQ_QUEUE": "motcua-test-routes"})
    with app.app_context():
        base: Queue = app.extensions["rq_queue"]
        for queue in queues(base):
            queue.empty()
        mail, pdf = enqueue(DELIVER_MESSAGE, 999999), enqueue(RENDER_DOCUMENT, 999999)
        assert (mail.origin, mail.timeout) == (f"{base.name}-{MESSAGES}", ROUTES[DELIVER_MESSAGE][1])
        assert (pdf.origin, pdf.timeout) == (f"{base.name}-{DOCUMENTS}", ROUTES[RENDER_DOCUMENT][1])
        # A worker of the documents queue only leaves the e-mail waiting for its own worker.
        SimpleWorker(queues(base, DOCUMENTS), connection=base.connection).work(burst=True)
        assert mail.get_status(refresh=True) == "queued" and pdf.get_status(refresh=True) != "queued"
        for queue in queues(base):
            queue.empty()
