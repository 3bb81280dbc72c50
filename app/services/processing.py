"""The internal process after acceptance: hand-offs between agencies and roles (across levels,
"liên thông"), the one supplement pause, fees, the apology (form 04), withdrawal and stop,
the leader's decision, the return of the result.

Every function: check who may act → workflow transition → hand-off rows and events → commit →
jobs. Legal basis: Decree 61/2018 Art. 21–22 (as kept by Decree 118/2025 Art. 19–22),
Circular 01/2018 forms 04–05, Circular 03/2025 Art. 7 (stop notice).
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import contains_eager, joinedload

from app import numbers
from app.domain import msg
from app.domain.deadlines import (
    SAME_DAY_UNITS,
    apology_deadline,
    apology_is_late,
    classify,
    extend_for_pause,
    process_start,
    step_due_dates,
)
from app.domain.notices import Kind, Notice
from app.domain.structure import AgencyKind, Role
from app.domain.timeline import Timeline, on_time_verdict, processing_minutes, verdict_at
from app.domain.vocabulary import Delivery
from app.domain.workflow import Action, Status
from app.extensions import db
from app.models import (
    AdministrativeUnit,
    Agency,
    Apology,
    Dossier,
    DossierEvent,
    Membership,
    Payment,
    ProcedureVersion,
    StepTask,
    User,
)
from app.models.users import utcnow
from app.services import issuing, notify, signing
from app.services.calendar import procedure_calendar, work_calendar
from app.services.permissions import holds, may, member
from app.services.structure import serving
from app.services.transitions import (
    DossierError,
    authorise,
    commit_then_dispatch,
    require_confirmation,
    require_possible,
    supplement_items,
    transition,
)

ONLINE_PAYMENT_CHANNELS = ("national_portal", "provincial_gateway")  # Decision 766 index 3.6


# --- where each step happens -------------------------------------------------------------

def _ancestor(unit: AdministrativeUnit, level: str) -> AdministrativeUnit | None:
    while unit is not None and unit.level != level:
        unit = unit.parent
    return unit


def _agency_at(unit: AdministrativeUnit, level: str, kind: str, sector: str | None) -> Agency:
    """The agency of `kind` (and, for a department, `sector`) serving the unit's ancestor at
    `level`: the competent agency of a step, found from where the dossier was received. A desk
    with no unit at `level` above it (a province desk that took over a district's competence,
    a commune of a two-tier province) finds it at its own unit."""
    target = _ancestor(unit, level) or unit
    query = select(Agency).where(Agency.unit_id == (target.id if target else -1), Agency.kind == kind)
    if kind == AgencyKind.DEPARTMENT:
        query = query.where(Agency.sector == sector)
    # A retired agency (its competence moved, its commune merged) hands over to its successor.
    agency = serving(db.session.scalar(query.order_by(Agency.retired_at.is_not(None), Agency.code)))
    if agency is None:
        raise DossierError(msg("Không xác định được cơ quan %(kind)s (%(sector)s) cấp %(level)s cho hồ sơ này.",
                               kind=kind, sector=sector or "", level=level),
                           status=409)
    return agency


def step_agency(dossier: Dossier, position: int) -> Agency:
    version = dossier.procedure_version
    step = version.spec["process"][position]
    desk = dossier.receiving_agency
    if step["where"] == "receiving_desk":
        return desk
    if step["where"] == "resolving_agency":
        agency = version.spec["agency"]
        return _agency_at(desk.unit, version.level, agency["kind"], agency.get("sector"))
    return _agency_at(desk.unit, step["level"], step["agency"]["kind"], step["agency"].get("sector"))


def _planned_due(dossier: Dossier, position: int) -> datetime:
    """The step's due from its share of the processing time, counted from receipt, moved
    later by the supplement pause when it falls after the pause began."""
    version = dossier.procedure_version
    durations = [step["duration"] for step in version.spec["process"]]
    calendar = procedure_calendar(version, paper=dossier.channel != 2)
    # Counted as due_at counts the dossier (the day after receipt, Civil Code Art. 147; a
    # same-day procedure from the receipt), so the last step ends when the dossier is due.
    start = process_start(dossier.received_at, version.time_unit, calendar)
    due = step_due_dates(start, durations, version.time_unit, calendar)[position]
    if version.time_unit in SAME_DAY_UNITS:
        due = min(due, dossier.due_at)  # shares in hours never run past the day's result
    if dossier.paused_at and dossier.resumed_at and due > dossier.paused_at:
        due = extend_for_pause(due, dossier.paused_at, dossier.resumed_at, calendar)
    return due


def _hand_to(dossier: Dossier, position: int, giver: User | None, now: datetime, note: str = "") -> StepTask:
    step = dossier.procedure_version.spec["process"][position]
    task = StepTask(dossier=dossier, position=position, name=step["name"], role=step["role"],
                    agency=step_agency(dossier, position), given_by=giver, given_at=now,
                    due_at=_planned_due(dossier, position), note=note)
    db.session.add(task)
    return task


def _close(task: StepTask, actor: User, now: datetime, note: str = "", judged: bool = True) -> None:
    """Close a hand-off. `judged`: it was finished, so it is early / on time / late; a step
    ended by stopping the dossier was not finished and gets no result (control slip)."""
    task.done_at, task.done_by = now, actor
    task.result = classify(now, task.due_at) if judged else None
    if note:
        task.note = (task.note + "\n" if task.note else "") + note


def start(dossier: Dossier, staff: User, now: datetime) -> None:
    """At acceptance (called by dossiers.accept in its transaction): the reception step is the
    acceptance itself; the dossier is handed to the second step."""
    dossier.effective_due_at = dossier.due_at
    dossier.resolving_agency = step_agency(dossier, decision_position(dossier))
    first = _hand_to(dossier, 0, staff, now)
    _close(first, staff, now)
    _hand_to(dossier, 1, staff, now)


# --- who may act ----------------------------------------------------------------------------

def _require_holder(dossier: Dossier, user: User) -> StepTask:
    task = dossier.current_step
    if task is None:
        raise DossierError(msg("Hồ sơ không có bước xử lý đang mở (trạng thái: %(status)s).",
                               status=msg(Status(dossier.status).label)), status=409)
    if not holds(user, task):
        raise DossierError("Bước xử lý hiện tại không thuộc cơ quan và vai trò của bạn.", status=403)
    return task


def decision_position(dossier: Dossier) -> int:
    """The leader's approval makes the result final: the LAST leader step of the process."""
    roles = [step["role"] for step in dossier.procedure_version.spec["process"]]
    return len(roles) - 1 - roles[::-1].index(Role.LEADER)


