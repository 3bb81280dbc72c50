"""/quan-tri/hop-thu-di (issue 16): the province administrator's view of the outbox — pending,
given up, delivered, with counts — and "Gửi lại" for a given-up message, idempotent."""
from __future__ import annotations

import pytest

from app.extensions import db
from app.models import OutboxMessage
from app.models.users import utcnow
from app.services import notify
from app.services.demo import DemoAgency

PAGE = "/quan-tri/hop-thu-di"


class Recorder:
    def __init__(self):
        self.received = []

    def deliver(self, message):
        self.received.append(message.id)


@pytest.fixture
def receiver(monkeypatch):
    recorder = Recorder()
    monkeypatch.setattr(notify, "adapter", lambda channel: recorder)
    return recorder


@pytest.fixture
def province(make_user, login):
    return login(make_user("admin", DemoAgency.PROVINCE))


def message(**columns) -> OutboxMessage:
    row = OutboxMessage(channel="email", recipient="dan@example.vn", subject="Thử", body="Nội dung", **columns)
    db.session.add(row)
    db.session.commit()
    return row


def test_the_page_shows_each_state_with_its_count(client, province):
    failed = message(attempts=6, last_error="receiver down", failed_at=utcnow())
    message(attempts=1, last_error="timeout", next_attempt_at=utcnow())
    message(attempts=1, sent_at=utcnow())
    response = client.get(PAGE)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Chờ gửi (1)" in html and "Gửi lỗi (1)" in html and "Đã gửi (1)" in html
    assert "receiver down" in html and f"/quan-tri/hop-thu-di/{failed.id}/gui-lai" in html
    pending = client.get(PAGE + "?trang_thai=cho-gui").get_data(as_text=True)
    assert "timeout" in pending and "gui-lai" not in pending
    assert client.get(PAGE + "?trang_thai=da-gui").status_code == 200
    assert client.get(PAGE + "?trang_thai=khac").status_code == 400


def test_retry_sends_a_given_up_message_once_however_often_clicked(client, province, receiver, run_jobs):
    failed = message(attempts=6, last_error="receiver down", failed_at=utcnow())
    for _ in range(2):   # a double click
        response = client.post(f"{PAGE}/{failed.id}/gui-lai")
        assert response.status_code == 302 and response.headers["Location"].endswith("trang_thai=loi")
    run_jobs()   # with REDIS_URL the worker delivers (inline, it already ran): once for two jobs
    db.session.expire_all()
    sent = db.session.get(OutboxMessage, failed.id)
    assert sent.sent_at is not None and sent.failed_at is None and sent.attempts == 7
    assert receiver.received == [failed.id]


def test_retry_of_a_missing_message_is_404(client, province):
    assert client.post(f"{PAGE}/999999/gui-lai").status_code == 404


@pytest.mark.parametrize("role, agency", [(None, None), ("admin", DemoAgency.VINH_YEN),
                                          ("reception", DemoAgency.TICH_SON_DESK)])
def test_other_roles_get_403(client, make_user, login, role, agency, receiver):
    failed = message(attempts=6, failed_at=utcnow())
    login(make_user(role, agency))
    assert client.get(PAGE).status_code == 403
    assert client.post(f"{PAGE}/{failed.id}/gui-lai").status_code == 403
    assert receiver.received == []


def test_a_visitor_is_sent_to_log_in(client):
    response = client.get(PAGE)
    assert response.status_code == 302 and "/dang-nhap" in response.headers["Location"]


def test_each_message_is_shown_with_its_channel(client, province):
    for channel, recipient in (("email", "dan@example.vn"), ("sms", "0912345678"), ("zalo", "84912345678")):
        db.session.add(OutboxMessage(channel=channel, recipient=recipient, subject="received", body="{}",
                                     attempts=6, last_error=f"{channel} refused", failed_at=utcnow()))
    db.session.commit()
    html = client.get(PAGE + "?trang_thai=loi").get_data(as_text=True)
    for label, recipient in (("E-mail", "dan@example.vn"), ("SMS", "0912345678"), ("Zalo", "84912345678")):
        assert f"<td>{label}</td><td>{recipient}</td>" in html


def test_a_national_record_is_named_by_its_channel(client, province):
    db.session.add(OutboxMessage(channel="national", recipient="https://lgsp.example.vn/dongbo", subject="", body="{}",
                                 attempts=6, last_error="HTTP 422: MaTTHC", failed_at=utcnow()))
    db.session.commit()
    html = client.get(PAGE + "?trang_thai=loi").get_data(as_text=True)
    assert "Cổng Dịch vụ công quốc gia" in html and "https://lgsp.example.vn/dongbo" in html and "E-mail" not in html
