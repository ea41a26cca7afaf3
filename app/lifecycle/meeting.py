"""個別支援調整会議 (coordination meeting): approves the plan under review (支援決定, one support decision
per statutory service), asks for a revision, or closes the episode."""

from __future__ import annotations

from datetime import date, timedelta

from flask import current_app

from app.clock import now
from app.errors import ValidationFailed
from app.extensions import db
from app.models import CoordinationMeeting, SupportDecision

from .kinds import HandlerResult, StepKind
from .plan import plan_under_review


def _d(value) -> date | None:
    return date.fromisoformat(value) if value else None


def record_meeting(step, task, submission, data: dict) -> HandlerResult:
    case = step.case
    plan = plan_under_review(case)
    if plan is None:
        raise ValidationFailed({"decision": ["審議するプラン案がありません"]})
    decision = data["decision"]
    max_rounds = int(current_app.config["MAX_PLAN_ROUNDS"])
    if decision == "continue":
        raise ValidationFailed(
            {"decision": ["「継続」は評価時に選びます。プランには了承・修正依頼・終結のいずれかを選んでください"]}
        )
    if decision == "revise" and plan.number >= max_rounds:
        raise ValidationFailed(
            {"decision": [f"修正依頼の上限（{max_rounds - 1}回）に達しました。了承または終結を選んでください"]}
        )
    meeting = CoordinationMeeting(
        case_id=case.id,
        plan_version_id=plan.id,
        held_on=_d(data["held_on"]),
        attendees=list(data["attendees"]),
        decision=decision,
        requested_changes=data.get("requested_changes"),
        submission_id=submission.id,
    )
    db.session.add(meeting)
    db.session.flush()
    plan.status = {"approve": "approved", "revise": "revised", "close": "closed"}[decision]
    plan.frozen_at = now()
    if decision == "approve":
        roles = current_app.config["DELIVERY_ROLES"]
        for service in plan.statutory_services:
            db.session.add(
                SupportDecision(
                    case_id=case.id,
                    plan_version_id=plan.id,
                    meeting_id=meeting.id,
                    service=service,
                    delivering_role=roles.get(service, "provider"),
                    decided_on=meeting.held_on,
                    period_from=plan.plan_from,
                    period_to=plan.plan_to,
                )
            )
    # The evaluation falls due the morning after the plan period ends (Japan time).
    plan_end_at = f"{(plan.plan_to + timedelta(days=1)).isoformat()}T09:00:00+09:00"
    return HandlerResult(workflow_data={"statutory_services": list(plan.statutory_services),
                                        "plan_to": plan.plan_to.isoformat(), "plan_end_at": plan_end_at})


def confirm_meeting(data: dict) -> str | None:
    return {"approve": "支援決定", "close": "終結"}.get(data.get("decision"))


def prefill_meeting(info) -> dict:
    """The version the meeting reviews is the one just drafted."""
    number = info.data.get("plan_version")
    return {"plan_version_reviewed": number} if isinstance(number, int) else {}


KINDS = (StepKind("coordination_meeting", handle=record_meeting, confirm=confirm_meeting, prefill=prefill_meeting,
                  variables=("statutory_services", "plan_to", "plan_end_at")),)
