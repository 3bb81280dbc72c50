"""Log in, log out, citizen registration."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from app.extensions import limiter
from app.forms.auth import LoginForm, RegisterForm
from app.services import accounts
from app.services.permissions import landing

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None, user) -> str:
    """Only a path on this site: `?next=https://evil.example` must not redirect away; without
    a safe `next`, the user's own work (permissions.landing)."""
    if (target and urlsplit(target).netloc == "" and urlsplit(target).scheme == "" and target.startswith("/")
            and not target.startswith("//") and "\\" not in target):
        return target
    return url_for(landing(user))


@bp.route("/dang-nhap", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next"), current_user))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is not None:
            login_user(user, remember=form.remember.data)
            flash(_("Xin chào %(name)s.", name=user.full_name), "success")
            return redirect(_safe_next(request.args.get("next"), user))
        error = _("E-mail hoặc mật khẩu không đúng.")
    return render_template("auth/login.html", form=form, error=error), 200 if error is None else 401


@bp.post("/dang-xuat")
def logout():
    if current_user.is_authenticated:
        accounts.end_sessions(current_user)
    logout_user()
    flash(_("Bạn đã đăng xuất."), "info")
    return redirect(url_for("public.index"))


@bp.route("/dang-ky", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("public.index"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = accounts.register_citizen(
                email=form.email.data, password=form.password.data, full_name=form.full_name.data,
                id_number=form.id_number.data, phone=form.phone.data,
            )
        except accounts.AccountError as error:
            for name, message in error.fields.items():
                getattr(form, name).errors.append(message)
        else:
            login_user(user)
            flash(_("Đăng ký tài khoản thành công."), "success")
            return redirect(url_for("public.index"))
    status = 422 if form.errors else 200
    return render_template("auth/register.html", form=form), status
