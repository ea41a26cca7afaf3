"""支援決定 of the meeting, as the programmes complete them, and the decisions as the API lists them.

Each decision references the approved plan version, carries its eligibility basis (standard /
deemed / not_required), its term and period, and gets its 支援決定通知書.
"""

from __future__ import annotations

from datetime import date

from app.clock import iso_datetime, today
from app.extensions import db
from app.models import Case, SupportDecision

from . import eligibility, notices, shelter, work_readiness


def confirm_decisions(step, plan, meeting, decisions: list[SupportDecision]) -> None:
    _supersede(step, plan, meeting)
    for decision in decisions:
        record = eligibility.for_decision(step, decision.service)
        decision.eligibility_id = record.id
        decision.eligibility_basis = record.basis
        decision.status = "decided"
        if decision.service == work_readiness.SERVICE:
            work_readiness.first_term(decision)
        elif decision.service == "temporary_shelter":
            shelter.confirm_by_decision(decision, step.case)
        db.session.flush()
        step.record("support_decided", decision_id=decision.id, service=decision.service, term=decision.term,
                    plan_version=plan.number, basis=decision.eligibility_basis, meeting_id=meeting.id)
        notices.decision_notice(step, decision)


def _supersede(step, plan, meeting) -> None:
    """A newly approved plan replaces the decisions of the earlier ones (a re-plan): they end at the meeting."""
    earlier = (db.session.query(SupportDecision)
               .filter(SupportDecision.case_id == step.case.id, SupportDecision.plan_version_id != plan.id,
                       SupportDecision.status.not_in(("ended", "refused"))).all())
    for decision in earlier:
        decision.status = "ended"
        decision.ended_on = min(decision.period_to, meeting.held_on)
        step.record("support_decision_superseded", decision_id=decision.id, by_plan_version=plan.number)


def after_meeting(step) -> None:
    if work_readiness.current_term(step.case) is not None:
        work_readiness.open_review(step)


def status_on(decision: SupportDecision, day: date) -> str:
    """decided (not begun), in_progress, ended or refused, as of ``day``."""
    if decision.status in ("ended", "refused"):
        return decision.status
    if day < decision.period_from:
        return "decided"
    return "in_progress" if day <= decision.period_to else "ended"


def decisions_of(case: Case) -> list[SupportDecision]:
    return db.session.query(SupportDecision).filter_by(case_id=case.id).order_by(SupportDecision.id).all()


def decision_json(decision: SupportDecision) -> dict:
    record = decision.eligibility
    return {
        "decision_id": decision.id, "service": decision.service, "status": status_on(decision, today()),
        "plan_version": decision.plan_version.number, "term": decision.term,
        "from": decision.period_from.isoformat(), "to": decision.period_to.isoformat(),
        "decided_on": decision.decided_on.isoformat(),
        "eligibility": {
            "basis": decision.eligibility_basis or (record.basis if record else None),
            "reason": record.reason if record else None,
            "approved_by": record.approved_by.username if record and record.approved_by else None,
            "approved_at": iso_datetime(record.approved_at) if record else None,
            "figures": dict(record.figures or {}) if record else {},
        },
        "exception": ({"reason": decision.exception_reason} if decision.exception_reason else None),
        "notice_id": decision.notice_id,
    }


def services_json(case: Case, shows_income: bool) -> list[dict]:
    """``GET /cases/{id}/services``; the test's figures only for viewers who may see income."""
    rows = []
    for decision in decisions_of(case):
        row = decision_json(decision)
        if not shows_income:
            row["eligibility"]["figures"] = {}
        rows.append(row)
    return rows
