"""Feedback forms (phản ánh, kiến nghị). The rules on what is typed (lengths, choices) are the
service's (services/feedback.py): its refusals are shown on these fields (`show_refusal`)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, SelectField, StringField, TextAreaField

from app.domain.feedback import Category
from app.i18n import say
from app.services.errors import ServiceError


class SendFeedbackForm(FlaskForm):
    category = RadioField(_l("Nội dung phản ánh thuộc loại"), choices=[(c.value, c.label) for c in Category],
                          validate_choice=False)
    subject = HiddenField()
    target = HiddenField()
    title = StringField(_l("Tiêu đề"))
    text = TextAreaField(_l("Nội dung"), description=_l("Nêu rõ sự việc, thời gian, địa điểm và kiến nghị của bạn "
                                                        "(từ 20 đến 5.000 ký tự)."))


class ContactForm(SendFeedbackForm):
    """Without an account: who is writing, and where the code and the answers go."""
    full_name = StringField(_l("Họ và tên"))
    email = StringField(_l("Thư điện tử"), description=_l("Mã xác nhận và câu trả lời được gửi đến địa chỉ này."))
    phone = StringField(_l("Số điện thoại (không bắt buộc)"))


class CodeForm(FlaskForm):
    code = StringField(_l("Mã xác nhận"), description=_l("6 chữ số trong thư vừa gửi đến bạn."))


class FeedbackStepForm(FlaskForm):
    text = TextAreaField(_l("Nội dung"))
    to_agency = SelectField(_l("Cơ quan có thẩm quyền"), coerce=str, validate_choice=False)
    confirm = BooleanField(_l("Tôi xác nhận thao tác này không hoàn tác được"))


def show_refusal(form: FlaskForm, error: ServiceError) -> str | None:
    """Put the service's field messages on the form's fields; the rest is the page's message."""
    names = {"to_agency": "to_agency", "procedure": "target", "agency": "target", "dossier": "target"}
    shown = False
    for name, message in error.fields.items():
        field = getattr(form, names.get(name, name), None)
        if field is not None and not isinstance(field, HiddenField):
            field.errors = [*field.errors, message] if isinstance(field.errors, list) else [message]
            shown = True
    return None if shown else say(error.message)
