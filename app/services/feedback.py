"""Feedback and complaints (phản ánh, kiến nghị; issue 17): sending, the agency's handling,
the sender's information and rating, the published answers and indices 5.1–5.3. The rules
(what may happen, the limits) are domain/feedback.py's; this module loads, checks who, writes
and commits."""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import or_, select

from app.domain import N_, eform, msg
from app.domain import feedback as rules
from app.domain.feedback import Category, FeedbackAction, FeedbackStatus, FeedbackTimes, Subject
from app.extensions import db
from app.models import Agency, Dossier, Feedback, FeedbackEvent, OutboxMessage, PendingFeedback, Procedure, User
from app.models.users import utcnow
from app.services import calendar, notify, permissions
from app.services.errors import ServiceError

TITLE_MAX, TEXT_MAX, NOTE_MAX = 200, 5000, 5000
CODE_TTL, CODE_ATTEMPTS = timedelta(minutes=30), 5


class FeedbackServiceError(ServiceError):
    """A refused feedback request (Vietnamese message, HTTP status, fields)."""


def _province_agency() -> Agency:
    """Feedback on a procedure goes to the province's top agency: the office that controls
    administrative procedures receives feedback on regulations (Decree 20/2008/NĐ-CP Art. 8;
    Decree 63/2010 Art. 6 as amended by Decree 92/2017)."""
    agency = db.session.scalar(select(Agency).where(Agency.parent_id.is_(None)).order_by(Agency.id).limit(1))
    if agency is None:
        raise FeedbackServiceError("Chưa có cơ quan tiếp nhận phản ánh.", status=409)
    return agency


def _target(sender: User, subject: str, procedure_code: str | None, agency_id: int | None,
            dossier_id: int | None) -> tuple[Agency, Procedure | None, Dossier | None]:
    if subject == Subject.DOSSIER:
        dossier = db.session.get(Dossier, dossier_id) if dossier_id else None
        if dossier is None or dossier.status == "draft":
            raise FeedbackServiceError.on("dossier", "Chọn hồ sơ đã nộp mà bạn muốn phản ánh.")
        if dossier.owner_id != sender.id:
            raise FeedbackServiceError("Chỉ người nộp hồ sơ được phản ánh về hồ sơ đó.", status=403)
        return dossier.receiving_agency, dossier.procedure_version.procedure, dossier
    if subject == Subject.AGENCY:
        agency = db.session.get(Agency, agency_id) if agency_id else None
        if agency is None:
            raise FeedbackServiceError.on("agency", "Chọn cơ quan bạn muốn phản ánh.")
        return agency, None, None
    procedure = db.session.scalar(select(Procedure).where(Procedure.code == (procedure_code or "").strip()))
    if procedure is None:
        raise FeedbackServiceError.on("procedure", "Không tìm thấy thủ tục có mã này.")
    return _province_agency(), procedure, None


def _event(feedback: Feedback, action: str, actor: User | None, note: str = "", now: datetime | None = None) -> None:
    agency = feedback.agency.name if actor is not None and permissions.member(actor, feedback.agency_id) else ""
    feedback.events.append(FeedbackEvent(
        action=action, actor_id=actor.id if actor else None,
        actor_name=actor.full_name if actor else feedback.sender_name, agency_name=agency, note=note,
        at=now or utcnow()))


def _bounded(text: str, field: str, low: int, high: int, what: str) -> str:
    text = (text or "").strip()
    if len(text) < low:
        raise FeedbackServiceError.on(field, msg("Nhập %(what)s (ít nhất %(low)s ký tự).", what=msg(what), low=low))
    if len(text) > high:
        raise FeedbackServiceError.on(field, msg("Độ dài của %(what)s vượt quá %(high)s ký tự.", what=msg(what),
                                                 high=high))
    return text


