"""The life of a dossier: statuses, actions, and which action may move it where.

Pure: no Flask, no database. A service loads what the guards need into a
``DossierState``, asks ``next_status``, and only then writes the new status and
appends a ``DossierEvent``; a page asks ``allowed_actions`` to offer buttons,
but the service asks again (a hidden button is not a permission).

Legal basis
    Receiving (Decree 118/2025 Art. 17, formerly Decree 61/2018 Art. 19): a
    complete dossier is accepted with a receipt (form 01); an incomplete one
    gets ONE supplement request listing everything missing (form 02); one out
    of scope or invalid is refused (form 03).
    Forwarding and resolving (Decree 118/2025 Art. 18-20; Decree 61/2018
    Art. 20-21): the competent agency processes it; a supplement may be asked
    during processing only once, and the clock pauses meanwhile.
    Financial obligations (fees, charges, taxes) pause processing until paid
    (LEGAL.md 1.4).
    Return (Decree 118/2025 Art. 22; Decree 61/2018 Art. 22).
    Withdrawal (Decree 61/2018 Art. 21; Circular 03/2025/TT-VPCP Art. 7): on
    the applicant's request, if no decision exists yet, the one-stop
    department issues a notice stopping the dossier.
    Status codes: the national portal's ``TrangThai`` sync codes 1-10
    (LEGAL.md section 4); 0 is ours for a draft that was never sent.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from typing import NamedTuple

from app.domain import N_

__all__ = [
    "BACK",
    "STATUS_TABLE",
    "TRANSITIONS",
    "ACTORS",
    "KEEPS",
    "Action",
    "Actor",
    "ApologyStage",
    "DossierState",
    "HistoryError",
    "Status",
    "StatusInfo",
    "WorkflowError",
    "actors",
    "allowed_actions",
    "next_status",
    "possible_actions",
    "replay",
]


class Status(StrEnum):
    """Status of a dossier. Codes and labels: ``STATUS_TABLE`` below."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    REFUSED = "refused"
    PROCESSING = "processing"
    SUPPLEMENT_REQUESTED = "supplement_requested"
    FEE_REQUESTED = "fee_requested"
    WITHDRAWAL_REQUESTED = "withdrawal_requested"
    STOPPED = "stopped"
    RESOLVED = "resolved"
    RETURNED = "returned"

    @property
    def national_code(self) -> int:
        """The national portal's ``TrangThai`` (0 = draft, never synchronised)."""
        return _INFO[self].code

    @property
    def label(self) -> str:
        """The official name of the status (the national portal's wording)."""
        return _INFO[self].label

    @property
    def citizen_label(self) -> str:
        """What the applicant reads on the lookup page and in notifications."""
        return _INFO[self].citizen_label

    @property
    def is_final(self) -> bool:
        """No action leaves this status. RESOLVED is not final: the result must still be returned."""
        return self in _FINAL

    @classmethod
    def from_national_code(cls, code: int) -> Status:
        """The status of a national ``TrangThai`` code; ValueError for an unknown code."""
        for info in STATUS_TABLE:
            if info.code == code and not isinstance(code, bool):
                return info.status
        raise ValueError(f"unknown national status code {code!r}; expected 0-10")


class StatusInfo(NamedTuple):
    code: int
    status: Status
    label: str
    citizen_label: str


