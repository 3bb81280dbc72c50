"""Blueprints: thin views — parse input, call one service function, render or redirect."""
from flask import Flask


def register_blueprints(app: Flask) -> None:
    from app.blueprints import (  # noqa: F401  (their routes join the admin and api blueprints)
        admin_agencies,
        api_account,
        api_admin_agencies,
        api_admin_procedures,
        api_admin_staff,
        api_dossiers,
        api_feedback,
    )
    from app.blueprints.admin import bp as admin_bp
    from app.blueprints.admin_procedures import bp as admin_procedures_bp
    from app.blueprints.admin_staff import bp as admin_staff_bp
    from app.blueprints.api import bp as api_bp
    from app.blueprints.auth import bp as auth_bp
    from app.blueprints.citizen import bp as citizen_bp
    from app.blueprints.desk import bp as desk_bp
    from app.blueprints.feedback import bp as feedback_bp
    from app.blueprints.public import bp as public_bp
    from app.blueprints.set_password import bp as set_password_bp
    from app.blueprints.stats import bp as stats_bp
    from app.blueprints.store import bp as store_bp
    from app.blueprints.work import bp as work_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(stats_bp)
    app.register_blueprint(citizen_bp)
    app.register_blueprint(feedback_bp)
    app.register_blueprint(store_bp)
    app.register_blueprint(desk_bp, url_prefix="/mot-cua")
    app.register_blueprint(work_bp, url_prefix="/xu-ly")
    app.register_blueprint(admin_bp, url_prefix="/quan-tri")
    app.register_blueprint(admin_procedures_bp, url_prefix="/quan-tri/thu-tuc")
    app.register_blueprint(admin_staff_bp, url_prefix="/quan-tri")
    app.register_blueprint(set_password_bp)
    app.register_blueprint(api_bp, url_prefix="/api/v1")
