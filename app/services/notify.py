"""Messages to applicants, through an outbox: a row is written in the transaction of the
status change, and a job delivers it after the commit (retry-safe: a delivered row is
skipped; a failed one is retried with backoff, domain/outbox.py). E-mail goes by SMTP, or,
with no SMTP_HOST, into OUTBOX_DIR as .eml files a developer can open. SMS goes through the
provider SMS_PROVIDER names: eSMS.vn's HTTP API or a generic JSON-over-HTTPS gateway. The
national portal's dossier records go through the same outbox (channel "national",
services/national_sync.py).
Channels are adapters behind one interface (`adapter(channel).deliver(message)`); a Zalo
adapter is not written yet (issue 16)."""
from __future__ import annotations

import re
import smtplib
from abc import ABC, abstractmethod
from collections.abc import Iterable
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

import requests
from flask import current_app
from sqlalchemy import or_, select

from app import dates
from app.domain import outbox, sms
from app.domain.workflow import Status
from app.extensions import db
from app.models import Dossier, OutboxMessage
from app.models.users import utcnow
from app.queue import DELIVER_MESSAGE, enqueue
from app.services import issuing, national_sync
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


class HttpSms(ABC):
    """An SMS provider's HTTP API: one POST per message, with the outbox id as the request's
    idempotency key. What retrying may fix is raised as is (a timeout, a refused connection, an
    HTTP 5xx or 429), what it cannot as outbox.Permanent (any other 4xx, a refused request)."""

    @abstractmethod
    def request(self, message: OutboxMessage) -> tuple[dict, dict]:
        """The JSON body and the extra headers (each provider's adapter says them)."""

    def accepted(self, response: requests.Response) -> None:
        """Raise unless the provider took the message (called for a 2xx answer, which is
        acceptance unless the provider's adapter reads more from the body)."""
        response.raise_for_status()

    def deliver(self, message: OutboxMessage) -> None:
        config = current_app.config
        body, headers = self.request(message)
        response = requests.post(config["SMS_API_URL"], json=body, headers=headers,
                                 timeout=config["SMS_TIMEOUT"])
        if (failure := outbox.http_failure(response.status_code, response.text)) is not None:
            raise failure
        self.accepted(response)


class EsmsSms(HttpSms):
    """eSMS.vn's SendMultipleMessage_V4_post_json (developers.esms.vn, "Send OTP/Customer care
    message"): a brandname customer-care SMS (SmsType 2), Unicode when it has diacritics, the
    outbox id as RequestId (eSMS drops a repeated RequestId for 24 hours). eSMS answers HTTP 200
    with CodeResult "100" when it takes the message; any other code is a refusal of the request
    itself (an invalid number, an unregistered brandname, no credit): given up, shown on the
    outbox page with eSMS's ErrorMessage."""

    ACCEPTED = "100"

    def request(self, message: OutboxMessage) -> tuple[dict, dict]:
        config = current_app.config
        return {"ApiKey": config["SMS_API_KEY"], "SecretKey": config["SMS_SECRET_KEY"],
                "Phone": message.recipient, "Content": message.body, "Brandname": config["SMS_SENDER"],
                "SmsType": "2", "IsUnicode": "1" if sms.encoding(message.body) == "ucs2" else "0",
                "RequestId": f"outbox-{message.id}"}, {}

    def accepted(self, response: requests.Response) -> None:
        try:
            answer = response.json()
        except ValueError:
            raise ConnectionError(f"eSMS: not JSON: {response.text[:500]}") from None
        if str(answer.get("CodeResult")) != self.ACCEPTED:
            raise outbox.Permanent(f"eSMS {answer.get('CodeResult')}: {answer.get('ErrorMessage', '')}")


class JsonSms(HttpSms):
    """A generic gateway: POST {to, text, sender, id} with `Authorization: Bearer SMS_API_KEY`
    and `Idempotency-Key: outbox-<id>`; any 2xx answer means taken."""

    def request(self, message: OutboxMessage) -> tuple[dict, dict]:
        config = current_app.config
        key = f"outbox-{message.id}"
        return ({"to": message.recipient, "text": message.body, "sender": config["SMS_SENDER"], "id": key},
                {"Authorization": f"Bearer {config['SMS_API_KEY']}", "Idempotency-Key": key})


SMS_ADAPTERS: dict[str, type[HttpSms]] = {"esms": EsmsSms, "json": JsonSms}


def adapter(channel: str) -> Adapter:
    if channel == "email":
        return SmtpEmail() if current_app.config["SMTP_HOST"] else FolderEmail()
    if channel == "sms" and current_app.config["SMS_PROVIDER"]:
        return SMS_ADAPTERS[current_app.config["SMS_PROVIDER"]]()
    if channel == national_sync.CHANNEL:
        return national_sync.NationalPortal()
    raise LookupError(f"no adapter configured for {channel!r}")


def status_messages(dossier: Dossier, extra: str = "") -> list[OutboxMessage]:
    """The messages telling the applicant the dossier's new status, one per channel the
    applicant can be reached on: the e-mail (with `extra`), and the SMS when SMS is configured.
    Written in the change's transaction; `dispatch` them after its commit."""
    return [m for m in (status_email(dossier, extra), status_sms(dossier)) if m is not None]


def _phone(raw: str) -> str:
    return re.sub(r"[^\d+]", "", raw or "")


def status_sms(dossier: Dossier) -> OutboxMessage | None:
    """The short SMS of the new status (domain/sms.py); None without a phone or SMS provider."""
    phone = _phone(dossier.applicant_phone)
    if not phone or not current_app.config["SMS_PROVIDER"]:
        return None
    named = dossier.code or f"mã tham chiếu {dossier.reference or ''}"
    text = sms.status_text(named, Status(dossier.status).citizen_label,
                           issuing.lookup_url(dossier) if dossier.code else None)
    message = OutboxMessage(dossier=dossier, channel="sms", recipient=phone, subject="", body=text)
    db.session.add(message)
    return message


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


def dispatch(messages: OutboxMessage | Iterable[OutboxMessage] | None) -> None:
    """Queue the delivery of `messages` (one, several, or none), after their commit."""
    for message in [messages] if isinstance(messages, OutboxMessage) else messages or ():
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
    handler = None
    try:
        handler = adapter(message.channel)
        handler.deliver(message)
    except Exception as error:
        now = utcnow()
        message.last_error = str(error)[:2000] or type(error).__name__
        message.next_attempt_at = outbox.next_attempt(message.attempts, now, isinstance(error, outbox.Permanent))
        message.failed_at = now if message.next_attempt_at is None else None
        _settled(handler, message)
        db.session.commit()
        raise
    message.sent_at = utcnow()
    message.next_attempt_at = None
    _settled(handler, message)
    db.session.commit()


def _settled(handler: Adapter | None, message: OutboxMessage) -> None:
    """An adapter that records the outcome somewhere else too (the national sync's state of the
    dossier) does it in the same commit as the message's own outcome."""
    if (settled := getattr(handler, "settled", None)) is not None:
        settled(message)
