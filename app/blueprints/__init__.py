"""Blueprints: thin views — parse input, call one service function, render or redirect."""
from flask import Flask


def register_blueprints(app: Flask) -> None:
    from app.blueprints import admin_agencies, api_admin_agencies, api_dossiers  # noqa: F401  (routes join admin, api)
    from app.blueprints.admin import bp as admin_bp
    from app.blueprints.api import bp as api_bp
    from app.blueprints.auth import bp as auth_bp
    from app.blueprints.citizen import bp as citizen_bp
    from app.blueprints.desk import bp as desk_bp
    from app.blueprints.public import bp as public_bp
    from app.blueprints.stats import bp as stats_bp
    from app.blueprints.work import bp as work_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(stats_bp)
    app.register_blueprint(citizen_bp)
    app.register_blueprint(desk_bp, url_prefix="/mot-cua")
    app.register_blueprint(work_bp, url_prefix="/xu-ly")
    app.register_blueprint(admin_bp, url_prefix="/quan-tri")
    app.register_blueprint(api_bp, url_prefix="/api/v1")
