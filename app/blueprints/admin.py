"""Administration: the working calendar's overrides."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from app import dates
from app.extensions import db
from app.forms.admin import CalendarDayForm, ConfirmForm
from app.models import CalendarDay
from app.services import calendar as calendar_service
from app.web import require

bp = Blueprint("admin", __name__)


@bp.route("/lich", methods=["GET", "POST"])
@require("calendar.manage")
def calendar():
    form = CalendarDayForm()
    if form.validate_on_submit():
        try:
            calendar_service.add_override(form.day.data, form.kind.data, form.note.data)
        except calendar_service.CalendarError as error:
            for name, message in error.fields.items():
                getattr(form, name).errors.append(message)
        else:
            flash(_("Đã thêm ngày %(day)s vào lịch điều chỉnh.", day=dates.date(form.day.data)), "success")
            return redirect(url_for("admin.calendar"))
    status = 422 if form.errors else 200
    return render_template("admin/calendar.html", form=form, rows=calendar_service.overrides(),
                           official=calendar_service.official_swaps()), status


@bp.route("/lich/<int:day_id>/xoa", methods=["GET", "POST"])
@require("calendar.manage")
def calendar_delete(day_id: int):
    row = db.get_or_404(CalendarDay, day_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        calendar_service.remove_override(row)
        flash(_("Đã xóa ngày %(day)s khỏi lịch điều chỉnh.", day=dates.date(row.day)), "success")
        return redirect(url_for("admin.calendar"))
    return render_template("admin/calendar_delete.html", form=form, row=row)
