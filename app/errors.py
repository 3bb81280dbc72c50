"""Error pages: HTML for people, JSON under /api/ for programs."""
from __future__ import annotations

import sys

from flask import Flask, jsonify, render_template, request
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, DBAPIError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from app.extensions import db
from app.i18n import N_, say
from app.security import BadInput

MESSAGES = {
    400: N_("Yêu cầu không hợp lệ."),
    401: N_("Bạn cần đăng nhập."),
    403: N_("Bạn không có quyền thực hiện thao tác này."),
    404: N_("Không tìm thấy trang hoặc dữ liệu bạn yêu cầu."),
    405: N_("Phương thức không được hỗ trợ."),
    413: N_("Dữ liệu gửi lên vượt quá dung lượng cho phép."),
    429: N_("Bạn đã gửi quá nhiều yêu cầu. Vui lòng thử lại sau ít phút."),
    500: N_("Hệ thống gặp sự cố. Vui lòng thử lại sau."),
}


def wants_json() -> bool:
    return request.path.startswith("/api/")


def _object_store_error(error: Exception) -> bool:
    """An error of botocore (the object store of STORAGE_URL). botocore is imported only when
    that store is used (app/services/storage_backends.py), so without it loaded no error is its."""
    exceptions = sys.modules.get("botocore.exceptions")
    return exceptions is not None and isinstance(error, (exceptions.BotoCoreError, exceptions.ClientError))


def register_error_handlers(app: Flask) -> None:
    def answer(code: int, message: str, fields: dict | None = None):
        # Messages are Vietnamese where they are made (a BadInput's, a rate limit's); shown here,
        # in the request's language (app/i18n.py).
        message, fields = say(message), {name: say(text) for name, text in (fields or {}).items()}
        if wants_json():
            return jsonify({"error": message, "fields": fields}), code
        return render_template("errors/error.html", code=code, message=message), code

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = error.code or 500
        if isinstance(error, BadInput):  # the edge's refusal says what was wrong, and where
            return answer(code, error.description, error.fields)
        if isinstance(error, RateLimitExceeded) and error.limit.error_message:  # a limit that says which
            return answer(code, error.description)
        return answer(code, MESSAGES.get(code, error.name))

    def store_down(error: Exception):
        # The object store (STORAGE_URL) did not answer, or refused for a reason of its own: the
        # request's change is rolled back, nothing half-kept, and the user told to try again.
        db.session.rollback()
        app.logger.error("object store unavailable: %s", error)
        return answer(503, N_("Kho lưu trữ tệp tạm thời không truy cập được; thông tin vừa gửi chưa được lưu. "
                              "Vui lòng thử lại sau ít phút."))

    @app.errorhandler(DataError)
    def data_error(error: DataError):
        # A value the database cannot hold (too long, out of range) that a check let through:
        # refused, nothing kept. The checks at the edge and in the services should come first.
        db.session.rollback()
        app.logger.warning("value refused by the database: %s", error.orig)
        return answer(422, N_("Dữ liệu gửi lên có giá trị quá dài hoặc vượt giới hạn cho phép."))

    @app.errorhandler(StaleDataError)
    def stale(error: StaleDataError):
        # Two changes of one dossier at once, lost outside the services' commit (an autoflush).
        db.session.rollback()
        return answer(409, N_("Hồ sơ vừa được người khác cập nhật. Vui lòng tải lại trang và thử lại."))

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return answer(400, N_("Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ. "
                              "Vui lòng tải lại trang rồi gửi lại."))

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        if _object_store_error(error):
            return store_down(error)
        app.logger.exception("Unhandled error")
        return answer(500, MESSAGES[500])

    @app.errorhandler(DBAPIError)
    def database_error(error: DBAPIError):
        if not error.connection_invalidated:
            return unexpected(error)
        # The database closed this pooled connection (a restart, a failover): SQLAlchemy has
        # dropped the pool, so the next request connects afresh (app/config.py: no pre-ping).
        db.session.rollback()
        app.logger.error("database connection lost: %s", error.orig)
        return answer(503, N_("Hệ thống tạm thời mất kết nối tới cơ sở dữ liệu. Vui lòng thử lại."))