# The one place where a status gets its code and its words, in code order, so a template
# can list it as is. Codes 1-10 and labels: the national portal's TrangThai (LEGAL.md §4).
STATUS_TABLE: tuple[StatusInfo, ...] = (
    StatusInfo(0, Status.DRAFT, N_("Nháp"), N_("Nháp, chưa gửi")),
    StatusInfo(1, Status.SUBMITTED, N_("Mới đăng ký"), N_("Đã gửi, chờ tiếp nhận")),
    StatusInfo(2, Status.ACCEPTED, N_("Được tiếp nhận"), N_("Đã được tiếp nhận")),
    StatusInfo(3, Status.REFUSED, N_("Không được tiếp nhận"), N_("Không được tiếp nhận")),
    StatusInfo(4, Status.PROCESSING, N_("Đang xử lý"), N_("Đang xử lý")),
    StatusInfo(5, Status.SUPPLEMENT_REQUESTED, N_("Yêu cầu bổ sung giấy tờ"), N_("Cần bổ sung giấy tờ")),
    StatusInfo(
        6,
        Status.FEE_REQUESTED,
        N_("Yêu cầu thực hiện nghĩa vụ tài chính"),
        N_("Chờ nộp phí, lệ phí hoặc nghĩa vụ tài chính"),
    ),
    StatusInfo(
        7,
        Status.WITHDRAWAL_REQUESTED,
        N_("Công dân yêu cầu rút hồ sơ"),
        N_("Đã yêu cầu rút hồ sơ, chờ xác nhận"),
    ),
    StatusInfo(8, Status.STOPPED, N_("Dừng xử lý"), N_("Đã dừng xử lý")),
    StatusInfo(9, Status.RESOLVED, N_("Đã xử lý xong"), N_("Đã có kết quả, chờ trả")),
    StatusInfo(10, Status.RETURNED, N_("Đã trả kết quả"), N_("Đã trả kết quả")),
)
_INFO: dict[Status, StatusInfo] = {info.status: info for info in STATUS_TABLE}

_FINAL = frozenset({Status.REFUSED, Status.STOPPED, Status.RETURNED})


class Action(StrEnum):
    """Something a person does to a dossier; each is one ``DossierEvent``."""

    SUBMIT = "submit"
    ACCEPT = "accept"
    REQUEST_SUPPLEMENT = "request_supplement"
    RESUBMIT = "resubmit"
    REFUSE = "refuse"
    START_PROCESSING = "start_processing"
    REQUEST_FEE = "request_fee"
    RECORD_PAYMENT = "record_payment"
    REQUEST_WITHDRAWAL = "request_withdrawal"
    STOP = "stop"
    CANCEL_WITHDRAWAL = "cancel_withdrawal"
    DECLINE_WITHDRAWAL = "decline_withdrawal"
    RESOLVE = "resolve"
    RETURN_RESULT = "return_result"
    # Actions that keep the status (the internal process, the apology): see KEEPS.
    COMPLETE_STEP = "complete_step"
    RETURN_STEP = "return_step"
    ASSIGN = "assign"
    DRAFT_APOLOGY = "draft_apology"
    APPROVE_APOLOGY = "approve_apology"
    REJECT_APOLOGY = "reject_apology"

    @property
    def label(self) -> str:
        return _ACTION_LABELS[self]


_ACTION_LABELS: dict[Action, str] = {
    Action.SUBMIT: N_("Nộp hồ sơ"),
    Action.ACCEPT: N_("Tiếp nhận hồ sơ"),
    Action.REQUEST_SUPPLEMENT: N_("Yêu cầu bổ sung hồ sơ"),
    Action.RESUBMIT: N_("Nộp bổ sung hồ sơ"),
    Action.REFUSE: N_("Từ chối tiếp nhận hồ sơ"),
    Action.START_PROCESSING: N_("Nhận xử lý hồ sơ"),
    Action.REQUEST_FEE: N_("Yêu cầu thực hiện nghĩa vụ tài chính"),
    Action.RECORD_PAYMENT: N_("Xác nhận đã thực hiện nghĩa vụ tài chính"),
    Action.REQUEST_WITHDRAWAL: N_("Yêu cầu rút hồ sơ"),
    Action.STOP: N_("Dừng xử lý hồ sơ"),
    Action.CANCEL_WITHDRAWAL: N_("Hủy yêu cầu rút hồ sơ"),
    Action.DECLINE_WITHDRAWAL: N_("Không chấp nhận yêu cầu rút hồ sơ"),
    Action.RESOLVE: N_("Hoàn thành xử lý hồ sơ"),
    Action.RETURN_RESULT: N_("Trả kết quả"),
    Action.COMPLETE_STEP: N_("Hoàn thành, chuyển bước tiếp theo"),
    Action.RETURN_STEP: N_("Trả lại bước trước"),
    Action.ASSIGN: N_("Giao cho đồng nghiệp"),
    Action.DRAFT_APOLOGY: N_("Lập phiếu xin lỗi và đề nghị gia hạn"),
    Action.APPROVE_APOLOGY: N_("Duyệt và ban hành phiếu xin lỗi"),
    Action.REJECT_APOLOGY: N_("Trả lại dự thảo phiếu xin lỗi"),
}


