"""A case's audit events for whoever may read its history."""

from __future__ import annotations

from app import access
from app.errors import NotFound
from app.extensions import db
from app.models import AuditEvent, Case, User


def case_events(case_id: int, user: User) -> list[AuditEvent]:
    """Oldest first; 404 when the case is not the user's to see."""
    case = db.session.get(Case, case_id)
    if case is None or not access.can_read_history(user, case):
        raise NotFound("相談ケースが見つかりません")
    return db.session.query(AuditEvent).filter_by(case_id=case.id).order_by(AuditEvent.id).all()
