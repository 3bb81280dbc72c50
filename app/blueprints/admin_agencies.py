"""Administration of agencies and units (issue 13), under /quan-tri/co-quan: the list with
search and creation, one agency's page (edit, move, validity dates), its retirement with a
successor, and the two-tier reform's operations (merge communes, move a district's competence).
Thin: app/services/agencies.py decides and records; permissions.can says who."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.blueprints.admin import bp
from app.domain.structure import Level, agency_code_depth
from app.extensions import db
from app.forms.admin_agencies import AgencyForm, MergeForm, RetireForm, TransferForm
from app.i18n import say
from app.models import Agency
from app.services import agencies as service
from app.services.permissions import can
from app.services.structure import agency_by_code
from app.web import require


def _agency(agency_id: int, action: str = "admin.agency") -> Agency:
    """The agency in the URL: 404 when there is none, 403 when the user may not administer it."""
    agency = db.get_or_404(Agency, agency_id)
    if not can(current_user, "admin.agency", agency) or (action != "admin.agency" and not can(current_user, action)):
        abort(403)
    return agency


def _refused(form, error: service.AgencyError) -> tuple[str | None, int]:
    """The service's refusal shown at its fields, with its status; the message for the summary
    when none of the fields it names is on the form."""
    if error.status == 403:
        abort(403)
    shown = False
    for name, message in error.fields.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors.append(message)
            shown = True
    return (None if shown else say(error.message)), error.status


def _status(form, refused: int | None) -> int:
    """The service's refusal's status, 422 for a form that failed its own checks, else 200."""
    return refused or (422 if form.errors else 200)


def _input(form: AgencyForm) -> service.AgencyInput:
    return service.AgencyInput(code=form.code.data or "", name=form.name.data or "", kind=form.kind.data or "",
                               unit_code=form.unit_code.data or "", parent_code=(form.parent_code.data or "").strip()
                               or None, sector=form.sector.data or None, valid_from=form.valid_from.data,
                               valid_to=form.valid_to.data)


@bp.route("/co-quan", methods=["GET", "POST"])
@require("agency.list")
def agencies():
    form, message, refused = AgencyForm(), None, None
    if form.validate_on_submit():
        try:
            agency = service.create(current_user, _input(form))
        except service.AgencyError as error:
            message, refused = _refused(form, error)
        else:
            flash(_("Đã tạo cơ quan %(name)s (%(code)s).", name=agency.name, code=agency.code), "success")
            return redirect(url_for("admin.agency", agency_id=agency.id))
    query = request.args.get("q", "")
    return render_template("admin/agencies.html", form=form, message=message, query=query,
                           rows=service.administered(current_user, query),
                           depth=agency_code_depth), _status(form, refused)


@bp.route("/co-quan/<int:agency_id>", methods=["GET", "POST"])
@require("agency.list")
def agency(agency_id: int):
    agency = _agency(agency_id)
    form, message, refused = AgencyForm(), None, None
    if request.method == "GET":
        form.process(data={"code": agency.code, "name": agency.name, "kind": agency.kind, "sector": agency.sector or "",
                           "unit_code": agency.unit.code, "parent_code": agency.parent.code if agency.parent else "",
                           "valid_from": agency.valid_from, "valid_to": agency.valid_to})
    elif form.validate_on_submit():
        try:
            service.update(current_user, agency, _input(form))
        except service.AgencyError as error:
            message, refused = _refused(form, error)
        else:
            flash(_("Đã lưu thay đổi của %(name)s.", name=agency.name), "success")
            return redirect(url_for("admin.agency", agency_id=agency.id))
    return render_template("admin/agency.html", agency=agency, form=form, message=message,
                           open_count=len(service.open_dossiers(agency)), Level=Level,
                           province_admin=can(current_user, "admin.province")), _status(form, refused)


@bp.route("/co-quan/<int:agency_id>/ngung-hoat-dong", methods=["GET", "POST"])
@require("agency.list")
def agency_retire(agency_id: int):
    agency = _agency(agency_id)
    form, message, refused = RetireForm(), None, None
    form.successor.choices = [("", _("Không chọn (cơ quan không còn hồ sơ đang giải quyết)"))] + [
        (a.code, f"{a.name} ({a.code})") for a in service.successor_candidates(current_user, agency)]
    if form.validate_on_submit():
        successor = agency_by_code(form.successor.data) if form.successor.data else None
        if form.successor.data and successor is None:
            form.successor.errors.append(_("Không có cơ quan này."))
        else:
            try:
                handover = service.retire(current_user, agency, successor, form.on.data)
            except service.AgencyError as error:
                message, refused = _refused(form, error)
            else:
                flash(_("%(name)s đã ngừng hoạt động; %(count)s hồ sơ đang giải quyết đã chuyển sang "
                        "cơ quan tiếp nhận.", name=agency.name, count=len(handover.dossiers)), "success")
                if handover.assignees_cleared:
                    flash(_("%(count)s bước xử lý đã giao cho cán bộ không làm việc tại cơ quan tiếp nhận: "
                            "nay chờ cán bộ cùng vai trò ở đó nhận (xem nhật ký quản trị).",
                            count=len(handover.assignees_cleared)), "info")
                return redirect(url_for("admin.agency", agency_id=agency.id))
    return render_template("admin/agency_retire.html", agency=agency, form=form, message=message,
                           open_count=len(service.open_dossiers(agency))), _status(form, refused)


@bp.route("/co-quan/<int:agency_id>/hop-nhat", methods=["GET", "POST"])
@require("agency.list")
def agency_merge(agency_id: int):
    """From a commune's agency: merge its commune with others into a new one."""
    agency = _agency(agency_id, "admin.province")
    if agency.level != Level.COMMUNE or agency.retired:
        abort(404)
    form, message, refused = MergeForm(), None, None
    if request.method == "GET":
        form.unit_codes.data = agency.unit.code
    elif form.validate_on_submit():
        data = service.MergeInput(unit_codes=form.unit_codes.data.replace(";", ",").split(","),
                                  code=form.code.data, name=form.name.data, committee_code=form.committee_code.data,
                                  desk_code=form.desk_code.data, on=form.on.data)
        try:
            unit = service.merge_communes(current_user, data)
        except service.AgencyError as error:
            message, refused = _refused(form, error)
        else:
            flash(_("Đã hợp nhất thành %(name)s.", name=unit.name), "success")
            return redirect(url_for("admin.agency", agency_id=agency_by_code(data.committee_code.strip()).id))
    return render_template("admin/agency_merge.html", agency=agency, form=form, message=message), _status(form, refused)


@bp.route("/co-quan/<int:agency_id>/chuyen-tham-quyen", methods=["GET", "POST"])
@require("agency.list")
def agency_transfer(agency_id: int):
    """From a district's agency: move the district's competence to the province or a commune."""
    agency = _agency(agency_id, "admin.province")
    if agency.level != Level.DISTRICT or agency.retired:
        abort(404)
    form, message, refused = TransferForm(), None, None
    if form.validate_on_submit():
        try:
            handovers = service.transfer_competence(current_user, agency.unit.code, form.target_code.data,
                                                    form.on.data)
        except service.AgencyError as error:
            message, refused = _refused(form, error)
        else:
            flash(_("Đã chuyển thẩm quyền của %(count)s cơ quan.", count=len(handovers)), "success")
            return redirect(url_for("admin.agency", agency_id=agency.id))
    return render_template("admin/agency_transfer.html", agency=agency, form=form,
                           message=message), _status(form, refused)
