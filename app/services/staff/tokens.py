"""API tokens: shown once, stored as a SHA-256 hash, expiring, revocable, every use audited."""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from app import audit_chain as audit
from app.clock import now
from app.errors import NotFound, ValidationFailed
from app.extensions import db
from app.models import ApiToken, User

TOKEN_PREFIX = "tsg_"
# How long recording a token's use may wait for the token's row lock (PostgreSQL): only another call
# with the same token can hold it.
TOKEN_USE_LOCK_TIMEOUT_MS = 2000
log = logging.getLogger("tsunagi.api")


def _hash(raw: str) -> str:
    # Tokens carry 256 random bits, so a fast hash is enough (no password stretching needed).
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _user(username: str) -> User:
    user = db.session.query(User).filter_by(username=username).first()
    if user is None:
        raise NotFound(f"ユーザー {username} は存在しません")
    return user


def issue_token(username: str, ttl_days: int | None = None) -> tuple[str, ApiToken]:
    """A new token for the user; the raw token is returned once and never stored."""
    days = int(ttl_days if ttl_days is not None else current_app.config.get("TOKEN_TTL_DAYS", 90))
    longest = int(current_app.config.get("TOKEN_MAX_DAYS", 365))
    if not 1 <= days <= longest:
        problem = f"有効日数は1日から{longest}日までで指定してください"
        raise ValidationFailed({"days": [problem]}, problem)
    user = _user(username)
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, token_hash=_hash(raw), prefix=raw[:12], created_at=now(),
                     expires_at=now() + timedelta(days=days))
    db.session.add(token)
    db.session.flush()
    audit.record("api_token_issued", None, user.id, token_id=token.id, prefix=token.prefix,
                 expires_at=token.expires_at.isoformat())
    db.session.commit()
    return raw, token


def revoke_tokens(username: str) -> int:
    """Revoke every live token of the user; returns how many."""
    user = _user(username)
    live = db.session.query(ApiToken).filter_by(user_id=user.id, revoked_at=None).all()
    for token in live:
        token.revoked_at = now()
    audit.record("api_tokens_revoked", None, user.id, token_ids=[t.id for t in live])
    db.session.commit()
    return len(live)


def _aware(value: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything is stored in UTC.
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def authenticate(raw: str) -> ApiToken | None:
    """The live token for this raw value, or None (unknown, revoked, expired, inactive user)."""
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    token = db.session.query(ApiToken).filter_by(token_hash=_hash(raw)).first()
    if token is None or token.revoked_at is not None or _aware(token.expires_at) <= now():
        return None
    if not token.user.active:
        return None
    return token


def record_use(token_id: int, user_id: int, method: str, path: str, status: int) -> None:
    """Each API call is attributable: who, which token, what, and how it ended.

    Written after the call's own step has committed, so best effort: a failure here (a dropped
    connection, the token's lock not coming in time) is logged with everything the event would
    have held, and never turns the call's answer into an error.  The event goes to the token's own
    chain under the token's row lock: calls with different tokens never wait for each other, and
    the wait behind one's own earlier call is bounded.
    """
    try:
        if db.session.get_bind().dialect.name == "postgresql":
            db.session.execute(sa.text(f"SET LOCAL lock_timeout = '{TOKEN_USE_LOCK_TIMEOUT_MS}ms'"))
        audit.record_token_use(token_id, user_id, method=method, path=path, status=status)
        token = db.session.get(ApiToken, token_id)
        if token is not None:
            token.last_used_at = now()
        db.session.commit()
    except Exception:
        log.warning("api_token_used not recorded: token %s, user %s, %s %s -> %s", token_id, user_id, method, path,
                    status, exc_info=True)
        try:
            db.session.rollback()
        except Exception:  # the connection is gone; the pool replaces it on the next checkout
            log.warning("rollback after a failed api_token_used failed", exc_info=True)
