"""Synchronisation with the national portal on the real HTTP path (issue 16): a dossier taken
from the counter through a supplement, a fee and its payment to the return of its result writes
one national record per change, each delivered once to a local receiver; a receiver that fails
twice is retried by the outbox's backoff; a refusal is given up with the receiver's error; an
older record never overtakes a newer one; the dossier's sync state and index 1.4 follow."""
from __future__ import annotations

import json
from contextlib import ExitStack
from datetime import date, timedelta

import pytest

from app.extensions import db
from app.models import DossierSync, OutboxMessage
from app.models.users import utcnow
from app.services import catalogue, dossiers, jobs, national_sync, processing, ratings, stats
from app.services.structure import today
from tests.factories import LAND, TICH_SON_DESK, birth_in, complete_input, land_office, run_queued_jobs, tich_son
from tests.http_peer import TIMEOUT, Peer, serving

TOKEN = "ma-ket-noi-lgsp"


PATH = "/api/dongbo/hoso"
# The receiver's answers, by HTTP status (a step of the script); "ok" once the script is done.
ANSWERS = {"ok": (200, {"error_code": 0}), "timeout": (200, {"error_code": 0}),
           302: (302, {}, {"Location": "https://dichvucong.example.vn/dang-nhap"}),
           **{status: (status, {"error": f"mã lỗi {status}: MaTTHC không tồn tại"}) for status in (422, 500, 503)}}


@pytest.fixture
def receiver(app, monkeypatch):
    with ExitStack() as stack:
        def start(script=()) -> Peer:
            server = stack.enter_context(serving(Peer(ANSWERS, list(script))))
            for key, value in {"NATIONAL_SYNC_URL": server.url(PATH), "NATIONAL_SYNC_TOKEN": TOKEN,
                               "NATIONAL_SYNC_TIMEOUT": TIMEOUT}.items():
                monkeypatch.setitem(app.config, key, value)
            return server

        yield start


@pytest.fixture
def people(make_user, loaded_catalogue):
    return land_office(make_user)


def national_of(dossier) -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(db.select(OutboxMessage).filter_by(dossier_id=dossier.id, channel="national")
                                   .order_by(OutboxMessage.id)))


def sync_of(dossier) -> DossierSync:
    db.session.expire_all()
    return db.session.get(DossierSync, dossier.id)


def replay_at(moment) -> list[int]:
    done = jobs.replay(timedelta(0), now=moment).messages
    run_queued_jobs()
    return done


def retried(rounds: int = 5) -> None:
    """Replay far enough ahead each time for the backoff to have passed, until nothing is due."""
    moment = utcnow()
    for _ in range(rounds):
        moment += timedelta(hours=7)
        if not replay_at(moment):
            break


def land_dossier(people):
    version = catalogue.current_version(LAND)
    dossier = dossiers.counter_intake(people.desk, version, TICH_SON_DESK, 1, complete_input(version.spec))
    dossier.owner = people.citizen
    db.session.commit()
    return dossier


def test_every_tracked_change_is_one_record_delivered_once(people, receiver):
    server = receiver()
    dossier = land_dossier(people)
    processing.request_supplement(dossier, people.commune, ["Bản sao sổ hộ khẩu"], "Thiếu giấy tờ")
    dossiers.resubmit(dossier, people.citizen)
    processing.request_fee(dossier, people.commune)
    processing.record_payment(dossier, people.desk, processing.fee_total(dossier), "BL-0001")
    processing.complete_step(dossier, people.commune, "Đã xác nhận")   # no change the national record carries
    processing.complete_step(dossier, people.province)
    processing.complete_step(dossier, people.district)
    processing.resolve(dossier, people.district_leader, "approved")
    processing.complete_step(dossier, people.district_clerk)
    processing.return_result(dossier, people.desk, "counter")
    run_queued_jobs()

    messages = national_of(dossier)
    statuses = [json.loads(m.body)["TrangThaiHoSo"] for m in messages]
    # received (2; a counter dossier starts processing at once: 4), supplement (5), answered (4),
    # fee (6), paid (4), resolved (9), returned (10): one record per change, none for the hand-offs
    assert statuses[0] in (2, 4) and statuses[1:] == [5, 4, 6, 4, 9, 10]
    assert all(m.sent_at and m.attempts == 1 and m.recipient == server.url(PATH) for m in messages)
    # each delivered exactly once, with its own idempotency key, the bearer token, the body as written
    assert [h["Idempotency-Key"] for _b, h in server.received] == [f"outbox-{m.id}" for m in messages]
    assert {h["Authorization"] for _b, h in server.received} == {f"Bearer {TOKEN}"}
    assert [b for b, _h in server.received] == [json.loads(m.body) for m in messages]
    last = json.loads(messages[-1].body)
    # the export's shape (interchange.record_of), in the national field names
    assert last["MaHoSo"] == dossier.code and last["MaTTHC"] == LAND and last["KenhThucHien"] == 1
    assert {"NgayTiepNhan", "NgayHenTra", "NgayKetThucXuLy", "NgayTraKetQua"} <= set(last)
    assert [e["TrangThai"] for e in last["QuaTrinhXuLy"]][-2:] == [9, 10]
    assert [r["GiaiDoan"] for r in last["YeuCauBoSung"]] == ["xu_ly"]
    assert [(f["SoTien"], f["HinhThucThanhToan"], f["SoBienLai"]) for f in last["PhiLePhi"]] == [
        (processing.fee_total(dossier), "counter", "BL-0001")]
    assert last["KetQuaGiaiQuyet"] == "approved"

    state = sync_of(dossier)
    assert (state.state, state.last_error) == ("synced", "") and state.synced_at == messages[-1].sent_at
    assert dossier.national_received_at == dossier.received_at
    # nothing left to send, nothing sent twice
    assert replay_at(utcnow() + timedelta(days=2)) == [] and len(server.received) == len(messages)


