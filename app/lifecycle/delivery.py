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


# The decision a service record belongs to: the latest of the case for its service.  Built once
# (its cache key is kept); `task_item` is the service.
_CURRENT_DECISION_ID = (
    sa.select(SupportDecision.id)
    .where(SupportDecision.case_id == sa.bindparam("case_id"), SupportDecision.service == sa.bindparam("task_item"))
    .order_by(SupportDecision.id.desc()).limit(1)
)


def _current_decision_id(case, service: str) -> int | None:
    # Decisions are made by meetings, never by a service record's step: what this step holds
    # pending (its submission, its task) need not be written before this read.
    with db.session.no_autoflush:
        return db.session.execute(_CURRENT_DECISION_ID, {"case_id": case.id, "task_item": service}).scalar()


def record_service(step, task, submission, data: dict) -> HandlerResult:
    case = step.case
    if task is not None and task.instance_item and data["service"] != task.instance_item:
        right = label(STATUTORY_SERVICES, task.instance_item)
        raise ValidationFailed({"service": [f"このタスクは「{right}」の記録です。事業は「{right}」を選んでください"]})
    def look_up() -> int | None:
        return _current_decision_id(case, data["service"])

    # The lock read the decision of the task's own service (checked above to be the form's).
    decision_id = step.read_with_lock(task, look_up) if task is not None and task.instance_item else look_up()
    db.session.add(
        ServiceRecord(
            case_id=case.id,
            decision_id=decision_id,
            service=data["service"],
            started_on=_d(data["started_on"]),
            status=data["status"],
            ended_on=_d(data.get("ended_on")),
            outcome=data.get("outcome"),
            submission_id=submission.id,
        )
    )
    return HandlerResult()


def _delivery_finished():
    """Every service of the case's latest approved plan has ended, as one scalar: the latest
    record's status of each of the plan's decisions, none missing or ongoing (and a plan
    without services never finishes early)."""
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
    statuses = (sa.select(last_status.label("status")).select_from(SupportDecision)
                .where(SupportDecision.plan_version_id == approved_plan).subquery())
    ended = sa.case((sa.and_(statuses.c.status.is_not(None), statuses.c.status != "ongoing"), 1), else_=0)
    return sa.select(sa.and_(sa.func.count() > 0, sa.func.min(ended) == 1)).select_from(statuses)


DELIVERY_FINISHED = _delivery_finished()  # built once (its cache key is kept)


def delivery_finished(case) -> bool:
    """Every service of the approved plan has ended (a plan without services never finishes early)."""
    return bool(db.session.execute(DELIVERY_FINISHED, {"case_id": case.id}).scalar())


def prefill_service(info: UserTaskInfo) -> dict:
    return {"service": info.instance_item} if info.instance_item else {}


KINDS = (StepKind("service_record", handle=record_service, prefill=prefill_service, starts_delivery=True,
                  read_with_lock=_CURRENT_DECISION_ID.scalar_subquery()),)