def is_decision_step(dossier: Dossier, position: int) -> bool:
    return position == decision_position(dossier)


def is_return_step(dossier: Dossier, position: int) -> bool:
    return position == len(dossier.procedure_version.spec["process"]) - 1


def timeline(dossier: Dossier) -> Timeline:
    """The dossier's dated facts as Decision 766 reads them (domain/timeline.py)."""
    return Timeline(
        received_at=dossier.received_at, due_at=dossier.due_at,
        resolved_at=dossier.finished_at if dossier.outcome else None, returned_at=dossier.returned_at,
        stopped_at=dossier.finished_at if dossier.status in ("stopped", "refused") else None,
        paused_at=dossier.paused_at, resumed_at=dossier.resumed_at,
        supplement_requests=(dossier.intake_supplements or 0) + (dossier.processing_supplements or 0))


def stamp(dossier: Dossier, now: datetime) -> None:
    """Stamp what the statistics count (Decision 766 indices 2.1, 2.2), by the pure rules of
    domain/timeline.py: the verdict if the dossier ends at an unanswered supplement request,
    and, once it has finished, its verdict and its processing time in the procedure's unit.
    Called by the actions that change those facts, and by the import."""
    calendar, facts = work_calendar(), timeline(dossier)
    dossier.paused_class = (on_time_verdict(dossier.paused_at, dossier.due_at, facts.supplement_requests)
                            if dossier.paused_at else None)
    if dossier.finished_at is not None:
        dossier.result_class = verdict_at(facts, now + timedelta.resolution, calendar)
        dossier.processing_minutes = processing_minutes(facts, dossier.finished_at, dossier.procedure_version.time_unit,
                                                        calendar)


def _finish(dossier: Dossier, now: datetime) -> None:
    """The dossier ends now (resolved, or stopped): its end is stamped for the statistics."""
    dossier.finished_at = now
    stamp(dossier, now)


def _mark_processing(dossier: Dossier, actor: User, now: datetime, agency: Agency) -> None:
    if dossier.status == "accepted":
        transition(dossier, Action.START_PROCESSING, actor, now, agency=agency)


