"""RFC 9457 problem details for every API error."""

from __future__ import annotations

from flask import Response, json

PROBLEM_TYPES = {
    400: "bad-request", 401: "unauthorized", 403: "forbidden", 404: "not-found", 405: "method-not-allowed",
    409: "conflict", 415: "unsupported-media-type", 422: "validation-failed", 429: "too-many-requests",
    500: "server-error",
}
TITLES = {
    400: "Bad request", 401: "Unauthorized", 403: "Forbidden", 404: "Not found", 405: "Method not allowed",
    409: "Conflict", 415: "Unsupported media type", 422: "Validation failed", 429: "Too many requests",
    500: "Process step failed",
}


def problem(status: int, detail: str, title: str | None = None, **extra) -> Response:
    body = {
        "type": f"urn:tsunagi:problem:{PROBLEM_TYPES.get(status, 'error')}",
        "title": title or TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        **extra,
    }
    response = Response(json.dumps(body, ensure_ascii=False), status=status, mimetype="application/problem+json")
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="tsunagi"'
    return response
