"""Messages to applicants, through an outbox: a row is written in the transaction of the
status change, and a job delivers it after the commit (retry-safe: a delivered row is
skipped; a failed one is retried with backoff, domain/outbox.py). E-mail goes by SMTP, or,
with no SMTP_HOST, into OUTBOX_DIR as .eml files a developer can open. SMS goes through the
provider SMS_PROVIDER names: eSMS.vn's HTTP API or a generic JSON-over-HTTPS gateway. The
national portal's dossier records go through the same outbox (channel "national",
services/national_sync.py).
Channels are adapters behind one interface (`adapter(channel).deliver(message)`); Zalo ZNS
template messages are services/zalo.py's.

Notices (issues 14, 16). A status change that tells the applicant passes a `Notice`
(domain/notices.py: its kind and typed parameters) to `messages`, which writes one row per
channel the applicant chose (an account's `notify_channels`; a walk-in dossier: e-mail and
SMS) and can be reached on. The texts are templates/notify/<kind>.txt, one file per kind with
one part per channel (`part`: "subject", "email", "sms"; the layout is _notice.txt), rendered
under the recipient's language (`User.language`; Vietnamese without an account). Account
e-mails (accounts, staff, feedback) are written inside `speaking(user)`.

Zalo: for an applicant who chose it, with a phone, when Zalo is configured and ZALO_TEMPLATES
has a template for the kind, a row
channel="zalo", recipient = the phone in international form, digits only ("84912345678",
domain/sms.international), subject = the notice's kind (the ZNS template it fills), body = a
JSON object of the template's parameters, short strings, Vietnamese (the ZNS templates are
registered in Vietnamese). Every kind has
    ma_ho_so    the dossier code (before receipt: the submission reference)
    ten         the applicant's name
    trang_thai  the new status as citizens read it ("Đã được tiếp nhận")
    link        the public lookup link ("" before receipt: no code yet)
and, by kind:
    received              ngay_hen      the appointment date, dd/mm/yyyy
    supplement_requested  giay_to       the papers to add, joined by "; "; ly_do the reason
    refused               ly_do         the reasons, joined by "; "
    fee_requested, paid   so_tien       the amount in đồng, "150.000"
    apology               ngay_hen_moi  the new date, dd/mm/yyyy; ly_do the reason
    resolved              ly_do         why it was denied (absent when approved)
    returned              hinh_thuc     how it was handed over; so_hieu the postal tracking number (post)
    withdrawal_refused    ly_do         why the desk does not stop it
(submitted, resubmitted, withdrawal_requested, withdrawal_cancelled, stopped: the common four).
A free text (ly_do, giay_to) is cut to ZALO_TEXT_MAX characters."""
from __future__ import annotations

import json
import re
import smtplib
from abc import ABC, abstractmethod
from collections.abc import Iterable
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from flask import current_app
from flask_babel import force_locale, gettext
from sqlalchemy import or_, select

from app import dates, i18n, numbers
from app.domain import N_, notices, outbox, sms
from app.domain.notices import Kind, Notice
from app.domain.vocabulary import Delivery
from app.domain.workflow import Status
from app.extensions import db
from app.integrations import http
from app.models import Dossier, OutboxMessage, User
from app.models.users import utcnow
from app.queue import DELIVER_MESSAGE, enqueue
from app.services import issuing, national_sync, zalo
from app.services.claims import claim

if TYPE_CHECKING:
    from requests import Response


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

    def accepted(self, response: Response) -> None:
        """Raise unless the provider took the message (called for a 2xx answer, which is
        acceptance unless the provider's adapter reads more from the body)."""
        response.raise_for_status()

    def deliver(self, message: OutboxMessage) -> None:
        config = current_app.config
        body, headers = self.request(message)
        response = http.post(config["SMS_API_URL"], json=body, headers=headers, timeout=config["SMS_TIMEOUT"])
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

    def accepted(self, response: Response) -> None:
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
    if channel == "zalo" and zalo.configured():
        return zalo.ZaloZns()
    if channel == national_sync.CHANNEL:
        return national_sync.NationalPortal()
    raise LookupError(f"no adapter configured for {channel!r}")


def messages(dossier: Dossier, notice: Notice) -> list[OutboxMessage]:
    """The messages of a notice about the dossier, one per channel its applicant chose
    (`recipient_of`) and can be reached on: the e-mail (an address), the SMS (a phone and an SMS
    provider), the Zalo message (a phone, Zalo configured, a template for the kind); the e-mail also when none of the
    chosen ones can. Written in the change's transaction; `dispatch` them after its commit."""
    language, channels = recipient_of(dossier)
    found = [m for m in (status_sms(dossier, notice, language) if "sms" in channels else None,
                         zalo_message(dossier, notice) if "zalo" in channels else None) if m is not None]
    # The e-mail when chosen, and also when no chosen channel can carry the notice (no SMS
    # provider, no Zalo app, no phone): a supplement request must not go unheard.
    if "email" in channels or not found:
        found.insert(0, status_email(dossier, notice, language))
    return [m for m in found if m is not None]


def language_of(user: User | None) -> str:
    """The language an account's messages are written in; Vietnamese without an account."""
    language = getattr(user, "language", None)
    return language if language in i18n.LANGUAGES else i18n.DEFAULT


