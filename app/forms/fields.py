"""Fields and validators shared by the forms, with Vietnamese messages (WTForms ships no
Vietnamese catalogue). The formats and limits are app/domain/eform.py's, stated there once."""
from datetime import date

from wtforms import DateField, DecimalField, IntegerField
from wtforms.validators import StopValidation

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
        _, message = eform.check_value(self.field, field.data, office_today())
        if message:
            raise StopValidation(message)


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


VietnameseDateField = _with_message(DateField, "Ngày không hợp lệ: nhập theo dạng năm-tháng-ngày, ví dụ 2027-02-12.")
VietnameseDecimalField = _with_message(DecimalField, "Vui lòng nhập một số.")
VietnameseIntegerField = _with_message(IntegerField, "Vui lòng nhập một số nguyên.")
