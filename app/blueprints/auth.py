"""Log in, log out, citizen registration; the account's own security pages (issue 13): forgotten
password, password change, e-mail verification, "Phiên đăng nhập" (each browser session, API
tokens, sign out everywhere)."""
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
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from app import i18n
from app.extensions import limiter
from app.forms.admin import ConfirmForm
from app.forms.auth import (
    ChangePasswordForm,
    ForgotPasswordForm,
    LanguagePreferenceForm,
    LoginForm,
    NoticePreferencesForm,
    RegisterForm,
    ResetPasswordForm,
)
from app.i18n import say
from app.services import accounts, login_sessions, tokens
from app.services.permissions import landing
from app.web import refused

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None, user) -> str:
    """Only a path on this site: `?next=https://evil.example` must not redirect away; without
    a safe `next`, the user's own work (permissions.landing)."""
    if (target and urlsplit(target).netloc == "" and urlsplit(target).scheme == "" and target.startswith("/")
            and not target.startswith("//") and "\\" not in target):
        return target
    return url_for(landing(user))


def _log_in(user, remember: bool = False) -> None:
    """A new browser session (a row the owner sees and may end), then Flask-Login's cookie."""
    login_sessions.start(user, request.user_agent.string, request.remote_addr)
    login_user(user, remember=remember)


def log_out() -> None:
    """This browser's session ends server-side (its row), then Flask-Login forgets it."""
    if current_user.is_authenticated and current_user.login_session_id is not None:
        login_sessions.end(current_user, current_user.login_session_id)
    logout_user()


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
            _log_in(user, remember=form.remember.data)
            flash(_("Xin chào %(name)s.", name=user.full_name), "success")
            return redirect(_safe_next(request.args.get("next"), user))
        error = _("E-mail hoặc mật khẩu không đúng.")
    return render_template("auth/login.html", form=form, error=error), 200 if error is None else 401


@bp.post("/dang-xuat")
def logout():
    """Ends this browser's session server-side: its cookies, wherever copied to, stop working
    (OWASP Session Management: invalidate on log-out); the account's other browsers go on."""
    log_out()
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
                id_number=form.id_number.data, phone=form.phone.data, language=i18n.current(),
            )
        except accounts.AccountError as error:
            _field_errors(form, error)
        else:
            _log_in(user)
            flash(_("Đăng ký tài khoản thành công. Chúng tôi đã gửi thư xác nhận đến %(email)s: mở liên kết "
                    "trong thư trước khi nộp hồ sơ.", email=user.email), "success")
            return redirect(url_for("public.index"))
    status = 422 if form.errors else 200
    return render_template("auth/register.html", form=form), status


def _field_errors(form, error: accounts.AccountError) -> None:
    """A refusal's messages at their fields, in the page's language (web.refused); one for no
    field of the form is shown above it."""
    if message := refused(error, form):
        flash(message, "error")


def link_refused(error: tokens.LinkError):
    """The one page of a signed link refused (tokens.read_link: 410 expired, 404 otherwise)."""
    return render_template("auth/link_error.html", message=say(error.message)), error.status