def test_a_receiver_failing_twice_is_retried_until_it_acknowledges(people, receiver):
    server = receiver([503, "timeout"])
    dossier = land_dossier(people)
    run_queued_jobs()
    [message] = national_of(dossier)
    assert message.attempts == 1 and "HTTP 503" in message.last_error and message.next_attempt_at is not None
    state = sync_of(dossier)
    assert state.state == "pending" and "HTTP 503" in state.last_error
    assert dossier.national_received_at is None          # not acknowledged: not synchronised (1.4)

    retried()
    [message] = national_of(dossier)
    assert message.sent_at is not None and message.attempts == 3 and message.failed_at is None
    assert len(server.received) == 3                     # 503, the timeout, then acknowledged
    assert {h["Idempotency-Key"] for _b, h in server.received} == {f"outbox-{message.id}"}
    assert sync_of(dossier).state == "synced" and dossier.national_received_at == dossier.received_at
    assert replay_at(utcnow() + timedelta(days=2)) == [] and len(server.received) == 3


@pytest.mark.parametrize("answer", [422, 302])
def test_a_refusal_is_given_up_with_the_receivers_error(people, receiver, answer):
    server = receiver([answer])
    dossier = land_dossier(people)
    run_queued_jobs()
    [message] = national_of(dossier)
    assert message.failed_at is not None and message.sent_at is None and message.next_attempt_at is None
    state = sync_of(dossier)
    assert state.state == "failed" and f"HTTP {answer}" in state.last_error
    # the receiver's own words; a redirect (a login page, a moved endpoint) is no acknowledgement
    assert ("MaTTHC không tồn tại" if answer == 422 else "dang-nhap") in state.last_error
    assert replay_at(utcnow() + timedelta(days=1)) == [] and len(server.received) == 1


def test_an_older_record_is_not_sent_after_a_newer_one_was_acknowledged(people, receiver):
    server = receiver([500])
    dossier = land_dossier(people)                       # its record fails once: retried later
    processing.request_fee(dossier, people.commune)      # this one is acknowledged meanwhile
    run_queued_jobs()
    older, newer = national_of(dossier)
    assert older.sent_at is None and newer.sent_at is not None
    retried()
    older, newer = national_of(dossier)
    assert older.sent_at is not None and f"#{newer.id}" in older.last_error
    assert len(server.received) == 2                     # the older record was not sent again
    assert server.received[-1][0]["TrangThaiHoSo"] == 6
    assert sync_of(dossier).state == "synced"


def test_nothing_before_the_dossier_is_received_and_nothing_without_the_setting(people, make_user, receiver, app):
    office = tich_son(make_user)
    submitted = birth_in("submitted", office)            # no code yet: not the national portal's
    assert national_of(submitted) == []
    app.config["NATIONAL_SYNC_URL"] = None
    assert national_sync.records() == []
    dossier = land_dossier(people)
    assert national_of(dossier) == [] and sync_of(dossier) is None


