"""Keeps the human_task rows and the case state in step with the workflow."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from app.clock import now
from app.engine import StepOutcome
from app.extensions import db
from app.models import Case, CoordinationMeeting, FormSubmission, HumanTask, Notification, User

from . import registry
from .kinds import due_by_rules

if TYPE_CHECKING:
    from .steps import CaseStep

# When several tasks are open at once, the case is in the first of these states.
STATE_PRIORITY = ["handoff_pa", "evaluation", "meeting", "plan_draft", "assessment", "intake", "suspended",
                  "in_support"]
# Tasks of a programme's own workflow beside the lifecycle (住居確保給付金: one per application) carry
# `<process>:<id>` as their instance item; the lifecycle's projection leaves them to that workflow.
SIDE_PROCESS_ITEMS = ("housing_benefit:",)


def is_side_process_task(row: HumanTask) -> bool:
    return (row.instance_item or "").startswith(SIDE_PROCESS_ITEMS)


def sync_tasks(step: CaseStep, outcome: StepOutcome, completed_task_id: str | None, *, item: str | None = None,
               prefill: Callable[[object], dict] | None = None) -> list[HumanTask]:
    """Insert newly ready tasks, cancel tasks the process withdrew; returns the new rows.

    The step's open task rows were read under its case lock.  Without ``item`` the rows are the
    lifecycle's; with it, those of a programme's own workflow beside it (``housing_benefit:<id>``),
    which carry no case state and take their prefill from ``prefill``.
    """
    case = step.case
    mine = (lambda row: row.instance_item == item) if item else (lambda row: not is_side_process_task(row))
    open_rows = {row.engine_task_id: row for row in step.open_tasks if row.status == "open" and mine(row)}
    ready = {info.task_id: info for info in outcome.ready_tasks if info.form_key}
    for task_id, row in open_rows.items():
        if task_id not in ready and task_id != completed_task_id:
            row.status = "cancelled"
            reason = getattr(step, "cancel_reason", None) or "手順の変更により不要になったため"
            step.record("task_cancelled", task_id=row.id, bpmn_id=row.bpmn_id, reason=reason)
            notify_cancelled(step, row, reason)
    opened = []
    for task_id, info in ready.items():
        if task_id in open_rows:
            continue
        roles = (info.role or "caseworker").split()
        kind = registry.for_form(info.form_key)
        if prefill is not None:
            values = prefill(info)
        else:
            values = kind.prefill(info) if kind.prefill else {}
        row = HumanTask(
            case_id=case.id,
            engine_task_id=task_id,
            bpmn_id=info.bpmn_id,
            name=info.name,
            form_key=info.form_key,
            role=" ".join(roles),
            ward=case.ward,
            case_state=None if item else info.case_state,
            instance_item=item or info.instance_item,
            assignee_id=case.assigned_to_id if "caseworker" in roles else None,
            due_on=due_by_rules(kind, info, case.ward),
            prefill=values,
        )
        db.session.add(row)
        opened.append(row)
    # The open rows of this step are now the ready ones (a second act in the step compares with them).
    step.open_tasks = [row for row in step.open_tasks if row.status == "open"] + opened
    # No flush here: the rows go out with the step's other writes (the commit, or the next query).
    return opened


def notify_cancelled(step: CaseStep, row: HumanTask, reason: str) -> None:
    """The holder of a withdrawn task hears of it, with why: its assignee, else the ward's staff
    of its roles; never the person whose own act withdrew it."""
    if row.assignee_id is not None:
        recipients = [row.assignee_id]
    else:
        users = db.session.query(User).filter(User.active.is_(True), User.ward == row.ward).all()
        recipients = [u.id for u in users if u.roles.intersection(row.roles)]
    by = step.actor.display_name if step.actor is not None else None
    for user_id in recipients:
        if user_id == step.actor_id:
            continue
        db.session.add(Notification(user_id=user_id, case_id=row.case_id, kind="task_cancelled",
                                    dedupe_key=f"task_cancelled:{row.id}", created_at=now(),
                                    params={"name": row.name, "reason": reason, "by": by, "task_id": row.id}))


def derive_state(case: Case, outcome: StepOutcome, completed_form_key: str | None = None) -> str:
    """The case state the outcome puts the case in.

    `completed_form_key` is the form of the task a live step just completed: a form that starts
    delivery is itself the start of delivery, and a case already in support stays there until a
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
    """支援決定 turns into 支援提供 with the first delivery form (service record, monitoring) after approval."""
    delivery_forms = registry.delivery_forms()
    if completed_form_key in delivery_forms or (completed_form_key and case.state == "in_support"):
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
            FormSubmission.form_key.in_(delivery_forms),
            FormSubmission.id > approval.submission_id,
        )
        .first()
        is not None
    )
