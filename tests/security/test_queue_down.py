"""Issue 18: with Redis down, a committed change is answered as a success — never a 500 that
makes the applicant submit twice — and its work (the receipt, the e-mail) stays recorded in
the database for a re-run."""
from __future__ import annotations

from redis import Redis
from rq import Queue

from app.extensions import db
from app.models import Dossier, OutboxMessage
from tests.web.test_api_dossiers import new_dossier, token


def test_a_submission_while_redis_is_down_is_committed_and_answered_201(app, client, make_user, loaded_catalogue,
                                                                         monkeypatch):
    headers = token(client, make_user())
    dead = Queue("motcua-dead", connection=Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2))
    monkeypatch.setitem(app.extensions, "rq_queue", dead)
    response = new_dossier(client, headers)
    assert response.status_code == 201
    dossier = db.session.query(Dossier).one()
    assert dossier.status == "submitted"
    # the confirmation e-mail waits, unsent, in the outbox table
    assert [m.sent_at for m in db.session.query(OutboxMessage).filter_by(dossier_id=dossier.id)] == [None]
