"""支援計画（プラン）案 (plan draft): each draft is a new plan version for the meeting to decide."""

from __future__ import annotations

from datetime import date

from app.extensions import db
from app.models import PlanVersion

from .kinds import HandlerResult, StepKind
from .people import refuse_plan_on_public_assistance


def _d(value) -> date | None:
    return date.fromisoformat(value) if value else None


def record_plan(step, task, submission, data: dict) -> HandlerResult:
    case = step.case
    # The person and earlier plans are not written by this step: what it holds pending (its
    # submission, its task) need not be written before they are read.
    with db.session.no_autoflush:
        refuse_plan_on_public_assistance(case)  # 生活保護受給中
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
            submission_id=submission.id,
        )
    )
    return HandlerResult(workflow_data={"plan_version": number})


def plan_under_review(case) -> PlanVersion | None:
    return (
        db.session.query(PlanVersion)
        .filter_by(case_id=case.id, status="draft")
        .order_by(PlanVersion.number.desc())
        .first()
    )


KINDS = (StepKind("plan", handle=record_plan, variables=("plan_version",)),)
