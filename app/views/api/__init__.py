"""JSON API v1: bearer tokens, problem+json errors, the same services as the pages."""

from __future__ import annotations

from flask import Flask, request

from app.extensions import csrf

from . import cases, intake, meetings, notices, openapi, services, stats, tasks  # noqa: F401  (routes)
from .blueprint import api_error_for_unrouted, bp

__all__ = ["register_api"]


def register_api(app: Flask) -> None:
    csrf.exempt(bp)  # bearer tokens only: no cookies, so no cross-site forgery
    app.register_blueprint(bp)

    @app.errorhandler(405)
    def method_not_allowed(exc):
        return api_error_for_unrouted(exc) if request.path.startswith("/api/") else exc
