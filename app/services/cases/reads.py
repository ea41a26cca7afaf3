"""The read audit: every view of a case writes ``case_viewed`` (who, when, what, on which basis)."""

from __future__ import annotations

from app import audit_chain as audit
from app.access.privacy import access_basis
from app.extensions import db
from app.models import Case, User


def record_case_view(user: User, case: Case, what: str, basis: str | None = None, **details) -> None:
    """Audit that ``user`` looked at ``case`` through ``what`` (a door); commits the event.

    The basis is the ground the access rules found (own case, supervisor, cover, auditor …).
    """
    basis = basis or access_basis(user, case)
    # Never waits behind a running step (see `record_case_read`).
    audit.record_case_read(case.id, "case_viewed", user.id, what=what, basis=basis,
                           **{key: value for key, value in details.items() if value is not None})
    db.session.commit()
