"""Turn a validated form submission into case records, one handler per form key.

A handler may refuse with ValidationFailed (field errors), returns extra workflow
variables, and names the closure reason if this step can end the case.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app

from app.extensions import db
from app.models import (
    Case,
    CoordinationMeeting,
    FormSubmission,
    HumanTask,
    Person,
    PlanVersion,
    ProgressNote,
    ServiceRecord,
    SupportDecision,
)

from . import consents, episodes, households
from .errors import ValidationFailed
from .no_response import (  # non-response ladder
    handle_contact_attempt,
    ladder_data_after_monitoring,
    refuse_lost_contact_without_supervisor,
)
from .runtime import now


@dataclass
class HandlerResult:
    workflow_data: dict = field(default_factory=dict)
    closure_reason: str | None = None


def _d(value) -> date | None:
    return date.fromisoformat(value) if value else None


def handle_intake(case: Case, task: HumanTask | None, sub: FormSubmission, data: dict) -> HandlerResult:
    existing = episodes.resolve_person(case, data, sub.actor_id)  # probable duplicates, 再相談
    if existing is not None:
        episodes.link_person(case, existing, sub.actor_id)
    person = case.person
    if person is None:
        person = Person(name=data["person_name"], kana=data["person_kana"])
        db.session.add(person)
        case.person = person
    person.name = data["person_name"]
    person.kana = data["person_kana"]
    person.birth_date = _d(data.get("birth_date"))
    person.address = data.get("address") or person.address
    person.phone = data.get("phone") or person.phone
    person.receiving_public_assistance = bool(data.get("receiving_public_assistance"))
    db.session.flush()
    case.route = data.get("route")
    scopes = list(data.get("consent_scopes") or [])
    if data.get("applied") or scopes:  # the 申込 consent as a record, given by the person only
        exclusions = [line.strip() for line in (data.get("consent_exclusions") or "").splitlines() if line.strip()]
        consents.record_consent(
            case, person.id, kind="intake", given_by=data.get("consent_given_by") or "person",
            given_on=_d(data.get("applied_on")) or _d(data["received_on"]),
            form=data.get("consent_form") or "相談受付・申込票", scopes=scopes,
            tax_with=list(data.get("tax_sharing_with") or []), exclusions=exclusions, actor_id=sub.actor_id)
    households.after_intake(case, person.id, sub.actor_id)
    reason = {"info_only": "info_only", "refer_other": "referred_out"}.get(data["screening_result"])
    return HandlerResult(closure_reason=reason)


def handle_plan(case: Case, task: HumanTask | None, sub: FormSubmission, data: dict) -> HandlerResult:
    episodes.refuse_plan_on_public_assistance(case)  # 生活保護受給中
    number = (db.session.query(db.func.max(PlanVersion.number)).filter_by(case_id=case.id).scalar() or 0) + 1
    db.session.add(
        PlanVersion(
            case_id=case.id,
            number=number,
            overall_goal=data["overall_goal"],
            statutory_services=list(data.get("statutory_services") or []),
            employment_support_target=bool(data.get("employment_support_target")),
            plan_from=_d(data["plan_from"]),
            plan_to=_d(data["plan_to"]),
            next_monitoring_on=_d(data.get("next_monitoring_on")),
            signed_by_person=bool(data.get("signed_by_person")),
            submission_id=sub.id,
        )
    )
    return HandlerResult(workflow_data={"plan_version": number})


def plan_under_review(case: Case) -> PlanVersion | None:
    return (
        db.session.query(PlanVersion)
        .filter_by(case_id=case.id, status="draft")
        .order_by(PlanVersion.number.desc())
        .first()
    )


def handle_meeting(case: Case, task: HumanTask | None, sub: FormSubmission, data: dict) -> HandlerResult:
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
        submission_id=sub.id,
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


_CURRENT_DECISION = (  # built once (its cache key is kept): every service record asks it
    sa.select(SupportDecision)
    .where(SupportDecision.case_id == sa.bindparam("case_id"), SupportDecision.service == sa.bindparam("service"))
    .order_by(SupportDecision.id.desc()).limit(1)
)


def _current_decision(case: Case, service: str) -> SupportDecision | None:
    return db.session.execute(_CURRENT_DECISION, {"case_id": case.id, "service": service}).scalars().first()


def handle_service_record(case: Case, task: HumanTask | None, sub: FormSubmission, data: dict) -> HandlerResult:
    if task is not None and task.instance_item and data["service"] != task.instance_item:
        raise ValidationFailed({"service": ["このタスクの対象サービスと一致しません"]})
    decision = _current_decision(case, data["service"])
    db.session.add(
        ServiceRecord(
            case_id=case.id,
            decision_id=decision.id if decision else None,
            service=data["service"],
            started_on=_d(data["started_on"]),
            status=data["status"],
            ended_on=_d(data.get("ended_on")),
            outcome=data.get("outcome"),
            submission_id=sub.id,
        )
    )
    return HandlerResult()


def delivery_finished(case: Case) -> bool:
    """Every service of the approved plan has ended (a plan without services never finishes early)."""
    statuses = db.session.execute(_LAST_STATUS_PER_DECISION, {"case_id": case.id}).scalars().all()
    return bool(statuses) and all(status not in (None, "ongoing") for status in statuses)


def _last_status_per_decision():
    """One query: the latest record's status for each decision of the case's latest approved plan."""
    case_id = sa.bindparam("case_id")
    approved_plan = (
        sa.select(PlanVersion.id).where(PlanVersion.case_id == case_id, PlanVersion.status == "approved")
        .order_by(PlanVersion.number.desc()).limit(1).scalar_subquery()
    )
    last_status = (
        sa.select(ServiceRecord.status)
        .where(ServiceRecord.case_id == case_id, ServiceRecord.decision_id == SupportDecision.id)
        .order_by(ServiceRecord.id.desc()).limit(1).correlate(SupportDecision).scalar_subquery()
    )
    return sa.select(last_status).select_from(SupportDecision).where(SupportDecision.plan_version_id == approved_plan)


_LAST_STATUS_PER_DECISION = _last_status_per_decision()  # built once (its cache key is kept)


def handle_monitoring(case: Case, task: HumanTask | None, sub: FormSubmission, data: dict) -> HandlerResult:
    db.session.flush()
    return HandlerResult(workflow_data={"delivery_finished": delivery_finished(case),
                                        **ladder_data_after_monitoring(case, data)})


def handle_evaluation(case: Case, task: HumanTask | None, sub: FormSubmission, data: dict) -> HandlerResult:
    refuse_lost_contact_without_supervisor(task, data)
    return HandlerResult(closure_reason=data.get("closure_reason") if data["outcome"] == "close" else None)


def _mark_public_assistance(case: Case, reason: str | None) -> None:
    """Closed to public assistance: the person is recorded as 生活保護受給中 (no Act-based plan)."""
    if reason == "public_assistance" and case.person is not None:
        case.person.receiving_public_assistance = True


def handle_pa_handoff(case: Case, task: HumanTask | None, sub: FormSubmission, data: dict) -> HandlerResult:
    reason = "public_assistance" if data.get("application_received") else None
    _mark_public_assistance(case, reason)
    return HandlerResult(closure_reason=reason)


def handle_closure(case: Case, task: HumanTask | None, sub: FormSubmission, data: dict) -> HandlerResult:
    _mark_public_assistance(case, data["closure_reason"])
    return HandlerResult(closure_reason=data["closure_reason"])


def handle_progress_note(case: Case, task: HumanTask | None, sub: FormSubmission, data: dict) -> HandlerResult:
    db.session.add(
        ProgressNote(
            case_id=case.id,
            recorded_on=_d(data["recorded_on"]),
            kind=data["kind"],
            content=data["content"],
            author_id=sub.actor_id,
            submission_id=sub.id,
        )
    )
    return HandlerResult()


def handle_nothing(case: Case, task: HumanTask | None, sub: FormSubmission, data: dict) -> HandlerResult:
    return HandlerResult()


HANDLERS = {
    "intake": handle_intake,
    "assessment": handle_nothing,
    "plan": handle_plan,
    "coordination_meeting": handle_meeting,
    "service_record": handle_service_record,
    "monitoring": handle_monitoring,
    "evaluation": handle_evaluation,
    "pa_handoff": handle_pa_handoff,
    "closure": handle_closure,
    "progress_note": handle_progress_note,
    "contact_attempt": handle_contact_attempt,
}


def handler_for(form_key: str):
    return HANDLERS.get(form_key, handle_nothing)
