"""Administration: the working calendar's overrides and the Government's yearly swaps; the
outbox of messages leaving the portal (issue 16), for the province administrator."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app import dates
from app.extensions import db
from app.forms.admin import CalendarDayForm, CalendarSwapForm, ConfirmForm
from app.models import CalendarDay, CalendarSwap
from app.services import calendar as calendar_service
from app.services import outbox
from app.web import page_arg, refused, require

bp = Blueprint("admin", __name__)


def _calendar_page(form: CalendarDayForm, swap_form: CalendarSwapForm, message: str | None = None):
    status = 422 if form.errors or swap_form.errors else 200
    return render_template("admin/calendar.html", form=form, swap_form=swap_form, message=message,
                           rows=calendar_service.overrides(), swaps=calendar_service.swaps(),
                           official=calendar_service.official_swaps()), status


@bp.route("/lich", methods=["GET", "POST"])
@require("calendar.manage")
def calendar():
    form = CalendarDayForm()
    if form.validate_on_submit():
        try:
            calendar_service.add_override(current_user, form.day.data, form.kind.data, form.note.data)
        except calendar_service.CalendarError as error:
            refused(error, form)
        else:
            flash(_("Đã thêm ngày %(day)s vào lịch điều chỉnh.", day=dates.date(form.day.data)), "success")
            return redirect(url_for("admin.calendar"))
    return _calendar_page(form, CalendarSwapForm(formdata=None))


@bp.post("/lich/hoan-doi")
@require("calendar.manage")
def calendar_swap():
    """Enter one of the Government's yearly swaps: the day off and its make-up day together."""
    swap_form = CalendarSwapForm()
    message = None
    if swap_form.validate_on_submit():
        try:
            calendar_service.add_swap(current_user, swap_form.day_off.data, swap_form.working_day.data,
                                      swap_form.legal_basis.data)
        except calendar_service.CalendarError as error:
            message = refused(error, swap_form)
        else:
            flash(_("Đã thêm cặp hoán đổi: nghỉ %(off)s, làm bù %(on)s.", off=dates.date(swap_form.day_off.data),
                    on=dates.date(swap_form.working_day.data)), "success")
            return redirect(url_for("admin.calendar", _anchor="hoan-doi"))
    return _calendar_page(CalendarDayForm(formdata=None), swap_form, message)


@bp.route("/lich/<int:day_id>/xoa", methods=["GET", "POST"])
@require("calendar.manage")
def calendar_delete(day_id: int):
    row = db.get_or_404(CalendarDay, day_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        calendar_service.remove_override(current_user, row)
        flash(_("Đã xóa ngày %(day)s khỏi lịch điều chỉnh.", day=dates.date(row.day)), "success")
        return redirect(url_for("admin.calendar"))
    return render_template("admin/calendar_delete.html", form=form, row=row)


@bp.route("/lich/hoan-doi/<int:swap_id>/xoa", methods=["GET", "POST"])
@require("calendar.manage")
def calendar_swap_delete(swap_id: int):
    swap = db.get_or_404(CalendarSwap, swap_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        calendar_service.remove_swap(current_user, swap)
        flash(_("Đã xóa cặp hoán đổi nghỉ %(off)s, làm bù %(on)s.", off=dates.date(swap.day_off),
                on=dates.date(swap.working_day)), "success")
        return redirect(url_for("admin.calendar", _anchor="hoan-doi"))
    return render_template("admin/calendar_swap_delete.html", form=form, swap=swap)


# The outbox's tabs: ?trang_thai= (Vietnamese slug) → the service's state, with its label.
OUTBOX_TABS = {"cho-gui": (outbox.State.PENDING, _l("Chờ gửi")), "loi": (outbox.State.FAILED, _l("Gửi lỗi")),
               "da-gui": (outbox.State.DELIVERED, _l("Đã gửi"))}


@bp.get("/hop-thu-di")
@require("admin.province")
def outbox_page():
    """Every message leaving the portal (e-mail, SMS): pending, given up, delivered; each with its
    attempts and its last error; a given-up one can be sent again."""
    tab = request.args.get("trang_thai", "loi")
    if tab not in OUTBOX_TABS:
        abort(400)
    counts = outbox.counts()
    page = outbox.messages(OUTBOX_TABS[tab][0], page_arg())
    return render_template("admin/outbox.html", tabs=OUTBOX_TABS, tab=tab, counts=counts, page=page,
                           form=ConfirmForm())


@bp.post("/hop-thu-di/<int:message_id>/gui-lai")
@require("admin.province")
def outbox_retry(message_id: int):
    """Send a given-up message again; a second click (already pending, or delivered) does nothing."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        queued = outbox.retry(message_id)
    except LookupError:
        abort(404)
    if queued:
        flash(_("Đã đưa thư #%(id)s vào hàng đợi gửi lại.", id=message_id), "success")
    else:
        flash(_("Thư #%(id)s không ở trạng thái gửi lỗi: không cần gửi lại.", id=message_id), "info")
    return redirect(url_for("admin.outbox_page", trang_thai="loi"))