# --- the officials' actions --------------------------------------------------------------

def complete_step(dossier: Dossier, user: User, note: str = "", now: datetime | None = None) -> StepTask:
    """Done with the current step: hand the dossier to the next one (another level's agency
    when the process says so)."""
    now = now or utcnow()
    require_possible(dossier, Action.COMPLETE_STEP)
    task = _require_holder(dossier, user)
    if dossier.status != "resolved" and is_decision_step(dossier, task.position):
        raise DossierError("Bước này là bước lãnh đạo quyết định: dùng “Phê duyệt kết quả” hoặc “Không phê duyệt”.",
                           status=409)
    if is_return_step(dossier, task.position):
        raise DossierError("Bước cuối là trả kết quả: dùng “Trả kết quả”.", status=409)
    _mark_processing(dossier, user, now, task.agency)
    _close(task, user, now, note)
    following = _hand_to(dossier, task.position + 1, user, now)
    commit_then_dispatch()
    if dossier.status == "resolved":
        signing.dispatch_seal(dossier)  # the seal, once the clerk's issuing step is done (signing decides)
    return following


def return_step(dossier: Dossier, user: User, note: str, now: datetime | None = None) -> StepTask:
    """Send the dossier back to the previous step, with the reason."""
    now = now or utcnow()
    task = _require_holder(dossier, user)
    require_possible(dossier, Action.RETURN_STEP)
    if not note.strip():
        raise DossierError("Cần ghi lý do trả lại bước trước.", fields={"note": "Nhập lý do trả lại."})
    if task.position <= 1:
        raise DossierError("Không có bước xử lý trước để trả lại.", status=409)
    _mark_processing(dossier, user, now, task.agency)
    _close(task, user, now, f"Trả lại bước trước: {note.strip()}")
    previous = _hand_to(dossier, task.position - 1, user, now, note=f"Bị trả lại: {note.strip()}")
    commit_then_dispatch()
    return previous


def assign(dossier: Dossier, user: User, colleague_id: int, now: datetime | None = None) -> StepTask:
    """Assign the current step to a named colleague of the same agency and role."""
    task = _require_holder(dossier, user)
    require_possible(dossier, Action.ASSIGN)
    colleague = db.session.get(User, colleague_id)
    if colleague is None or not member(colleague, task.agency_id, {task.role}):
        raise DossierError("Người được giao phải là cán bộ cùng cơ quan và vai trò của bước này.",
                           fields={"user": "Không hợp lệ."})
    task.assignee = colleague
    task.note = (task.note + "\n" if task.note else "") + f"Giao cho {colleague.full_name}."
    commit_then_dispatch()
    return task


def colleagues(task: StepTask) -> list[User]:
    return list(db.session.scalars(
        select(User).join(Membership).where(Membership.agency_id == task.agency_id, Membership.role == task.role,
                                            User.active.is_(True)).order_by(User.full_name)))


def request_supplement(dossier: Dossier, user: User, items: list[str], reason: str,
                       now: datetime | None = None) -> Dossier:
    """ONE supplement request during processing: the clock pauses until the applicant answers;
    the time already used still counts (Decree 61/2018 Art. 21). A second request is refused."""
    now = now or utcnow()
    task = _require_holder(dossier, user)
    items = supplement_items(items, reason)
    _mark_processing(dossier, user, now, task.agency)
    transition(dossier, Action.REQUEST_SUPPLEMENT, user, now, note=reason.strip(), agency=task.agency)
    dossier.processing_supplements += 1
    dossier.paused_at = now
    stamp(dossier, now)
    document = issuing.issue(dossier, "supplement_request", user, now, {"items": items, "reason": reason.strip()})
    messages = notify.messages(dossier, Notice(Kind.SUPPLEMENT_REQUESTED, items=items, reason=reason.strip()))
    commit_then_dispatch(document, messages)
    return dossier


def resume_after_supplement(dossier: Dossier, now: datetime) -> None:
    """Called by dossiers.resubmit when a processing supplement is answered: the deadline and
    the open step move later by the paused office time."""
    dossier.resumed_at = now
    calendar = work_calendar()
    dossier.effective_due_at = extend_for_pause(dossier.effective_due_at or dossier.due_at, dossier.paused_at, now,
                                                calendar)
    task = dossier.current_step
    if task is not None and task.due_at > dossier.paused_at:
        task.due_at = extend_for_pause(task.due_at, dossier.paused_at, now, calendar)