class Actor(StrEnum):
    """Who acts, as the law names them; ``app.services.permissions.acts_as`` says whether a user is one."""

    APPLICANT = "applicant"  # the dossier's owner
    DESK = "desk"  # reception staff of the one-stop desk that received it
    HOLDER = "holder"  # whoever holds the current step (its agency and role, or its assignee)
    LEADER = "leader"  # a leader of the resolving agency


class WorkflowError(Exception):
    """An action that the workflow does not allow in the dossier's state.

    The message is Vietnamese (it is shown to staff and applicants as is) and names the
    status and the action; both are also kept as attributes.
    """

    def __init__(self, message: str, status: Status, action: Action) -> None:
        super().__init__(message)
        self.status = status
        self.action = action


class _Back:
    """Marker in ``TRANSITIONS``: back to ``DossierState.previous_status``."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "BACK"


BACK = _Back()

S, A = Status, Action

# Every move a dossier can make: (from, action) -> to. A pair not listed is not allowed;
# nothing leaves REFUSED, STOPPED or RETURNED. Guards (in next_status) can still say no.
TRANSITIONS: dict[tuple[Status, Action], Status | _Back] = {
    # Sent online by the applicant, or registered by staff for a counter/postal dossier.
    (S.DRAFT, A.SUBMIT): S.SUBMITTED,
    # Receiving, Decree 118/2025 Art. 17 (Decree 61/2018 Art. 19).
    (S.SUBMITTED, A.ACCEPT): S.ACCEPTED,                          # form 01
    (S.SUBMITTED, A.REQUEST_SUPPLEMENT): S.SUPPLEMENT_REQUESTED,  # form 02, once
    (S.SUBMITTED, A.REFUSE): S.REFUSED,                           # form 03
    (S.SUBMITTED, A.REQUEST_WITHDRAWAL): S.WITHDRAWAL_REQUESTED,
    # Forwarded to the competent agency, Decree 118/2025 Art. 18.
    (S.ACCEPTED, A.START_PROCESSING): S.PROCESSING,
    (S.ACCEPTED, A.REQUEST_WITHDRAWAL): S.WITHDRAWAL_REQUESTED,
    # Processing, Decree 61/2018 Art. 21 (Decree 118/2025 Art. 19-20).
    (S.PROCESSING, A.REQUEST_SUPPLEMENT): S.SUPPLEMENT_REQUESTED,  # only once
    (S.PROCESSING, A.REQUEST_FEE): S.FEE_REQUESTED,
    (S.PROCESSING, A.RESOLVE): S.RESOLVED,
    (S.PROCESSING, A.REQUEST_WITHDRAWAL): S.WITHDRAWAL_REQUESTED,
    # Waiting for the applicant: to where the request came from (intake or processing).
    (S.SUPPLEMENT_REQUESTED, A.RESUBMIT): BACK,
    (S.SUPPLEMENT_REQUESTED, A.REQUEST_WITHDRAWAL): S.WITHDRAWAL_REQUESTED,
    (S.FEE_REQUESTED, A.RECORD_PAYMENT): S.PROCESSING,
    (S.FEE_REQUESTED, A.REQUEST_WITHDRAWAL): S.WITHDRAWAL_REQUESTED,
    # Withdrawal, Circular 03/2025 Art. 7: the desk checks the status; no decision yet -> stop
    # notice, otherwise it declines and says why. The applicant may take the request back first.
    (S.WITHDRAWAL_REQUESTED, A.STOP): S.STOPPED,
    (S.WITHDRAWAL_REQUESTED, A.CANCEL_WITHDRAWAL): BACK,
    (S.WITHDRAWAL_REQUESTED, A.DECLINE_WITHDRAWAL): BACK,
    # Return, Decree 118/2025 Art. 22 (Decree 61/2018 Art. 22).
    (S.RESOLVED, A.RETURN_RESULT): S.RETURNED,
}

# Actions that keep the status, and the statuses they may happen in. Steps are handed on
# (Decree 61/2018 Art. 21: the agency's internal process) while the dossier is with an agency;
# the apology (form 04, Decree 61/2018 Art. 21(1)(d)) only while it is being processed.
_WITH_AGENCY = frozenset({S.ACCEPTED, S.PROCESSING, S.FEE_REQUESTED})
KEEPS: dict[Action, frozenset[Status]] = {
    A.COMPLETE_STEP: frozenset({S.ACCEPTED, S.PROCESSING, S.RESOLVED}),  # resolved: the clerk issues
    A.RETURN_STEP: frozenset({S.ACCEPTED, S.PROCESSING}),
    A.ASSIGN: frozenset({S.ACCEPTED, S.PROCESSING, S.SUPPLEMENT_REQUESTED, S.FEE_REQUESTED,
                         S.WITHDRAWAL_REQUESTED, S.RESOLVED}),  # whenever a step is open
    A.DRAFT_APOLOGY: _WITH_AGENCY,
    A.APPROVE_APOLOGY: _WITH_AGENCY,
    A.REJECT_APOLOGY: _WITH_AGENCY,
}

# Who may take each action (Decree 61/2018 Art. 19-22; Circular 03/2025 Art. 7).
ACTORS: dict[Action, frozenset[Actor]] = {
    A.SUBMIT: frozenset({Actor.APPLICANT}),
    A.ACCEPT: frozenset({Actor.DESK}),
    A.REQUEST_SUPPLEMENT: frozenset({Actor.HOLDER}),  # at intake the desk: see _ACTORS_AT
    A.RESUBMIT: frozenset({Actor.APPLICANT}),
    A.REFUSE: frozenset({Actor.DESK}),
    A.START_PROCESSING: frozenset({Actor.HOLDER}),
    A.REQUEST_FEE: frozenset({Actor.HOLDER}),
    A.RECORD_PAYMENT: frozenset({Actor.HOLDER, Actor.DESK}),  # at the counter, or by the step's holder
    A.REQUEST_WITHDRAWAL: frozenset({Actor.APPLICANT}),
    A.STOP: frozenset({Actor.DESK}),
    A.CANCEL_WITHDRAWAL: frozenset({Actor.APPLICANT}),
    A.DECLINE_WITHDRAWAL: frozenset({Actor.DESK}),
    A.RESOLVE: frozenset({Actor.HOLDER}),  # the leader holding the decision step
    A.RETURN_RESULT: frozenset({Actor.HOLDER}),  # the desk holding the last step
    A.COMPLETE_STEP: frozenset({Actor.HOLDER}),
    A.RETURN_STEP: frozenset({Actor.HOLDER}),
    A.ASSIGN: frozenset({Actor.HOLDER}),
    A.DRAFT_APOLOGY: frozenset({Actor.HOLDER, Actor.LEADER}),  # a leader may draft and approve at once
    A.APPROVE_APOLOGY: frozenset({Actor.LEADER}),  # the agency head's letter (LEGAL.md §2.2, §8)
    A.REJECT_APOLOGY: frozenset({Actor.LEADER}),
}
_ACTORS_AT: dict[tuple[Status, Action], frozenset[Actor]] = {
    (S.SUBMITTED, A.REQUEST_SUPPLEMENT): frozenset({Actor.DESK}),  # form 02 at intake
}

del S, A


def actors(status: Status, action: Action) -> frozenset[Actor]:
    """Who may take ``action`` on a dossier in ``status``."""
    return _ACTORS_AT.get((Status(status), Action(action)), ACTORS[Action(action)])

# A BACK move undoes a request; the dossier may only go back to a status that request
# can be made from (derived from TRANSITIONS, so the two never disagree).
_UNDOES: dict[Action, Action] = {
    Action.RESUBMIT: Action.REQUEST_SUPPLEMENT,
    Action.CANCEL_WITHDRAWAL: Action.REQUEST_WITHDRAWAL,
    Action.DECLINE_WITHDRAWAL: Action.REQUEST_WITHDRAWAL,
}


def _sources(action: Action) -> frozenset[Status]:
    return frozenset(status for (status, act) in TRANSITIONS if act is action)


class ApologyStage(StrEnum):
    """Where the dossier's one apology (form 04) stands: none yet, a draft waiting for the
    leader, or issued (here, or in the system a dossier was imported from)."""

    NONE = "none"
    DRAFTED = "drafted"
    ISSUED = "issued"


# The apology actions by stage (Decree 61/2018 Art. 21: the apology and new date are given
# once; a leader approves the specialist's draft, LEGAL.md 8): None where the action may go on.
_APOLOGY_REFUSALS: dict[tuple[Action, ApologyStage], str] = {
    **{(action, ApologyStage.ISSUED): "hồ sơ đã được xin lỗi và hẹn lại ngày trả kết quả một lần; "
                                      "không được hẹn lại lần thứ hai."
       for action in (Action.DRAFT_APOLOGY, Action.APPROVE_APOLOGY, Action.REJECT_APOLOGY)},
    (Action.DRAFT_APOLOGY, ApologyStage.DRAFTED): "đã có dự thảo phiếu xin lỗi đang chờ lãnh đạo duyệt.",
    (Action.APPROVE_APOLOGY, ApologyStage.NONE): "không có dự thảo phiếu xin lỗi chờ duyệt.",
    (Action.REJECT_APOLOGY, ApologyStage.NONE): "không có dự thảo phiếu xin lỗi chờ duyệt.",
}


@dataclass(frozen=True)
class DossierState:
    """What the guards need to know about a dossier, nothing else.

    ``previous_status`` is the status the pending request was made from: the ``from``
    status of the last supplement request (for RESUBMIT) or of the withdrawal request
    (for CANCEL_WITHDRAWAL and DECLINE_WITHDRAWAL). The service reads it from the dossier's events.
    """

    status: Status
    intake_supplements: int = 0  # supplement requests made at intake so far
    processing_supplements: int = 0  # made during processing so far
    previous_status: Status | None = None
    apology: ApologyStage = ApologyStage.NONE

    def __post_init__(self) -> None:
        # Statuses may come from the database as plain strings; an unknown one is a bug.
        object.__setattr__(self, "status", Status(self.status))
        if self.previous_status is not None:
            object.__setattr__(self, "previous_status", Status(self.previous_status))
        for name in ("intake_supplements", "processing_supplements"):
            count = getattr(self, name)
            if isinstance(count, bool) or not isinstance(count, int) or count < 0:
                raise ValueError(f"{name} must be a non-negative integer, got {count!r}")


def _refuse(state: DossierState, action: Action, reason: str) -> WorkflowError:
    return WorkflowError(
        f'Không thể thực hiện "{action.label}" khi hồ sơ ở trạng thái '
        f'"{state.status.label}": {reason}',
        state.status,
        action,
    )


def next_status(state: DossierState, action: Action) -> Status:
    """The status ``action`` moves the dossier to; WorkflowError if it may not.

    Guards on top of ``TRANSITIONS``:
    - REQUEST_SUPPLEMENT at intake only if none was made at intake: one single request
      listing everything missing (Decree 61/2018 Art. 19(2)(b); Decree 118/2025 Art. 17);
      during processing only if none was made during processing ("only once",
      Decree 61/2018 Art. 21). The two are counted apart: a dossier asked once at intake
      may still be asked once during processing.
    - RESUBMIT goes back to SUBMITTED (intake supplement, or ``previous_status`` unknown)
      or PROCESSING (supplement during processing, whose clock resumes).
    - CANCEL_WITHDRAWAL and DECLINE_WITHDRAWAL go back to ``previous_status``, which is required.
    - An action of ``KEEPS`` leaves the status as it is, in the statuses listed there.
    """
    action = Action(action)
    if action in KEEPS:
        target = state.status if state.status in KEEPS[action] else None
    else:
        target = TRANSITIONS.get((state.status, action))
    if target is None:
        if state.status.is_final:
            reason = "hồ sơ đã kết thúc, không thể thay đổi trạng thái."
        else:
            reason = "thao tác không hợp lệ ở trạng thái này."
        raise _refuse(state, action, reason)

    if refusal := _APOLOGY_REFUSALS.get((action, ApologyStage(state.apology))):
        raise _refuse(state, action, refusal)

    if action is Action.REQUEST_SUPPLEMENT:
        if state.status is Status.SUBMITTED:
            already = state.intake_supplements
        else:
            already = state.processing_supplements
        if already > 0:
            raise _refuse(
                state,
                action,
                "hồ sơ đã được yêu cầu bổ sung một lần; "
                "không được yêu cầu bổ sung lần thứ hai.",
            )

    if isinstance(target, _Back):
        previous = state.previous_status
        if previous is None and action is Action.RESUBMIT:
            previous = Status.SUBMITTED  # no record of processing: the intake case
        if previous is None:
            raise _refuse(state, action, "không xác định được trạng thái trước khi yêu cầu.")
        if previous not in _sources(_UNDOES[action]):
            raise _refuse(
                state,
                action,
                f'không thể trở lại trạng thái "{previous.label}".',
            )
        return previous
    return target


def allowed_actions(state: DossierState) -> list[Action]:
    """The actions ``next_status`` accepts in ``state``, in ``Action`` order."""
    allowed = []
    for action in Action:
        try:
            next_status(state, action)
        except WorkflowError:
            continue
        allowed.append(action)
    return allowed


def possible_actions(state: DossierState) -> list[Action]:
    """What may happen now, in ``Action`` order: the allowed actions, where processing starts
    by itself with the first one the holder takes (a dossier accepted is processed by the
    first act on it), so START_PROCESSING is never asked for."""
    now = set(allowed_actions(state))
    if Action.START_PROCESSING in now:
        now |= set(allowed_actions(replace(state, status=next_status(state, Action.START_PROCESSING))))
    return [action for action in Action if action in now and action is not Action.START_PROCESSING]


class HistoryError(ValueError):
    """A status history that is not a walk through the table; ``step`` is the index of the
    first entry that cannot be reached from the one before."""

    def __init__(self, step: int, message: str) -> None:
        super().__init__(message)
        self.step = step


def replay(statuses: list[Status]) -> DossierState:
    """Walk a status history (another system's, e.g. the national synchronisation record's
    QuaTrinhXuLy) through the same table and guards as our own dossiers: it starts submitted,
    and each step must be one transition ``next_status`` accepts (so at most one supplement
    request at intake and one during processing, Decree 61/2018 Art. 19, 21). Returns the
    state reached, with its supplement counts; HistoryError names the first step that is not
    a transition."""
    statuses = [Status(s) for s in statuses]
    if not statuses or statuses[0] is not Status.SUBMITTED:
        raise HistoryError(0, f'phải bắt đầu ở trạng thái "{Status.SUBMITTED.label}"')
    state, pending = DossierState(Status.SUBMITTED), []  # pending: where each open request came from
    for index, target in enumerate(statuses[1:], start=1):
        action = next((a for a in allowed_actions(state) if a not in KEEPS and next_status(state, a) is target), None)
        if action is None:
            raise HistoryError(index, f'từ "{state.status.label}" không chuyển được sang "{target.label}" '
                                      "(không có thao tác đó, hoặc đã yêu cầu bổ sung một lần ở giai đoạn này)")
        if action in (Action.REQUEST_SUPPLEMENT, Action.REQUEST_WITHDRAWAL):
            pending.append(state.status)
        elif isinstance(TRANSITIONS[(state.status, action)], _Back):
            pending.pop()
        asked = action is Action.REQUEST_SUPPLEMENT
        state = DossierState(
            target,
            intake_supplements=state.intake_supplements + int(asked and state.status is Status.SUBMITTED),
            processing_supplements=state.processing_supplements + int(asked and state.status is not Status.SUBMITTED),
            previous_status=pending[-1] if pending else None)
    return state
