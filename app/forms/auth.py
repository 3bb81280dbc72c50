"""Log-in, citizen registration and password forms (Flask-WTF: CSRF on every form). The
password rules beyond the length (common passwords) are the service's (accounts.check_password)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, RadioField, SelectMultipleField, StringField, TelField
from wtforms.validators import DataRequired, EqualTo, Length
from wtforms.widgets import CheckboxInput, ListWidget

from app.domain.notices import CHANNELS
from app.domain.passwords import LENGTH_MESSAGE, MAX_LENGTH, MIN_LENGTH
from app.forms.fields import EMAIL, ID_NUMBER, PHONE
from app.i18n import LANGUAGES, NAMES

# The password rule of domain/passwords.py, stated there once: its limits and its message.
PASSWORD_HINT = _l("Ít nhất %(min)s ký tự; không dùng mật khẩu phổ biến hay thông tin cá nhân của bạn.",
                   min=MIN_LENGTH)
PASSWORD_LENGTH = Length(min=MIN_LENGTH, max=MAX_LENGTH, message=_l(LENGTH_MESSAGE.msgid, **LENGTH_MESSAGE.params))

class LoginForm(FlaskForm):
    email = StringField("E-mail", validators=[DataRequired(_l("Vui lòng nhập e-mail.")), Length(max=254)])
    password = PasswordField(_l("Mật khẩu"), validators=[DataRequired(_l("Vui lòng nhập mật khẩu."))])
    remember = BooleanField(_l("Ghi nhớ đăng nhập trên máy này"))


class RegisterForm(FlaskForm):
    full_name = StringField(
        _l("Họ, chữ đệm và tên"),
        validators=[DataRequired(_l("Vui lòng nhập họ và tên.")),
                    Length(max=150, message=_l("Họ và tên tối đa 150 ký tự."))],
    )
    id_number = StringField(
        _l("Số định danh cá nhân"),
        description=_l("12 chữ số, in trên căn cước / căn cước công dân."),
        validators=[DataRequired(_l("Vui lòng nhập số định danh cá nhân.")),
                    ID_NUMBER],
    )
    email = EmailField(
        "E-mail",
        validators=[DataRequired(_l("Vui lòng nhập e-mail.")),
                    EMAIL, Length(max=254)],
    )
    phone = TelField(
        _l("Số điện thoại"),
        description=_l("Ví dụ: 0912345678"),
        validators=[DataRequired(_l("Vui lòng nhập số điện thoại.")),
                    PHONE],
    )
    password = PasswordField(
        _l("Mật khẩu"),
        description=PASSWORD_HINT,
        validators=[DataRequired(_l("Vui lòng nhập mật khẩu.")),
                    PASSWORD_LENGTH],
    )
    confirm = PasswordField(
        _l("Nhập lại mật khẩu"),
        validators=[DataRequired(_l("Vui lòng nhập lại mật khẩu.")),
                    EqualTo("password", message=_l("Hai mật khẩu không khớp."))],
    )


def _new_password(label: str) -> PasswordField:
    return PasswordField(
        label, description=PASSWORD_HINT,
        validators=[DataRequired(_l("Vui lòng nhập mật khẩu mới.")),
                    PASSWORD_LENGTH])


def _confirm() -> PasswordField:
    return PasswordField(_l("Nhập lại mật khẩu mới"),
                         validators=[DataRequired(_l("Vui lòng nhập lại mật khẩu mới.")),
                                     EqualTo("password", message=_l("Hai mật khẩu không khớp."))])


class ForgotPasswordForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(_l("Vui lòng nhập e-mail.")), EMAIL, Length(max=254)])


class ResetPasswordForm(FlaskForm):
    password = _new_password(_l("Mật khẩu mới"))
    confirm = _confirm()


class ChangePasswordForm(FlaskForm):
    current = PasswordField(_l("Mật khẩu hiện tại"),
                            validators=[DataRequired(_l("Vui lòng nhập mật khẩu hiện tại."))])
    password = _new_password(_l("Mật khẩu mới"))
    confirm = _confirm()


CHANNEL_LABELS = {"email": _l("E-mail"), "sms": _l("Tin nhắn SMS"), "zalo": _l("Zalo")}


class LanguagePreferenceForm(FlaskForm):
    """A staff account's "Nhận thông báo": the language of its e-mails only. What it is choosing is
    the service's to check (accounts.set_notice_preferences), so an unknown value gets its
    message, not a silent default."""

    language = RadioField(_l("Ngôn ngữ của thư và tin nhắn"), choices=[(code, NAMES[code]) for code in LANGUAGES],
                          validate_choice=False)


class NoticePreferencesForm(LanguagePreferenceForm):
    """A citizen's: the language, and the channels its dossiers' notices go on."""

    channels = SelectMultipleField(
        _l("Nhận thông báo về hồ sơ qua"), choices=[(c, CHANNEL_LABELS[c]) for c in CHANNELS], validate_choice=False,
        widget=ListWidget(prefix_label=False), option_widget=CheckboxInput(),
        description=_l("Tin nhắn SMS và Zalo được gửi đến số điện thoại ghi trên hồ sơ; e-mail đến địa chỉ ghi "
                       "trên hồ sơ."))
