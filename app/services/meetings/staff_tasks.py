"""Tasks outside the workflow, for one staff member: follow-ups after closure, a 支援会議's agreed actions."""

from __future__ import annotations

from app import audit_chain as audit
from app.clock import now
from app.errors import Conflict, NotFound
from app.extensions import db
from app.models import StaffTask, User


def open_for(user: User) -> list[StaffTask]:
    if not getattr(user, "is_authenticated", False):
        return []
    return (db.session.query(StaffTask).filter_by(assignee_id=user.id, status="open")
            .order_by(StaffTask.due_on, StaffTask.id).all())


def complete(user: User, task_id: int) -> StaffTask:
    """Only the assignee marks it done (others: not found); audited on the case's chain or the system's."""
    task = db.session.get(StaffTask, task_id)
    if task is None or task.assignee_id != user.id:
        raise NotFound("タスクが見つかりません")
    if task.status != "open":
        raise Conflict("このタスクは完了しています")
    task.status = "done"
    task.completed_at = now()
    audit.record("staff_task_completed", task.case_id, user.id, staff_task_id=task.id, kind=task.kind,
                 support_meeting_id=task.support_meeting_id)
    db.session.commit()
    return task
