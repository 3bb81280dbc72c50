"""The applicant's pages: start a dossier, edit and save a draft, check the answers, submit and
read what happens next, follow it, answer a supplement request, ask to withdraw, download files
and issued forms, rate it."""
from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.blueprints.actions import run_form
from app.domain.workflow import Action
from app.extensions import db
from app.forms import review as review_rows
from app.forms.admin import ConfirmForm
from app.forms.dynamic import (
    dossier_form_class,
    draft_input,
    field_name,
    initial_data,
    show_errors,
    uploads,
)
from app.i18n import say
from app.models import Dossier
from app.services import access_log, catalogue, citizen_store, dossiers, guidance, payments, processing, ratings
from app.services.permissions import can
from app.services.transitions import available_actions
from app.web import (
    DOSSIER_PAGE,
    dossier_or_abort,
    page_arg,
    send_dossier_file,
    send_issued_document,
    submissions_limit,
)

bp = Blueprint("citizen", __name__)


def _dossier(dossier_id: int, action: str = "dossier.view", load: tuple = ()) -> Dossier:
    return dossier_or_abort(dossier_id, action, load)


@bp.route("/thu-tuc/<code>/nop", methods=["GET", "POST"])
@login_required
def start(code: str):
    version = catalogue.current_version(code)
    if version is None:
        abort(404)
    if version.online == "none":
        flash(_("Thủ tục này không nộp trực tuyến; vui lòng nộp tại Bộ phận Một cửa."), "info")
        return redirect(url_for("public.procedure", code=code))
    if not current_user.is_citizen:
        abort(403)
    desks = dossiers.online_desks(version)
    form = ConfirmForm()
    error = None
    if form.validate_on_submit():
        try:
            dossier = dossiers.start_draft(current_user, version, request.form.get("agency", ""))
        except dossiers.DossierError as e:
            error = say(e.message)
        else:
            return redirect(url_for("citizen.edit", dossier_id=dossier.id))
    return render_template("citizen/start.html", v=version, desks=desks, form=form, error=error,
                           chosen=request.form.get("agency", "")), 422 if error else 200


@bp.route("/ho-so/<int:dossier_id>/sua", methods=["GET", "POST"])
@login_required
def edit(dossier_id: int):
    dossier = _dossier(dossier_id)
    if not can(current_user, "dossier.edit", dossier):
        if dossier.owner_id == current_user.id:  # e.g. a second click after it was sent
            flash(_("Hồ sơ đã được gửi; không còn sửa được."), "info")
            return redirect(url_for("citizen.detail", dossier_id=dossier.id))
        abort(403)
    spec = dossier.procedure_version.spec
    form = dossier_form_class(spec, online=True)(data=None if request.method == "POST" else initial_data(dossier))
    status, message = 200, None
    if form.validate_on_submit():
        lock = request.form.get("lock_version", type=int)
        try:
            dossiers.save_draft(dossier, current_user, draft_input(form, spec, request.files, request.form), lock)
            if "review" in request.form:  # "Tiếp tục": saved, then checked as sending will check it
                if missing := dossiers.missing_items(dossier):
                    raise dossiers.DossierError("Hồ sơ chưa đủ để gửi.", fields=missing)
                return redirect(url_for("citizen.review", dossier_id=dossier.id))
            flash(_("Đã lưu bản nháp."), "success")
            return redirect(url_for("citizen.edit", dossier_id=dossier.id))
        except dossiers.DossierError as error:
            show_errors(form, error, spec)
            status, message = error.status, say(error.message)
    elif request.method == "POST":
        # Format errors in the fields: keep the files anyway, nothing chosen is lost.
        try:
            show_errors(form, dossiers.DossierError("", fields=dossiers.attach_files(
                dossier, current_user, uploads(request.files, spec), request.form.get("lock_version", type=int))), spec)
        except dossiers.DossierError as error:
            message = say(error.message)
        status = 422
    db.session.refresh(dossier)
    return render_template("citizen/edit.html", dossier=dossier, form=form, spec=spec, message=message,
                           remove_form=ConfirmForm(), offers=citizen_store.offers(current_user, spec)), status


