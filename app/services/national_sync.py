"""Synchronisation with the National Public Service Portal (Cổng Dịch vụ công quốc gia; issue 16,
LEGAL.md §4, Decision 766 index 1.4).

What is sent: each change of a dossier that the national portal tracks — a status change with
its history entry (QuaTrinhXuLy), a supplement request (YeuCauBoSung), a fee line and its
payment (PhiLePhi), the result (KetQuaGiaiQuyet, NgayKetThucXuLy, NgayTraKetQua, CoKetQuaDienTu),
a new appointment — becomes one OutboxMessage on channel "national" whose body is the dossier's
whole record in the national field names (MaHoSo, TrangThaiHoSo, NgayTiepNhan, NgayHenTra, …):
the very record `flask dossiers export` writes (interchange.record_of), never a second shape.
It is written in the change's own transaction by a session event (`before_commit`, calling
`records`), whatever commits it: the dossier use cases (transitions.commit), and the jobs and
services that commit a dossier fact by themselves — the signing job marking a result fully
signed sets the dossier's e-result (CoKetQuaDienTu, models/dossiers._stamp_e_result), a rating
sets KhongHaiLong, an import stores a whole dossier. An event rather than a function each
committing path must remember to call: the record follows the tracked fields wherever they are
changed, including by a path written later, and a path cannot commit the change without its
record. What a commit wrote is queued after it by whoever committed (`dispatch`:
transitions.commit, the signing job); a path that does not is delivered by the outbox's sweeper
(`flask jobs replay`), the record waiting in the outbox, never lost.
Several changes in one transaction make one record, of the state at the commit; a commit that
changes nothing the record carries (a draft saved, a step assigned, a delivery acknowledged)
writes none: the record is compared with the dossier's last one.
Only when NATIONAL_SYNC_URL is set; only dossiers with a code (received by a desk): an online
submission not received yet, or refused at intake, has no MaHoSo and is not the national
portal's to count (1.4 counts dossiers received).

Delivery (`NationalPortal`, notify.adapter("national")): a POST of the JSON to the endpoint with
`Authorization: Bearer NATIONAL_SYNC_TOKEN` and `Idempotency-Key: outbox-<id>`; a 2xx is the
acknowledgement, a 5xx, a 429 or a timeout is retried with the outbox's backoff
(domain/outbox.py), any other 4xx is given up with the receiver's answer. A record is a whole
state, so an older one is not sent after a newer one was acknowledged (it would take the
national portal's view back): it is marked sent, superseded, without a request.

State (`DossierSync`, one row per dossier): pending while its latest record waits, synced once
that record is acknowledged, failed once it is given up, with the receiver's error. Each
acknowledged record stamps the NgayTiepNhan it carried on the dossier (national_received_at),
the fact index 1.4 counts.

Not verified against the national portal's documentation (not public): the endpoint's path,
its authentication beyond a bearer token, its answer's body; the record's field names beyond
those LEGAL.md §4 quotes are the interchange's (docs/interchange.md). A province connects
through its LGSP (the provincial data-sharing platform), which forwards to the national portal.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from flask import current_app, has_app_context
from pydantic import ValidationError
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from app.domain import outbox
from app.domain.workflow import Status
from app.extensions import db
from app.integrations import http
from app.models import Dossier, DossierEvent, DossierSync, OutboxMessage, Payment
from app.queue import DELIVER_MESSAGE, enqueue

log = logging.getLogger(__name__)

CHANNEL = "national"
PENDING, SYNCED, FAILED = "pending", "synced", "failed"
_TOUCHED = "national_sync.touched"   # Session.info key: the dossiers this transaction changed
_WRITTEN = "national_sync.written"   # Session.info key: the records the last commit wrote


def configured() -> bool:
    return bool(current_app.config["NATIONAL_SYNC_URL"])


@event.listens_for(Session, "before_flush")
def _collect(session: Session, flush_context, instances) -> None:
    """Remember the dossiers this transaction changes, flush by flush (a query's autoflush may
    write a change long before the use case commits)."""
    if not (has_app_context() and current_app.config.get("NATIONAL_SYNC_URL")):
        return
    touched = session.info.setdefault(_TOUCHED, set())
    for target in (*session.new, *session.dirty):
        if isinstance(target, Dossier):
            touched.add(target)
        elif isinstance(target, DossierEvent | Payment) and target.dossier is not None:
            touched.add(target.dossier)


@event.listens_for(Session, "before_commit")
def _write(session: Session) -> None:
    """Every commit of the application's session writes the national records of the dossiers it
    changed, in its own transaction; kept for `dispatch` once it is committed (only the last
    commit's: a path that never dispatches leaves its records to the sweeper)."""
    if not (has_app_context() and current_app.config.get("NATIONAL_SYNC_URL")) or session is not db.session():
        session.info.pop(_WRITTEN, None)
        return
    session.info[_WRITTEN] = records()


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_TOUCHED, None)


@event.listens_for(Session, "after_rollback")
def _unwrite(session: Session) -> None:
    session.info.pop(_WRITTEN, None)   # rolled back with their transaction: nothing to queue


def dispatch() -> None:
    """After a commit: queue the delivery of the national records it wrote (none: nothing)."""
    for message in db.session.info.pop(_WRITTEN, None) or ():
        enqueue(DELIVER_MESSAGE, message.id)


