"""The worklist: my tasks and my ward's unassigned tasks for my roles, by due date (tasks without
one last), with filters by holder and kind of task."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.orm import defer, joinedload

from app import access
from app.clock import today
from app.extensions import db
from app.models import Case, HumanTask, User

GROUPS = ("overdue", "today", "this_week", "later", "no_due")
HOLDERS = ("", "mine", "unassigned")
SORTS = ("due", "case", "task")


@dataclass(frozen=True)
class WorklistFilters:
    holder: str = ""     # "" every task I may work on, "mine", "unassigned"
    form_key: str = ""   # one kind of task
    sort: str = "due"

    @classmethod
    def from_args(cls, args) -> WorklistFilters:
        holder, sort = args.get("holder", ""), args.get("sort", "due")
        return cls(holder=holder if holder in HOLDERS else "", form_key=(args.get("kind") or "")[:64],
                   sort=sort if sort in SORTS else "due")


def _sort_key(sort: str):
    far = date.max
    if sort == "case":
        return lambda t: (t.case_id, t.due_on or far, t.id)
    if sort == "task":
        return lambda t: (t.name, t.due_on or far, t.id)
    return lambda t: (t.due_on or far, t.due_at is None, t.id)


def open_tasks(user: User) -> list[HumanTask]:
    # Each row shows its case and person: loaded with the tasks, not one query per row.
    # The prefill (a form's starting values) is for the task page, not for the list.
    tasks_with_cases = db.session.query(HumanTask).options(joinedload(HumanTask.case).joinedload(Case.person),
                                                           joinedload(HumanTask.assignee), defer(HumanTask.prefill))
    query = access.visible_task_filter(user, tasks_with_cases.filter(HumanTask.status == "open"))
    return [t for t in query.order_by(HumanTask.id).all() if access.can_act_on_task(user, t)]


def grouped_tasks(user: User, filters: WorklistFilters | None = None,
                  tasks: list[HumanTask] | None = None) -> dict[str, list[HumanTask]]:
    """`tasks`: the user's `open_tasks` when the caller has read them already (left unchanged)."""
    filters = filters or WorklistFilters()
    tasks = list(open_tasks(user) if tasks is None else tasks)
    if filters.holder == "mine":
        tasks = [t for t in tasks if t.assignee_id == user.id]
    elif filters.holder == "unassigned":
        tasks = [t for t in tasks if t.assignee_id is None]
    if filters.form_key:
        tasks = [t for t in tasks if t.form_key == filters.form_key]
    tasks.sort(key=_sort_key(filters.sort))
    now = today()
    week_end = now + timedelta(days=6 - now.weekday())
    groups: dict[str, list[HumanTask]] = {name: [] for name in GROUPS}
    for task in tasks:
        if task.due_on is None:
            groups["no_due"].append(task)
        elif task.due_on < now:
            groups["overdue"].append(task)
        elif task.due_on == now:
            groups["today"].append(task)
        elif task.due_on <= week_end:
            groups["this_week"].append(task)
        else:
            groups["later"].append(task)
    return groups


def task_kinds(user: User, tasks: list[HumanTask] | None = None) -> list[tuple[str, str]]:
    """(form_key, task name) of the kinds of task open for the user, for the filter; `tasks` as in
    `grouped_tasks`."""
    seen: dict[str, str] = {}
    for task in open_tasks(user) if tasks is None else tasks:
        seen.setdefault(task.form_key, task.name)
    return sorted(seen.items(), key=lambda kv: kv[1])
