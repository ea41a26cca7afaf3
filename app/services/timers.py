"""Firing due process timers (the scheduler issue builds on this one pass)."""

from __future__ import annotations

from app.extensions import db
from app.models import Case

from . import audit
from .projection import derive_state, sync_tasks
from .runtime import engine, now


def fire_due_timers() -> int:
    fired = 0
    due_ids = [
        case_id
        for (case_id,) in db.session.query(Case.id)
        .filter(Case.next_timer_at.isnot(None), Case.next_timer_at <= now(), Case.state != "closed")
        .all()
    ]
    for case_id in due_ids:
        case = db.session.query(Case).filter_by(id=case_id).with_for_update().one()
        workflow = engine().load(case.workflow_blob)
        outcome = workflow.fire_due_timers()
        case.workflow_blob = workflow.dump()
        case.next_timer_at = outcome.next_timer_at
        sync_tasks(case, outcome, None, None)
        case.state = derive_state(case, outcome)
        audit.record("timer_fired", case.id, None)
        db.session.commit()
        fired += 1
    return fired
