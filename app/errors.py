"""Error pages: HTML for people, JSON under /api/ for programs."""
from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

MESSAGES = {
    400: "Yêu cầu không hợp lệ.",
    401: "Bạn cần đăng nhập.",
    403: "Bạn không có quyền thực hiện thao tác này.",
    404: "Không tìm thấy trang hoặc dữ liệu bạn yêu cầu.",
    405: "Phương thức không được hỗ trợ.",
    413: "Dữ liệu gửi lên vượt quá dung lượng cho phép.",
    429: "Bạn đã gửi quá nhiều yêu cầu. Vui lòng thử lại sau ít phút.",
    500: "Hệ thống gặp sự cố. Vui lòng thử lại sau.",
}


def wants_json() -> bool:
    return request.path.startswith("/api/")


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = error.code or 500
        message = MESSAGES.get(code, error.name)
        if wants_json():
            return jsonify({"error": message}), code
        return render_template("errors/error.html", code=code, message=message), code

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        message = "Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ. Vui lòng tải lại trang rồi gửi lại."
        if wants_json():
            return jsonify({"error": message}), 400
        return render_template("errors/error.html", code=400, message=message), 400

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        app.logger.exception("Unhandled error")
        if wants_json():
            return jsonify({"error": MESSAGES[500]}), 500
        return render_template("errors/error.html", code=500, message=MESSAGES[500]), 500
