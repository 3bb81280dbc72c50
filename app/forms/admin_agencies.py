"""Forms of the agencies' administration (issue 13). What is valid is the service's to say
(app/services/agencies.py); these only carry the fields and their labels."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from app.domain.structure import AgencyKind, Sector
from app.forms.fields import VietnameseDateField

CONFIRM = _l("Vui lòng đánh dấu xác nhận trước khi thực hiện.")


class AgencyForm(FlaskForm):
    code = StringField(_l("Mã định danh"), description=_l("Theo QĐ 20/2020/QĐ-TTg, ví dụ 001.10.21.H62."),
                       validators=[DataRequired(_l("Vui lòng nhập mã định danh.")), Length(max=35)])
    name = StringField(_l("Tên cơ quan"), validators=[DataRequired(_l("Vui lòng nhập tên cơ quan.")), Length(max=255)])
    kind = SelectField(_l("Loại cơ quan"), choices=[(k.value, k.label) for k in AgencyKind], validate_choice=False)
    sector = SelectField(_l("Lĩnh vực (cơ quan chuyên môn)"),
                         choices=[("", _l("Không có"))] + [(s.value, s.label) for s in Sector], validate_choice=False)
    unit_code = StringField(_l("Mã đơn vị hành chính"), description=_l("Mã GSO: tỉnh 2, huyện 3, xã 5 chữ số."),
                            validators=[DataRequired(_l("Vui lòng nhập mã đơn vị hành chính."))])
    parent_code = StringField(_l("Mã định danh của cơ quan cấp trên"),
                              description=_l("Để trống chỉ với cơ quan cao nhất của tỉnh."))
    valid_from = VietnameseDateField(_l("Ngày bắt đầu hiệu lực"), validators=[Optional()])
    valid_to = VietnameseDateField(_l("Ngày hết hiệu lực"), validators=[Optional()])


class RetireForm(FlaskForm):
    successor = SelectField(_l("Cơ quan tiếp nhận hồ sơ và nhiệm vụ"), choices=[], validate_choice=False)
    on = VietnameseDateField(_l("Ngừng hoạt động từ ngày"), validators=[Optional()],
                             description=_l("Để trống: từ hôm nay."))
    confirm = BooleanField(_l("Tôi xác nhận cho cơ quan này ngừng hoạt động; việc này không hoàn tác được."),
                           validators=[DataRequired(CONFIRM)])


class MergeForm(FlaskForm):
    unit_codes = StringField(_l("Các xã, phường hợp nhất (mã GSO)"),
                             description=_l("Các mã cách nhau bởi dấu phẩy, ví dụ 08707, 08710."),
                             validators=[DataRequired(_l("Vui lòng nhập mã các xã, phường."))])
    code = StringField(_l("Mã đơn vị hành chính mới"), validators=[DataRequired(_l("Vui lòng nhập mã đơn vị mới."))])
    name = StringField(_l("Tên xã, phường mới"), description=_l("Ví dụ: Phường Vĩnh Yên."),
                       validators=[DataRequired(_l("Vui lòng nhập tên xã, phường mới.")), Length(max=200)])
    committee_code = StringField(_l("Mã định danh Ủy ban nhân dân mới"),
                                 validators=[DataRequired(_l("Vui lòng nhập mã định danh."))])
    desk_code = StringField(_l("Mã định danh Bộ phận Một cửa mới"),
                            validators=[DataRequired(_l("Vui lòng nhập mã định danh."))])
    on = VietnameseDateField(_l("Ngày đơn vị mới bắt đầu hoạt động"),
                             validators=[InputRequired(_l("Vui lòng nhập ngày (dd/mm/yyyy)."))])
    confirm = BooleanField(_l("Tôi xác nhận hợp nhất; các cơ quan cũ ngừng hoạt động, hồ sơ đang giải quyết "
                              "chuyển sang cơ quan mới."), validators=[DataRequired(CONFIRM)])


class TransferForm(FlaskForm):
    target_code = StringField(_l("Nơi nhận thẩm quyền (mã GSO của tỉnh hoặc xã, phường)"),
                              validators=[DataRequired(_l("Vui lòng nhập mã đơn vị nhận thẩm quyền."))])
    on = VietnameseDateField(_l("Áp dụng từ ngày"), validators=[InputRequired(_l("Vui lòng nhập ngày (dd/mm/yyyy)."))])
    confirm = BooleanField(_l("Tôi xác nhận chuyển thẩm quyền; các cơ quan cấp huyện ngừng hoạt động."),
                           validators=[DataRequired(CONFIRM)])
