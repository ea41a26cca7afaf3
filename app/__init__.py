"""tsunagi: case management and BPMN workflows for the self-reliance support desks."""

from __future__ import annotations

import os

from flask import Flask, session
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from . import (
    ratelimit_store,  # noqa: F401  (registers the tsunagi+… rate-limit store with Flask-Limiter)
    transactions,
)
from .config import check_secret_key, load_config
from .extensions import babel, csrf, db, limiter, login_manager, migrate


def select_locale() -> str:
    # Japanese first: English only when the user switched to it.
    chosen = session.get("locale")
    return chosen if chosen in ("ja", "en") else "ja"


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.config.update(load_config(app.instance_path, config))
    # Before anything else: an app without a real secret key must not serve or touch data.
    check_secret_key(app.config)
    os.makedirs(app.instance_path, exist_ok=True)
    if app.config["TRUSTED_PROXIES"]:
        # Only then are X-Forwarded-For/-Proto believed: the client address the login limits count
        # by, and HTTPS for HSTS.  Without a proxy anyone could send them.
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]

    db.init_app(app)
    transactions.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(app.root_path), "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    babel.init_app(app, locale_selector=select_locale)

    from . import models  # noqa: F401  (register tables with the metadata)
    from .clock import init_clock
    from .lifecycle.runtime import init_engine
    from .views import register_blueprints

    init_clock(app)
    init_engine(app)
    register_blueprints(app)

    from .programs.install import install as install_programs

    install_programs()  # the statutory programmes' handlers, plugged into the step pipeline

    from .services.staff import sessions

    # Every request checks the session against the user row and the clock (logout elsewhere,
    # password change, deactivation, idle timeout, lifetime): see services/staff/sessions.py.
    login_manager.user_loader(sessions.current)

    @app.context_processor
    def inject_user():
        return {"current_user": current_user}

    from .services.statistics import facts as statistics_facts

    statistics_facts.install()  # the statistics' stored facts follow every step's records

    from .lifecycle import step_rows

    step_rows.install()  # a submission whose id was taken ahead is flushed before the rows that refer to it

    from .cli import register_cli

    register_cli(app)
    return app
