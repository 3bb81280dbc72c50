"""Administration of the procedure catalogue (issue 13): /quan-tri/thu-tuc. List and search,
upload or edit a procedure's YAML, preview the changes, publish, unpublish, each desk's
offering. Thin views over app/services/procedure_admin.py; who may do what is
permissions.can ("procedure.manage", "procedure.offering")."""
from __future__ import annotations

import yaml
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.datastructures import FileStorage

from app.extensions import db
from app.forms.admin import ConfirmForm, OfferingForm, ProcedureTextForm, PublishForm
from app.i18n import say
from app.models import Procedure
from app.services import catalogue
from app.services import procedure_admin as service
from app.services.permissions import can
from app.services.structure import agency_by_code
from app.web import refused, require

bp = Blueprint("admin_procedures", __name__)

SECTIONS = {"time": _l("Thời hạn giải quyết"), "fee": _l("Phí, lệ phí"), "document": _l("Thành phần hồ sơ"),
            "form": _l("Biểu mẫu điện tử"), "field": _l("Thông tin khác")}
KINDS = {"added": _l("Thêm"), "removed": _l("Bỏ"), "changed": _l("Sửa")}
PER_PAGE = 50


def shown(value) -> str:
    """A changed value as the table shows it: plain text, or a mapping or list as one line of YAML."""
    if value is None:
        return "—"
    if isinstance(value, (dict, list)):
        return yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, width=10_000).strip()
    return str(value)


@bp.context_processor
def helpers() -> dict:
    return {"SECTIONS": SECTIONS, "KINDS": KINDS, "shown": shown}


def _procedure(code: str) -> Procedure:
    procedure = service.by_code(code)
    if procedure is None:
        abort(404)
    return procedure


def _sent_text(form: ProcedureTextForm) -> tuple[str | bytes, str | None]:
    """The uploaded file (its bytes and name) or, without one, the text typed."""
    upload = form.file.data
    if isinstance(upload, FileStorage) and upload.filename:
        return upload.read(service.MAX_YAML_BYTES + 1), upload.filename
    return form.text.data or "", None


def _preview(checked: service.Checked, form: ProcedureTextForm, file_name: str | None, code: str | None,
             publish_form: PublishForm | None = None):
    """The checked text: its problems by field (422), or what it changes and the confirmation."""
    form.text.data = checked.text
    if publish_form is None:
        publish_form = PublishForm(formdata=None, text=checked.text, file_name=file_name or "")
    status = 422 if checked.problems or publish_form.errors else 200
    # The summary links each problem to its line beside the text area (admin/_procedure_text.html).
    links = [(f"#problem-{i}", f"{path}: {say(message)}")
             for i, (path, message) in enumerate(checked.problems.items(), 1)]
    return render_template("admin/procedure_preview.html", checked=checked, form=form, publish_form=publish_form,
                           code=code, file_name=file_name, problem_links=links), status


@bp.get("")
@require("procedure.offering")
def index():
    q = request.args.get("q", "").strip()
    page = service.procedures(q, request.args.get("page", 1, type=int), PER_PAGE)
    return render_template("admin/procedures.html", page=page, q=q, form=ProcedureTextForm(formdata=None),
                           manage=can(current_user, "procedure.manage"))


@bp.post("")
@require("procedure.manage")
def upload():
    """Check an uploaded file or a typed text: its problems, or a preview to confirm."""
    form = ProcedureTextForm()
    if not form.validate():
        abort(400)
    text, file_name = _sent_text(form)
    return _preview(service.check(text, file_name), form, file_name, None)


@bp.post("/xuat-ban")
@require("procedure.manage")
def publish():
    publish_form = PublishForm()
    code = request.args.get("code") or None
    file_name = publish_form.file_name.data or None
    if not publish_form.validate():
        checked = service.check(publish_form.text.data or "", file_name, code)
        return _preview(checked, ProcedureTextForm(formdata=None), file_name, code, publish_form)
    try:
        version, created = service.publish(current_user, publish_form.text.data or "", file_name, code)
    except service.ProcedureAdminError:
        checked = service.check(publish_form.text.data or "", file_name, code)
        return _preview(checked, ProcedureTextForm(formdata=None), file_name, code)
    if created:
        flash(_("Đã xuất bản phiên bản %(number)s của thủ tục %(code)s.", number=version.number, code=version.code),
              "success")
    else:
        flash(_("Nội dung không đổi so với phiên bản đang công bố: không tạo phiên bản mới."), "info")
    return redirect(url_for("admin_procedures.detail", code=version.code))


def _detail(procedure: Procedure, offering_form: OfferingForm | None = None, message: str | None = None,
            status: int = 200):
    version = procedure.current_version
    latest = version or (procedure.versions[-1] if procedure.versions else None)
    form = ProcedureTextForm(formdata=None, text=service.as_yaml(latest) if latest else "")
    rows = ([o for o in catalogue.offerings(version) if can(current_user, "procedure.offering", o.desk)]
            if version else [])
    return render_template("admin/procedure.html", procedure=procedure, version=version, latest=latest, form=form,
                           rows=rows, ceiling=catalogue.ONLINE_LEVELS[version.online] if version else None,
                           offering_form=offering_form, message=message,
                           manage=can(current_user, "procedure.manage")), status


@bp.get("/<code>")
@require("procedure.offering")
def detail(code: str):
    return _detail(_procedure(code))


@bp.post("/<code>")
@require("procedure.manage")
def edit(code: str):
    """Check the edited text against the published version: problems, or a preview to confirm."""
    _procedure(code)
    form = ProcedureTextForm()
    if not form.validate():
        abort(400)
    text, file_name = _sent_text(form)
    return _preview(service.check(text, file_name, code), form, file_name, code)


@bp.route("/<code>/ngung-cong-bo", methods=["GET", "POST"])
@require("procedure.manage")
def unpublish(code: str):
    procedure = _procedure(code)
    if procedure.current_version is None:
        flash(_("Thủ tục %(code)s đang ngừng công bố.", code=code), "info")
        return redirect(url_for("admin_procedures.detail", code=code))
    form = ConfirmForm()
    if form.validate_on_submit():
        service.unpublish(current_user, procedure)
        flash(_("Đã ngừng công bố thủ tục %(code)s. Hồ sơ đang giải quyết vẫn tiếp tục theo phiên bản của mình.",
                code=code), "success")
        return redirect(url_for("admin_procedures.detail", code=code))
    return render_template("admin/procedure_unpublish.html", form=form, procedure=procedure,
                           version=procedure.current_version)


@bp.post("/<code>/noi-tiep-nhan")
@require("procedure.offering")
def offering(code: str):
    procedure = _procedure(code)
    form = OfferingForm()
    desk = agency_by_code(form.agency.data or "")
    if not form.validate() or desk is None:
        abort(400)
    try:
        service.set_offering(current_user, procedure, desk, form.received.data, form.online_level.data)
    except service.ProcedureAdminError as error:
        db.session.rollback()
        return _detail(procedure, form, refused(error), error.status)
    flash(_("Đã lưu cách tiếp nhận thủ tục tại %(desk)s.", desk=desk.name), "success")
    return redirect(url_for("admin_procedures.detail", code=code, _anchor="noi-tiep-nhan"))
