"""`flask jobs replay`: what did not finish is re-queued from the database, through the real
jobs (render → sign, deliver), once; rows younger than the grace period are left to the queue."""
from __future__ import annotations

from datetime import timedelta

from redis import Redis
from rq import Queue

from app.extensions import db
from app.models import IssuedDocument, OutboxMessage
from app.models.users import utcnow
from app.services import dossiers, issuing, jobs
from tests.factories import submitted_birth
from tests.signing_helpers import document, through_the_process


def replay_now(app, *options: str) -> str:
    """The cron line, with no grace period; the queued jobs then run as a worker runs them."""
    from tests.factories import run_queued_jobs

    result = app.test_cli_runner().invoke(args=["jobs", "replay", "--older-than", "0", *options])
    assert result.exit_code == 0, result.output
    run_queued_jobs()
    db.session.expire_all()
    return result.output


def unsent(dossier) -> list[OutboxMessage]:
    return list(db.session.scalars(db.select(OutboxMessage).filter_by(dossier_id=dossier.id, sent_at=None)))


def test_jobs_lost_while_redis_was_down_are_replayed_once(app, configured, monkeypatch):
    saved = app.extensions["rq_queue"]
    dead = Queue("motcua-dead", connection=Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2))
    monkeypatch.setitem(app.extensions, "rq_queue", dead)
    dossier = dossiers.accept(submitted_birth(configured.citizen), configured.desk)
    receipt = document(dossier, "receipt")
    assert receipt.sha256 is None and len(unsent(dossier)) == 2   # nothing ran: submission and receipt e-mails
    monkeypatch.setitem(app.extensions, "rq_queue", saved)          # Redis is back

    assert jobs.replay(timedelta(minutes=10)) == jobs.Replayed([], [], [])   # too recent: may still be queued
    output = replay_now(app)
    assert "2 thư, 1 văn bản cần tạo PDF, 0 văn bản cần ký" in output
    receipt = document(dossier, "receipt")
    assert receipt.sha256 and receipt.signed_at is not None and [s.role for s in receipt.signatures] == ["seal"]
    assert unsent(dossier) == []

    sent = [(m.id, m.attempts, m.sent_at) for m in dossier_messages(dossier)]
    assert "0 thư, 0 văn bản cần tạo PDF, 0 văn bản cần ký" in replay_now(app)   # done: nothing twice
    assert [(m.id, m.attempts, m.sent_at) for m in dossier_messages(dossier)] == sent
    assert document(dossier, "receipt").sha256 == receipt.sha256 and len(document(dossier, "receipt").signatures) == 1


def dossier_messages(dossier) -> list[OutboxMessage]:
    query = db.select(OutboxMessage).filter_by(dossier_id=dossier.id).order_by(OutboxMessage.id)
    return list(db.session.scalars(query))


def test_a_document_whose_render_failed_is_rendered_and_signed_by_replay(app, configured, monkeypatch, run_jobs):
    def broken(*args):
        raise OSError("WeasyPrint: no fonts")

    with monkeypatch.context() as patch:
        patch.setattr(issuing, "render_pdf", broken)
        dossier = dossiers.accept(submitted_birth(configured.citizen), configured.desk)
        run_jobs()
    receipt = document(dossier, "receipt")
    assert receipt.sha256 is None and receipt.render_error == "WeasyPrint: no fonts"
    # Left alone until the cause is fixed: a blind re-run would fail (or overrun) again.
    assert "0 văn bản cần tạo PDF" in replay_now(app)
    assert "1 văn bản cần tạo PDF" in replay_now(app, "--failed")
    receipt = document(dossier, "receipt")
    assert receipt.sha256 and receipt.signed_at is not None and receipt.render_error is None


def test_an_email_that_failed_to_send_is_sent_by_replay(app, configured, monkeypatch, run_jobs):
    class Down:
        def deliver(self, message):
            raise ConnectionRefusedError("SMTP down")

    with monkeypatch.context() as patch:
        patch.setattr("app.services.notify.adapter", lambda channel: Down())
        dossier = submitted_birth(configured.citizen)
        run_jobs()
    [message] = unsent(dossier)
    assert message.attempts == 1 and "SMTP down" in message.last_error
    assert message.next_attempt_at is not None and message.failed_at is None
    assert "0 thư" in replay_now(app)                       # not due yet: backoff (domain/outbox.py)
    message.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert "1 thư" in replay_now(app)
    message = db.session.get(OutboxMessage, message.id)
    assert message.sent_at is not None and message.attempts == 2


def test_a_result_waiting_for_the_clerk_and_a_paper_document_are_not_replayed(app, configured, run_jobs):
    dossier = through_the_process(configured, run_jobs)   # approved: the seal waits for the clerk's step
    result = document(dossier, "result")
    assert result.signed_at is None and [s.role for s in result.signatures] == ["personal"]
    assert jobs.replay(timedelta(0), now=utcnow() + timedelta(seconds=1)).signatures == []
    paper = IssuedDocument(dossier=dossier, kind="receipt", number="x", agency=dossier.receiving_agency,
                           content={}, sha256=result.sha256)
    dossier.channel = 1
    db.session.add(paper)
    db.session.commit()
    assert jobs.replay(timedelta(0), now=utcnow() + timedelta(seconds=1)).signatures == []
