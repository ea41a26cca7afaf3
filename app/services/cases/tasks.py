"""Completing a task: one transaction through the lifecycle's step pipeline."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import joinedload

from app import access
from app.errors import CaseClosed, Conflict, Forbidden, NotFound, ValidationFailed
from app.extensions import db
from app.forms import validate_data
from app.lifecycle import steps
from app.lifecycle.versions import form_definition
from app.models import AuditEvent, Case, HumanTask, ProcessVersion, User
from app.programs import housing_benefit
from app.services.cases.transaction import Attempt, busy_case_is_conflict, one_transaction


def get_task_for(user: User, task_id: int, lock: bool = False) -> HumanTask:
    """The task if the user may work on it; 404 when its case is not theirs to see at all.

    The task, its case and the case's process version come in one query.  With `lock`, that query
    also locks the case row for the rest of the transaction (a request about to complete the task,
    which hands it to `submit_task`: the step then needs no second query); a case another step
    holds too long is a Conflict.
    """
    if lock:
        with busy_case_is_conflict():
            task = steps.locked_task(task_id)
    else:
        with_case = joinedload(HumanTask.case, innerjoin=True)
        task = db.session.get(HumanTask, task_id,
                              options=[with_case.joinedload(Case.process_version, innerjoin=True)])
    _check_access(user, task)
    return task


def cancellation_of(task: HumanTask) -> dict | None:
    """When and why a withdrawn task was cancelled (from its case's audit chain), for its page."""
    if task.status != "cancelled":
        return None
    events = (db.session.query(AuditEvent)
              .filter(AuditEvent.case_id == task.case_id, AuditEvent.event_type == "task_cancelled")
              .order_by(AuditEvent.id.desc()).all())
    event = next((e for e in events if (e.data or {}).get("task_id") == task.id), None)
    if event is None:
        return {"at": None, "reason": None, "by": None}
    by = db.session.get(User, event.actor_id) if event.actor_id else None
    return {"at": event.at, "reason": (event.data or {}).get("reason"), "by": by.display_name if by else None}


def _check_access(user: User, task: HumanTask | None) -> None:
    if task is None or not (access.can_act_on_task(user, task) or access.can_view_case(user, task.case)):
        raise NotFound("タスクが見つかりません")
    if task.status == "open" and not access.can_act_on_task(user, task):
        raise Forbidden("このタスクは、担当の職員（または担当の職種の職員）だけが入力できます")


def validated(version: ProcessVersion, form_key: str, raw: dict) -> tuple[dict, int]:
    """The form's clean data and the definition's version; field errors raise ValidationFailed."""
    definition = form_definition(version, form_key)
    result = validate_data(definition, raw or {})
    if not result.ok:
        raise ValidationFailed(result.errors)
    return result.clean, definition.version


def submit_task(task_id: int, raw: dict, actor: User, before_commit: Callable[[Case], None] | None = None,
                locked: HumanTask | None = None) -> Case:
    """Validate, record, advance the process and project the result; all or nothing.

    `before_commit(case)` adds to the same transaction (the API's Idempotency-Key answer).
    `locked`: the task from `get_task_for(..., lock=True)` earlier in this same transaction."""
    with one_transaction(actor, Attempt("タスク")) as attempt:
        stepped = steps.lock_task(task_id, actor, locked)
        task = stepped[1] if stepped else None
        _check_access(actor, task)
        step = stepped[0]
        attempt.case_id, attempt.what, attempt.element_id = task.case_id, task.name, task.bpmn_id
        if step.case.is_closed:
            raise CaseClosed("この相談ケースは終結しています。記録の追加や変更はできません")
        if task.status != "open":
            raise Conflict("このタスクは既に完了しています（二重送信または古い画面）")
        if housing_benefit.is_programme_task(task):  # the application's own workflow, not the lifecycle
            housing_benefit.complete_task(step, task, raw)
        else:
            data, form_version = validated(step.case.process_version, task.form_key, raw)
            step.complete_task(task, data, form_version)
            if task.form_key == "pa_handoff" and data.get("application_received"):
                housing_benefit.public_assistance_started(step, data.get("handed_over_at"))
        if before_commit is not None:
            before_commit(step.case)
        step.write_rows()
    return step.case
