"""Staff administration and set-password forms (issue 13)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField
from wtforms.validators import AnyOf, DataRequired, Length

from app.domain.structure import Role
from app.forms.auth import RegisterForm
from app.forms.fields import EMAIL

ROLE_CHOICES = [(str(role), role.label) for role in Role]


class SetPasswordForm(FlaskForm):
    """The password and its confirmation, under the rules registration has (the same fields)."""
    password = RegisterForm.password
    confirm = RegisterForm.confirm


class InviteForm(FlaskForm):
    full_name = StringField(_l("Họ, chữ đệm và tên"), validators=[
        DataRequired(_l("Vui lòng nhập họ và tên.")), Length(max=150, message=_l("Họ và tên tối đa 150 ký tự."))])
    email = EmailField(_l("E-mail"), description=_l("Liên kết đặt mật khẩu được gửi đến địa chỉ này."),
                       validators=[DataRequired(_l("Vui lòng nhập e-mail.")), EMAIL, Length(max=254)])
    agency = SelectField(_l("Cơ quan"), validate_choice=False,
                         validators=[DataRequired(_l("Vui lòng chọn cơ quan."))])
    role = SelectField(_l("Vai trò"), choices=ROLE_CHOICES, validate_choice=False,
                       validators=[DataRequired(_l("Vui lòng chọn vai trò.")),
                                   AnyOf([value for value, _label in ROLE_CHOICES],
                                         message=_l("Vai trò không hợp lệ."))])
