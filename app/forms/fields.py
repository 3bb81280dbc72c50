"""Fields and validators shared by the forms, with Vietnamese messages (WTForms ships no
Vietnamese catalogue)."""
from wtforms import DateField, DecimalField, IntegerField
from wtforms.validators import Email, Regexp

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


VietnameseDateField = _with_message(DateField, "Ngày không hợp lệ: nhập theo dạng năm-tháng-ngày, ví dụ 2027-02-12.")
VietnameseDecimalField = _with_message(DecimalField, "Vui lòng nhập một số.")
VietnameseIntegerField = _with_message(IntegerField, "Vui lòng nhập một số nguyên.")
