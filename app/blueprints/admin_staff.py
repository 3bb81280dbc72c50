"""Administration of staff accounts and the audit log's reader (issue 13), under /quan-tri.
Who may do what is permissions.can ("admin.staff", "admin.user", "admin.agency"); the changes
are services/staff.py's, each written to the audit log there."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app import dates
from app.domain import span
from app.forms.admin import ConfirmForm
from app.forms.staff import ROLE_CHOICES, InviteForm
from app.services import accounts, audit, staff
from app.services.permissions import can
from app.web import page_arg, refused, require

bp = Blueprint("admin_staff", __name__)

PER_PAGE = 50
STATES = {"dang-dung": True, "da-khoa": False}  # ?trang_thai=


def _official(user_id: int):
    try:
        return staff.official(current_user, user_id)
    except staff.StaffError as error:
        abort(error.status)


def _choice(name: str, allowed) -> str:
    """A filter's value from the query string: "" when absent, 400 when not one of `allowed`."""
    value = request.args.get(name, "").strip()
    if value and value not in allowed:
        abort(400)
    return value


@bp.route("/can-bo", methods=["GET", "POST"])
@require("admin.staff")
def staff_list():
    """The staff within the administrator's reach, searched; the invitation form."""
    agencies = staff.scope(current_user)
    by_code = {a.code: a for a in agencies}
    form = InviteForm()
    form.agency.choices = [("", _("— Chọn cơ quan —"))] + [(a.code, f"{a.name} ({a.code})") for a in agencies]
    message = None
    if form.validate_on_submit():
        try:
            grants = staff.grants_by_code([(form.agency.data, form.role.data)])
            user = staff.invite(current_user, email=form.email.data, full_name=form.full_name.data, grants=grants)
        except staff.StaffError as error:
            message = refused(error, form, {"memberships": "agency"})
        else:
            flash(_("Đã tạo tài khoản và gửi liên kết đặt mật khẩu đến %(email)s.", email=user.email), "success")
            return redirect(url_for("admin_staff.official", user_id=user.id))
    q = request.args.get("q", "").strip()
    agency_code = _choice("co_quan", by_code)
    role = _choice("vai_tro", [value for value, _label in ROLE_CHOICES])
    state = _choice("trang_thai", STATES)
    where = staff.StaffFilter(q=q, agency_id=by_code[agency_code].id if agency_code else None, role=role or None,
                              active=STATES.get(state))
    page = staff.search(current_user, where, page_arg(), PER_PAGE)
    args = {"q": q, "co_quan": agency_code, "vai_tro": role, "trang_thai": state}
    failed = bool(message or form.errors)
    return render_template("admin/staff_list.html", form=form, message=message, page=page, agencies=agencies,
                           args={k: v for k, v in args.items() if v}, filters=args,
                           roles=ROLE_CHOICES), 422 if failed else 200


def _memberships_page(user, message=None, status=200):
    agencies = staff.scope(current_user)
    return render_template("admin/staff_detail.html", official=user, agencies=agencies, roles=ROLE_CHOICES,
                           form=ConfirmForm(), message=message, manage=_may(user)), status


def _may(user) -> bool:
    """Whether the page offers the account's lock, unlock and reset (the service checks again)."""
    try:
        staff.check_manage(current_user, user)
    except staff.StaffError:
        return False
    return True


@bp.get("/can-bo/<int:user_id>")
@require("admin.staff")
def official(user_id: int):
    return _memberships_page(_official(user_id))


