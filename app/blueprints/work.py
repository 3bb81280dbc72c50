"""The officials' work (/xu-ly): the worklist of open steps at their agency and role, and the
dossier page where the current step is completed, sent back, assigned, paused for a
supplement, charged, apologised for (drafted, then approved by a leader), decided, or returned."""
from __future__ import annotations

from datetime import datetime, time

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from app.domain.deadlines import OFFICE_TZ
from app.domain.workflow import Action
from app.forms.admin import ConfirmForm
from app.models import Dossier
from app.services import control, processing, ratings
from app.services.calendar import work_calendar
from app.services.permissions import holds, may
from app.services.transitions import DossierError, available_actions
from app.web import (
    confirmed,
    dossier_or_abort,
    lines_of,
    page_arg,
    perform,
    require,
    send_dossier_file,
    send_issued_document,
)

bp = Blueprint("work", __name__)


def _dossier(dossier_id: int) -> Dossier:
    return dossier_or_abort(dossier_id, "dossier.view")


def _new_due(form) -> datetime:
    """The apology's new date: a day (and optional time, default the end of the office day)."""
    try:
        day = datetime.strptime(form.get("new_due_date", ""), "%Y-%m-%d").date()
        at = time.fromisoformat(form.get("new_due_time") or "17:00")
    except ValueError:
        raise DossierError("Ngày hẹn mới không hợp lệ (năm-tháng-ngày).", fields={"new_due_at": "Ngày không hợp lệ."}) from None
    return datetime.combine(day, at, tzinfo=OFFICE_TZ)


def _amount(form) -> int:
    text = (form.get("amount") or "").replace(".", "").replace(" ", "")
    return int(text) if text.isdigit() else 0


ACTIONS = {
    "complete": lambda d, f: processing.complete_step(d, current_user, f.get("note", "")),
    "return": lambda d, f: processing.return_step(d, current_user, f.get("note", "")),
    "assign": lambda d, f: processing.assign(d, current_user, int(f.get("user") or 0)),
    "supplement": lambda d, f: processing.request_supplement(d, current_user, lines_of(f.get("items", "")), f.get("reason", "")),
    "fee": lambda d, f: processing.request_fee(d, current_user),
    "payment": lambda d, f: processing.record_payment(d, current_user, _amount(f), f.get("receipt_number", "")),
    "draft_apology": lambda d, f: processing.draft_apology(d, current_user, _new_due(f), f.get("reason", ""),
                                                           issue=f.get("issue") == "yes"),
    "approve_apology": lambda d, f: processing.approve_apology(d, current_user),
    "reject_apology": lambda d, f: processing.reject_apology(d, current_user, f.get("note", "")),
    "approve": lambda d, f: processing.resolve(d, current_user, "approved", f.get("reason", "")),
    "deny": lambda d, f: processing.resolve(d, current_user, "denied", f.get("reason", ""), confirmed=confirmed(f)),
    "return_result": lambda d, f: processing.return_result(d, current_user, f.get("method", ""), f.get("tracking", "")),
    "stop": lambda d, f: processing.stop(d, current_user, confirmed=confirmed(f)),
    "decline_withdrawal": lambda d, f: processing.decline_withdrawal(d, current_user, f.get("reason", "")),
}
DONE = {
    "complete": "Đã chuyển hồ sơ sang bước tiếp theo.", "return": "Đã trả hồ sơ về bước trước.",
    "assign": "Đã giao bước xử lý.", "supplement": "Đã yêu cầu bổ sung hồ sơ; thời hạn tạm dừng.",
    "fee": "Đã thông báo nghĩa vụ tài chính.", "payment": "Đã ghi nhận thanh toán.",
    "draft_apology": "Đã lập phiếu xin lỗi và đề nghị gia hạn.", "approve_apology": "Đã duyệt và ban hành phiếu xin lỗi và đề nghị gia hạn.",
    "reject_apology": "Đã trả lại dự thảo phiếu xin lỗi.", "approve": "Đã phê duyệt kết quả.",
    "deny": "Đã ghi nhận không phê duyệt.", "return_result": "Đã trả kết quả.", "stop": "Đã dừng giải quyết hồ sơ.",
    "decline_withdrawal": "Đã trả lời không dừng; hồ sơ tiếp tục được giải quyết.",
}


@bp.get("/")
@require("work.list")
def worklist():
    order = "given" if request.args.get("sap_xep") == "nhan" else "due"
    page = processing.worklist(current_user, page_arg(), current_app.config["PER_PAGE"], order)
    return render_template("work/worklist.html", page=page, order=order, calendar=work_calendar())


@bp.get("/danh-gia")
@require("work.list")
def ratings_page():
    """Ratings of the dossiers of the official's own agencies."""
    page = ratings.for_agencies([m.agency_id for m in current_user.memberships], page_arg(), current_app.config["PER_PAGE"])
    return render_template("work/ratings.html", page=page, values=ratings.VALUES)


@bp.route("/ho-so/<int:dossier_id>", methods=["GET", "POST"])
@require("work.list")
def dossier(dossier_id: int):
    dossier = _dossier(dossier_id)
    form = ConfirmForm()
    errors, summary = {}, None
    if form.validate_on_submit():
        done, errors, summary = perform(ACTIONS, dossier)
        if done:
            flash(DONE[done], "success")
            return redirect(url_for("work.dossier", dossier_id=dossier.id))
    task = dossier.current_step
    return render_template(
        "work/dossier.html", dossier=dossier, task=task, form=form, errors=errors, summary=summary, values=request.form,
        holds=holds(current_user, task), colleagues=[(c.id, c.full_name) for c in processing.colleagues(task)] if task else [],
        decision_step=task is not None and processing.is_decision_step(dossier, task.position),
        return_step=task is not None and processing.is_return_step(dossier, task.position),
        methods=processing.RETURN_METHODS, available=available_actions(dossier, current_user),
        may_issue=may(current_user, Action.APPROVE_APOLOGY, dossier),  # a leader drafts and issues at once
        apology_deadline=processing.apology_deadline_of(dossier),
    ), 422 if summary else 200


@bp.get("/ho-so/<int:dossier_id>/phieu-kiem-soat.pdf")
@require("work.list")
def control_slip(dossier_id: int):
    dossier = _dossier(dossier_id)
    return Response(control.control_slip_pdf(dossier), mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="phieu-kiem-soat-{dossier.code}.pdf"'})


@bp.get("/ho-so/<int:dossier_id>/tep/<int:file_id>")
@require("work.list")
def file(dossier_id: int, file_id: int):
    """A submitted file, for the officials who decide on it (the evidence behind the decision)."""
    return send_dossier_file(_dossier(dossier_id), file_id)


@bp.get("/ho-so/<int:dossier_id>/van-ban/<int:document_id>")
@require("work.list")
def document(dossier_id: int, document_id: int):
    return send_issued_document(_dossier(dossier_id), document_id)