def records() -> list[OutboxMessage]:
    """The national records of the dossiers changed in this transaction, written in it (by
    `_write`, before its commit); none when synchronisation is not configured."""
    if not configured():
        return []
    from app.services import interchange  # interchange imports the use cases, which import this module

    db.session.flush()
    written = []
    for dossier in sorted(db.session.info.pop(_TOUCHED, set()), key=lambda d: d.id or 0):
        if dossier.code is None or dossier.status == Status.DRAFT or dossier not in db.session:
            continue
        state = db.session.get(DossierSync, dossier.id) or DossierSync(dossier_id=dossier.id)
        try:
            body = interchange.record_of(dossier).model_dump_json()
        except ValidationError as error:
            # A bug of ours, not the user's: the change stands, the dossier shows as not synchronised.
            log.exception("national sync: dossier %s has no valid record", dossier.code)
            state.state, state.last_error = FAILED, f"Bản ghi không hợp lệ: {error}"[:2000]
            db.session.add(state)
            continue
        last = db.session.scalar(select(OutboxMessage.body).where(
            OutboxMessage.dossier_id == dossier.id, OutboxMessage.channel == CHANNEL)
            .order_by(OutboxMessage.id.desc()).limit(1))
        if body == last:
            continue
        message = OutboxMessage(dossier=dossier, channel=CHANNEL, recipient=current_app.config["NATIONAL_SYNC_URL"],
                                subject=f"{dossier.code} TrangThaiHoSo={Status(dossier.status).national_code}",
                                body=body)
        state.state = PENDING
        db.session.add_all([message, state])
        written.append(message)
    return written


@dataclass(frozen=True)
class SyncState:
    """What the staff dossier pages say of a dossier's synchronisation (the `DossierSync` row)."""
    state: str
    synced_at: datetime | None = None
    last_error: str = ""


def state_of(dossier: Dossier) -> SyncState | None:
    """The dossier's synchronisation as its row says; without a row, pending when synchronisation
    is configured and the dossier is the national portal's (it has a code: its next change
    writes its record); None when there is nothing to say (not configured and never synchronised,
    or not received yet)."""
    row = db.session.get(DossierSync, dossier.id) if dossier.id is not None else None
    if row is not None:
        return SyncState(row.state, row.synced_at, row.last_error)
    if configured() and dossier.code is not None and dossier.status != Status.DRAFT:
        return SyncState(PENDING)
    return None


def _newer(message: OutboxMessage, delivered: bool = False) -> int | None:
    """The id of a later national record of the same dossier (an acknowledged one if `delivered`)."""
    query = select(OutboxMessage.id).where(OutboxMessage.dossier_id == message.dossier_id,
                                           OutboxMessage.channel == CHANNEL, OutboxMessage.id > message.id)
    if delivered:
        query = query.where(OutboxMessage.sent_at.is_not(None))
    return db.session.scalar(query.order_by(OutboxMessage.id.desc()).limit(1))


SUPERSEDED = "Không gửi: bản ghi mới hơn (#%d) đã được Cổng Dịch vụ công quốc gia tiếp nhận."


class NationalPortal:
    """notify's adapter for channel "national" (see the module docstring); one instance per
    delivery (notify.deliver), which knows whether it POSTed the record."""

    posted = False

    def deliver(self, message: OutboxMessage) -> None:
        if (newer := _newer(message, delivered=True)) is not None:
            message.last_error = SUPERSEDED % newer
            return
        config = current_app.config
        key = f"outbox-{message.id}"
        headers = {"Content-Type": "application/json; charset=utf-8", "Idempotency-Key": key}
        if config["NATIONAL_SYNC_TOKEN"]:
            headers["Authorization"] = f"Bearer {config['NATIONAL_SYNC_TOKEN']}"
        # no redirect followed: requests would turn the POST into a GET and report its answer
        response = http.post(message.recipient, data=message.body.encode(), headers=headers,
                             timeout=config["NATIONAL_SYNC_TIMEOUT"], allow_redirects=False)
        if (failure := outbox.http_failure(response.status_code, response.text)) is not None:
            raise failure
        if not 200 <= response.status_code < 300:   # only a 2xx acknowledges the record
            raise outbox.Permanent(f"HTTP {response.status_code}: {response.headers.get('Location', '')}")
        self.posted = True

    def settled(self, message: OutboxMessage) -> None:
        """After the outcome of a record is known (notify.deliver, same commit): the dossier's
        state follows its latest record; an acknowledged record stamps its NgayTiepNhan."""
        dossier = message.dossier
        if dossier is None:
            return
        if self.posted and message.sent_at is not None:
            from app.services.interchange import DossierRecord

            received = DossierRecord.model_validate_json(message.body).NgayTiepNhan
            if dossier.national_received_at != received:
                dossier.national_received_at = received
        if _newer(message) is not None:
            return   # a later record decides the state
        state = db.session.get(DossierSync, dossier.id) or DossierSync(dossier_id=dossier.id)
        if message.sent_at is not None:
            state.state, state.last_error, state.synced_at = SYNCED, "", message.sent_at
        else:   # given up, or to be tried again: the receiver's answer either way
            state.state, state.last_error = (FAILED if message.failed_at else PENDING), message.last_error
        db.session.add(state)