def request_fee(dossier: Dossier, user: User, now: datetime | None = None) -> Dossier:
    """Financial obligation during processing (status 6)."""
    now = now or utcnow()
    if not any(fee["amount"] for fee in dossier.procedure_version.spec["fees"]):
        raise DossierError("Thủ tục này không thu phí, lệ phí.", status=409)
    task = _require_holder(dossier, user)
    _mark_processing(dossier, user, now, task.agency)
    transition(dossier, Action.REQUEST_FEE, user, now, agency=task.agency)
    messages = notify.messages(dossier, Notice(Kind.FEE_REQUESTED, amount=fee_total(dossier)))
    commit_then_dispatch(messages=messages)
    return dossier


def record_payment(dossier: Dossier, user: User, amount: int, receipt_number: str = "",
                   now: datetime | None = None) -> Payment:
    """Staff record a payment at the counter, of exactly the amount due; processing resumes."""
    now = now or utcnow()
    if not may(user, Action.RECORD_PAYMENT, dossier):
        raise DossierError("Bạn không được ghi nhận thanh toán cho hồ sơ này.", status=403)
    due = fee_total(dossier)
    if amount != due:  # a 1-đồng payment must not close a 5.000-đồng fee (issue 18)
        message = f"Số tiền phải đúng bằng số phải nộp: {numbers.number(due)} đồng."
        raise DossierError(message, fields={"amount": message})
    payment = paid(dossier, user, amount, "counter", receipt_number.strip(), now)
    commit_then_dispatch(messages=notify.messages(dossier, Notice(Kind.PAID, amount=amount)))
    return payment


def paid(dossier: Dossier, actor: User | None, amount: int, channel: str, reference: str, now: datetime) -> Payment:
    """The fee is paid (at the counter, or online: then `actor` is None): the payment is
    recorded and processing resumes. The caller commits."""
    task = dossier.current_step
    transition(dossier, Action.RECORD_PAYMENT, actor, now, note=f"{amount} đồng", agency=task.agency if task else None)
    payment = Payment(dossier=dossier, amount=amount, channel=channel, receipt_number=reference,
                      recorded_by_id=actor.id if actor else None, paid_at=now)
    db.session.add(payment)
    dossier.paid_online = dossier.paid_online or channel in ONLINE_PAYMENT_CHANNELS
    return payment


def fee_total(dossier: Dossier) -> int:
    return sum(fee["amount"] for fee in dossier.procedure_version.spec["fees"])


def draft_apology(dossier: Dossier, user: User, new_due_at: datetime, reason: str, now: datetime | None = None,
                  issue: bool = False) -> Apology:
    """Going to be late: whoever holds the step (or a leader of the competent agency) drafts the
    apology, its reason and the proposed new date; a leader approves it (`approve_apology`) and
    only then form 04 is issued and the new date takes effect. `issue`: a leader drafts and
    approves at once. Decree 61/2018 Art. 21 (LEGAL.md §1.4): no later than 1 working day before
    the due date, once; drafting is allowed any time in processing, a late one is recorded late."""
    now = now or utcnow()
    if not may(user, Action.DRAFT_APOLOGY, dossier):
        raise DossierError("Chỉ người đang giữ bước xử lý hoặc lãnh đạo cơ quan giải quyết mới lập phiếu xin lỗi.",
                           status=403)
    if issue and not may(user, Action.APPROVE_APOLOGY, dossier):
        raise DossierError("Chỉ lãnh đạo cơ quan giải quyết mới ban hành phiếu xin lỗi.", status=403)
    require_possible(dossier, Action.DRAFT_APOLOGY)  # once: the table knows the apology's stage
    current_due = dossier.due_in_force
    problems = {}
    if not reason.strip():
        problems["reason"] = "Nhập lý do chậm trễ."
    if new_due_at <= max(current_due, now):
        problems["new_due_at"] = "Chọn ngày sau ngày hẹn hiện tại và sau hôm nay."
    if problems:
        raise DossierError("Cần ghi lý do chậm trễ và ngày hẹn mới hợp lệ.", fields=problems)
    apology = Apology(dossier=dossier, reason=reason.strip(), new_due_at=new_due_at, drafted_by=user, drafted_at=now,
                      deadline_at=apology_deadline(current_due, work_calendar(), dossier.received_at), decision_note="")
    db.session.add(apology)
    _apology_event(dossier, "draft_apology", user, now,
                   f"Dự thảo phiếu xin lỗi, đề nghị gia hạn; lý do: {reason.strip()}")
    if issue:
        return _issue_apology(dossier, apology, user, now)
    commit_then_dispatch()
    return apology


