"""Who may read a case's audit trail (timeline, forms as submitted, replay, exports).

Auditors (監査担当) only: a city-bureau auditor without a ward reads every ward, a ward
auditor their own ward.  Auditors are read-only: any request of theirs that could change
something is refused (403) and the refusal itself is audited.
"""

from __future__ import annotations

from sqlalchemy import false

from app.models import Case, User

READ_ONLY_ROLES = {"auditor"}
# Requests that change nothing about cases even when POSTed (session and display only).
READ_ONLY_SAFE_ENDPOINTS = {"auth.login", "auth.logout", "auth.set_locale", "static"}
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def can_read_audit_trail(user: User, case: Case) -> bool:
    return _signed_in(user) and user.has_role("auditor") and user.ward in (None, case.ward)


def audit_trail_case_filter(user: User, query):
    """Restrict a Case query to the cases whose audit trail the user may read."""
    if not _signed_in(user) or not user.has_role("auditor"):
        return query.filter(false())
    return query if user.ward is None else query.filter(Case.ward == user.ward)


def is_read_only(user: User) -> bool:
    """Holders of read-only roles only (a user who is also ward staff acts as staff)."""
    return _signed_in(user) and bool(user.roles) and user.roles <= READ_ONLY_ROLES


def refuses_change(user: User, method: str, endpoint: str | None) -> bool:
    """True when a read-only user sends a request that could change something."""
    return is_read_only(user) and method.upper() not in SAFE_METHODS and endpoint not in READ_ONLY_SAFE_ENDPOINTS
