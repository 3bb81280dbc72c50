"""Administration forms."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, Optional

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


class CalendarSwapForm(FlaskForm):
    """One of the Government's yearly swaps: both days together, with the notice."""

    day_off = VietnameseDateField(_l("Ngày được nghỉ"),
                                  description=_l("Ngày làm việc được nghỉ, ví dụ thứ Sáu 02/01/2026."),
                                  validators=[InputRequired(_l("Vui lòng nhập ngày được nghỉ (dd/mm/yyyy)."))])
    working_day = VietnameseDateField(_l("Ngày làm bù"),
                                      description=_l("Thứ Bảy hoặc Chủ nhật làm việc thay, cùng năm."),
                                      validators=[InputRequired(_l("Vui lòng nhập ngày làm bù (dd/mm/yyyy)."))])
    legal_basis = StringField(_l("Căn cứ pháp lý"),
                              description=_l("Ví dụ: Công văn số 12729/VPCP-KGVX ngày 25/12/2025 "
                                             "của Văn phòng Chính phủ."),
                              validators=[DataRequired(_l("Vui lòng ghi văn bản thông báo hoán đổi.")),
                                          Length(max=500)])


class ProcedureTextForm(FlaskForm):
    """A procedure's YAML: a file or the text typed (the file wins when both are sent)."""

    file = FileField(_l("Tệp YAML của thủ tục"), description=_l("Tệp .yaml theo lược đồ của thư mục procedures/."))
    text = TextAreaField(_l("Hoặc nội dung YAML"), validators=[Optional()],
                         render_kw={"rows": 24, "spellcheck": "false"})


class PublishForm(FlaskForm):
    """The checked text, posted again with the administrator's confirmation."""

    text = HiddenField()
    file_name = HiddenField()
    confirm = BooleanField(_l("Tôi đã xem các thay đổi và xác nhận xuất bản phiên bản mới"),
                           validators=[InputRequired(_l("Vui lòng đánh dấu xác nhận trước khi xuất bản."))])


class OfferingForm(FlaskForm):
    """How one desk offers a procedure."""

    agency = HiddenField(validators=[DataRequired()])
    received = BooleanField(_l("Tiếp nhận thủ tục này"))
    online_level = SelectField(_l("Mức độ dịch vụ công trực tuyến"), coerce=int, validate_choice=False,
                               choices=[(2, _l("Mức 2: thông tin, biểu mẫu trực tuyến")), (3, _l("Mức 3: một phần")),
                                        (4, _l("Mức 4: toàn trình"))])
