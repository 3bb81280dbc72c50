"""Issue 18, "Done when": faults the tests cause themselves, on a Redis they start and stop.

- Redis stops (and loses what it held: it keeps nothing on disk) in the middle of submissions
  and receipts: every request is answered as the success it is, and once Redis is back, the
  sweeper (`flask jobs replay`) has every e-mail sent and every receipt rendered exactly once,
  even when it runs twice before a worker gets to the jobs.
- A worker killed in the middle of a render: the sweeper re-queues the document, another worker
  renders it once, and RQ's own record of the dead job ends as failed, not run again.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from redis import Redis
from rq import Queue, SimpleWorker
from rq.registry import FailedJobRegistry, StartedJobRegistry

from app.config import ROOT, redis_options
from app.extensions import db
from app.models import Dossier, IssuedDocument, OutboxMessage
from app.models.users import utcnow
from app.queue import DOCUMENTS, queues
from app.services import dossiers, issuing, jobs, notify
from app.services.claims import claim
from tests.factories import submitted_birth
from tests.web.test_api_dossiers import new_dossier, token

pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None,
                                reason="redis-server not installed: no Redis for the test to start and stop")


@dataclass
class OwnRedis:
    """A redis-server of the test's own, on a free port, that keeps nothing on disk."""
    port: int
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = Redis(port=self.port)
        for _ in range(100):
            try:
                client.ping()
                return
            except Exception:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def kill(self) -> None:
        """As a crash: SIGKILL, and what it held is gone."""
        self.process.kill()
        self.process.wait()


@pytest.fixture
def own_redis(app, monkeypatch):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    redis = OwnRedis(port)
    redis.start()
    # Connected as the portal connects (app.config.redis_options: an outage fails fast).
    queue = Queue("motcua-fault", connection=Redis.from_url(redis.url, **redis_options()))
    monkeypatch.setitem(app.extensions, "rq_queue", queue)
    yield redis
    if redis.process.poll() is None:
        redis.kill()


def worker_runs(queue: Queue) -> None:
    SimpleWorker(queues(queue), connection=queue.connection).work(burst=True)


def sweep() -> jobs.Replayed:
    """`flask jobs replay --older-than 0`, a second after the facts."""
    return jobs.replay(timedelta(0), now=utcnow() + timedelta(seconds=1))


def test_redis_lost_during_submissions_and_receipts_then_everything_once(app, client, configured, own_redis,
                                                                         monkeypatch):
    sent, rendered = Counter(), Counter()

    class Recorder:
        def deliver(self, message):
            sent[message.id] += 1

    real_render = issuing.render_pdf

    def counted(template, context):
        rendered[context["number"]] += 1
        return real_render(template, context)

    monkeypatch.setattr(notify, "adapter", lambda channel: Recorder())
    monkeypatch.setattr(issuing, "render_pdf", counted)
    citizen, desk = token(client, configured.citizen), token(client, configured.desk)

    references = []
    for n in range(4):
        if n == 2:
            own_redis.kill()                    # the two queued e-mails die with it
        response = new_dossier(client, citizen)
        assert response.status_code == 201, response.get_json()
        references.append(response.get_json()["reference"])
    for reference in references:            # the desk accepts while Redis is still down
        response = client.post(f"/api/v1/dossiers/{reference}/actions/accept", headers=desk)
        assert response.status_code == 200, response.get_json()
    assert not sent and not rendered            # nothing could run: no worker, then no Redis

    own_redis.start()
    queue = app.extensions["rq_queue"]
    first, second = sweep(), sweep()            # cron ran twice before a worker came
    assert first == second and len(first.messages) == 8 and len(first.renders) == 4
    worker_runs(queue)

    messages = db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert len(messages) == 8                   # per dossier: submitted, then accepted
    assert all(m.sent_at is not None and m.attempts == 1 for m in messages)
    assert sent == Counter({m.id: 1 for m in messages})
    receipts = db.session.scalars(db.select(IssuedDocument).filter_by(kind="receipt")).all()
    assert len(receipts) == 4 and all(r.sha256 and r.signed_at and len(r.signatures) == 1 for r in receipts)
    assert rendered == Counter({r.number: 1 for r in receipts})
    assert {d.status for d in db.session.scalars(db.select(Dossier))} == {"accepted"}
    assert sweep() == jobs.Replayed([], [], [])  # nothing left, nothing done twice


def test_a_worker_killed_mid_render_is_recovered_by_the_sweeper(app, configured, own_redis, tmp_path):
    queue = app.extensions["rq_queue"]
    dossier = dossiers.accept(submitted_birth(configured.citizen), configured.desk)
    [receipt] = [d for d in dossier.documents if d.kind == "receipt"]
    marker = tmp_path / "rendering"
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "REDIS_URL": own_redis.url,
           "RQ_QUEUE": queue.name, "STORAGE_DIR": app.config["STORAGE_DIR"], "SECRET_KEY": "test-only"}
    worker = subprocess.Popen([sys.executable, "-m", "tests.security.slow_worker", str(marker)], cwd=ROOT, env=env,
                              start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):
            if (marker.exists() and marker.read_text()) or worker.poll() is not None:
                break
            time.sleep(0.05)
        assert marker.exists(), "the worker never started the render"
        os.kill(int(marker.read_text()), signal.SIGKILL)   # the work horse, mid-render
    finally:
        os.killpg(worker.pid, signal.SIGKILL)                # and the worker that forked it
        worker.wait()
    [documents] = queues(queue, DOCUMENTS)
    assert StartedJobRegistry(queue=documents).get_job_ids()   # RQ still thinks it runs
    db.session.expire_all()
    assert db.session.get(IssuedDocument, receipt.id).sha256 is None
    released_by_the_dead_connection(receipt.id)

    assert sweep().renders == [receipt.id]
    worker_runs(queue)
    db.session.expire_all()
    document = db.session.get(IssuedDocument, receipt.id)
    assert document.sha256 and document.signed_at and Path(issuing.storage.path_for(document.sha256)).exists()
    # Once its time is up, RQ's clean-up (run by the sweeper) files the dead job as failed.
    StartedJobRegistry(queue=documents).cleanup(timestamp=time.time() + 3600)
    assert not StartedJobRegistry(queue=documents).get_job_ids()
    assert FailedJobRegistry(queue=documents).get_job_ids() and documents.count == 0
    assert sweep() == jobs.Replayed([], [], [])


def released_by_the_dead_connection(document_id: int) -> None:
    """PostgreSQL drops a dead client's row locks when its backend sees the connection closed,
    a moment after the kill; a job claiming the row before then finds it taken and leaves it to
    the next sweep. Wait for that moment (SQLite takes no row locks: at once)."""
    for _ in range(200):
        if claim(IssuedDocument, document_id) is not None:
            db.session.rollback()
            return
        db.session.rollback()
        time.sleep(0.05)
    raise AssertionError("the killed worker's lock was never released")