def _checked(sender: User | None, category: str, subject: str, title: str, text: str,
             procedure_code: str | None, agency_id: int | None, dossier_id: int | None) -> dict:
    """What a sender wrote, checked, with the agency it goes to (the fields of a Feedback)."""
    if not Category.known(category):
        raise FeedbackServiceError.on("category", "Chọn nội dung phản ánh thuộc loại nào.")
    if not Subject.known(subject):
        raise FeedbackServiceError.on("subject", "Chọn phản ánh về thủ tục, cơ quan hay hồ sơ.")
    if subject == Subject.DOSSIER and sender is None:
        raise FeedbackServiceError.on("subject", "Phản ánh về hồ sơ: hãy đăng nhập bằng tài khoản đã nộp hồ sơ.")
    title = _bounded(title, "title", 5, TITLE_MAX, N_("tiêu đề"))
    text = _bounded(text, "text", 20, TEXT_MAX, N_("nội dung phản ánh"))
    agency, procedure, dossier = _target(sender, subject, procedure_code, agency_id, dossier_id)
    return {"category": category, "subject": subject, "title": title, "text": text, "agency_id": agency.id,
            "procedure_id": procedure.id if procedure else None, "dossier_id": dossier.id if dossier else None}


def _create(fields: dict, sender: User | None, name: str, email: str, phone: str, now: datetime) -> Feedback:
    """The feedback, received at once by the agency it concerns; the sender told by e-mail."""
    if fields["dossier_id"]:  # a complaint about the dossier counts against its 5.4
        db.session.get(Dossier, fields["dossier_id"]).has_complaint = True
    feedback = Feedback(**fields, sender=sender, sender_name=name, sender_email=email, sender_phone=phone,
                        status=FeedbackStatus.RECEIVED, sent_at=now, received_at=now,
                        repeat_of_id=_earlier_answered(sender, email, fields))
    db.session.add(feedback)
    _event(feedback, "send", sender, now=now)
    db.session.flush()
    message = _notify(feedback, N_("Cơ quan %(agency)s đã nhận phản ánh của bạn."), agency=feedback.agency.name)
    db.session.commit()
    notify.dispatch(message)
    return feedback


def send(sender: User, *, category: str, subject: str, title: str, text: str, procedure_code: str | None = None,
         agency_id: int | None = None, dossier_id: int | None = None, now: datetime | None = None) -> Feedback:
    """A logged-in sender's feedback; their contact is the account's."""
    fields = _checked(sender, category, subject, title, text, procedure_code, agency_id, dossier_id)
    return _create(fields, sender, sender.full_name, sender.email, sender.phone or "", now or utcnow())


def _earlier_answered(sender: User | None, email: str, fields: dict) -> int | None:
    """An earlier answer the sender complains about again: the same sender (the account, or
    the e-mail address of one without) on the same subject (5.3's repeat complaints)."""
    same = {Subject.DOSSIER: Feedback.dossier_id == fields["dossier_id"],
            Subject.PROCEDURE: Feedback.procedure_id == fields["procedure_id"],
            Subject.AGENCY: Feedback.agency_id == fields["agency_id"]}[Subject(fields["subject"])]
    who = Feedback.sender_id == sender.id if sender else (Feedback.sender_email == email) & Feedback.sender_id.is_(None)
    return db.session.scalar(select(Feedback.id).where(who, Feedback.subject == fields["subject"], same,
                                                       Feedback.status.in_(rules.RATABLE))
                             .order_by(Feedback.id.desc()).limit(1))


def _code_hash(code: str) -> str:
    return hmac.new(current_app.config["SECRET_KEY"].encode(), code.encode(), hashlib.sha256).hexdigest()


def start_anonymous(*, name: str, email: str, phone: str = "", category: str, subject: str, title: str, text: str,
                    procedure_code: str | None = None, agency_id: int | None = None,
                    now: datetime | None = None) -> PendingFeedback:
    """Feedback from someone without an account: checked now, kept pending, and a 6-digit code
    e-mailed to the address given; `confirm_anonymous` turns it into a feedback."""
    now = now or utcnow()
    contact, errors = eform.check_person({"full_name": name, "email": email, "phone": phone},
                                         {k: eform.APPLICANT[k] for k in ("full_name", "email", "phone")}, "contact")
    if not contact.get("full_name") or len(contact["full_name"]) < 2:
        errors.setdefault("contact.full_name", "Nhập họ và tên của bạn.")
    if not contact.get("email"):
        errors.setdefault("contact.email", "Nhập địa chỉ e-mail để nhận mã xác nhận và câu trả lời.")
    if errors:
        raise FeedbackServiceError("Thông tin liên hệ chưa hợp lệ.", fields={k.split(".")[1]: v
                                                                              for k, v in errors.items()})
    fields = _checked(None, category, subject, title, text, procedure_code, agency_id, None)
    code = f"{secrets.randbelow(10 ** 6):06d}"
    pending = PendingFeedback(token=secrets.token_urlsafe(18)[:24], payload={**fields, **contact},
                              email=contact["email"], code_hash=_code_hash(code), attempts=0,
                              expires_at=now + CODE_TTL, created_at=now)
    db.session.add(pending)
    message = OutboxMessage(channel="email", recipient=contact["email"], subject="[Một cửa] Mã xác nhận phản ánh",
                            body="\n".join([f"Kính gửi {contact['full_name']},", "",
                                            f"Mã xác nhận phản ánh «{fields['title']}» của bạn là: {code}",
                                            f"Mã có hiệu lực {CODE_TTL.seconds // 60} phút.", "",
                                            "Nếu bạn không gửi phản ánh này, hãy bỏ qua thư."]))
    db.session.add(message)
    db.session.commit()
    notify.dispatch(message)
    return pending


