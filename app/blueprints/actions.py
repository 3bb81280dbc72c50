"""The one action registry: per action of the workflow (its ``Action`` value is its only name,
on the pages and in the API) the service function it calls, the keyword arguments it takes,
read from a page's form or from the API's JSON (``PARAMS``: one parser per argument for each),
and the message a page shows when it is done.

The desk's and the officials' pages (``perform``) and the API's
POST /dossiers/%(code)s/actions/{action} dispatch through ``REGISTRY``; who may act and when is
the workflow's and each service asks again. Names the pages used before keep working for one
release: ``DEPRECATED_ALIASES``. Submitting and answering a supplement (``OWN_FORM``) are the
dossier form itself (per procedure, with files), on their own routes.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from flask import abort, request
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from app import dates
from app.domain.deadlines import OFFICE_TZ
from app.domain.workflow import Action
from app.i18n import N_
from app.models import Dossier, User
from app.services import dossiers, processing
from app.services.errors import ServiceError
from app.services.transitions import DossierError
from app.web import action_errors, confirmed, lines_of


@dataclass(frozen=True)
class Param:
    """One keyword argument of a service function: from a page's form (a MultiDict) and from
    the API's validated ``ActionBody`` (a dict)."""

    form: Callable[[Mapping], Any]
    json: Callable[[dict], Any]


def _new_due(form: Mapping) -> datetime:
    """The apology's new date: a day (and optional time, default the end of the office day)."""
    try:
        day = dates.parse_date(form.get("new_due_date"))
        at = time.fromisoformat(form.get("new_due_time") or "17:00")
    except ValueError:
        raise DossierError("Ngày hẹn mới không hợp lệ: nhập theo dạng ngày/tháng/năm, ví dụ 20/11/2026.",
                           fields={"new_due_at": "Ngày không hợp lệ."}) from None
    return datetime.combine(day, at, tzinfo=OFFICE_TZ)


def _amount(form: Mapping) -> int:
    text = (form.get("amount") or "").replace(".", "").replace(" ", "")
    return int(text) if text.isdigit() else 0


def _text(name: str) -> Param:
    return Param(lambda f: f.get(name, ""), lambda b: b[name])


PARAMS: dict[str, Param] = {
    "note": _text("note"),
    "reason": _text("reason"),
    "method": _text("method"),
    "tracking": _text("tracking"),
    "receipt_number": _text("receipt_number"),
    "outcome": _text("outcome"),
    "items": Param(lambda f: lines_of(f.get("items", "")), lambda b: b["items"]),
    "reasons": Param(lambda f: lines_of(f.get("reasons", "")), lambda b: [b["reason"]]),
    "colleague_id": Param(lambda f: f.get("user", 0, type=int), lambda b: b["user"]),
    "amount": Param(_amount, lambda b: b["amount"]),
    "new_due_at": Param(_new_due, lambda b: b["new_due_at"]),
    "issue": Param(lambda f: f.get("issue") == "yes", lambda b: b["issue"]),
    "verification": Param(lambda f: f.get("verification") == "yes", lambda b: b["verification"]),
    # The desk's checklist (domain/checklist.py): a page always sends it (nothing ticked is an
    # empty list); an API call without it records none.
    "checked": Param(lambda f: f.getlist("checked"), lambda b: b["checked"]),
    "confirmed": Param(confirmed, lambda b: True),  # an API call is its own confirmation
    "lock_version": Param(lambda f: f.get("lock_version", type=int), lambda b: None),
}


def _request_supplement(dossier: Dossier, user: User, items: list[str], reason: str,
                        lock_version: int | None = None) -> Dossier:
    """At intake the desk asks (form 02); during processing the holder of the current step."""
    if dossier.status == "submitted":
        return dossiers.request_supplement(dossier, user, items, reason, lock_version)
    return processing.request_supplement(dossier, user, items, reason)


@dataclass(frozen=True)
class Entry:
    """``run(dossier, user, **kwargs)`` with the arguments ``params`` names (keys of ``PARAMS``);
    ``message`` may name the dossier as ``%(code)s``."""

    run: Callable[..., object]
    params: tuple[str, ...]
    message: str

    def form_kwargs(self, form: Mapping) -> dict[str, Any]:
        return bounded({name: PARAMS[name].form(form) for name in self.params})

    def json_kwargs(self, body: dict) -> dict[str, Any]:
        return bounded({name: PARAMS[name].json(body) for name in self.params})


# What an action's free text may hold, for the pages and the API alike (issue 18: a 2 MB
# supplement item kept the PDF worker busy for minutes; the forms print these texts).
TEXT_LIMITS = {"note": 2000, "reason": 2000, "method": 50, "tracking": 100, "receipt_number": 60, "outcome": 20}
LINE_LIMIT, LINES_LIMIT = 500, 30   # an item or a reason, one a line


def bounded(kwargs: dict[str, Any]) -> dict[str, Any]:
    """The arguments, or a 422 naming the field whose text is longer than the forms hold."""
    errors = {name: _("Tối đa %(limit)s ký tự.", limit=TEXT_LIMITS[name]) for name, value in kwargs.items()
              if name in TEXT_LIMITS and isinstance(value, str) and len(value) > TEXT_LIMITS[name]}
    # The refusal's reasons are typed in its field "reason", one a line (page and API).
    too_many = _("Tối đa %(lines)s mục, mỗi mục tối đa %(limit)s ký tự.", lines=LINES_LIMIT, limit=LINE_LIMIT)
    errors |= {{"reasons": "reason"}.get(name, name): too_many
               for name in ("items", "reasons") if isinstance(kwargs.get(name), list)
               and (len(kwargs[name]) > LINES_LIMIT or any(len(line) > LINE_LIMIT for line in kwargs[name]))}
    if errors:
        raise DossierError("Nội dung nhập quá dài.", fields=errors)
    return kwargs


