"""個別支援調整会議 (coordination meeting): approves the plan under review (支援決定, one support decision
per statutory service), asks for a revision, or closes the episode; after the evaluation it decides
closure (with the reason) or continuation (a new plan version)."""

from __future__ import annotations

from datetime import date, timedelta

from flask import current_app

from app.clock import now
from app.engine import UserTaskInfo
from app.errors import ValidationFailed
from app.extensions import db
from app.models import CoordinationMeeting, PlanVersion, StaffTask, SupportDecision

from . import programs
from .closure import mark_public_assistance
from .kinds import HandlerResult, StepKind
from .plan import plan_under_review

# The meeting after the evaluation (processes/case_lifecycle.bpmn): its decision ends or continues the case.
CLOSURE_MEETING = "closure_meeting"


def _d(value) -> date | None:
    return date.fromisoformat(value) if value else None


def record_meeting(step, task, submission, data: dict) -> HandlerResult:
    if task is not None and task.bpmn_id == CLOSURE_MEETING:
        return record_closure_meeting(step, task, submission, data)
    case = step.case
    plan = plan_under_review(case)
    if plan is None:
        raise ValidationFailed({"decision": ["審議するプラン案がありません"]})
    if data.get("person_absent"):
        raise ValidationFailed({"person_absent": ["プランの検討には本人の出席が必要です"]})
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
        purpose="plan",
        closure_reason=data.get("closure_reason") if decision == "close" else None,
    )
    db.session.add(meeting)
    db.session.flush()
    plan.status = {"approve": "approved", "revise": "revised", "close": "closed"}[decision]
    plan.frozen_at = now()
    if decision == "approve":
        roles = current_app.config["DELIVERY_ROLES"]
        decisions = []
        for service in plan.statutory_services:
            decisions.append(
                SupportDecision(
                    case_id=case.id,
                    plan_version_id=plan.id,
                    meeting_id=meeting.id,
                    service=service,
                    delivering_role=roles.get(service, "provider"),
                    decided_on=meeting.held_on,
                    period_from=plan.plan_from,
                    period_to=plan.plan_to,
                    decided_by_id=step.actor_id,
                )
            )
        db.session.add_all(decisions)
        db.session.flush()
        programs.services_decided(step, plan, meeting, decisions)  # eligibility, terms, notices
    # The evaluation falls due the morning after the plan period ends (Japan time).
    plan_end_at = f"{(plan.plan_to + timedelta(days=1)).isoformat()}T09:00:00+09:00"
    return HandlerResult(workflow_data={"statutory_services": list(plan.statutory_services),
                                        "plan_to": plan.plan_to.isoformat(), "plan_end_at": plan_end_at,
                                        "meeting_purpose": "plan"})


def record_closure_meeting(step, task, submission, data: dict) -> HandlerResult:
    """After the evaluation: close with the reason (and an optional follow-up), or continue to a new plan."""
    case = step.case
    decision = data["decision"]
    if decision not in ("close", "continue"):
        raise ValidationFailed({"decision": ["評価後の会議では「終結」または「継続」を選んでください"]})
    plan = (db.session.query(PlanVersion).filter_by(case_id=case.id)
            .order_by(PlanVersion.number.desc()).first())
    if plan is None:
        raise ValidationFailed({"decision": ["評価したプランがありません"]})
    if data.get("person_absent") and not (data.get("person_absence_reason") or "").strip():
        raise ValidationFailed({"person_absence_reason": ["本人欠席の理由を入力してください（連絡途絶など）"]})
    closing = decision == "close"
    reason = data.get("closure_reason") if closing else None
    meeting = CoordinationMeeting(
        case_id=case.id, plan_version_id=plan.id, held_on=_d(data["held_on"]),
        attendees=list(data["attendees"]), decision=decision, submission_id=submission.id,
        purpose="closure", closure_reason=reason,
        person_absence_reason=data.get("person_absence_reason") if data.get("person_absent") else None,
    )
    db.session.add(meeting)
    db.session.flush()
    step.record("closure_meeting_decided", meeting_id=meeting.id, decision=decision, closure_reason=reason,
                person_present="person" in meeting.attendees)
    if closing:
        mark_public_assistance(case, reason)
        if data.get("follow_up_on"):
            schedule_follow_up(step, _d(data["follow_up_on"]))
    return HandlerResult(workflow_data={"meeting_purpose": "closure"}, closure_reason=reason)


def schedule_follow_up(step, due_on: date) -> StaffTask:
    """A フォローアップ contact after closure: a task for the case's worker; the episode stays closed."""
    case = step.case
    follow_up = StaffTask(ward=case.ward, kind="follow_up", case_id=case.id, title="終結後のフォローアップ連絡",
                          due_on=due_on, assignee_id=case.assigned_to_id or step.actor_id,
                          created_by_id=step.actor_id)
    db.session.add(follow_up)
    db.session.flush()
    step.record("follow_up_scheduled", staff_task_id=follow_up.id, due_on=due_on.isoformat(),
                assignee_id=follow_up.assignee_id)
    return follow_up


def prefill_meeting(info: UserTaskInfo) -> dict:
    """The meeting after the evaluation starts from what the evaluation proposed."""
    if info.bpmn_id != CLOSURE_MEETING:
        return {}
    data = info.data or {}
    proposal = {"decision": "close" if data.get("outcome") == "close" else "continue"}
    if data.get("outcome") == "close" and data.get("closure_reason"):
        proposal["closure_reason"] = data["closure_reason"]
    if data.get("goals_result") == "not_assessable":  # lost contact: the person cannot attend
        proposal["person_absent"] = True
        proposal["person_absence_reason"] = "連絡途絶"
    return proposal


def confirm_meeting(data: dict) -> str | None:
    return {"approve": "支援決定", "close": "終結"}.get(data.get("decision"))


def prefill_review(info) -> dict:
    """The meeting starts from the plan version it reviews (just drafted), or, after the evaluation,
    from what the evaluation proposed."""
    number = info.data.get("plan_version")
    reviewed = {"plan_version_reviewed": number} if isinstance(number, int) else {}
    return {**reviewed, **prefill_meeting(info)}


KINDS = (StepKind("coordination_meeting", handle=record_meeting, confirm=confirm_meeting, prefill=prefill_review,
                  after=programs.after_meeting,
                  variables=("statutory_services", "plan_to", "plan_end_at", "meeting_purpose")),)
