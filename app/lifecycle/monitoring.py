"""モニタリング (monitoring): due on the plan's next monitoring date; tells the diagram whether delivery
has finished, and a missed contact starts the non-response ladder."""

from __future__ import annotations

from datetime import date

from app.clock import today
from app.engine import UserTaskInfo
from app.extensions import db

from .deadlines import task_due_on
from .delivery import DELIVERY_FINISHED, delivery_finished
from .kinds import HandlerResult, StepKind
from .no_response import ladder_after_monitoring


def record_monitoring(step, task, submission, data: dict) -> HandlerResult:
    reason = None if data.get("contact_made") else "モニタリングで本人と連絡がとれず、連絡途絶への対応に移ったため"
    # Read with the case lock; else now.  A monitoring writes no service record or plan: what it
    # holds pending (its submission, its task) need not be written before delivery is read.
    with db.session.no_autoflush:
        finished = bool(step.read_with_lock(task, lambda: delivery_finished(step.case)))
    return HandlerResult(workflow_data={"delivery_finished": finished, **ladder_after_monitoring(step.case, data)},
                         cancel_reason=reason)


def monitoring_due_on(info: UserTaskInfo, ward: str | None) -> date | None:
    ruled = task_due_on(info.bpmn_id, info.form_key, info.data, ward)
    if ruled is not None:
        return ruled
    try:
        value = info.data.get("next_monitoring_on")
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def prefill_monitoring(info: UserTaskInfo) -> dict:
    """No prefilled answer to the contact question (it decides the non-response ladder), and no
    future date of contact: the planned date only when it has come."""
    planned = info.data.get("next_monitoring_on")
    try:
        day = date.fromisoformat(str(planned)[:10]) if planned else None
    except ValueError:
        day = None
    return {"contact_on": day.isoformat()} if day and day <= today() else {}


KINDS = (StepKind("monitoring", handle=record_monitoring, due_on=monitoring_due_on, prefill=prefill_monitoring,
                  variables=("delivery_finished", "no_response_ladder"), starts_delivery=True,
                  read_with_lock=DELIVERY_FINISHED.scalar_subquery()),)
