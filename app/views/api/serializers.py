"""The JSON shapes of the API (v1)."""

from __future__ import annotations

from app.clock import iso_date, iso_datetime
from app.models import AuditEvent, Case, HumanTask
from app.services.cases.opening import open_tasks as open_tasks_of


def due_at(task: HumanTask) -> str | None:
    if getattr(task, "due_at", None) is not None:
        return iso_datetime(task.due_at)  # a deadline within the day (e.g. a risk acknowledgement)
    # A due date ends at midnight in Japan.
    return f"{task.due_on.isoformat()}T23:59:59+09:00" if task.due_on else None


def task_summary(task: HumanTask) -> dict:
    return {
        "task_id": task.id,
        "case_id": task.case_id,
        "form_key": task.form_key,
        "name": task.name,
        "role": task.role,
        "assignee": task.assignee.username if task.assignee else None,
        "due_at": due_at(task),
        "status": task.status,
        "case_state": task.case_state,
        "instance_item": task.instance_item,
    }


def case_detail(case: Case, open_tasks: list[HumanTask], actions: list[str]) -> dict:
    return {
        "case_id": case.id,
        "ward": case.ward,
        "state": case.state,
        "assigned_to": case.assigned_to.username if case.assigned_to else None,
        "opened_on": iso_date(case.opened_on),
        "closed_on": iso_date(case.closed_on),
        "closure_reason": case.closure_reason,
        "route": case.route,
        "reconsultation": bool(case.reconsultation),  # 再相談, linked to the earlier episode
        "previous_case_id": case.previous_case_id,
        "open_tasks": [task_summary(task) for task in open_tasks],
        "actions": actions,
    }


def event(item: AuditEvent) -> dict:
    return {
        "event_id": item.id,
        "case_id": item.case_id,
        "event_type": item.event_type,
        "actor": item.actor.username if item.actor else None,
        "at": iso_datetime(item.at),
        "data": item.data or {},
    }


def step_answer(case: Case) -> dict:
    """The answer to a case action or a completed task: where the case stands now."""
    return {"case_id": case.id, "state": case.state, "open_tasks": [task_summary(t) for t in open_tasks_of(case)]}