def _sending_action(dossier: Dossier) -> Action | None:
    """What sending the dossier is now, in the workflow: the first submission or the answer to
    a supplement request; None when it cannot be sent (already sent, or not this user's)."""
    available = available_actions(dossier, current_user)
    return next((a for a in (Action.SUBMIT, Action.RESUBMIT) if a in available), None)


def _review_page(dossier: Dossier, action: Action, message: str | None = None, status: int = 200):
    missing = dossiers.missing_items(dossier)
    edit_url = url_for("citizen.edit", dossier_id=dossier.id)
    return render_template(
        "citizen/review.html", dossier=dossier, action=action, sections=review_rows.sections(dossier),
        missing=[(f"{edit_url}#{field_name(key)}", text) for key, text in missing.items()], message=message,
        form=ConfirmForm()), status


@bp.get("/ho-so/<int:dossier_id>/kiem-tra")
@login_required
def review(dossier_id: int):
    """"Kiểm tra thông tin": every saved answer and file, each with a link back to its field."""
    dossier = _dossier(dossier_id)
    action = _sending_action(dossier)
    if action is None:
        if dossier.owner_id == current_user.id:
            return redirect(url_for("citizen.detail", dossier_id=dossier.id))
        abort(403)
    return _review_page(dossier, action)


@bp.post("/ho-so/<int:dossier_id>/nop")
@login_required
@submissions_limit(counted=lambda response: g.get("dossier_sent", False))
def send(dossier_id: int):
    """Send the reviewed dossier. Idempotent for its applicant: the reviewed lock_version is
    checked (a draft changed elsewhere since the review is not sent unseen), and a second click,
    or one that lost the race to the first, lands on the confirmation of the one sending."""
    dossier = _dossier(dossier_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    action = _sending_action(dossier)
    if action is None:
        if dossier.owner_id == current_user.id:
            return redirect(url_for("citizen.sent", dossier_id=dossier.id))
        abort(403)
    use_case = dossiers.submit if action is Action.SUBMIT else dossiers.resubmit
    try:
        use_case(dossier, current_user, request.form.get("lock_version", type=int))
    except dossiers.DossierError as error:
        db.session.refresh(dossier)
        if _sending_action(dossier) is None and dossier.owner_id == current_user.id:
            return redirect(url_for("citizen.sent", dossier_id=dossier.id))
        return _review_page(dossier, action, say(error.message), error.status)
    g.dossier_sent = True  # spends one of the account's submissions (SUBMIT_RATE_LIMIT)
    return redirect(url_for("citizen.sent", dossier_id=dossier.id))


@bp.get("/ho-so/<int:dossier_id>/da-gui")
@login_required
def sent(dossier_id: int):
    """The confirmation: the reference, what happens next, the expected date, how to follow it."""
    dossier = _dossier(dossier_id)
    sending = next((e for e in reversed(dossier.events) if e.action in (Action.SUBMIT, Action.RESUBMIT)), None)
    if sending is None or dossier.owner_id != current_user.id:
        return redirect(url_for("citizen.detail", dossier_id=dossier.id))
    expected, estimate = guidance.expected_result(dossier)
    return render_template("citizen/sent.html", dossier=dossier, resubmitted=sending.action == Action.RESUBMIT,
                           sent_at=sending.at, expected=expected, estimate=estimate)


@bp.post("/ho-so/<int:dossier_id>/tep/<int:file_id>/xoa")
@login_required
def remove_file(dossier_id: int, file_id: int):
    dossier = _dossier(dossier_id, "dossier.edit")
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        dossiers.remove_file(dossier, current_user, file_id, request.form.get("lock_version", type=int))
    except dossiers.DossierError as error:
        if error.status == 404:
            abort(404)
        flash(say(error.message), "error")
    else:
        flash(_("Đã xóa tệp."), "success")
    return redirect(url_for("citizen.edit", dossier_id=dossier.id))


@bp.get("/ho-so")
@login_required
def mine():
    page = dossiers.my_dossiers(current_user, page_arg(), current_app.config["PER_PAGE"])
    return render_template("citizen/mine.html", page=page)


def _detail_page(dossier: Dossier, status: int = 200, **rating):
    """The dossier's story: status and next step, then the history, then the files."""
    available = available_actions(dossier, current_user)
    return render_template("citizen/detail.html", dossier=dossier, spec=dossier.procedure_version.spec,
                           form=ConfirmForm(), step=guidance.next_step(dossier, current_user, available),
                           can_pay=payments.offered(dossier, current_user), fee=processing.fee_total(dossier),
                           available=available, rating_error=rating.get("error"),
                           rating_comment=rating.get("comment", ""), accesses=access_log.of(dossier)), status


@bp.get("/ho-so/<int:dossier_id>")
@login_required
def detail(dossier_id: int):
    return _detail_page(_dossier(dossier_id, load=DOSSIER_PAGE))


@bp.post("/ho-so/<int:dossier_id>/thanh-toan")
@login_required
def pay(dossier_id: int):
    """Off to the province's payment gateway; it sends the applicant back to public.payment_return."""
    dossier = _dossier(dossier_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return_url = current_app.config["PUBLIC_URL"].rstrip("/") + url_for("public.payment_return")
    try:
        return redirect(payments.start(dossier, current_user, return_url, request.remote_addr or ""))
    except dossiers.DossierError as error:
        if error.status == 403:
            abort(403)
        flash(say(error.message), "error")
        return redirect(url_for("citizen.detail", dossier_id=dossier.id))


@bp.post("/ho-so/<int:dossier_id>/danh-gia")
@login_required
def rate(dossier_id: int):
    dossier = _dossier(dossier_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    comment = request.form.get("comment", "")
    try:
        ratings.rate(dossier, current_user, request.form.get("value", ""), comment)
    except dossiers.DossierError as error:
        if error.status == 403:
            abort(403)
        no_choice = error.fields.get("value")
        if no_choice:  # no choice made: the page again, the comment as it was typed
            return _detail_page(dossier, 422, error=_(no_choice), comment=comment)
        flash(say(error.message), "error")
    else:
        flash(_("Cảm ơn bạn đã đánh giá."), "success")
    return redirect(url_for("citizen.detail", dossier_id=dossier.id))


@bp.route("/ho-so/<int:dossier_id>/rut", methods=["GET", "POST"])
@login_required
def withdraw(dossier_id: int):
    dossier = _dossier(dossier_id, "dossier.withdraw")
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            message = run_form(Action.REQUEST_WITHDRAWAL, dossier, current_user, request.form)
        except dossiers.DossierError as error:
            flash(say(error.message), "error")
        else:
            flash(message, "success")
        return redirect(url_for("citizen.detail", dossier_id=dossier.id))
    return render_template("citizen/withdraw.html", dossier=dossier, form=form)


@bp.post("/ho-so/<int:dossier_id>/huy-rut")
@login_required
def cancel_withdrawal(dossier_id: int):
    dossier = _dossier(dossier_id, "dossier.withdraw")
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        message = run_form(Action.CANCEL_WITHDRAWAL, dossier, current_user, request.form)
    except dossiers.DossierError as error:
        flash(say(error.message), "error")
    else:
        flash(message, "success")
    return redirect(url_for("citizen.detail", dossier_id=dossier.id))


@bp.get("/ho-so/<int:dossier_id>/tep/<int:file_id>")
@login_required
def file(dossier_id: int, file_id: int):
    dossier = _dossier(dossier_id)
    return send_dossier_file(dossier, file_id)


@bp.get("/ho-so/<int:dossier_id>/van-ban/<int:document_id>")
@login_required
def document(dossier_id: int, document_id: int):
    dossier = _dossier(dossier_id)
    return send_issued_document(dossier, document_id)