def pending(token: str) -> PendingFeedback:
    found = db.session.scalar(select(PendingFeedback).where(PendingFeedback.token == token))
    if found is None:
        raise FeedbackServiceError("Không tìm thấy phản ánh chờ xác nhận (có thể đã xác nhận hoặc hết hạn).",
                                   status=404)
    return found


def confirm_anonymous(token: str, code: str, now: datetime | None = None) -> Feedback:
    """The code matches: the feedback is sent. Wrong codes are counted; after CODE_ATTEMPTS or
    once expired, the pending feedback is gone and must be sent again."""
    now = now or utcnow()
    waiting = pending(token)
    if waiting.expires_at <= now or waiting.attempts >= CODE_ATTEMPTS:
        db.session.delete(waiting)
        db.session.commit()
        raise FeedbackServiceError("Mã xác nhận đã hết hạn hoặc đã nhập sai quá số lần cho phép; "
                                   "vui lòng gửi lại phản ánh.", status=410)
    if not hmac.compare_digest(_code_hash((code or "").strip()), waiting.code_hash):
        waiting.attempts += 1
        db.session.commit()
        raise FeedbackServiceError.on("code", "Mã xác nhận không đúng.")
    contact = {k: waiting.payload.pop(k) for k in ("full_name", "email", "phone")}
    fields = waiting.payload
    db.session.delete(waiting)
    return _create(fields, None, contact["full_name"], contact["email"], contact["phone"], now)


def get(feedback_id: int) -> Feedback:
    feedback = db.session.get(Feedback, feedback_id)
    if feedback is None:
        raise FeedbackServiceError("Không tìm thấy phản ánh.", status=404)
    return feedback


def may_view(user, feedback: Feedback) -> bool:
    return permissions.can(user, "feedback.view", feedback)


def view(user, feedback_id: int) -> Feedback:
    """The feedback for its sender or the staff of the agency holding it (404, then 403)."""
    feedback = get(feedback_id)
    if not may_view(user, feedback):
        raise FeedbackServiceError("Bạn không có quyền xem phản ánh này.", status=403)
    return feedback


def staff_actions(user, feedback: Feedback) -> list[FeedbackAction]:
    if not permissions.can(user, "feedback.handle", feedback):
        return []
    return rules.allowed_actions(feedback.status, info_asked_before=feedback.info_requested_at is not None)


