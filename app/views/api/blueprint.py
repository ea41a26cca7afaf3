"""The API blueprint: token check, problem+json errors, reading JSON bodies."""

from __future__ import annotations

import logging

from flask import Blueprint, abort, g, json, request
from werkzeug.exceptions import HTTPException

from app.errors import ServiceError, ValidationFailed
from app.services import idempotency
from app.services.staff import tokens

from .auth import authenticate_request
from .problems import problem

log = logging.getLogger("tsunagi.api")
bp = Blueprint("api", __name__, url_prefix="/api/v1")
PUBLIC_ENDPOINTS = {"api.openapi"}
NUL_MESSAGE = "NUL文字（\\u0000）は使えません"


class BadJson(Exception):
    pass


def json_body(allowed: set[str] | None = None) -> dict:
    """The request body as a JSON object ({} when empty); malformed JSON is a 400 problem.

    With ``allowed``, members outside it are refused (422 naming them), never silently dropped.
    """
    body = _parsed_body()
    unknown = sorted(set(body) - allowed) if allowed is not None else []
    if unknown:
        raise ValidationFailed({name: [f"この項目は定義されていません: {name}"] for name in unknown})
    return body


def text_member(body: dict, name: str, required: bool = True) -> str | None:
    """A string member of the body: missing (when optional) is None; anything but a string is a 422."""
    value = body.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise ValidationFailed({name: [f"{name} を文字列で指定してください"]})
    return value


def _parsed_body() -> dict:
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise BadJson("リクエスト本文が正しいJSONではありません") from exc
    if not isinstance(body, dict):
        raise BadJson("リクエスト本文はJSONオブジェクトにしてください")
    if _holds_nul(body):
        raise BadJson(NUL_MESSAGE)
    return body


def _holds_nul(value) -> bool:
    # PostgreSQL text cannot store NUL; refuse it at the door instead of failing in the database.
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_nul(item) for item in value)
    return False


def data_of(body: dict) -> dict:
    """The `data` member; anything but an object is a field error."""
    data = body.get("data", {})
    if not isinstance(data, dict):
        raise ValidationFailed({"data": ["data はオブジェクトで指定してください"]})
    return data


@bp.url_value_preprocessor
def refuse_impossible_ids(endpoint, values):
    # Ids beyond a 32-bit key cannot exist; PostgreSQL would refuse to even compare them.
    if any(isinstance(v, int) and v > 2_147_483_647 for v in (values or {}).values()):
        abort(404)


@bp.before_request
def require_token():
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if not authenticate_request():
        return problem(401, "有効なAPIトークンが必要です（期限切れ・失効したトークンは使えません）")
    if any(_holds_nul(key) or _holds_nul(value) for key, value in request.args.items(multi=True)):
        return problem(400, NUL_MESSAGE)
    return None


@bp.after_request
def record_token_use(response):
    response.headers["Cache-Control"] = "no-store"  # answers carry personal data: never cache them
    token_id = g.get("api_token_id")
    if token_id is not None:
        # Bookkeeping after the step: its failure (a dropped connection, a lock that does not come) must
        # never turn a committed step into an error answer.  record_use logs what it could not write.
        tokens.record_use(token_id, g.api_user.id, request.method, request.path, response.status_code)
    return response


def idempotent(payload, status: int, step, respond):
    """Answer a step once per Idempotency-Key (see app/services/idempotency.py).

    `step(before_commit)` runs the service, which calls before_commit(result) inside its transaction;
    `respond(result)` is the answer's body.  A replay says so in the Idempotent-Replayed header.
    """
    answer = idempotency.run_once(g.api_user, request.headers.get(idempotency.HEADER),
                                  f"{request.method} {request.path}", payload, status, step, respond)
    return answer.body, answer.status, ({"Idempotent-Replayed": "true"} if answer.replayed else {})


@bp.errorhandler(BadJson)
def bad_json(exc: BadJson):
    return problem(400, str(exc))


@bp.errorhandler(ServiceError)
def service_error(exc: ServiceError):
    extra = {"errors": exc.errors} if isinstance(exc, ValidationFailed) else {}
    if getattr(exc, "element_id", None):
        extra["element_id"] = exc.element_id
    return problem(exc.status, exc.message, **extra)


@bp.errorhandler(HTTPException)
def http_error(exc: HTTPException):
    return problem(exc.code or 500, exc.description or exc.name)


def api_error_for_unrouted(exc: HTTPException):
    """Unknown paths and methods under /api/ answer in problem+json too (used by the app handlers)."""
    return problem(exc.code or 404, "このAPIはありません" if exc.code == 404 else exc.description)
