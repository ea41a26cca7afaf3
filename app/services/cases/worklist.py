"""The worklist: my tasks and my ward's unassigned tasks for my roles, by due date."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import joinedload

from app import access
from app.clock import today
from app.extensions import db
from app.models import Case, HumanTask, User

GROUPS = ("overdue", "today", "this_week", "later")


def grouped_tasks(user: User) -> dict[str, list[HumanTask]]:
    # Each row shows its case and person: loaded with the tasks, not one query per row.
    tasks_with_cases = db.session.query(HumanTask).options(joinedload(HumanTask.case).joinedload(Case.person))
    query = access.visible_task_filter(user, tasks_with_cases.filter(HumanTask.status == "open"))
    tasks = [t for t in query.order_by(HumanTask.due_on, HumanTask.id).all() if access.can_act_on_task(user, t)]
    now = today()
    week_end = now + timedelta(days=6 - now.weekday())
    groups: dict[str, list[HumanTask]] = {name: [] for name in GROUPS}
    for task in tasks:
        if task.due_on is None:
            groups["later"].append(task)
        elif task.due_on < now:
            groups["overdue"].append(task)
        elif task.due_on == now:
            groups["today"].append(task)
        elif task.due_on <= week_end:
            groups["this_week"].append(task)
        else:
            groups["later"].append(task)
    return groups
