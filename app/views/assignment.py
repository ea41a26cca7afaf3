"""The case page's forms for who holds the work: claim / release / take over a task, reassign the case."""

from __future__ import annotations

from flask import Blueprint, Flask, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import access
from app.access import access_rule
from app.errors import ServiceError
from app.services.staff import assignment

bp = Blueprint("assignment", __name__, url_prefix="/cases")


@bp.post("/<int:case_id>/reassign")
@login_required
@access_rule("case_reassign")
def reassign(case_id: int):
    target_id = request.form.get("assignee", "")
    target = assignment.user_by_id(int(target_id)) if target_id.isdigit() else None
    try:
        assignment.reassign_case(case_id, target, request.form.get("reason", ""), current_user)
    except ServiceError as exc:
        messages = getattr(exc, "errors", {}) or {"": [exc.message]}
        flash("; ".join(m for ms in messages.values() for m in ms), "error")
        if exc.status == 404:
            raise
    else:
        flash(_("担当者を変更しました"))
    return redirect(url_for("cases.show", case_id=case_id)), 303


HOLDER_CHANGES = {
    "claim": (assignment.claim_task, "タスクを引き受けました"),
    "release": (assignment.release_task, "タスクを手放しました"),
    "take-over": (assignment.take_over_task, "タスクを引き取りました"),
}


@bp.post("/<int:case_id>/tasks/<int:task_id>/<any(claim, release, 'take-over'):change>")
@login_required
@access_rule("task_claim")
def change_holder(case_id: int, task_id: int, change: str):
    service, done = HOLDER_CHANGES[change]
    try:
        service(task_id, current_user)
    except ServiceError as exc:
        if exc.status == 404:
            raise
        flash(exc.message, "error")
    else:
        flash(_(done))
    return redirect(url_for("cases.show", case_id=case_id)), 303


def holder_rows(tasks) -> list[tuple]:
    """(task, buttons) for the open tasks whose holder the current user may change."""
    rows = [(task, _holder_changes(task)) for task in tasks]
    return [(task, changes) for task, changes in rows if changes]


def _holder_changes(task) -> list[str]:
    changes = []
    if task.assignee_id is None and access.can_claim_task(current_user, task):
        changes.append("claim")
    if task.assignee_id is not None and access.can_release_task(current_user, task):
        changes.append("release")
    if task.assignee_id != current_user.id and access.can_take_over_task(current_user, task):
        changes.append("take-over")
    return changes


def reassign_choices(case) -> list:
    """Caseworkers the current user may hand this case to; empty when they may not reassign."""
    if case.is_closed or not access.can_reassign(current_user, case.ward):
        return []
    return [u for u in assignment.ward_caseworkers(case.ward) if u.id != case.assigned_to_id]


def register(app: Flask) -> None:
    app.register_blueprint(bp)
    app.jinja_env.globals.update(reassign_choices=reassign_choices, holder_rows=holder_rows)
