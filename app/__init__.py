"""Application factory: config, extensions, blueprints, CLI, error pages."""
from __future__ import annotations

import os

from flask import Flask
from flask_babel import lazy_gettext as _l
from werkzeug.middleware.proxy_fix import ProxyFix

from app.config import ROOT, from_environ
from app.extensions import csrf, db, limiter, login_manager
from app.i18n import init_i18n
from app.models.types import render_item


def create_app(overrides: dict | None = None, migrations: bool = True) -> Flask:
    """The portal. `migrations`: with Flask-Migrate (the `flask db` commands, the tests'
    upgrade); a web worker leaves it out (wsgi.py), and Alembic with it (~11 MB, issue 15)."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder="static",
        instance_path=str(ROOT / "instance"),
    )
    app.config.from_mapping(from_environ())
    if overrides:
        app.config.from_mapping(overrides)
    os.makedirs(app.instance_path, exist_ok=True)
    if app.config["TRUSTED_PROXIES"]:
        # Behind nginx or a load balancer: the client's address (rate limits, the IP sent to the
        # payment gateway) and scheme come from the X-Forwarded-* headers those proxies set.
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    from app import models  # noqa: F401  (registers the models on the metadata)

    db.init_app(app)
    if migrations:
        from flask_migrate import Migrate

        Migrate(app, db, directory=str(ROOT / "migrations"), render_as_batch=True, compare_type=True,
                render_item=render_item)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    init_i18n(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Vui lòng đăng nhập để tiếp tục.")
    login_manager.login_message_category = "info"

    from app.blueprints import register_blueprints
    from app.cli import register_cli
    from app.errors import register_error_handlers
    from app.queue import init_queue
    from app.security import register_security
    from app.web import register_template_helpers

    register_blueprints(app)
    register_error_handlers(app)
    register_security(app)
    register_template_helpers(app)
    register_cli(app)
    init_queue(app)
    return app
