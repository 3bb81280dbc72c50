"""`msg`: a Vietnamese message with values that the boundary can still translate (app/i18n.py)."""
from flask_babel import refresh

from app.domain import Msg, msg
from app.i18n import say


def test_a_message_is_its_vietnamese_text_and_keeps_its_msgid_and_values():
    message = msg("Tệp “%(name)s” không phải PDF, JPEG hoặc PNG.", name="a.exe")
    assert message == "Tệp “a.exe” không phải PDF, JPEG hoặc PNG."
    assert isinstance(message, Msg) and message.msgid.startswith("Tệp “%(name)s”")
    assert message.params == {"name": "a.exe"}
    assert msg("100% đúng") == "100% đúng"  # no values: nothing is formatted, as gettext does


def test_say_translates_the_msgid_then_puts_the_values_in(app):
    message = msg("Chưa nhập %(what)s người nộp hồ sơ.", what=msg("địa chỉ"))
    with app.test_request_context("/?lang=en"):
        assert say(message) == "The applicant's address is missing."
        assert say("tiêu đề") == "title"
    with app.test_request_context("/"):
        refresh()  # the fixture's app context outlives the request: Babel keeps its locale on g
        assert say(message) == "Chưa nhập địa chỉ người nộp hồ sơ."
