"""Keeps the human_task rows and the case state in step with the workflow."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app

from app.engine import StepOutcome, UserTaskInfo
from app.extensions import db
from app.models import Case, CoordinationMeeting, FormSubmission, HumanTask

from . import audit
from .deadlines import task_due_on

# When several tasks are open at once, the case is in the first of these states.
STATE_PRIORITY = ["handoff_pa", "evaluation", "meeting", "plan_draft", "assessment", "intake", "suspended",
                  "in_support"]


# Submissions that start delivery (支援提供) after a plan was approved.
DELIVERY_FORMS = ("service_record", "monitoring")


def _iso_date(value) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def due_on(info: UserTaskInfo, ward: str | None = None) -> date | None:
    ruled = task_due_on(info.bpmn_id, info.form_key, info.data, ward)  # deadline rules, calendar
    if ruled is not None:
        return ruled
    if info.form_key == "monitoring":
        return _iso_date(info.data.get("next_monitoring_on"))
    if info.form_key == "assessment":
        received = _iso_date(info.data.get("received_on"))
        return received + timedelta(days=current_app.config["ASSESSMENT_DUE_DAYS"]) if received else None
    return None


def prefill(info: UserTaskInfo) -> dict:
    if info.form_key == "service_record" and info.instance_item:
        return {"service": info.instance_item}
    if info.form_key == "monitoring":
        return {"contact_on": info.data.get("next_monitoring_on")} if info.data.get("next_monitoring_on") else {}
    if info.bpmn_id == "evaluation_no_response":  # after 90 days without contact
        return {"goals_result": "not_assessable"}
    return {}


_OPEN_TASKS_AND_CHAIN_HEAD = (  # built once (its cache key is kept): every step and timer asks it
    sa.select(HumanTask, *audit.head_columns())
    .where(HumanTask.case_id == sa.bindparam("case_id"), HumanTask.status == "open")
    .execution_options(populate_existing=True)
)


def open_tasks_under_lock(case_id: int) -> list[HumanTask]:
    """The case's open task rows, read fresh; the caller holds the case row lock.  The head of the
    case's audit chain rides along (the step's events need it, and the lock keeps it still)."""
    rows = db.session.execute(_OPEN_TASKS_AND_CHAIN_HEAD, {"case_id": case_id, **audit.head_params(case_id)}).all()
    if rows:
        audit.remember_head(case_id, rows[0][1], rows[0][2])
    return [row[0] for row in rows]


def sync_tasks(case: Case, outcome: StepOutcome, completed_task_id: str | None, actor_id: int | None,
               known_open: list[HumanTask] | None = None):
    """Insert newly ready tasks, cancel tasks the process withdrew.

    `known_open` are the case's open task rows if the caller already read them under the case lock.
    """
    if known_open is None:
        known_open = db.session.query(HumanTask).filter_by(case_id=case.id, status="open").all()
    open_rows = {row.engine_task_id: row for row in known_open if row.status == "open"}
    ready = {info.task_id: info for info in outcome.ready_tasks if info.form_key}
    for task_id, row in open_rows.items():
        if task_id not in ready and task_id != completed_task_id:
            row.status = "cancelled"
            audit.record("task_cancelled", case.id, actor_id, task_id=row.id, bpmn_id=row.bpmn_id)
    for task_id, info in ready.items():
        if task_id in open_rows:
            continue
        roles = (info.role or "caseworker").split()
        row = HumanTask(
            case_id=case.id,
            engine_task_id=task_id,
            bpmn_id=info.bpmn_id,
            name=info.name,
            form_key=info.form_key,
            role=" ".join(roles),
            ward=case.ward,
            case_state=info.case_state,
            instance_item=info.instance_item,
            assignee_id=case.assigned_to_id if "caseworker" in roles else None,
            due_on=due_on(info, case.ward),
            prefill=prefill(info),
        )
        db.session.add(row)
    # No flush here: the rows go out with the step's other writes (the commit, or the next query).


def derive_state(case: Case, outcome: StepOutcome, completed_form_key: str | None = None) -> str:
    """The case state the outcome puts the case in.

    `completed_form_key` is the form of the task a live step just completed: a service record or
    monitoring is itself the start of delivery, and a case already in support stays there until a
    new meeting approves (which leaves `meeting`), so such steps need no query.  Replay leaves it
    out and always asks the records.
    """
    if outcome.completed:
        return "closed"
    states = {info.case_state for info in outcome.ready_tasks}
    for state in STATE_PRIORITY:
        if state in states:
            if state == "in_support" and not _delivery_started(case, completed_form_key):
                return "decided"
            return state
    return case.state


def _delivery_started(case: Case, completed_form_key: str | None = None) -> bool:
    """支援決定 turns into 支援提供 with the first service record or monitoring after approval."""
    if completed_form_key in DELIVERY_FORMS or (completed_form_key and case.state == "in_support"):
        return True
    approval = (
        db.session.query(CoordinationMeeting)
        .filter_by(case_id=case.id, decision="approve")
        .order_by(CoordinationMeeting.id.desc())
        .first()
    )
    if approval is None:
        return True
    return (
        db.session.query(FormSubmission.id)
        .filter(
            FormSubmission.case_id == case.id,
            FormSubmission.form_key.in_(DELIVERY_FORMS),
            FormSubmission.id > approval.submission_id,
        )
        .first()
        is not None
    )