def act(user: User, feedback: Feedback, action: str, *, text: str = "", to_agency_id: int | None = None,
        confirmed: bool = True, now: datetime | None = None) -> Feedback:
    """One step by the agency's staff, or the sender's answer to a request for information."""
    sender_action = action == FeedbackAction.PROVIDE_INFO
    allowed = (feedback.sender_id == user.id) if sender_action else permissions.can(user, "feedback.handle", feedback)
    if not allowed:
        raise FeedbackServiceError("Bạn không có quyền thực hiện thao tác này.", status=403)
    try:
        after = rules.next_status(feedback.status, action, info_asked_before=feedback.info_requested_at is not None)
    except rules.FeedbackError as error:
        raise FeedbackServiceError(error.args[0], status=409) from None
    action = FeedbackAction(action)
    if action in rules.TEXT_REQUIRED:
        text = _bounded(text, "text", 5, NOTE_MAX, N_("nội dung"))
    if action == FeedbackAction.REFUSE and not confirmed:
        raise FeedbackServiceError("Từ chối tiếp nhận không hoàn tác được: đánh dấu ô xác nhận rồi gửi lại.",
                                   fields={"confirm": "Cần đánh dấu ô xác nhận."})
    now = now or utcnow()
    extra: tuple[str, dict] | None = None  # what the e-mail to the sender says: a msgid and its values
    if action == FeedbackAction.FORWARD:
        target = db.session.get(Agency, to_agency_id) if to_agency_id else None
        if target is None or target.id == feedback.agency_id:
            raise FeedbackServiceError.on("to_agency", "Chọn cơ quan có thẩm quyền để chuyển phản ánh.")
        text = f"Chuyển từ {feedback.agency.name} đến {target.name}." + (f" {text.strip()}" if text.strip() else "")
        feedback.agency, feedback.received_at = target, now
        # The new agency starts its limits anew (domain/feedback.py); what was asked stays asked.
        extra = N_("Phản ánh của bạn đã được chuyển đến %(agency)s để xử lý."), {"agency": target.name}
    elif action == FeedbackAction.REFUSE:
        feedback.refused_at = now
        extra = N_("Phản ánh không được tiếp nhận. Lý do: %(text)s"), {"text": text}
    elif action == FeedbackAction.ASK_INFO:
        feedback.info_requested_at = now
        extra = N_("Cơ quan đề nghị bạn bổ sung thông tin: %(text)s"), {"text": text}
    elif action == FeedbackAction.PROVIDE_INFO:
        feedback.info_provided_at = now
    elif action == FeedbackAction.ANSWER:
        feedback.answered_at, feedback.answer = now, text
        extra = N_("Trả lời của cơ quan:\n%(text)s"), {"text": text}
    elif action == FeedbackAction.PUBLISH:
        feedback.published_at, feedback.public_answer = now, rules.redact(text, [feedback.sender_name])
        feedback.public_question = rules.redact(feedback.text, [feedback.sender_name])
        extra = N_("Kết quả xử lý phản ánh của bạn đã được công khai (không kèm thông tin cá nhân)."), {}
    elif action == FeedbackAction.ACCEPT:
        extra = N_("Phản ánh của bạn đã được tiếp nhận và đang được xử lý."), {}
    feedback.status = after.value
    _event(feedback, action.value, user, text, now)
    message = _notify(feedback, extra[0], **extra[1]) if extra else None
    db.session.commit()
    notify.dispatch(message)
    return feedback


def public_answer_draft(feedback: Feedback) -> str:
    """What the publish form starts from: the answer with the sender's personal data removed."""
    return rules.redact(feedback.answer, [feedback.sender_name])


def rate(user: User, feedback: Feedback, value: str, now: datetime | None = None) -> Feedback:
    """The sender rates the answer once: satisfied or not (index 5.3)."""
    if feedback.sender_id != user.id:
        raise FeedbackServiceError("Chỉ người gửi phản ánh được đánh giá.", status=403)
    if feedback.status not in rules.RATABLE:
        raise FeedbackServiceError("Phản ánh được đánh giá sau khi cơ quan đã trả lời.", status=409)
    if feedback.rating is not None:
        raise FeedbackServiceError("Phản ánh đã được đánh giá; mỗi phản ánh đánh giá một lần.", status=409)
    if value not in ("satisfied", "not_satisfied"):
        raise FeedbackServiceError.on("value", "Chọn hài lòng hoặc không hài lòng.")
    now = now or utcnow()
    feedback.rating, feedback.rated_at = value, now
    _event(feedback, "rate", user, "Hài lòng" if value == "satisfied" else "Không hài lòng", now)
    db.session.commit()
    return feedback


def _notify(feedback: Feedback, extra: str, **values) -> OutboxMessage | None:
    """The e-mail telling the sender of a step, in the sender's account's language (Vietnamese
    without an account): `extra` is the step's message (a Vietnamese msgid) and its `values`."""
    if not feedback.sender_email:
        return None
    with notify.speaking(feedback.sender):
        status = gettext(FeedbackStatus(feedback.status).label)
        # A sender with an account follows it on its page; one without reads the answer here.
        link = [gettext("Theo dõi phản ánh: %(link)s",
                        link=f"{current_app.config['PUBLIC_URL'].rstrip('/')}/phan-anh/{feedback.id}"), ""] \
            if feedback.sender_id else []
        body = "\n".join([gettext("Kính gửi %(name)s,", name=feedback.sender_name), "",
                          gettext("Phản ánh %(reference)s: %(title)s", reference=feedback.reference,
                                  title=feedback.title),
                          gettext("Trạng thái: %(status)s.", status=status), "",
                          gettext(extra, **values), "", *link, gettext(notify.FOOTER)])
        subject = gettext("[Một cửa] Phản ánh %(reference)s: %(status)s", reference=feedback.reference, status=status)
    message = OutboxMessage(channel="email", recipient=feedback.sender_email, subject=subject, body=body)
    db.session.add(message)
    return message


