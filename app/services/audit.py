from __future__ import annotations

from app.extensions import db
from app.models import AuditEvent

from .runtime import now


def record(event_type: str, case_id: int | None, actor_id: int | None, **data) -> AuditEvent:
    """Add an audit event to the current transaction (committed with the change it records)."""
    event = AuditEvent(event_type=event_type, case_id=case_id, actor_id=actor_id, at=now(), data=data)
    db.session.add(event)
    return event
