"""Administration forms."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length

from app.domain.vocabulary import DayKind
from app.forms.fields import VietnameseDateField


class CalendarDayForm(FlaskForm):
    day = VietnameseDateField(_l("Ngày"), validators=[InputRequired(_l("Vui lòng nhập ngày (dd/mm/yyyy)."))])
    kind = RadioField(_l("Loại điều chỉnh"), choices=[(k.value, _l(k.label)) for k in DayKind], validate_choice=False,
                      validators=[InputRequired(_l("Vui lòng chọn loại điều chỉnh.")),
                                  AnyOf([k.value for k in DayKind], message=_l("Loại điều chỉnh không hợp lệ."))])
    note = StringField(_l("Căn cứ / ghi chú"), description=_l("Ví dụ: Thông báo số .../TB-UBND về nghỉ bù."),
                       validators=[DataRequired(_l("Vui lòng ghi căn cứ của điều chỉnh.")), Length(max=255)])


class ConfirmForm(FlaskForm):
    """An empty form: its CSRF token is what a confirmation button posts."""
