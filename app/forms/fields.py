"""Fields and validators shared by the forms, with Vietnamese messages (WTForms ships no
Vietnamese catalogue). The formats and limits are app/domain/eform.py's, stated there once."""
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import DateField, DecimalField, IntegerField
from wtforms.validators import StopValidation
from wtforms.widgets import TextInput

from app import dates
from app.domain import eform
from app.domain.deadlines import OFFICE_TZ
from app.models.users import utcnow


def office_today() -> date:
    return utcnow().astimezone(OFFICE_TZ).date()


class Rule:
    """A WTForms validator that asks app/domain/eform.py about one field (an e-form field of the
    procedure file, or one of eform.APPLICANT / eform.REPRESENTED): the page and the service
    refuse the same values with the same message. Its limits also become the input's HTML
    attributes (maxlength; min, max; max = today for a date not in the future)."""

    def __init__(self, field: dict):
        self.field = field
        kind, flags = field["type"], {}
        if (limit := eform.max_length(field)) is not None:
            flags["maxlength"] = limit
        if kind == "number":
            low, high = eform.number_range(field)
            flags |= {k: v for k, v in (("min", low), ("max", high)) if v is not None}
        if kind == "date" and field.get("not_future"):
            flags["max"] = office_today().isoformat()
        self.field_flags = flags

    def __call__(self, form, field) -> None:
        if field.data is None or field.data == "":
            return
        message = eform.check_value(self.field, field.data, office_today())[1]
        if message:
            raise StopValidation(_(message))


ID_NUMBER = Rule({"key": "id_number", "type": "id_number"})
PHONE = Rule({"key": "phone", "type": "phone"})
EMAIL = Rule({"key": "email", "type": "email"})


def _with_message(base: type, message: str) -> type:
    """`base` with its (English) parse error replaced by a Vietnamese message."""
    class Field(base):
        def process_formdata(self, valuelist):
            try:
                super().process_formdata(valuelist)
            except ValueError as error:
                raise ValueError(message) from error

    Field.__name__ = Field.__qualname__ = f"Vietnamese{base.__name__}"
    return Field


DATE_HINT = _l("Nhập theo dạng ngày/tháng/năm (dd/mm/yyyy), ví dụ 20/11/2026.")


_DateField = _with_message(DateField, _l("Ngày không hợp lệ: nhập theo dạng ngày/tháng/năm, ví dụ 20/11/2026."))


class VietnameseDateField(_DateField):
    """A date typed as Vietnamese writes it (20/11/2026; yyyy-mm-dd is accepted too) in a text
    box, not the browser's date picker, whose layout follows the browser's own locale. The
    hint saying so is added to the field's description (the forms macro ties it to the box)."""
    widget = TextInput()

    def __init__(self, label=None, validators=None, format=dates.INPUT_FORMATS, description="", **kwargs):
        described = f"{description} {DATE_HINT}".strip() if "dd/mm/yyyy" not in description else description
        super().__init__(label, validators, format=list(format), description=described, **kwargs)

    def _value(self):
        if self.raw_data:
            return " ".join(self.raw_data)
        return dates.date(self.data) if self.data else ""

VietnameseDecimalField = _with_message(DecimalField, _l("Vui lòng nhập một số."))
VietnameseIntegerField = _with_message(IntegerField, _l("Vui lòng nhập một số nguyên."))
