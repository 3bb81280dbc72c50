"""Issue 16's "done when": a dossier taken through intake, supplement, fee, apology and return
produces the expected e-mail, SMS and Zalo requests and national records, each exactly once,
including across receivers that fail twice before answering; the outbox page shows them.

Every receiver is a local HTTP server answering as its provider documents (tests/http_peer.py):
the SMS gateway and the national endpoint first fail (an HTTP 503, then a timeout), Zalo first
answers an HTTP 500 twice; the outbox's backoff retries each until it is taken. Time passes
between the changes (the retries run before the next one), so no national record is superseded
by a newer one before its retry (services/national_sync.py: an older record is then not sent).

Nothing is signed here (no certificates are configured), so the issued forms wait unsigned;
that does not touch the messages."""
from __future__ import annotations

import json
from contextlib import ExitStack
from datetime import timedelta

import pytest

from app.domain.notices import Kind
from app.extensions import db
from app.models import OutboxMessage
from app.models.users import utcnow
from app.services import catalogue, dossiers, jobs, processing
from app.services.demo import DemoAgency
from tests.factories import LAND, TICH_SON_DESK, complete_input, land_office, run_queued_jobs
from tests.http_peer import TIMEOUT, Peer, Zalo, configure_zalo, serving

TAKEN = {"ok": (202, {"id": "accepted"}), "timeout": (202, {"id": "late"}), "503": (503, {"error": "unavailable"})}
FAILS_TWICE = ["503", "timeout"]


@pytest.fixture
def receivers(app, monkeypatch):
    with ExitStack() as stack:
        gateway = stack.enter_context(serving(Peer(TAKEN, FAILS_TWICE)))
        national = stack.enter_context(serving(Peer(TAKEN, FAILS_TWICE)))
        zalo = stack.enter_context(serving(Zalo()))
        zalo.script = ["500", "500"]
        configure_zalo(app, monkeypatch, zalo, {kind.value: str(400000 + n) for n, kind in enumerate(Kind)})
        for key, value in {"SMS_PROVIDER": "json", "SMS_API_URL": gateway.url(), "SMS_API_KEY": "khoa-api",
                           "SMS_SENDER": "MOTCUA", "SMS_TIMEOUT": TIMEOUT,
                           "NATIONAL_SYNC_URL": national.url("/dongbo/hoso"), "NATIONAL_SYNC_TOKEN": "lgsp",
                           "NATIONAL_SYNC_TIMEOUT": TIMEOUT}.items():
            monkeypatch.setitem(app.config, key, value)
        yield gateway, zalo, national


def retry_until_nothing_is_due() -> None:
    """Time passes: replay what is due, far enough ahead each time for the backoff to have passed."""
    moment = utcnow()
    for _ in range(6):
        moment += timedelta(hours=7)
        if not jobs.replay(timedelta(0), now=moment).messages:
            return
        run_queued_jobs()


def rows(channel: str) -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(db.select(OutboxMessage).filter_by(channel=channel).order_by(OutboxMessage.id)))


def test_intake_supplement_fee_apology_return_each_message_once(make_user, loaded_catalogue, receivers, client,
                                                                login):
    gateway, zalo, national = receivers
    office = land_office(make_user)
    citizen, desk, commune, province, district, leader, clerk = (
        office.citizen, office.desk, office.commune, office.province, office.district, office.district_leader,
        office.district_clerk)
    citizen.notify_channels = "email,sms,zalo"

    version = catalogue.current_version(LAND)
    dossier = dossiers.start_draft(citizen, version, TICH_SON_DESK)
    dossiers.save_draft(dossier, citizen, complete_input(version.spec), dossier.lock_version)
    dossiers.submit(dossier, citizen)
    run_queued_jobs()
    retry_until_nothing_is_due()   # each receiver failed twice on its first request, then took it
    dossiers.accept(dossier, desk)  # intake: the receipt, its appointment, the first national record
    run_queued_jobs()
    retry_until_nothing_is_due()   # the national endpoint failed twice on it, then took it

    processing.request_supplement(dossier, commune, ["Bản sao sổ hộ khẩu"], "Thiếu giấy tờ")
    dossiers.resubmit(dossier, citizen)
    processing.request_fee(dossier, commune)
    processing.record_payment(dossier, desk, processing.fee_total(dossier), "BL-0001")
    processing.complete_step(dossier, commune, "Đã xác nhận")
    processing.complete_step(dossier, province)
    processing.draft_apology(dossier, leader, dossier.due_in_force + timedelta(days=5), "Chờ xác minh", issue=True)
    processing.complete_step(dossier, district)
    processing.resolve(dossier, leader, "approved")
    processing.complete_step(dossier, clerk)
    processing.return_result(dossier, desk, "counter")
    run_queued_jobs()
    retry_until_nothing_is_due()

    kinds = [m.subject for m in rows("zalo")]
    assert kinds == ["submitted", "received", "supplement_requested", "resubmitted", "fee_requested", "paid",
                     "apology", "resolved", "returned"]
    sms, mails, zalos, records = rows("sms"), rows("email"), rows("zalo"), rows("national")
    assert len(sms) == len(mails) == len(zalos) == len(kinds)
    assert {m.recipient for m in sms} == {"0912345678"} and {m.recipient for m in zalos} == {"84912345678"}
    assert "Bản sao sổ hộ khẩu" in mails[kinds.index("supplement_requested")].body
    # The national portal tracks a dossier from its receipt (it has no MaHoSo before): one record
    # per tracked change, the last one returned (national status 10), a supplement among them (5).
    statuses = [json.loads(r.body)["TrangThaiHoSo"] for r in records]
    assert len(records) == len(kinds) - 1 and statuses[-1] == 10 and 5 in statuses
    assert {json.loads(r.body)["MaHoSo"] for r in records} == {dossier.code}

    everything = sms + mails + zalos + records
    assert all(m.sent_at is not None and m.failed_at is None for m in everything)
    # Exactly once: each row's idempotency key reached its receiver once per attempt, and only its
    # last attempt was taken (the failures before it are the receivers' first answers).
    for peer, key_of, sent in ((gateway, lambda b, h: b["id"], sms), (national, lambda b, h: h["Idempotency-Key"],
                                                                        records)):
        keys = [key_of(b, h) for b, h in peer.received]
        assert sorted(set(keys)) == sorted(f"outbox-{m.id}" for m in sent)
        assert all(keys.count(f"outbox-{m.id}") == m.attempts for m in sent)
        assert len(keys) == len(sent) + 2
    tracking = [b["tracking_id"] for b, _h in zalo.sends]
    assert sorted(set(tracking)) == sorted(f"outbox-{m.id}" for m in zalos) and len(tracking) == len(zalos) + 2
    assert [b["template_id"] for b, _h in zalo.sends][-1] == str(400000 + list(Kind).index(Kind.RETURNED))

    # Nothing is sent again later, and the outbox page shows them delivered.
    assert jobs.replay(timedelta(0), now=utcnow() + timedelta(days=3)).messages == []
    login(make_user("admin", DemoAgency.PROVINCE))
    page = client.get("/quan-tri/hop-thu-di?trang_thai=da-gui").get_data(as_text=True)
    for label, recipient in (("E-mail", dossier.applicant_email), ("SMS", "0912345678"), ("Zalo", "84912345678"),
                             ("Cổng Dịch vụ công quốc gia", national.url("/dongbo/hoso"))):
        assert f"<td>{label}</td><td>{recipient}</td>" in page
    assert client.get("/quan-tri/hop-thu-di?trang_thai=loi").get_data(as_text=True).count("<tr><td>") == 0

