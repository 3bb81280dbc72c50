"""Messages to applicants, through an outbox: a row is written in the transaction of the
status change, and a job delivers it after the commit (retry-safe: a delivered row is
skipped). E-mail goes by SMTP, or, with no SMTP_HOST, into OUTBOX_DIR as .eml files a
developer can open. Channels are adapters behind one interface (`deliver(message)`);
SMS and Zalo adapters are not written yet (see the closing notes in docs/)."""
from __future__ import annotations

import smtplib
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

from flask import current_app
from sqlalchemy import or_, select

from app import dates
from app.domain import outbox
from app.domain.workflow import Status
from app.extensions import db
from app.models import Dossier, OutboxMessage
from app.models.users import utcnow
from app.queue import DELIVER_MESSAGE, enqueue
from app.services import issuing
from app.services.claims import claim


class Adapter(Protocol):
    def deliver(self, message: OutboxMessage) -> None: ...


def _email(message: OutboxMessage) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = current_app.config["MAIL_FROM"]
    mail["To"] = message.recipient
    mail["Subject"] = message.subject
    mail["Message-ID"] = f"<outbox-{message.id}@mot-cua>"
    mail.set_content(message.body)
    return mail


class SmtpEmail:
    def deliver(self, message: OutboxMessage) -> None:
        config = current_app.config
        with smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=30) as smtp:
            if config["SMTP_STARTTLS"]:
                smtp.starttls()
            if config["SMTP_USER"]:
                smtp.login(config["SMTP_USER"], config["SMTP_PASSWORD"])
            smtp.send_message(_email(message))


class FolderEmail:
    """Development: each message is a file `<id>.eml` in OUTBOX_DIR."""

    def deliver(self, message: OutboxMessage) -> None:
        folder = Path(current_app.config["OUTBOX_DIR"])
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{message.id:08d}.eml").write_bytes(bytes(_email(message)))


def adapter(channel: str) -> Adapter:
    if channel != "email":
        raise LookupError(f"no adapter configured for {channel!r}")
    return SmtpEmail() if current_app.config["SMTP_HOST"] else FolderEmail()


def status_email(dossier: Dossier, extra: str = "") -> OutboxMessage | None:
    """The e-mail telling the applicant the dossier's new status; None without an address."""
    if not dossier.applicant_email:
        return None
    status = Status(dossier.status)
    # Before the desk receives it, an online dossier is named by its reference; the code it
    # gets on receipt is announced in the acceptance e-mail (it is on the receipt and the QR).
    named = f"Hồ sơ {dossier.code}" if dossier.code else f"Hồ sơ mã tham chiếu {dossier.reference or ''}"
    lines = [
        f"Kính gửi {dossier.applicant_name},", "",
        f"{named} — {dossier.procedure_version.name}",
        f"Trạng thái mới: {status.citizen_label}.",
    ]
    if not dossier.code and status == Status.SUBMITTED:
        lines.append("Mã hồ sơ sẽ được cấp khi Bộ phận Một cửa tiếp nhận hồ sơ.")
    if dossier.due_at and status == Status.ACCEPTED:
        # E-mails are Vietnamese whatever the page that caused them (app/i18n.py): its layout too.
        lines.append(f"Ngày hẹn trả kết quả: {dates.pattern(dossier.due_at, dates.DATETIME['vi'])}.")
    if extra:
        lines += ["", extra]
    if dossier.code:
        lines += ["", f"Tra cứu hồ sơ: {issuing.lookup_url(dossier)}"]
    lines += ["",
              "Thư này được gửi tự động từ Cổng dịch vụ công Một cửa; vui lòng không trả lời."]
    message = OutboxMessage(dossier=dossier, channel="email", recipient=dossier.applicant_email,
                            subject=f"[Một cửa] Hồ sơ {dossier.identifier or ''}: {status.citizen_label}",
                            body="\n".join(lines))
    db.session.add(message)
    return message


def account_email(recipient: str, subject: str, lines: list[str]) -> OutboxMessage:
    """An e-mail about the account itself (a verification or reset link), no dossier."""
    body = "\n".join([*lines, "", "Thư này được gửi tự động từ Cổng dịch vụ công Một cửa; vui lòng không trả lời."])
    message = OutboxMessage(channel="email", recipient=recipient, subject=f"[Một cửa] {subject}", body=body)
    db.session.add(message)
    return message


# Not delivered and not given up: what a job may still send.
PENDING = (OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_(None))


def dispatch(message: OutboxMessage | None) -> None:
    if message is not None:
        enqueue(DELIVER_MESSAGE, message.id)


def unsent(created_before: datetime, now: datetime) -> list[int]:
    """Ids of messages written before `created_before`, not delivered, not given up and due at
    `now` (never tried, or their next attempt has come: domain/outbox.py) — `flask jobs replay`."""
    return list(db.session.scalars(select(OutboxMessage.id).where(
        *PENDING, OutboxMessage.created_at < created_before,
        or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now))
        .order_by(OutboxMessage.id)))


def deliver(message_id: int) -> None:
    """The job's body: send once; on failure count the attempt, record the error and when to try
    again (or that the message is given up: domain/outbox.py), and re-raise so RQ records it.

    Exactly once, even when the sweeper queued a second job for a row whose first job is still
    waiting or running: the job holds the row's lock while it sends (SELECT … FOR UPDATE SKIP
    LOCKED on PostgreSQL), so a second job finds it taken and does nothing, and finds it sent
    once the first commits. A worker killed mid-send drops its connection, and with it the lock:
    the row is unsent again for the sweeper. Only a crash between the receiver's acceptance and
    our commit can send twice; the idempotency key each adapter sends (the outbox id: the
    e-mail's Message-ID, the SMS request's id) lets a receiver drop the copy."""
    message = claim(OutboxMessage, message_id, *PENDING)
    if message is None:
        return
    message.attempts += 1
    try:
        adapter(message.channel).deliver(message)
    except Exception as error:
        now = utcnow()
        message.last_error = str(error)[:2000] or type(error).__name__
        message.next_attempt_at = outbox.next_attempt(message.attempts, now, isinstance(error, outbox.Permanent))
        message.failed_at = now if message.next_attempt_at is None else None
        db.session.commit()
        raise
    message.sent_at = utcnow()
    message.next_attempt_at = None
    db.session.commit()