A = Action
REGISTRY: dict[Action, Entry] = {
    A.ACCEPT: Entry(dossiers.accept, ("lock_version", "verification", "checked"),
                    N_("Đã tiếp nhận hồ sơ, cấp mã hồ sơ %(code)s; giấy tiếp nhận đã được tạo.")),
    A.REQUEST_SUPPLEMENT: Entry(_request_supplement, ("items", "reason", "lock_version"),
                                N_("Đã gửi yêu cầu bổ sung hồ sơ %(code)s.")),
    A.REFUSE: Entry(dossiers.refuse, ("reasons", "lock_version", "confirmed"),
                    N_("Đã từ chối tiếp nhận hồ sơ %(code)s.")),
    A.COMPLETE_STEP: Entry(processing.complete_step, ("note",), N_("Đã chuyển hồ sơ sang bước tiếp theo.")),
    A.RETURN_STEP: Entry(processing.return_step, ("note",), N_("Đã trả hồ sơ về bước trước.")),
    A.ASSIGN: Entry(processing.assign, ("colleague_id",), N_("Đã giao bước xử lý.")),
    A.REQUEST_FEE: Entry(processing.request_fee, (), N_("Đã thông báo nghĩa vụ tài chính.")),
    A.RECORD_PAYMENT: Entry(processing.record_payment, ("amount", "receipt_number"), N_("Đã ghi nhận thanh toán.")),
    A.DRAFT_APOLOGY: Entry(processing.draft_apology, ("new_due_at", "reason", "issue"),
                           N_("Đã lập phiếu xin lỗi và đề nghị gia hạn.")),
    A.APPROVE_APOLOGY: Entry(processing.approve_apology, (),
                             N_("Đã duyệt và ban hành phiếu xin lỗi và đề nghị gia hạn.")),
    A.REJECT_APOLOGY: Entry(processing.reject_apology, ("note",), N_("Đã trả lại dự thảo phiếu xin lỗi.")),
    A.RESOLVE: Entry(processing.resolve, ("outcome", "reason", "confirmed"),
                     N_("Đã ghi nhận quyết định giải quyết hồ sơ.")),
    A.RETURN_RESULT: Entry(processing.return_result, ("method", "tracking"), N_("Đã trả kết quả.")),
    A.STOP: Entry(processing.stop, ("confirmed",), N_("Đã dừng giải quyết hồ sơ.")),
    A.DECLINE_WITHDRAWAL: Entry(processing.decline_withdrawal, ("reason",),
                                N_("Đã trả lời không dừng; hồ sơ tiếp tục được giải quyết.")),
    A.REQUEST_WITHDRAWAL: Entry(dossiers.request_withdrawal, ("reason", "lock_version"),
                                N_("Đã gửi yêu cầu rút hồ sơ. Bộ phận Một cửa sẽ xem xét và trả lời.")),
    A.CANCEL_WITHDRAWAL: Entry(dossiers.cancel_withdrawal, ("lock_version",),
                               N_("Đã hủy yêu cầu rút hồ sơ; hồ sơ tiếp tục được giải quyết.")),
}

# Taken through the dossier form (per procedure, with files), not through the registry.
OWN_FORM = frozenset({A.SUBMIT, A.RESUBMIT})

# The pages' former form names, for one release: the action, and the fields the name implied.
DEPRECATED_ALIASES: dict[str, tuple[Action, dict[str, str]]] = {
    "complete": (A.COMPLETE_STEP, {}),
    "return": (A.RETURN_STEP, {}),
    "supplement": (A.REQUEST_SUPPLEMENT, {}),
    "fee": (A.REQUEST_FEE, {}),
    "payment": (A.RECORD_PAYMENT, {}),
    "approve": (A.RESOLVE, {"outcome": "approved"}),
    "deny": (A.RESOLVE, {"outcome": "denied"}),
}
del A


def posted_action(form: MultiDict) -> tuple[Action | None, MultiDict]:
    """The form's `action` as an Action (a deprecated alias resolved, with the fields it
    implied), or None for an unknown name."""
    name = form.get("action", "")
    if name in DEPRECATED_ALIASES:
        action, implied = DEPRECATED_ALIASES[name]
        form = MultiDict(form)
        for key, value in implied.items():
            form[key] = value
        return action, form
    try:
        action = Action(name)
    except ValueError:
        return None, form
    return (action if action in REGISTRY else None), form


def perform(dossier: Dossier, user: User) -> tuple[str | None, dict[str, str], dict | None]:
    """Run the posted action (the form's `action`) on the dossier, for a page of several action
    forms (the desk's, the officials'): 400 for an unknown name; the service decides whether
    this user may, now (a page offers the forms of `available_actions`, and a form posted to
    another page is refused or done as in the API). A refusal becomes the page's messages
    (403 stays 403). Returns (the success message or None, errors, summary) for
    templates/macros/actions.html."""
    action, form = posted_action(request.form)
    if action is None:
        abort(400)
    try:
        message = run_form(action, dossier, user, form)
    except ServiceError as error:
        if error.status == 403:
            abort(403)
        return None, *action_errors(action.value, error)
    return message, {}, None


def run_form(action: Action, dossier: Dossier, user: User, form: Mapping) -> str:
    """Take the action with the arguments read from a page's form; its success message.
    A refusal is the service's ServiceError."""
    entry = REGISTRY[action]
    entry.run(dossier, user, **entry.form_kwargs(form))
    return _(entry.message, code=dossier.identifier)
