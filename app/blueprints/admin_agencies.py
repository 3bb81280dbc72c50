"""Administration of agencies and units (issue 13), under /quan-tri/co-quan: the list with
search and creation, one agency's page (edit, move, validity dates), its retirement with a
successor, and the two-tier reform's operations (merge communes, move a district's competence).
Thin: app/services/agencies.py decides and records; permissions.can says who."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from typing import TypeVar

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.blueprints.admin import bp
from app.domain.structure import Level, agency_code_depth
from app.extensions import db
from app.forms.admin_agencies import AgencyForm, MergeForm, RetireForm, TransferForm
from app.models import Agency
from app.services import agencies as service
from app.services.permissions import can
from app.services.structure import agency_by_code
from app.web import refused, require

T = TypeVar("T")


def _agency(agency_id: int, action: str = "admin.agency") -> Agency:
    """The agency in the URL: 404 when there is none, 403 when the user may not administer it."""
    agency = db.get_or_404(Agency, agency_id)
    if not can(current_user, "admin.agency", agency) or (action != "admin.agency" and not can(current_user, action)):
        abort(403)
    return agency


def _submit(form, change: Callable[[], T]) -> tuple[T | None, str | None, int]:
    """A valid POST of `form` runs `change` (the service's use case): (its result, None, 200).
    Refused: (None, the message for the error summary, None when the form's fields show it, the
    refusal's status; 403 aborts). Not sent: (None, None, 200); the form's own errors: 422."""
    if not form.validate_on_submit():
        return None, None, 422 if form.errors else 200
    try:
        return change(), None, 200
    except service.AgencyError as error:
        return None, refused(error, form), error.status


def _input(form: AgencyForm) -> service.AgencyInput:
    return service.AgencyInput(code=form.code.data or "", name=form.name.data or "", kind=form.kind.data or "",
                               unit_code=form.unit_code.data or "", parent_code=(form.parent_code.data or "").strip()
                               or None, sector=form.sector.data or None, valid_from=form.valid_from.data,
                               valid_to=form.valid_to.data)


@bp.route("/co-quan", methods=["GET", "POST"])
@require("agency.list")
def agencies():
    form = AgencyForm()
    agency, message, status = _submit(form, lambda: service.create(current_user, _input(form)))
    if agency is not None:
        flash(_("Đã tạo cơ quan %(name)s (%(code)s).", name=agency.name, code=agency.code), "success")
        return redirect(url_for("admin.agency", agency_id=agency.id))
    query = request.args.get("q", "")
    return render_template("admin/agencies.html", form=form, message=message, query=query,
                           rows=service.administered(current_user, query), depth=agency_code_depth), status


@bp.route("/co-quan/<int:agency_id>", methods=["GET", "POST"])
@require("agency.list")
def agency(agency_id: int):
    agency = _agency(agency_id)
    form = AgencyForm()
    if request.method == "GET":
        shown = service.current_input(agency)
        form.process(data={**asdict(shown), "sector": shown.sector or "", "parent_code": shown.parent_code or ""})
    changed, message, status = _submit(form, lambda: service.update(current_user, agency, _input(form)))
    if changed is not None:
        flash(_("Đã lưu thay đổi của %(name)s.", name=agency.name), "success")
        return redirect(url_for("admin.agency", agency_id=agency.id))
    return render_template("admin/agency.html", agency=agency, form=form, message=message,
                           open_count=len(service.open_dossiers(agency)), Level=Level,
                           province_admin=can(current_user, "admin.province")), status


@bp.route("/co-quan/<int:agency_id>/ngung-hoat-dong", methods=["GET", "POST"])
@require("agency.list")
def agency_retire(agency_id: int):
    agency = _agency(agency_id)
    form = RetireForm()
    form.successor.choices = [("", _("Không chọn (cơ quan không còn hồ sơ đang giải quyết)"))] + [
        (a.code, f"{a.name} ({a.code})") for a in service.successor_candidates(current_user, agency)]
    handover, message, status = _submit(form, lambda: service.retire(
        current_user, agency, service.named(form.successor.data, "successor"), form.on.data))
    if handover is not None:
        flash(_("%(name)s đã ngừng hoạt động; %(count)s hồ sơ đang giải quyết đã chuyển sang "
                "cơ quan tiếp nhận.", name=agency.name, count=len(handover.dossiers)), "success")
        if handover.assignees_cleared:
            flash(_("%(count)s bước xử lý đã giao cho cán bộ không làm việc tại cơ quan tiếp nhận: "
                    "nay chờ cán bộ cùng vai trò ở đó nhận (xem nhật ký quản trị).",
                    count=len(handover.assignees_cleared)), "info")
        return redirect(url_for("admin.agency", agency_id=agency.id))
    return render_template("admin/agency_retire.html", agency=agency, form=form, message=message,
                           open_count=len(service.open_dossiers(agency))), status


def _reform_agency(agency_id: int, level: str) -> Agency:
    """The agency a reform operation starts from: a serving one of the unit's `level` (404 else)."""
    agency = _agency(agency_id, "admin.province")
    if agency.level != level or agency.retired:
        abort(404)
    return agency


@bp.route("/co-quan/<int:agency_id>/hop-nhat", methods=["GET", "POST"])
@require("agency.list")
def agency_merge(agency_id: int):
    """From a commune's agency: merge its commune with others into a new one."""
    agency = _reform_agency(agency_id, Level.COMMUNE)
    form = MergeForm()
    if request.method == "GET":
        form.unit_codes.data = agency.unit.code

    def merge():
        return service.merge_communes(current_user, service.MergeInput(
            unit_codes=form.unit_codes.data.replace(";", ",").split(","), code=form.code.data, name=form.name.data,
            committee_code=form.committee_code.data, desk_code=form.desk_code.data, on=form.on.data))

    unit, message, status = _submit(form, merge)
    if unit is not None:
        flash(_("Đã hợp nhất thành %(name)s.", name=unit.name), "success")
        return redirect(url_for("admin.agency", agency_id=agency_by_code(form.committee_code.data.strip()).id))
    return render_template("admin/agency_merge.html", agency=agency, form=form, message=message), status


@bp.route("/co-quan/<int:agency_id>/chuyen-tham-quyen", methods=["GET", "POST"])
@require("agency.list")
def agency_transfer(agency_id: int):
    """From a district's agency: move the district's competence to the province or a commune."""
    agency = _reform_agency(agency_id, Level.DISTRICT)
    form = TransferForm()
    handovers, message, status = _submit(form, lambda: service.transfer_competence(
        current_user, agency.unit.code, form.target_code.data, form.on.data))
    if handovers is not None:
        flash(_("Đã chuyển thẩm quyền của %(count)s cơ quan.", count=len(handovers)), "success")
        return redirect(url_for("admin.agency", agency_id=agency.id))
    return render_template("admin/agency_transfer.html", agency=agency, form=form, message=message), status
