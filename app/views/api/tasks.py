"""Tasks: list, show with form fields, claim / release / take over / reassign, complete."""

from __future__ import annotations

from flask import request

from app import access
from app.access import access_rule
from app.errors import ValidationFailed
from app.forms import describe_fields
from app.services import processes
from app.services.cases.reads import record_case_view
from app.services.cases.tasks import get_task_for, submit_task
from app.services.privacy import masking
from app.services.staff import assignment

from .auth import current_api_user
from .blueprint import bp, data_of, idempotent, json_body, text_member
from .serializers import step_answer, task_summary


def _flag(value: str | None, name: str) -> bool:
    if value in (None, "", "false", "0"):
        return False
    if value in ("true", "1"):
        return True
    raise ValidationFailed({name: [f"{name} は true または false で指定してください"]})


def _int_arg(value: str | None, name: str) -> int | None:
    if value in (None, ""):
        return None
    if not value.isdigit() or len(value) > 12:
        raise ValidationFailed({name: [f"{name} は整数で指定してください"]})
    return int(value)


@bp.get("/tasks")
@access_rule("task_view")
def list_tasks():
    user = current_api_user()
    tasks = assignment.tasks_visible_to(
        user, case_id=_int_arg(request.args.get("case_id"), "case_id"),
        mine=_flag(request.args.get("mine"), "mine"), form_key=request.args.get("form_key") or None,
    )
    return [task_summary(task) for task in tasks]


@bp.get("/tasks/<int:task_id>")
@access_rule("task_view")
def show_task(task_id: int):
    user = current_api_user()
    task = get_task_for(user, task_id)  # exactly as the task page: 404, or 403 for someone else's task
    definition = processes.form_definition(task.case.process_version, task.form_key)
    viewer = masking.for_task(masking.viewer_for(user, task.case), task.form_key)
    record_case_view(user, task.case, "api_task", basis=viewer.basis, task_id=task.id)
    return {
        **task_summary(task),
        "can_complete": task.status == "open" and access.can_act_on_task(user, task),
        "prefill": masking.visible_prefill(viewer, task.form_key, task.prefill),
        "fields": describe_fields(definition, "ja"),
        "case_data": masking.case_data_json(viewer),
    }


@bp.post("/tasks/<int:task_id>/claim")
@access_rule("task_claim")
def claim_task(task_id: int):
    return task_summary(assignment.claim_task(task_id, current_api_user()))


@bp.post("/tasks/<int:task_id>/release")
@access_rule("task_claim")
def release_task(task_id: int):
    return task_summary(assignment.release_task(task_id, current_api_user()))


@bp.post("/tasks/<int:task_id>/take-over")
@access_rule("task_claim")
def take_over_task(task_id: int):
    reason = text_member(json_body({"reason"}), "reason", required=False) or ""
    return task_summary(assignment.take_over_task(task_id, current_api_user(), reason))


@bp.post("/tasks/<int:task_id>/reassign")
@access_rule("case_reassign")
def reassign_task(task_id: int):
    body = json_body({"assignee", "reason"})
    target = assignment.find_user(text_member(body, "assignee"))
    task = assignment.reassign_task(task_id, target, text_member(body, "reason"), current_api_user())
    return task_summary(task)


@bp.post("/tasks/<int:task_id>/complete")
@access_rule("task_act")
def complete_task(task_id: int):
    body = json_body({"data"})
    data, user = data_of(body), current_api_user()
    # A retry with the same Idempotency-Key gets the first answer back, not a 409 "already completed".
    return idempotent(body, 200, lambda before_commit: submit_task(task_id, data, user, before_commit),
                      step_answer)
