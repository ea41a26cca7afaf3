"""代理 (cover): whose cases and tasks a user may handle today on someone else's behalf."""

from __future__ import annotations

from datetime import date

from flask import g, has_request_context

from app.clock import today
from app.extensions import db
from app.models import CoverAssignment, User


def _today() -> date:
    return today()


def covered_user_ids(user: User, day: date | None = None) -> set[int]:
    """Ids of the users this user is covering for on ``day`` (today by default)."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "id", None) is None:
        return set()
    day = day or _today()
    # A page of fifty cases asks once per case and again per masking decision: within one
    # request the answer is read once.
    memo = g.setdefault("_tsunagi_covered", {}) if has_request_context() else None
    if memo is not None and (user.id, day) in memo:
        return set(memo[(user.id, day)])
    rows = (
        db.session.query(CoverAssignment.absent_user_id)
        .filter(
            CoverAssignment.cover_user_id == user.id,
            CoverAssignment.revoked_at.is_(None),
            CoverAssignment.starts_on <= day,
            CoverAssignment.ends_on >= day,
        )
        .all()
    )
    found = {row[0] for row in rows}
    if memo is not None:
        memo[(user.id, day)] = frozenset(found)
    return found