def speaking(user: User | None):
    """`with notify.speaking(user):` — gettext, dates and templates in the user's language."""
    return force_locale(language_of(user))


def recipient_of(dossier: Dossier) -> tuple[str, frozenset[str]]:
    """The language and the channels of the dossier's notices: its owner's choice; a walk-in
    dossier (no account) is told in Vietnamese on e-mail and SMS, where it has the contact."""
    if dossier.owner is None:
        return i18n.DEFAULT, frozenset(notices.DEFAULT_CHANNELS)
    return language_of(dossier.owner), dossier.owner.channels


def _tidy(text: str) -> str:
    """A rendered text template: no trailing blanks, at most one empty line in a row."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines))


def render(dossier: Dossier, notice: Notice, part: str, language: str) -> str:
    """One part ("subject", "email", "sms") of templates/notify/<kind>.txt, in `language`."""
    with force_locale(language):
        template = current_app.jinja_env.get_template(f"notify/{notice.kind.value}.txt")
        text = template.render(part=part, dossier=dossier, notice=notice,
                               status=gettext(Status(dossier.status).citizen_label),
                               link=issuing.lookup_url(dossier) if dossier.code else None)
    return " ".join(text.split()) if part != "email" else _tidy(text)


def _phone(raw: str) -> str:
    return re.sub(r"[^\d+]", "", raw or "")


def status_sms(dossier: Dossier, notice: Notice, language: str = i18n.DEFAULT) -> OutboxMessage | None:
    """The notice's short SMS (its length: domain/sms.py); None without a phone or SMS provider."""
    phone = _phone(dossier.applicant_phone)
    if not phone or not current_app.config["SMS_PROVIDER"]:
        return None
    text = render(dossier, notice, "sms", language)
    if not sms.fits(text):
        current_app.logger.warning("SMS %s of dossier %s is %d parts", notice.kind, dossier.identifier,
                                   sms.segments(text))
    message = OutboxMessage(dossier=dossier, channel="sms", recipient=phone, subject="", body=text)
    db.session.add(message)
    return message


def status_email(dossier: Dossier, notice: Notice, language: str = i18n.DEFAULT) -> OutboxMessage | None:
    """The notice's e-mail; None without an address."""
    if not dossier.applicant_email:
        return None
    message = OutboxMessage(dossier=dossier, channel="email", recipient=dossier.applicant_email,
                            subject=render(dossier, notice, "subject", language),
                            body=render(dossier, notice, "email", language))
    db.session.add(message)
    return message


ZALO_TEXT_MAX = 100  # a free text (reasons, papers) is cut to this in a Zalo parameter


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= ZALO_TEXT_MAX else text[:ZALO_TEXT_MAX - 1] + "…"


def zalo_params(dossier: Dossier, notice: Notice) -> dict[str, str]:
    """The parameters of the notice's Zalo ZNS template (the module docstring lists them).
    Vietnamese whatever the account's language: a ZNS template is registered with Zalo, and
    approved, in Vietnamese."""
    with force_locale(i18n.DEFAULT):
        params = {"ma_ho_so": dossier.code or dossier.reference or "", "ten": dossier.applicant_name or "",
                  "trang_thai": gettext(Status(dossier.status).citizen_label),
                  "link": issuing.lookup_url(dossier) if dossier.code else ""}
        if notice.kind == Kind.RECEIVED and dossier.due_at:
            params["ngay_hen"] = dates.date(dossier.due_at)
        if notice.items:
            params["giay_to"] = _short("; ".join(notice.items))
        if notice.reason:
            params["ly_do"] = _short(notice.reason)
        if notice.amount is not None:
            params["so_tien"] = numbers.number(notice.amount)
        if notice.new_due is not None:
            params["ngay_hen_moi"] = dates.date(notice.new_due)
        if notice.delivery:
            params["hinh_thuc"] = gettext(Delivery(notice.delivery).return_label)
        if notice.tracking:
            params["so_hieu"] = notice.tracking
    return params


def zalo_message(dossier: Dossier, notice: Notice) -> OutboxMessage | None:
    """The notice as a Zalo ZNS message (delivered by the Zalo adapter); None without a phone,
    without Zalo configured (services/zalo.configured) or without a ZNS template for the kind
    (ZALO_TEMPLATES: a province registers templates with Zalo, maybe not one for every kind)."""
    phone = sms.international(dossier.applicant_phone)
    if phone is None or not zalo.configured() or notice.kind.value not in current_app.config["ZALO_TEMPLATES"]:
        return None
    message = OutboxMessage(dossier=dossier, channel="zalo", recipient=phone, subject=notice.kind.value,
                            body=json.dumps(zalo_params(dossier, notice), ensure_ascii=False))
    db.session.add(message)
    return message


FOOTER = N_("Thư này được gửi tự động từ Cổng dịch vụ công Một cửa; vui lòng không trả lời.")


def account_email(recipient: str, subject: str, lines: list[str]) -> OutboxMessage:
    """An e-mail about the account itself (a verification or reset link), no dossier; the
    caller writes `subject` and `lines` in the account's language (`with speaking(user):`),
    and calls this inside it too (the closing line is translated here)."""
    body = "\n".join([*lines, "", gettext(FOOTER)])
    message = OutboxMessage(channel="email", recipient=recipient, subject=f"{gettext('[Một cửa]')} {subject}",
                            body=body)
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
