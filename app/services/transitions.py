"""The steps every dossier use case shares: the workflow transition with its event, the
optimistic-lock check, the commit, and the jobs enqueued only after it."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm.exc import StaleDataError

from app.domain.workflow import (
    Action,
    Actor,
    ApologyStage,
    DossierState,
    Status,
    WorkflowError,
    actors,
    next_status,
    possible_actions,
)
from app.extensions import db
from app.models import Agency, Dossier, DossierEvent, User
from app.services import issuing, national_sync, notify
from app.services.errors import ServiceError
from app.services.permissions import may


class DossierError(ServiceError):
    """A dossier use case refused."""


# A withdrawal request and its undoing leave `previous_status` as it was: the request's own
# "from" is read from its event (state_of), so any number of round trips leave the dossier
# exactly where it was, e.g. a supplement during processing still resumes processing.
_WITHDRAWAL_ROUND_TRIP = {Action.REQUEST_WITHDRAWAL, Action.CANCEL_WITHDRAWAL, Action.DECLINE_WITHDRAWAL}


def state_of(dossier: Dossier) -> DossierState:
    """What the workflow's guards need to know about the dossier."""
    previous = dossier.previous_status
    if dossier.status == Status.WITHDRAWAL_REQUESTED:
        previous = next(e.from_status for e in reversed(dossier.events) if e.action == Action.REQUEST_WITHDRAWAL)
    return DossierState(Status(dossier.status), intake_supplements=dossier.intake_supplements or 0,
                        processing_supplements=dossier.processing_supplements or 0,
                        previous_status=Status(previous) if previous else None, apology=apology_stage(dossier))


def apology_stage(dossier: Dossier) -> ApologyStage:
    """The live apology's stage; `rescheduled_due_at` with no Apology row: a dossier carried over
    (flask dossiers import) had its one apology in the other system."""
    live = dossier.apology
    if dossier.rescheduled_due_at is not None or (live is not None and live.status == "approved"):
        return ApologyStage.ISSUED
    return ApologyStage.NONE if live is None else ApologyStage.DRAFTED


def available_actions(dossier: Dossier, user: User) -> list[Action]:
    """What the user may do to the dossier now: the workflow's possible actions whose actor the
    user is (pages offer these, the API lists them; each service still asks again)."""
    return [action for action in possible_actions(state_of(dossier)) if may(user, action, dossier)]


# Why a user who is not the action's actor is refused, by the first actor the workflow names.
_NOT_THE_ACTOR = {
    Actor.APPLICANT: "Chỉ người nộp hồ sơ mới được thực hiện thao tác này.",
    Actor.DESK: "Chỉ cán bộ tiếp nhận của Bộ phận Một cửa nhận hồ sơ mới được thực hiện thao tác này.",
    Actor.HOLDER: "Bước xử lý hiện tại không thuộc cơ quan và vai trò của bạn.",
    Actor.LEADER: "Chỉ lãnh đạo cơ quan giải quyết mới được thực hiện thao tác này.",
}


def authorise(dossier: Dossier, user: User, action: Action) -> None:
    """403 unless the user is one of the action's actors (workflow.ACTORS, permissions.may)."""
    if not may(user, action, dossier):
        first = sorted(actors(dossier.status, action))[0]
        raise DossierError(_NOT_THE_ACTOR[first], status=403)


def require_possible(dossier: Dossier, action: Action) -> None:
    """409, in the workflow's words, unless the action may happen in the dossier's state."""
    state = state_of(dossier)
    if action not in possible_actions(state):
        try:
            next_status(state, action)
        except WorkflowError as error:
            raise DossierError(str(error), status=409) from None
        raise DossierError(f'Không thể thực hiện "{action.label}" lúc này.', status=409)


def transition(dossier: Dossier, action: Action, actor: User | None, now: datetime, note: str = "",
               agency: Agency | None = None) -> None:
    """Apply the workflow's transition and append the event (never updated or deleted)."""
    try:
        target = next_status(state_of(dossier), action)
    except WorkflowError as error:
        raise DossierError(str(error), status=409) from None
    db.session.add(DossierEvent(dossier=dossier, action=action.value, from_status=dossier.status,
                                to_status=target.value, actor=actor, agency=agency, at=now, note=note))
    if action not in _WITHDRAWAL_ROUND_TRIP:
        dossier.previous_status = dossier.status
    dossier.status = target.value


def commit() -> None:
    """Commit; a concurrent change (another click, another tab) is refused, not merged.
    The national portal's records of the dossiers the change touched are written in its
    transaction (national_sync's commit event), and queued after it here."""
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise DossierError("Hồ sơ vừa được người khác cập nhật. Vui lòng tải lại trang và thử lại.",
                           status=409) from None
    national_sync.dispatch()


def commit_then_dispatch(document=None, messages=None) -> None:
    """Jobs are enqueued only once the decision is committed (a rolled-back decision must
    not send a message or render a form)."""
    commit()
    if document is not None:
        issuing.dispatch(document)
    notify.dispatch(messages)


def require_confirmation(confirmed: bool) -> None:
    """An irreversible decision (a refusal, a denied result, a stop) goes through only when the
    officer confirmed it: on a page, a ticked box, a second look that needs no JavaScript; an
    API call is its own confirmation. Checked after who may act and what was typed."""
    if not confirmed:
        raise DossierError("Thao tác này không hoàn tác được: đánh dấu ô xác nhận rồi gửi lại.",
                           fields={"confirm": "Cần đánh dấu ô xác nhận."})


def supplement_items(items: list[str], reason: str) -> list[str]:
    """The items of a supplement request (form 02): it must say what is missing and why."""
    items = [i.strip() for i in items if i.strip()]
    missing = {name: message for name, message, given in (
        ("items", "Nhập các giấy tờ cần bổ sung, mỗi dòng một mục.", items),
        ("reason", "Nhập lý do yêu cầu bổ sung.", reason.strip())) if not given}
    if missing:
        raise DossierError("Cần ghi đủ các giấy tờ phải bổ sung và lý do.", fields=missing)
    return items


def check_lock(dossier: Dossier, lock_version: int | None) -> None:
    if lock_version is not None and lock_version != dossier.lock_version:
        raise DossierError("Bản nháp này đã được lưu ở nơi khác (tab hoặc thiết bị khác). "
                           "Vui lòng tải lại trang để xem bản mới nhất.", status=409)