def times(feedback: Feedback) -> FeedbackTimes:
    return FeedbackTimes(received_at=feedback.received_at, refused_at=feedback.refused_at,
                         info_requested_at=feedback.info_requested_at, info_provided_at=feedback.info_provided_at,
                         answered_at=feedback.answered_at, published_at=feedback.published_at)


def due_dates(feedback: Feedback) -> dict[rules.Limit, datetime | None]:
    """Each limit's due instant for the page (None where it does not apply now)."""
    cal = calendar.work_calendar()
    return {limit: rules.limit_due(limit, times(feedback), cal) for limit in rules.Limit}


def late(feedback: Feedback, now: datetime | None = None) -> list[rules.Limit]:
    return rules.late_limits(times(feedback), now or utcnow(), calendar.work_calendar())


def queue(user: User, status: str | None = None, page: int = 1, per_page: int = 20) -> Pagination:
    """The feedback held by the user's agencies, oldest first (what is due first)."""
    agencies = [m.agency_id for m in user.memberships]
    query = select(Feedback).where(Feedback.agency_id.in_(agencies))
    if status and FeedbackStatus.known(status):
        query = query.where(Feedback.status == status)
    else:
        query = query.where(Feedback.status.in_([FeedbackStatus.RECEIVED, FeedbackStatus.ACCEPTED,
                                                 FeedbackStatus.INFO_REQUESTED, FeedbackStatus.ANSWERED]))
    return db.paginate(query.order_by(Feedback.received_at, Feedback.id), page=page, per_page=per_page,
                       error_out=False)


def mine(user: User, page: int = 1, per_page: int = 20) -> Pagination:
    return db.paginate(select(Feedback).where(Feedback.sender_id == user.id).order_by(Feedback.id.desc()),
                       page=page, per_page=per_page, error_out=False)


def published(q: str = "", page: int = 1, per_page: int = 20) -> Pagination:
    """The published answers, newest first; `q`'s words must each appear in the title, the
    question or the answer (case-insensitive)."""
    query = select(Feedback).where(Feedback.status == FeedbackStatus.PUBLISHED)
    words = [w for w in (q or "").split() if w][:8]
    for word in words:
        like = f"%{word}%"
        query = query.where(or_(Feedback.title.ilike(like), Feedback.public_question.ilike(like),
                                Feedback.public_answer.ilike(like)))
    return db.paginate(query.order_by(Feedback.published_at.desc(), Feedback.id.desc()), page=page,
                       per_page=per_page, error_out=False)


def counts(agency_ids: list[int] | None, start: datetime, end: datetime, now: datetime | None = None
           ) -> rules.FeedbackCounts:
    """What indices 5.1–5.3 are computed from: the feedback sent in [start, end), held by
    `agency_ids` (None: all), judged at the end of the period (or now, if earlier)."""
    query = select(Feedback).where(Feedback.sent_at >= start, Feedback.sent_at < end)
    if agency_ids is not None:
        query = query.where(Feedback.agency_id.in_(agency_ids))
    rows = list(db.session.scalars(query))
    at = min(end, now or utcnow())
    cal = calendar.work_calendar()
    late = {row.id: bool(rules.late_limits(times(row), at, cal)) for row in rows}
    repeated = set(db.session.scalars(select(Feedback.repeat_of_id).where(Feedback.repeat_of_id.in_(late)))) \
        if late else set()
    answered = [row for row in rows if row.answered_at is not None]
    by_category = {category.value: 0 for category in Category}
    for row in rows:
        by_category[row.category] += 1
    return rules.FeedbackCounts(
        by_category=by_category, total=len(rows), on_time=sum(not late[row.id] for row in rows),
        answered=len(answered), disliked=sum(row.rating == "not_satisfied" for row in answered),
        late_answered=sum(late[row.id] for row in answered), repeated=sum(row.id in repeated for row in answered))

