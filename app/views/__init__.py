from flask import Flask, current_app, render_template, request

from app.errors import ServiceError


def register_blueprints(app: Flask) -> None:
    from . import auth, cases, tasks, template_helpers, worklist
    from .api import api_error_for_unrouted, register_api

    for module in (auth, worklist, cases, tasks):
        app.register_blueprint(module.bp)
    from . import modeler

    app.register_blueprint(modeler.bp)
    register_api(app)
    from . import assignment

    assignment.register(app)
    from .audit import register_audit

    register_audit(app)  # after the API: its read-only check runs after the API's token sign-in
    from . import notifications

    app.register_blueprint(notifications.bp)
    from . import stats

    app.register_blueprint(stats.bp)
    from . import caseload, prints

    app.register_blueprint(caseload.bp)
    app.register_blueprint(prints.bp)
    from . import notices

    app.register_blueprint(notices.bp)
    from . import housing_benefit  # the finance section's payment list

    app.register_blueprint(housing_benefit.bp)
    from . import episodes, referrals  # slips, consents, households, re-consultation

    app.register_blueprint(referrals.bp)
    episodes.register(app)
    from . import meetings  # 支援会議, meeting sessions, 定例支援調整会議

    app.register_blueprint(meetings.bp)
    template_helpers.register(app)

    @app.errorhandler(ServiceError)
    def service_error(exc: ServiceError):
        return render_template("error.html", message=exc.message, status=exc.status), exc.status

    @app.errorhandler(403)
    def forbidden(exc):
        if request.path.startswith("/api/"):
            return api_error_for_unrouted(exc)
        return render_template("error.html", message="このページを開く権限がありません", status=403), 403

    @app.errorhandler(404)
    def not_found(exc):
        if request.path.startswith("/api/"):
            return api_error_for_unrouted(exc)
        return render_template("error.html", message="ページが見つかりません", status=404), 404

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'"
        )
        if request.endpoint != "static":
            # Pages carry personal data: no copy in the browser's or a proxy's cache (the back
            # button on a shared desk PC after logout).  Stylesheets and scripts stay cacheable.
            response.headers.setdefault("Cache-Control", "no-store")
        if request.is_secure:
            # Served over HTTPS (directly, or behind a trusted proxy that said so: TRUSTED_PROXIES):
            # browsers must never fall back to plain HTTP, where the session cookie could be read.
            response.headers.setdefault(
                "Strict-Transport-Security", f"max-age={current_app.config['HSTS_SECONDS']}; includeSubDomains")
        return response
