from flask import Flask, render_template

from app.services.errors import ServiceError


def register_blueprints(app: Flask) -> None:
    from . import auth, cases, tasks, template_helpers, worklist

    for module in (auth, worklist, cases, tasks):
        app.register_blueprint(module.bp)
    template_helpers.register(app)

    @app.errorhandler(ServiceError)
    def service_error(exc: ServiceError):
        return render_template("error.html", message=exc.message, status=exc.status), exc.status

    @app.errorhandler(404)
    def not_found(exc):
        return render_template("error.html", message="ページが見つかりません", status=404), 404

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'"
        )
        return response