def test_index_1_4_counts_the_acknowledged_dossiers_received_in_the_period(people, receiver, client):
    receiver([422])
    refused = land_dossier(people)                       # given up: received, not synchronised
    synced = land_dossier(people)
    run_queued_jobs()
    assert sync_of(refused).state == "failed" and sync_of(synced).state == "synced"
    year = stats.Scope(today().replace(month=1, day=1), today())
    value = stats.figures(year).indices["1.4"]
    assert (value.numerator, value.denominator, value.rate) == (1, 2, pytest.approx(0.5))
    # per agency: the receiving desk's figures count both
    desk = dossiers.by_code(synced.code).receiving_agency
    mine = stats.figures(stats.Scope(year.start, year.end, desk)).indices["1.4"]
    assert (mine.numerator, mine.denominator) == (1, 2)
    # a period before the receipt counts neither
    assert stats.figures(stats.Scope(date(2025, 1, 1), date(2025, 1, 31))).indices["1.4"].na

    body = client.get(f"/api/v1/stats?from={year.start}&to={year.end}").get_json()
    assert body["indices"]["1.4"] == {"rate": 0.5, "points": None, "numerator": 1, "denominator": 2}
    assert (body["synced"], body["received"]) == (1, 2)
    page = client.get(f"/thong-ke?ky=custom&tu={year.start}&den={year.end}").get_data(as_text=True)
    assert "Tỷ lệ hồ sơ được đồng bộ lên Cổng Dịch vụ công quốc gia" in page and "1 / 2" in page
    # the ranking table's column, and its download
    assert "Đồng bộ (1.4)" in page
    table = client.get(f"/thong-ke?ky=custom&tu={year.start}&den={year.end}&dinh_dang=csv").data.decode("utf-8")
    header, *rows = table.strip().splitlines()
    assert header.endswith("Tỷ lệ đồng bộ (%)") and any(row.endswith('"50,00"') or row.endswith("50,00")
                                                          for row in rows), table


def test_an_online_dossier_is_synchronised_from_its_receipt_with_its_whole_history(make_user, loaded_catalogue,
                                                                                   receiver):
    server = receiver()
    office = tich_son(make_user)
    dossier = birth_in("supplement_requested", office)   # intake supplement: no code yet, nothing sent
    dossiers.resubmit(dossier, office.citizen)
    assert national_of(dossier) == []
    dossiers.accept(dossier, office.desk)
    dossiers.request_withdrawal(dossier, office.citizen, "Không còn nhu cầu")
    processing.stop(dossier, office.desk)
    run_queued_jobs()
    first, *rest = [json.loads(m.body) for m in national_of(dossier)]
    # the first record carries what happened before the receipt: submitted, the intake supplement, answered
    assert [e["TrangThai"] for e in first["QuaTrinhXuLy"]] == [1, 5, 1, 2]
    assert [r["GiaiDoan"] for r in first["YeuCauBoSung"]] == ["tiep_nhan"]
    assert [r["TrangThaiHoSo"] for r in rest] == [7, 8]
    assert len(server.received) == 3 and sync_of(dossier).state == "synced"


def test_a_change_committed_without_a_message_is_synchronised_too(make_user, loaded_catalogue, receiver):
    server = receiver()
    office = tich_son(make_user)
    dossier = birth_in("returned", office)
    run_queued_jobs()                                          # its records so far (with REDIS_URL: queued)
    sent = len(server.received)
    ratings.rate(dossier, office.citizen, "not_satisfied")      # transitions.commit, no status message
    run_queued_jobs()
    assert len(server.received) == sent + 1 and server.received[-1][0]["KhongHaiLong"] is True


def test_a_result_signed_by_the_job_is_synchronised_with_its_e_result(configured, receiver, run_jobs):
    """The signing job commits by itself (signing._finish): the e-result it sets (CoKetQuaDienTu)
    reaches the national portal in a record of its own, delivered once (national_sync's commit event)."""
    from tests.signing_helpers import document, issue_result, through_the_process

    server = receiver()
    dossier = through_the_process(configured, run_jobs)
    issue_result(configured, dossier, run_jobs)
    run_jobs()
    assert document(dossier, "result").signed_at is not None
    bodies = [json.loads(m.body) for m in national_of(dossier)]
    assert [b["CoKetQuaDienTu"] for b in bodies][-2:] == [False, True]   # the clerk's step, then the seal
    assert bodies[-1]["TrangThaiHoSo"] == 9
    assert server.received[-1][0]["CoKetQuaDienTu"] is True and len(server.received) == len(bodies)
    assert sync_of(dossier).state == "synced"
