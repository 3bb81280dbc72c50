"""The one-stop desk (Bộ phận Một cửa): the queue of submitted dossiers, the decision on each
(accept with a receipt, one supplement request, refusal), and counter or postal intake."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from app import dates
from app.blueprints.actions import perform
from app.domain.deadlines import OFFICE_TZ
from app.domain.structure import AgencyKind, Role
from app.domain.vocabulary import AccessKind
from app.forms.admin import ConfirmForm
from app.forms.dynamic import draft_input, show_errors
from app.forms.intake import intake_form_class
from app.i18n import say
from app.models import Dossier
from app.services import access_log, catalogue, control, dossiers, exports, structure
from app.services.errors import ServiceError
from app.services.permissions import can, member
from app.services.transitions import available_actions
from app.web import (
    dossier_or_abort,
    page_arg,
    require,
    send_dossier_file,
    send_issued_document,
)

bp = Blueprint("desk", __name__)


def _dossier(dossier_id: int) -> Dossier:
    return dossier_or_abort(dossier_id, "dossier.decide")


@bp.get("/")
@require("desk.work")
def queue():
    page = dossiers.desk_queue(current_user, page_arg(), current_app.config["PER_PAGE"])
    withdrawals = dossiers.desk_queue(current_user, 1, 100, status="withdrawal_requested")
    return render_template("desk/queue.html", page=page, withdrawals=withdrawals)


def _period() -> tuple[date, date]:
    """?tu=&den= (dd/mm/yyyy as typed, or YYYY-MM-DD in links), default: this month so far."""
    today = datetime.now(OFFICE_TZ).date()
    try:
        start = dates.parse_date(request.args["tu"]) if request.args.get("tu") else today.replace(day=1)
        end = dates.parse_date(request.args["den"]) if request.args.get("den") else today
    except ValueError:
        abort(400)
    if end < start or (end - start).days > 366:
        abort(400)
    return start, end


REGISTER_PER_PAGE = 50  # a register page holds more rows than a list: it is read like a book


@bp.get("/so-theo-doi")
@require("register.read")
def register():
    """Form 06 "Sổ theo dõi hồ sơ" per desk and period, on screen and as CSV; the desks are those
    the user may read (its reception staff, its administrators: permissions "register.read")."""
    desks = [d for d in structure.list_agencies(kind=AgencyKind.ONE_STOP) if can(current_user, "register.read", d)]
    if not desks:
        abort(403)
    desk = next((d for d in desks if d.code == request.args.get("co_quan")), desks[0])
    start, end = _period()
    kind = request.args.get("dinh_dang")
    filename = f"so-theo-doi-{desk.code}-{start}-{end}.{kind}"
    if kind == "pdf":
        try:
            pdf = control.register_pdf(desk, start, end)
        except ServiceError as error:
            flash(say(error.message), "error")
            return redirect(url_for("desk.register", co_quan=desk.code, tu=start.isoformat(), den=end.isoformat()))
        return Response(pdf, mimetype="application/pdf",
                        headers={"Content-Disposition": f'inline; filename="{filename}"'})
    if kind in exports.MIMETYPES:
        rows = control.register_table(control.register(desk, start, end))
        content, mimetype = exports.export(kind, "Sổ theo dõi hồ sơ", control.REGISTER_COLUMNS, rows)
        return Response(content, mimetype=mimetype,
                        headers={"Content-Disposition": f'attachment; filename="{filename}"'})
    page, rows = control.register_page(desk, start, end, page_arg(), REGISTER_PER_PAGE)
    return render_template("desk/register.html", page=page, rows=rows, desk=desk, desks=desks, start=start, end=end,
                           columns=control.REGISTER_COLUMNS)


@bp.route("/ho-so/<int:dossier_id>", methods=["GET", "POST"])
@require("desk.work")
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
            return redirect(url_for("desk.dossier", dossier_id=dossier.id))
    return render_template("desk/dossier.html", dossier=dossier, form=form, errors=errors, summary=summary,
                           values=request.form,
                           available=available_actions(dossier, current_user)), 422 if summary else 200


@bp.get("/ho-so/<int:dossier_id>/tep/<int:file_id>")
@require("desk.work")
def file(dossier_id: int, file_id: int):
    dossier = _dossier(dossier_id)
    return send_dossier_file(dossier, file_id)


@bp.get("/ho-so/<int:dossier_id>/van-ban/<int:document_id>")
@require("desk.work")
def document(dossier_id: int, document_id: int):
    dossier = _dossier(dossier_id)
    return send_issued_document(dossier, document_id)


INTAKE_MATCHES = 20  # procedures listed per page when the desk searches by name


@bp.get("/tiep-nhan")
@require("desk.work")
def intake_start():
    """Choose the procedure: a code goes straight to its form; words of its name, with or without
    diacritics ("khai sinh"), list the matching procedures the desk's level receives (the
    catalogue's own search)."""
    query = request.args.get("thu_tuc", "").strip()
    page = None
    if query:
        if catalogue.current_version(query) is not None:
            return redirect(url_for("desk.intake", code=query))
        levels = {m.agency.level for m in current_user.memberships if m.role == Role.RECEPTION}
        wanted = catalogue.CatalogueFilter(q=query, receiving_level=levels.pop() if len(levels) == 1 else "")
        page = catalogue.search(wanted, page_arg(), INTAKE_MATCHES)
    return render_template("desk/intake_start.html", query=query, page=page)


@bp.route("/tiep-nhan/<code>", methods=["GET", "POST"])
@require("desk.work")
def intake(code: str):
    version = catalogue.current_version(code)
    if version is None:
        abort(404)
    spec = version.spec
    desks = [d for d in dossiers.receiving_desks(version)
             if member(current_user, d.id, {Role.RECEPTION})]
    form = intake_form_class(spec)()
    status, message = 200, None
    if not desks:
        message = _("Bạn không phải cán bộ tiếp nhận ở cấp tiếp nhận thủ tục này.")
        status = 403
    elif form.validate_on_submit():
        try:
            dossier = dossiers.counter_intake(current_user, version, request.form.get("agency", desks[0].code),
                                              request.form.get("channel", type=int) or 0,
                                              replace(draft_input(form, spec, request.files),
                                                      checked=form.checked.data or []))
        except dossiers.DossierError as error:
            show_errors(form, error, spec)
            status, message = error.status, say(error.message)
        else:
            flash(_("Đã tiếp nhận hồ sơ %(code)s; in giấy tiếp nhận cho người nộp.", code=dossier.code), "success")
            return redirect(url_for("desk.dossier", dossier_id=dossier.id))
    elif request.method == "POST":
        status = 422
    return render_template("desk/intake.html", v=version, spec=spec, form=form, desks=desks, message=message,
                           values=request.form), status
