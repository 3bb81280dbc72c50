"""The officials' work (/xu-ly): the worklist of open steps at their agency and role, and the
dossier page where the current step is completed, sent back, assigned, paused for a
supplement, charged, apologised for (drafted, then approved by a leader), decided, or returned."""
from __future__ import annotations

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

from app.blueprints.actions import perform
from app.domain.vocabulary import AccessKind
from app.domain.workflow import Action
from app.forms.admin import ConfirmForm
from app.models import Dossier
from app.services import access_log, control, processing, ratings
from app.services.calendar import work_calendar
from app.services.permissions import holds, may
from app.services.transitions import available_actions
from app.web import (
    dossier_or_abort,
    page_arg,
    require,
    send_dossier_file,
    send_issued_document,
)

bp = Blueprint("work", __name__)


def _dossier(dossier_id: int) -> Dossier:
    return dossier_or_abort(dossier_id, "dossier.view")


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
    page = ratings.for_agencies([m.agency_id for m in current_user.memberships], page_arg(),
                                current_app.config["PER_PAGE"])
    return render_template("work/ratings.html", page=page)


@bp.route("/ho-so/<int:dossier_id>", methods=["GET", "POST"])
@require("work.list")
def dossier(dossier_id: int):
    dossier = _dossier(dossier_id)
    if request.method == "GET":
        access_log.opened(current_user, dossier, AccessKind.DOSSIER)
    form = ConfirmForm()
    errors, summary = {}, None
    if form.validate_on_submit():
        done, errors, summary = perform(dossier, current_user)
        if done:
            flash(done, "success")
            return redirect(url_for("work.dossier", dossier_id=dossier.id))
    task = dossier.current_step
    return render_template(
        "work/dossier.html", dossier=dossier, task=task, form=form, errors=errors, summary=summary, values=request.form,
        holds=holds(current_user, task),
        colleagues=[(c.id, c.full_name) for c in processing.colleagues(task)] if task else [],
        decision_step=task is not None and processing.is_decision_step(dossier, task.position),
        return_step=task is not None and processing.is_return_step(dossier, task.position),
        available=available_actions(dossier, current_user),
        may_issue=may(current_user, Action.APPROVE_APOLOGY, dossier),  # a leader drafts and issues at once
        apology_deadline=processing.apology_deadline_of(dossier),
    ), 422 if summary else 200


@bp.get("/ho-so/<int:dossier_id>/phieu-kiem-soat.pdf")
@require("work.list")
def control_slip(dossier_id: int):
    dossier = _dossier(dossier_id)
    access_log.opened(current_user, dossier, AccessKind.CONTROL_SLIP)
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