@bp.post("/can-bo/<int:user_id>/vai-tro")
@require("admin.staff")
def memberships(user_id: int):
    """The roles: the ticked ones of those the administrator may change, those out of their reach
    as they are, and the one added (agency and role chosen)."""
    user = _official(user_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    kept = set(request.form.getlist("giu"))
    pairs = [(m.agency.code, m.role) for m in user.memberships
             if str(m.id) in kept or not can(current_user, "admin.agency", m.agency)]
    added = (request.form.get("co_quan", "").strip(), request.form.get("vai_tro", "").strip())
    if any(added):
        if not all(added):
            return _memberships_page(user, _("Để thêm vai trò, vui lòng chọn cả cơ quan và vai trò."), 422)
        pairs.append(added)
    try:
        staff.set_memberships(current_user, user, staff.grants_by_code(pairs))
    except staff.StaffError as error:
        return _memberships_page(user, refused(error), 422)
    flash(_("Đã cập nhật vai trò của %(name)s.", name=user.full_name), "success")
    return redirect(url_for("admin_staff.official", user_id=user.id))


# The confirmed actions on an account: URL part → (service, title, explanation, button, done).
ACTIONS = {
    "khoa": (staff.deactivate, _l("Khóa tài khoản"),
             _l("Tài khoản sẽ không đăng nhập được nữa; mọi phiên đăng nhập và mã truy cập API của tài khoản "
                "ngừng hoạt động ngay. Tên của cán bộ vẫn được giữ trên các hồ sơ và nhật ký đã có."),
             _l("Khóa tài khoản"), _l("Đã khóa tài khoản của %(name)s.")),
    "mo-khoa": (staff.reactivate, _l("Mở khóa tài khoản"),
                _l("Tài khoản đăng nhập lại được với mật khẩu và vai trò như trước khi khóa."),
                _l("Mở khóa tài khoản"), _l("Đã mở khóa tài khoản của %(name)s.")),
    "gui-lien-ket": (staff.reset_password, _l("Gửi liên kết đặt lại mật khẩu"),
                     _l("Một liên kết đặt mật khẩu (hiệu lực 72 giờ, dùng được một lần) được gửi đến e-mail của "
                        "tài khoản. Mật khẩu hiện tại vẫn dùng được cho đến khi mật khẩu mới được đặt."),
                     _l("Gửi liên kết"), _l("Đã gửi liên kết đặt mật khẩu đến %(name)s.")),
}


@bp.route("/can-bo/<int:user_id>/<action>", methods=["GET", "POST"])
@require("admin.staff")
def confirm(user_id: int, action: str):
    """Lock, unlock or reset: a confirmation page, then the change."""
    if action not in ACTIONS:
        abort(404)
    user = _official(user_id)
    run, title, explanation, button, done = ACTIONS[action]
    try:
        staff.check_manage(current_user, user)
    except staff.StaffError as error:
        abort(error.status)
    form = ConfirmForm()
    message = None
    if form.validate_on_submit():
        try:
            run(current_user, user)
        except staff.StaffError as error:
            message = refused(error)
        else:
            flash(str(done) % {"name": user.full_name}, "success")
            return redirect(url_for("admin_staff.official", user_id=user.id))
    return render_template("admin/staff_confirm.html", official=user, form=form, title=title,
                           explanation=explanation, button=button, message=message), 422 if message else 200


def _day(name: str):
    """?tu= / ?den= as typed (dd/mm/yyyy) or in links (YYYY-MM-DD); None when absent, 400 when
    malformed or outside the portal's span of time (app/domain/span.py)."""
    text = request.args.get(name, "").strip()
    if not text:
        return None
    try:
        day = dates.parse_date(text)
    except ValueError:
        abort(400)
    if not span.within(day):
        abort(400)
    return day


# The log's actions in words (an action without one is shown by its name).
AUDIT_LABELS = {
    "user.invite": _l("Mời cán bộ"), "user.memberships": _l("Thay đổi vai trò"),
    "user.deactivate": _l("Khóa tài khoản"), "user.reactivate": _l("Mở khóa tài khoản"),
    "user.password_reset": _l("Gửi liên kết đặt lại mật khẩu"), "user.password_set": _l("Đặt mật khẩu qua liên kết"),
}
TARGET_LABELS = {"user": _l("Tài khoản"), "agency": _l("Cơ quan"), "procedure": _l("Thủ tục")}


@bp.get("/nhat-ky")
@require("admin.staff")
def audit_log():
    """The audit log, newest first: everything for the province administrator, the entries filed
    under an agency of their reach for an agency administrator (staff.audit_log)."""
    agencies = staff.scope(current_user)
    by_code = {a.code: a for a in agencies}
    actions, types = audit.kinds()
    actor_email = request.args.get("nguoi", "").strip()
    action = _choice("thao_tac", {*actions, *AUDIT_LABELS})  # one with no entry yet finds none
    target_type = _choice("doi_tuong", {*types, *TARGET_LABELS})
    target_id = request.args.get("ma", "").strip()[:60]  # one object's entries (a link from its page)
    agency_code = _choice("co_quan", by_code)
    start, end = _day("tu"), _day("den")
    if start and end and end < start:
        abort(400)
    message, actor = None, None
    if actor_email:
        actor = accounts.find_by_email(actor_email)
        if actor is None:
            message = _("Không có tài khoản nào có e-mail %(email)s.", email=actor_email)
    first, last = audit.office_days(start, end)
    where = audit.AuditFilter(actor_id=actor.id if actor else (0 if message else None), action=action or None,
                              target_type=target_type or None, target_id=target_id or None,
                              agency_id=by_code[agency_code].id if agency_code else None, start=first, end=last)
    page = staff.audit_log(current_user, where, page_arg(), PER_PAGE)
    filters = {"nguoi": actor_email, "thao_tac": action, "doi_tuong": target_type, "ma": target_id,
               "co_quan": agency_code,
               "tu": start.isoformat() if start else "", "den": end.isoformat() if end else ""}
    return render_template("admin/audit.html", page=page, actions=actions, types=types, agencies=agencies,
                           filters=filters, start=start, end=end, message=message, labels=AUDIT_LABELS,
                           target_labels=TARGET_LABELS,
                           args={k: v for k, v in filters.items() if v}), 422 if message else 200

