"""Feedback pages (phản ánh, kiến nghị; issue 17): the published answers for everyone, the
form and the follow-up for the sender, the queue and the steps for the agency's staff."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app.domain.feedback import Category, FeedbackAction, FeedbackStatus, Limit, Subject
from app.extensions import db, limiter
from app.forms.admin import ConfirmForm
from app.forms.feedback import CodeForm, ContactForm, FeedbackStepForm, SendFeedbackForm, show_refusal
from app.i18n import say
from app.models import Agency, Dossier
from app.services import catalogue
from app.services import feedback as service
from app.services.feedback import FeedbackServiceError
from app.services.structure import agency_by_code
from app.web import page_arg

bp = Blueprint("feedback", __name__)


def _or_abort(error: FeedbackServiceError) -> None:
    if error.status in (403, 404):
        abort(error.status)


@bp.get("/phan-anh")
def published():
    q = request.args.get("q", "").strip()[:100]
    return render_template("feedback/published.html", page=service.published(q, page_arg()), q=q)


def _subject_of_request() -> tuple[str, str, str]:
    """(subject, target, what it is) from ?ho_so=, ?thu_tuc=, ?co_quan= or the posted form."""
    if request.method == "POST":
        subject, target = request.form.get("subject", ""), request.form.get("target", "")
    elif request.args.get("ho_so"):
        subject, target = Subject.DOSSIER, request.args["ho_so"]
    elif request.args.get("co_quan"):
        subject, target = Subject.AGENCY, request.args["co_quan"]
    else:
        subject, target = Subject.PROCEDURE, request.args.get("thu_tuc", "")
    label = ""
    if subject == Subject.DOSSIER and target.isdigit():
        dossier = db.session.get(Dossier, int(target))
        if dossier is not None and dossier.owner_id == current_user.id:
            label = _("Hồ sơ %(code)s", code=dossier.identifier or "")
    elif subject == Subject.AGENCY:
        agency = agency_by_code(target) if target else None  # its identifier, as ?co_quan= is elsewhere
        label = agency.name if agency else ""
    elif subject == Subject.PROCEDURE:
        version = catalogue.current_version(target) if target else None
        label = f"{version.name} ({target})" if version else ""
    return str(subject), target, label


def _agency_id(code: str) -> int | None:
    agency = agency_by_code(code) if code else None
    return agency.id if agency else None


@bp.route("/phan-anh/gui", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["FEEDBACK_RATE_LIMIT"], methods=["POST"])
def send():
    """Signed in, the feedback is sent at once; without an account, after the code e-mailed
    to the address given (services/feedback.start_anonymous)."""
    subject, target, label = _subject_of_request()
    anonymous = not current_user.is_authenticated
    form = (ContactForm if anonymous else SendFeedbackForm)(subject=subject, target=target)
    message = None
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        what = dict(category=form.category.data or "", subject=subject, title=form.title.data or "",
                    text=form.text.data or "", procedure_code=target if subject == Subject.PROCEDURE else None,
                    agency_id=_agency_id(target) if subject == Subject.AGENCY else None)
        try:
            if anonymous:
                waiting = service.start_anonymous(name=form.full_name.data or "", email=form.email.data or "",
                                                  phone=form.phone.data or "", **what)
            else:
                item = service.send(current_user, **what,
                                    dossier_id=int(target) if subject == Subject.DOSSIER and target.isdigit() else None)
        except FeedbackServiceError as error:
            _or_abort(error)
            message = show_refusal(form, error)
        else:
            if anonymous:
                return redirect(url_for("feedback.confirm", token=waiting.token))
            flash(_("Đã gửi phản ánh %(ref)s. Cơ quan sẽ trả lời bạn qua thư điện tử và tại trang này.",
                    ref=item.reference), "success")
            return redirect(url_for("feedback.detail", feedback_id=item.id))
    failed = request.method == "POST"
    return render_template("feedback/send.html", form=form, label=label, subject=subject, target=target,
                           message=message, anonymous=anonymous, Subject=Subject), 422 if failed else 200


@bp.route("/phan-anh/xac-nhan/<token>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["FEEDBACK_RATE_LIMIT"], methods=["POST"])
def confirm(token: str):
    try:
        waiting = service.pending(token)
    except FeedbackServiceError as error:
        abort(error.status)
    form, message = CodeForm(), None
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        try:
            item = service.confirm_anonymous(token, form.code.data or "")
        except FeedbackServiceError as error:
            if error.status in (404, 410):
                flash(say(error.message), "error")
                return redirect(url_for("feedback.send"))
            message = show_refusal(form, error)
        else:
            return render_template("feedback/sent.html", item=item)
    return render_template("feedback/confirm.html", form=form, waiting=waiting, message=message), \
        422 if request.method == "POST" else 200


@bp.get("/phan-anh/cua-toi")
@login_required
def mine():
    return render_template("feedback/mine.html", page=service.mine(current_user, page_arg()))


@bp.get("/phan-anh/tiep-nhan")
@login_required
def queue():
    if current_user.is_citizen:
        abort(403)
    status = request.args.get("trang_thai", "")
    status = status if FeedbackStatus.known(status) else ""
    return render_template("feedback/queue.html", page=service.queue(current_user, status or None, page_arg()),
                           status=status, statuses=list(FeedbackStatus), late=service.late)


def _detail(item, status: int = 200, form: FeedbackStepForm | None = None, message: str | None = None,
            failed_action: str = ""):
    actions = service.staff_actions(current_user, item)
    form = form or FeedbackStepForm()
    if FeedbackAction.FORWARD in actions:
        others = db.session.scalars(select(Agency).where(Agency.id != item.agency_id).order_by(Agency.name))
        form.to_agency.choices = [("", _("— Chọn cơ quan —"))] + [(str(a.id), a.name) for a in others]
    return render_template(
        "feedback/detail.html", item=item, actions=actions, form=form, message=message, failed_action=failed_action,
        due=service.due_dates(item), late=service.late(item), Limit=Limit, Category=Category, Subject=Subject,
        FeedbackStatus=FeedbackStatus, FeedbackAction=FeedbackAction, sender=item.sender_id == current_user.id,
        draft=service.public_answer_draft(item), rate_form=ConfirmForm()), status


@bp.get("/phan-anh/<int:feedback_id>")
@login_required
def detail(feedback_id: int):
    try:
        item = service.view(current_user, feedback_id)
    except FeedbackServiceError as error:
        abort(error.status)
    return _detail(item)


@bp.post("/phan-anh/<int:feedback_id>/thao-tac/<action>")
@login_required
def act(feedback_id: int, action: str):
    try:
        item = service.view(current_user, feedback_id)
    except FeedbackServiceError as error:
        abort(error.status)
    if not FeedbackAction.known(action):
        abort(404)
    form = FeedbackStepForm()
    if not form.validate_on_submit():
        abort(400)
    to_agency = form.to_agency.data or ""
    try:
        service.act(current_user, item, action, text=form.text.data or "",
                    to_agency_id=int(to_agency) if to_agency.isdigit() else None, confirmed=form.confirm.data)
    except FeedbackServiceError as error:
        _or_abort(error)
        if error.status == 409:  # out of turn (a second click, another officer was quicker)
            flash(say(error.message), "error")
            return redirect(url_for("feedback.detail", feedback_id=item.id))
        db.session.rollback()
        return _detail(item, 422, form, show_refusal(form, error), action)
    flash(_("Đã ghi nhận: %(action)s.", action=FeedbackAction(action).label), "success")
    if item.sender_id != current_user.id and not service.may_view(current_user, item):
        return redirect(url_for("feedback.queue"))  # forwarded away: no longer ours to see
    return redirect(url_for("feedback.detail", feedback_id=item.id))


@bp.post("/phan-anh/<int:feedback_id>/danh-gia")
@login_required
def rate(feedback_id: int):
    try:
        item = service.view(current_user, feedback_id)
    except FeedbackServiceError as error:
        abort(error.status)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        service.rate(current_user, item, request.form.get("value", ""))
    except FeedbackServiceError as error:
        _or_abort(error)
        if "value" in error.fields:
            return _detail(item, 422, message=error.fields["value"])
        flash(say(error.message), "error")
    else:
        flash(_("Cảm ơn bạn đã đánh giá."), "success")
    return redirect(url_for("feedback.detail", feedback_id=item.id))