def approve_apology(dossier: Dossier, user: User, now: datetime | None = None) -> Apology:
    """A leader of the competent agency approves the draft: form 04 is issued under "THỦ TRƯỞNG
    CƠ QUAN" with the approver's name (never the drafter's) and `rescheduled_due_at` takes
    effect. "Late" is judged now, at the issuing: the law's act is the agency issuing the
    apology (Decree 61/2018 Art. 21, "gửi văn bản xin lỗi"), and the draft is not yet that."""
    now = now or utcnow()
    _require_apology_approver(dossier, user, Action.APPROVE_APOLOGY)
    return _issue_apology(dossier, dossier.apology, user, now)


def reject_apology(dossier: Dossier, user: User, note: str, now: datetime | None = None) -> Apology:
    """The leader sends the draft back with a reason; a new draft may follow."""
    now = now or utcnow()
    _require_apology_approver(dossier, user, Action.REJECT_APOLOGY)
    apology = dossier.apology
    if not note.strip():
        raise DossierError("Cần ghi lý do trả lại dự thảo.", fields={"note": "Nhập lý do trả lại dự thảo."})
    apology.status, apology.decided_by, apology.decided_at, apology.decision_note = "rejected", user, now, note.strip()
    _apology_event(dossier, "reject_apology", user, now, f"Trả lại dự thảo phiếu xin lỗi: {note.strip()}")
    commit_then_dispatch()
    return apology


def apology_deadline_of(dossier: Dossier) -> datetime | None:
    """The last on-time instant for this dossier's apology (the page shows it while drafting)."""
    due = dossier.due_in_force
    return apology_deadline(due, work_calendar(), dossier.received_at) if due else None


def _require_apology_approver(dossier: Dossier, user: User, action: Action) -> None:
    if not may(user, action, dossier):
        raise DossierError("Chỉ lãnh đạo cơ quan giải quyết mới duyệt phiếu xin lỗi.", status=403)
    require_possible(dossier, action)


def _apology_event(dossier: Dossier, action: str, user: User, now: datetime, note: str) -> None:
    db.session.add(DossierEvent(dossier=dossier, action=action, from_status=dossier.status, to_status=dossier.status,
                                actor=user, agency=dossier.resolving_agency, at=now, note=note))


def _issue_apology(dossier: Dossier, apology: Apology, leader: User, now: datetime) -> Apology:
    current_due = dossier.due_in_force
    if apology.new_due_at <= max(current_due, now):
        raise DossierError("Ngày hẹn mới của dự thảo không còn sau ngày hẹn hiện tại; trả lại dự thảo để lập lại.",
                           status=409)
    calendar = work_calendar()
    apology.status, apology.decided_by, apology.decided_at = "approved", leader, now
    apology.deadline_at = apology_deadline(current_due, calendar, dossier.received_at)
    apology.late = apology_is_late(now, current_due, calendar, dossier.received_at)
    # The new date is the applicant's; due_at (and the stamped classification) stay the statistics'.
    dossier.rescheduled_due_at = apology.new_due_at
    _apology_event(dossier, "approve_apology", leader, now,
                   "Ban hành phiếu xin lỗi và đề nghị gia hạn" + (" (quá thời hạn xin lỗi)." if apology.late else "."))
    document = issuing.issue(dossier, "apology", leader, now,
                             {"reason": apology.reason, "new_due_at": apology.new_due_at.isoformat(),
                              "late": apology.late},
                             agency=dossier.resolving_agency)
    messages = notify.messages(dossier, Notice(Kind.APOLOGY, new_due=apology.new_due_at, reason=apology.reason))
    commit_then_dispatch(document, messages)
    return apology


