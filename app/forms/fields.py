"""Fields and validators shared by the forms, with Vietnamese messages (WTForms ships no
Vietnamese catalogue)."""
from wtforms import DateField, DecimalField, IntegerField
from wtforms.validators import Email, Regexp

# Số định danh cá nhân: 12 digits (Law on Identification 2023 Art. 12).
ID_NUMBER = Regexp(r"^\d{12}$", message="Số định danh cá nhân gồm đúng 12 chữ số.")
PHONE = Regexp(r"^(0|\+84)\d{9,10}$", message="Số điện thoại gồm 10 chữ số, bắt đầu bằng 0 (hoặc +84).")
EMAIL = Email(message="Địa chỉ e-mail không hợp lệ.", check_deliverability=False)


class VietnameseDateField(DateField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError("Ngày không hợp lệ: nhập theo dạng năm-tháng-ngày, ví dụ 2027-02-12.") from error


class VietnameseDecimalField(DecimalField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError("Vui lòng nhập một số.") from error


class VietnameseIntegerField(IntegerField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError("Vui lòng nhập một số nguyên.") from error
