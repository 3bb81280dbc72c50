"""What the applicant reads at the top of their dossier page and on the confirmation after
sending it: where the dossier stands and what comes next. The next step is read from the
workflow (`transitions.available_actions`: what this user may do now) and from the documents
issued for the dossier; pages show it, they never decide it again."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from app.domain.workflow import Action, Status
from app.models import Dossier, IssuedDocument, User
from app.models.users import utcnow
from app.services import payments
from app.services.calendar import expected_due


class Step(StrEnum):
    DRAFT = "draft"  # not sent yet: finish the form
    SUPPLEMENT = "supplement"  # the applicant must send what the supplement request lists
    RESULT = "result"  # the result is issued: download it
    FEE = "fee"  # the fees asked must be paid
    WITHDRAWAL = "withdrawal"  # the applicant asked to withdraw; the desk has not answered
    CLOSED = "closed"  # refused or stopped: the notice says why
    WAIT = "wait"  # with the desk or the agency: nothing to do but follow it


@dataclass(frozen=True)
class NextStep:
    step: Step
    items: list[str] = field(default_factory=list)  # what to add (the supplement request's items)
    reason: str = ""
    document: IssuedDocument | None = None  # the supplement request, the result, the refusal...
    can_pay: bool = False


_CLOSING = {Status.REFUSED: "refusal", Status.STOPPED: "stop_notice"}


def last_document(dossier: Dossier, kind: str) -> IssuedDocument | None:
    return next((d for d in reversed(dossier.documents) if d.kind == kind), None)


def next_step(dossier: Dossier, user: User, available: list[Action]) -> NextStep:
    """The applicant's next step, `available` being `available_actions(dossier, user)`."""
    if Action.SUBMIT in available:
        return NextStep(Step.DRAFT)
    if Action.RESUBMIT in available:
        request = last_document(dossier, "supplement_request")
        content = request.content if request is not None else {}
        return NextStep(Step.SUPPLEMENT, items=list(content.get("items", [])), reason=content.get("reason", ""),
                        document=request)
    if (result := last_document(dossier, "result")) is not None:
        return NextStep(Step.RESULT, document=result)
    if Action.CANCEL_WITHDRAWAL in available:
        return NextStep(Step.WITHDRAWAL)
    status = Status(dossier.status)
    if status is Status.FEE_REQUESTED:
        return NextStep(Step.FEE, can_pay=payments.offered(dossier, user))
    if status in _CLOSING:
        return NextStep(Step.CLOSED, document=last_document(dossier, _CLOSING[status]))
    return NextStep(Step.WAIT)


def expected_result(dossier: Dossier, now: datetime | None = None) -> tuple[datetime, bool]:
    """When the result is expected, and whether that is only an estimate: the appointment once
    the desk has received the dossier (an apology's new date if one was issued), otherwise the
    procedure's time limit counted from a receipt now (an online dossier, domain/deadlines)."""
    if dossier.due_at is not None:
        return dossier.rescheduled_due_at or dossier.effective_due_at or dossier.due_at, False
    return expected_due(dossier.procedure_version, now or utcnow(), paper=False), True
