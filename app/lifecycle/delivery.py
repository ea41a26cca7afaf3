"""支援提供 (delivery): one service record per statutory service of the approved plan, by the role
that delivers it; delivery is finished when every service of the plan has ended."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from app.codes import STATUTORY_SERVICES, label
from app.engine import UserTaskInfo
from app.errors import ValidationFailed
from app.extensions import db
from app.models import PlanVersion, ServiceRecord, SupportDecision

from .kinds import HandlerResult, StepKind


def _d(value) -> date | None:
    return date.fromisoformat(value) if value else None


_CURRENT_DECISION = (  # built once (its cache key is kept): every service record asks it
    sa.select(SupportDecision)
    .where(SupportDecision.case_id == sa.bindparam("case_id"), SupportDecision.service == sa.bindparam("service"))
    .order_by(SupportDecision.id.desc()).limit(1)
)


def _current_decision(case, service: str) -> SupportDecision | None:
    # Decisions are made by meetings, never by a service record's step: what this step holds
    # pending (its submission, its task) need not be written before this read.
    with db.session.no_autoflush:
        return db.session.execute(_CURRENT_DECISION, {"case_id": case.id, "service": service}).scalars().first()


def record_service(step, task, submission, data: dict) -> HandlerResult:
    case = step.case
    if task is not None and task.instance_item and data["service"] != task.instance_item:
        right = label(STATUTORY_SERVICES, task.instance_item)
        raise ValidationFailed({"service": [f"このタスクは「{right}」の記録です。事業は「{right}」を選んでください"]})
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
            submission_id=submission.id,
        )
    )
    return HandlerResult()


def delivery_finished(case) -> bool:
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


def prefill_service(info: UserTaskInfo) -> dict:
    return {"service": info.instance_item} if info.instance_item else {}


KINDS = (StepKind("service_record", handle=record_service, prefill=prefill_service, starts_delivery=True),)
