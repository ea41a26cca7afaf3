"""What the case page shows, gathered in one place (read-only queries)."""

from __future__ import annotations

from sqlalchemy.orm import joinedload

from app.clock import today
from app.extensions import db
from app.models import (
    Case,
    CoordinationMeeting,
    FormSubmission,
    HumanTask,
    PlanVersion,
    ShelterStay,
    SupportDecision,
    TimerIncident,
    User,
)
from app.services.cases.opening import get_case_for


def case_for_page(user: User, case_id: int) -> Case:
    """`get_case_for`, the case read with what its page shows of it (person, caseworker, process
    version) in one query."""
    return get_case_for(user, case_id, options=(joinedload(Case.person), joinedload(Case.assigned_to),
                                                joinedload(Case.process_version)))


def case_page(case: Case) -> dict:
    """The sections the page shows, one query each (the audit trail, notes and service records have
    pages of their own and are not read here)."""
    q = db.session.query
    return {
        "open_tasks": q(HumanTask).options(joinedload(HumanTask.assignee))
        .filter_by(case_id=case.id, status="open").order_by(HumanTask.id).all(),
        "plans": q(PlanVersion).filter_by(case_id=case.id).order_by(PlanVersion.number).all(),
        "meetings": q(CoordinationMeeting).filter_by(case_id=case.id).order_by(CoordinationMeeting.id).all(),
        "decisions": q(SupportDecision).filter_by(case_id=case.id).order_by(SupportDecision.id).all(),
        "shelter_stays": q(ShelterStay).filter_by(case_id=case.id).order_by(ShelterStay.id).all(),
        "submissions": q(FormSubmission).filter_by(case_id=case.id).order_by(FormSubmission.id).all(),
        # overdue badges and timers that need an operator
        "today": today(),
        "timer_incidents": q(TimerIncident).filter_by(case_id=case.id, status="open").all(),
    }


# The stages a caseworker follows a case through, and the case states each stands for.
STAGES = (
    ("intake", "受付", ("identified", "intake")),
    ("assessment", "アセスメント", ("assessment",)),
    ("plan", "プラン", ("plan_draft",)),
    ("meeting", "会議", ("meeting",)),
    ("support", "支援", ("decided", "in_support", "suspended")),
    ("evaluation", "評価", ("evaluation",)),
    ("closed", "終結", ("closed",)),
)


def progress(case: Case) -> dict:
    """Where the case stands on 受付 → … → 終結: each stage done, current or to come, and a side
    note for a hand-off to public assistance or a suspension."""
    state = case.state
    handoff = state == "handoff_pa" or (state == "closed" and case.closure_reason == "public_assistance")
    position = next((i for i, (_key, _label, states) in enumerate(STAGES) if state in states), None)
    if state == "handoff_pa":
        position = len(STAGES) - 1  # the hand-off is the way this case ends
    stages = []
    for index, (key, label, _states) in enumerate(STAGES):
        status = "todo" if position is None or index > position else "done" if index < position else "current"
        if state == "closed" and key == "closed":
            status = "done"
        stages.append({"key": key, "label": label, "status": status})
    note = None
    if handoff:
        note = "生活保護へつないでいます" if state == "handoff_pa" else "生活保護へつないで終結しました"
    elif state == "suspended":
        note = "連絡がとれないため支援を中断しています"
    return {"stages": stages, "note": note}


def person_age(case: Case) -> int | None:
    birth = case.person.birth_date if case.person else None
    if birth is None:
        return None
    day = today()
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