def resolve(dossier: Dossier, user: User, outcome: str, reason: str = "", now: datetime | None = None,
            confirmed: bool = True) -> Dossier:
    """The leader decides: approved (the result document is issued) or denied with a written
    reason; status resolved (9)."""
    now = now or utcnow()
    task = _require_holder(dossier, user)
    require_possible(dossier, Action.RESOLVE)
    if not is_decision_step(dossier, task.position):
        raise DossierError("Chỉ lãnh đạo ở bước quyết định mới phê duyệt kết quả.", status=403)
    if outcome not in ("approved", "denied"):
        raise DossierError("Kết quả phải là phê duyệt hoặc không phê duyệt.", fields={"outcome": "approved | denied"})
    if outcome == "denied" and not reason.strip():
        raise DossierError("Cần ghi rõ lý do không phê duyệt.", fields={"reason": "Nhập lý do không phê duyệt."})
    if outcome == "denied":
        require_confirmation(confirmed)
    _mark_processing(dossier, user, now, task.agency)
    transition(dossier, Action.RESOLVE, user, now, note=reason.strip(), agency=task.agency)
    dossier.outcome = outcome
    _finish(dossier, now)
    _close(task, user, now, "Phê duyệt." if outcome == "approved" else f"Không phê duyệt: {reason.strip()}")
    _hand_to(dossier, task.position + 1, user, now)
    document = issuing.issue(dossier, "result", user, now, {"outcome": outcome, "reason": reason.strip()},
                             agency=task.agency)
    messages = notify.messages(dossier, Notice(Kind.RESOLVED, reason=reason.strip() if outcome == "denied" else ""))
    commit_then_dispatch(document, messages)
    return dossier


def return_result(dossier: Dossier, user: User, method: str, tracking: str = "",
                  now: datetime | None = None) -> Dossier:
    """The desk hands the result over: at the counter, by post (tracking number), or online for
    a fully online procedure; status returned (10)."""
    now = now or utcnow()
    task = _require_holder(dossier, user)
    require_possible(dossier, Action.RETURN_RESULT)
    if not is_return_step(dossier, task.position):
        raise DossierError("Hồ sơ chưa đến bước trả kết quả.", status=409)
    if not Delivery.known(method):
        raise DossierError("Hình thức trả kết quả không hợp lệ.", fields={"method": "counter | post | online"})
    if method == "post" and not tracking.strip():
        raise DossierError("Cần số hiệu bưu gửi.", fields={"tracking": "Nhập số hiệu bưu gửi khi gửi bưu chính."})
    if method == "online" and dossier.procedure_version.online != "full":
        raise DossierError("Thủ tục này không trả kết quả điện tử.",
                           fields={"method": "Chọn trực tiếp hoặc bưu chính."})
    if method == "online" and not dossier.has_e_result:
        # An unsigned PDF is not an electronic result (Decree 45/2020 Art. 25; issue 11): it is
        # handed over online only once every signature it needs is on it.
        message = "Kết quả chưa được ký số đủ nên chưa trả trực tuyến được; chờ ký số xong hoặc trả trực tiếp."
        raise DossierError(message, status=409, fields={"method": message})
    transition(dossier, Action.RETURN_RESULT, user, now, note=tracking.strip(), agency=task.agency)
    dossier.returned_at, dossier.return_method, dossier.tracking_number = now, method, tracking.strip() or None
    _close(task, user, now, Delivery(method).return_label)
    messages = notify.messages(dossier, Notice(Kind.RETURNED, delivery=method, tracking=tracking.strip()))
    commit_then_dispatch(messages=messages)
    return dossier


def stop(dossier: Dossier, user: User, now: datetime | None = None, confirmed: bool = True) -> Dossier:
    """The desk confirms a withdrawal while no decision exists yet: stop notice, status
    stopped (8) (Circular 03/2025 Art. 7)."""
    now = now or utcnow()
    authorise(dossier, user, Action.STOP)
    require_possible(dossier, Action.STOP)
    require_confirmation(confirmed)
    requested = next(e for e in reversed(dossier.events) if e.action == Action.REQUEST_WITHDRAWAL.value)
    transition(dossier, Action.STOP, user, now, agency=dossier.receiving_agency)
    if dossier.received_at:
        _finish(dossier, now)
    else:
        dossier.finished_at = now
    task = dossier.current_step
    if task is not None:
        _close(task, user, now, "Dừng giải quyết theo yêu cầu rút hồ sơ.", judged=False)
    document = issuing.issue(dossier, "stop_notice", user, now,
                             {"requested_at": requested.at.isoformat(), "reason": requested.note})
    messages = notify.messages(dossier, Notice(Kind.STOPPED))
    commit_then_dispatch(document, messages)
    return dossier


