"""Administration forms."""
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length

from app.domain.vocabulary import DayKind
from app.forms.fields import VietnameseDateField


class CalendarDayForm(FlaskForm):
    day = VietnameseDateField("Ngày", validators=[InputRequired("Vui lòng nhập ngày (dd/mm/yyyy).")])
    kind = RadioField("Loại điều chỉnh", choices=[(k.value, k.label) for k in DayKind], validate_choice=False,
                      validators=[InputRequired("Vui lòng chọn loại điều chỉnh."),
                                  AnyOf([k.value for k in DayKind], message="Loại điều chỉnh không hợp lệ.")])
    note = StringField("Căn cứ / ghi chú", description="Ví dụ: Thông báo số .../TB-UBND về nghỉ bù.",
                       validators=[DataRequired("Vui lòng ghi căn cứ của điều chỉnh."), Length(max=255)])


class ConfirmForm(FlaskForm):
    """An empty form: its CSRF token is what a confirmation button posts."""
