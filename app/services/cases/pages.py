"""What the case page shows, gathered in one place (read-only queries)."""

from __future__ import annotations

from app.clock import today
from app.extensions import db
from app.models import (
    AuditEvent,
    Case,
    Closure,
    CoordinationMeeting,
    FormSubmission,
    HumanTask,
    PlanVersion,
    ProgressNote,
    ServiceRecord,
    ShelterStay,
    SupportDecision,
    TimerIncident,
)


def case_page(case: Case) -> dict:
    q = db.session.query
    return {
        "open_tasks": q(HumanTask).filter_by(case_id=case.id, status="open").order_by(HumanTask.id).all(),
        "plans": q(PlanVersion).filter_by(case_id=case.id).order_by(PlanVersion.number).all(),
        "meetings": q(CoordinationMeeting).filter_by(case_id=case.id).order_by(CoordinationMeeting.id).all(),
        "decisions": q(SupportDecision).filter_by(case_id=case.id).order_by(SupportDecision.id).all(),
        "shelter_stays": q(ShelterStay).filter_by(case_id=case.id).order_by(ShelterStay.id).all(),
        "service_records": q(ServiceRecord).filter_by(case_id=case.id).order_by(ServiceRecord.id).all(),
        "progress_notes": q(ProgressNote).filter_by(case_id=case.id).order_by(ProgressNote.id).all(),
        "submissions": q(FormSubmission).filter_by(case_id=case.id).order_by(FormSubmission.id).all(),
        "closure": q(Closure).filter_by(case_id=case.id).first(),
        "events": q(AuditEvent).filter_by(case_id=case.id).order_by(AuditEvent.id).all(),
        # overdue badges and timers that need an operator
        "today": today(),
        "timer_incidents": q(TimerIncident).filter_by(case_id=case.id, status="open").all(),
    }