@bp.route("/quen-mat-khau", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def forgot_password():
    """The same answer whether the address has an account or not."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        accounts.request_password_reset(form.email.data)
        return render_template("auth/forgot.html", form=form, sent=True)
    return render_template("auth/forgot.html", form=form, sent=False), 422 if form.errors else 200


@bp.route("/dat-lai-mat-khau/<token>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def reset_password(token: str):
    try:
        accounts.reset_target(token)
    except tokens.LinkError as error:
        return link_refused(error)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            accounts.reset_password(token, form.password.data)
        except tokens.LinkError as error:
            return link_refused(error)
        except accounts.AccountError as error:
            _field_errors(form, error)
        else:
            log_out()  # whoever was signed in on this browser
            flash(_("Đã đặt mật khẩu mới. Mọi phiên đăng nhập cũ đã kết thúc; vui lòng đăng nhập lại."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form), 422 if form.errors else 200


@bp.route("/doi-mat-khau", methods=["GET", "POST"])
@login_required
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            user = accounts.change_password(current_user._get_current_object(), form.current.data,
                                            form.password.data)
        except accounts.AccountError as error:
            _field_errors(form, error)
        else:  # every session has ended: this browser goes on under a new one, remembered if it was
            _log_in(user, remember=current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies)
            flash(_("Đã đổi mật khẩu. Các phiên đăng nhập khác và mọi mã truy cập API đã bị kết thúc."), "success")
            return redirect(url_for("auth.sessions"))
    return render_template("auth/change_password.html", form=form), 422 if form.errors else 200


@bp.route("/tai-khoan/nhan-thong-bao", methods=["GET", "POST"])
@login_required
def notice_preferences():
    """The language of the account's notices and e-mails and, for a citizen, the channels of its
    dossiers' notices (a staff account chooses the language only); saving it also switches the
    site to that language (the redirect's `?lang=` sets the cookie, app/i18n.py)."""
    user = current_user._get_current_object()
    if user.is_citizen:
        form = NoticePreferencesForm(data={"language": user.language, "channels": sorted(user.channels)})
    else:
        form = LanguagePreferenceForm(data={"language": user.language})
    if form.validate_on_submit():
        try:
            accounts.set_notice_preferences(user, form.language.data or "",
                                            (form.channels.data or []) if user.is_citizen else None)
        except accounts.AccountError as error:
            _field_errors(form, error)
        else:
            with force_locale(user.language):  # the next page is in the language just chosen
                flash(_("Đã lưu cách nhận thông báo."), "success")
            return redirect(url_for("auth.notice_preferences", lang=user.language))
    return render_template("auth/notice_preferences.html", form=form), 422 if form.errors else 200


@bp.get("/xac-nhan-email/<token>")
def verify_email(token: str):
    try:
        user = accounts.verify_email(token)
    except tokens.LinkError as error:
        return link_refused(error)
    flash(_("Đã xác nhận địa chỉ e-mail %(email)s. Bạn có thể nộp hồ sơ.", email=user.email), "success")
    return redirect(url_for("citizen.mine") if current_user.is_authenticated else url_for("auth.login"))


@bp.post("/xac-nhan-email/gui-lai")
@login_required
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"])
def resend_verification():
    if not ConfirmForm().validate_on_submit():
        return render_template("errors/error.html", code=400, message=_("Yêu cầu không hợp lệ.")), 400
    accounts.resend_verification(current_user)
    flash(_("Đã gửi lại thư xác nhận đến %(email)s.", email=current_user.email), "info")
    return redirect(_safe_next(request.form.get("next"), current_user))


@bp.get("/phien-dang-nhap")
@login_required
def sessions():
    rows = [(row, *login_sessions.device(row.user_agent)) for row in login_sessions.active(current_user)]
    return render_template("auth/sessions.html", sessions=rows, current_id=current_user.login_session_id,
                           tokens=tokens.active_tokens(current_user))


@bp.route("/phien-dang-nhap/<int:session_id>/dang-xuat", methods=["GET", "POST"])
@login_required
def end_session(session_id: int):
    """A confirmation page naming the browser (GET), then its session ends (POST); ending this
    very session is a log-out."""
    form = ConfirmForm()
    try:
        row = login_sessions.own(current_user, session_id)
        if request.method == "GET" or not form.validate_on_submit():
            browser, system = login_sessions.device(row.user_agent)
            return render_template("auth/end_session.html", row=row, browser=browser, system=system, form=form,
                                   current=row.id == current_user.login_session_id)
        login_sessions.end(current_user, session_id)
    except login_sessions.SessionError as error:
        return render_template("errors/error.html", code=error.status, message=say(error.message)), error.status
    if row.id == current_user.login_session_id:
        logout_user()
        flash(_("Bạn đã đăng xuất."), "info")
        return redirect(url_for("auth.login"))
    flash(_("Đã đăng xuất phiên đăng nhập đó: trình duyệt ấy phải đăng nhập lại."), "success")
    return redirect(url_for("auth.sessions"))


@bp.route("/phien-dang-nhap/ma-truy-cap/<int:token_id>/thu-hoi", methods=["GET", "POST"])
@login_required
def revoke_token(token_id: int):
    """A confirmation page naming the token (GET), then the revocation (POST)."""
    form = ConfirmForm()
    try:
        token = tokens.own_token(current_user, token_id)
        if request.method == "GET" or not form.validate_on_submit():
            return render_template("auth/revoke_token.html", token=token, form=form)
        tokens.revoke(current_user, token_id)
    except tokens.TokenError as error:
        return render_template("errors/error.html", code=error.status, message=say(error.message)), error.status
    flash(_("Đã thu hồi mã truy cập “%(label)s”.", label=token.label or _("(không tên)")), "success")
    return redirect(url_for("auth.sessions"))


@bp.route("/phien-dang-nhap/dang-xuat-moi-noi", methods=["GET", "POST"])
@login_required
def sign_out_everywhere():
    """A confirmation page (GET), then the sign-out (POST)."""
    form = ConfirmForm()
    if request.method == "GET" or not form.validate_on_submit():
        return render_template("auth/sign_out_everywhere.html", form=form)
    accounts.end_everywhere(current_user)
    logout_user()
    flash(_("Đã đăng xuất khỏi mọi nơi: mọi phiên đăng nhập và mã truy cập API đã kết thúc."), "info")
    return redirect(url_for("auth.login"))
