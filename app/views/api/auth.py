"""Bearer tokens: the only way into the API (session cookies are ignored, so CSRF cannot apply)."""

from __future__ import annotations

from flask import g, request

from app.services.staff import tokens


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def authenticate_request() -> bool:
    """Sets g.api_user and g.api_token_id for a live token; False otherwise."""
    token = tokens.authenticate(bearer_token() or "")
    if token is None:
        return False
    g.api_user = token.user
    g.api_token_id = token.id
    return True


def current_api_user():
    return g.api_user
