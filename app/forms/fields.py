"""Fields and validators shared by the forms, with Vietnamese messages (WTForms ships no
Vietnamese catalogue)."""
from wtforms import DateField, DecimalField, IntegerField
from wtforms.validators import Email, Regexp
from wtforms.widgets import TextInput

from app import dates

# Số định danh cá nhân: 12 digits (Law on Identification 2023 Art. 12).
ID_NUMBER = Regexp(r"^\d{12}$", message="Số định danh cá nhân gồm đúng 12 chữ số.")
PHONE = Regexp(r"^(0|\+84)\d{9,10}$", message="Số điện thoại gồm 10 chữ số, bắt đầu bằng 0 (hoặc +84).")
EMAIL = Email(message="Địa chỉ e-mail không hợp lệ.", check_deliverability=False)


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


DATE_HINT = "Nhập theo dạng ngày/tháng/năm (dd/mm/yyyy), ví dụ 20/11/2026."


_DateField = _with_message(DateField, "Ngày không hợp lệ: nhập theo dạng ngày/tháng/năm, ví dụ 20/11/2026.")


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

VietnameseDecimalField = _with_message(DecimalField, "Vui lòng nhập một số.")
VietnameseIntegerField = _with_message(IntegerField, "Vui lòng nhập một số nguyên.")