def decline_withdrawal(dossier: Dossier, user: User, reason: str, now: datetime | None = None) -> Dossier:
    """The desk does not stop the dossier (e.g. its result is already decided on paper) and
    says why; the dossier goes back to where it was (Circular 03/2025 Art. 7: the desk checks
    the status before it stops anything)."""
    now = now or utcnow()
    authorise(dossier, user, Action.DECLINE_WITHDRAWAL)
    require_possible(dossier, Action.DECLINE_WITHDRAWAL)
    if not reason.strip():
        raise DossierError("Cần nêu lý do không dừng giải quyết hồ sơ.",
                           fields={"reason": "Nhập lý do để gửi người nộp."})
    transition(dossier, Action.DECLINE_WITHDRAWAL, user, now, note=reason.strip(), agency=dossier.receiving_agency)
    messages = notify.messages(dossier, Notice(Kind.WITHDRAWAL_REFUSED, reason=reason.strip()))
    commit_then_dispatch(messages=messages)
    return dossier


# A dossier's open step is someone's work unless the dossier waits: for the applicant's
# supplement, or for the desk to answer a withdrawal request. A dossier has no step before its
# acceptance, and its end (returned, stopped) closes the open one (_close), so "not waiting" is
# "in a working status". It is found from the few waiting dossiers (an anti-join on
# ix_dossier_status_id): joining the open steps to every dossier in a working status was 30 of
# the worklist's 40 ms at 1,000,000 dossiers (issue 15).
WAITING_STATUSES = (Status.SUPPLEMENT_REQUESTED.value, Status.WITHDRAWAL_REQUESTED.value)


class WorklistPage(Pagination):
    """A page of open steps found by a narrow query of their ids, ordered and cut in SQL
    (LIMIT/OFFSET), with the count of them all from the same statement (a window count): the
    steps of the other pages are never loaded, nor their dossiers' wide rows. The page's own
    rows are then read in one statement with what the page shows (dossier, procedure, agency,
    assignee)."""

    def _query_items(self) -> list[StepTask]:
        ids, order = self._query_args["ids"], self._query_args["order"]
        rows = db.session.execute(ids.add_columns(func.count().over().label("total"))
                                  .limit(self.per_page).offset(self._query_offset)).all()
        self._total = rows[0].total if rows else None
        if not rows:
            return []
        # the dossier's and the procedure's columns the page shows, not their wide rows (the
        # e-form, the procedure's fees and forms): a third of the page's CPU (issue 15)
        query = (select(StepTask).join(StepTask.dossier).where(StepTask.id.in_([r.id for r in rows]))
                 .order_by(*order)
                 .options(contains_eager(StepTask.dossier).load_only(Dossier.code, Dossier.procedure_version_id)
                          .joinedload(Dossier.procedure_version).load_only(ProcedureVersion.name,
                                                                           ProcedureVersion.name_en),
                          joinedload(StepTask.agency), joinedload(StepTask.assignee)))
        return list(db.session.scalars(query).unique())

    def _query_count(self) -> int:
        if self._total is not None:
            return self._total
        # past the last page (no row to carry the window count): counted on its own
        return db.session.scalar(select(func.count()).select_from(self._query_args["ids"].order_by(None).subquery()))


def worklist(user: User, page: int, per_page: int, order: str = "due") -> WorklistPage:
    """The open steps at the user's own (agency, role) pairs or assigned to the user, by due
    date (or by the time given), then by id: a stable order, so the pages neither repeat nor
    skip a step while nothing changes."""
    pairs = [(m.agency_id, m.role) for m in user.memberships if m.role in (Role.SPECIALIST, Role.LEADER, Role.CLERK,
                                                                           Role.RECEPTION)]
    conditions = [and_(StepTask.agency_id == a, StepTask.role == r, StepTask.assignee_id.is_(None)) for a, r in pairs]
    conditions.append(StepTask.assignee_id == user.id)
    key = (StepTask.due_at if order == "due" else StepTask.given_at, StepTask.id)
    waiting = select(Dossier.id).where(Dossier.id == StepTask.dossier_id, Dossier.status.in_(WAITING_STATUSES))
    ids = select(StepTask.id).where(StepTask.done_at.is_(None), or_(*conditions), ~waiting.exists()).order_by(*key)
    return WorklistPage(ids=ids, order=key, page=page, per_page=per_page, error_out=False)
