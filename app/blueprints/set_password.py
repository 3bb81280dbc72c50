"""The set-password page of an invitation or an administrator's reset (issue 13): public, the
signed one-time link is the credential (services/staff.password_link)."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from app.blueprints.auth import link_refused, log_out
from app.extensions import limiter
from app.forms.staff import SetPasswordForm
from app.i18n import say
from app.services import accounts, staff, tokens

bp = Blueprint("set_password", __name__)


@bp.route("/dat-mat-khau/<token>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def page(token: str):
    try:
        user = staff.user_for_link(token)
    except tokens.LinkError as error:
        return link_refused(error)
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            staff.set_password(token, form.password.data)
        except tokens.LinkError as error:  # used a moment ago by another submission of the same link
            return link_refused(error)
        except accounts.AccountError as error:  # a common or personal password
            form.password.errors = [say(error.fields.get("password", error.message))]
            return render_template("auth/set_password.html", form=form, user=user), 422
        log_out()  # whoever was signed in on this browser: the link's owner now signs in afresh
        flash(_("Đã đặt mật khẩu. Vui lòng đăng nhập bằng e-mail %(email)s và mật khẩu mới.", email=user.email),
              "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/set_password.html", form=form, user=user), 422 if form.errors else 200
