"""The worklist: my tasks and my ward's unassigned tasks for my roles, by due date (tasks without
one last), with filters by holder and kind of task.  Each group shows one page of rows at a time:
the database counts the group and returns only the page's rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import defer, joinedload

from app import access
from app.clock import today
from app.extensions import db
from app.models import Case, HumanTask, Person, User

from .paging import PAGE_SIZE, Page, page_number

GROUPS = ("overdue", "today", "this_week", "later", "no_due")
HOLDERS = ("", "mine", "unassigned")
SORTS = ("due", "case", "task")


@dataclass(frozen=True)
class WorklistFilters:
    holder: str = ""     # "" every task I may work on, "mine", "unassigned"
    form_key: str = ""   # one kind of task
    sort: str = "due"
    pages: dict[str, int] = field(default_factory=dict, compare=False)  # group → requested page

    @classmethod
    def from_args(cls, args) -> WorklistFilters:
        holder, sort = args.get("holder", ""), args.get("sort", "due")
        return cls(holder=holder if holder in HOLDERS else "", form_key=(args.get("kind") or "")[:64],
                   sort=sort if sort in SORTS else "due",
                   pages={group: page_number(args.get(page_param(group))) for group in GROUPS})


def page_param(group: str) -> str:
    """The query-string parameter holding a group's page number."""
    return f"page_{group}"


def actable_tasks(user: User):
    """The open tasks the user may work on, as a query (built once per page: the rule's SQL is not
    free to build)."""
    return access.actable_task_filter(user, db.session.query(HumanTask).filter(HumanTask.status == "open"))


def _filtered(user: User, filters: WorklistFilters, actable=None):
    query = actable_tasks(user) if actable is None else actable
    if filters.holder == "mine":
        query = query.filter(HumanTask.assignee_id == user.id)
    elif filters.holder == "unassigned":
        query = query.filter(HumanTask.assignee_id.is_(None))
    if filters.form_key:
        query = query.filter(HumanTask.form_key == filters.form_key)
    return query


def _group_of():
    """The group of a task as SQL: its due date against today and the end of this week."""
    now = today()
    week_end = now + timedelta(days=6 - now.weekday())
    due = HumanTask.due_on
    return sa.case((due.is_(None), "no_due"), (due < now, "overdue"), (due == now, "today"),
                   (due <= week_end, "this_week"), else_="later")


def _order(sort: str) -> list:
    # Python's code-point order of names, as the list always sorted them, on either database.
    name = HumanTask.name.collate("C") if db.session.get_bind().dialect.name == "postgresql" else HumanTask.name
    due_last = [HumanTask.due_on.is_(None), HumanTask.due_on]
    if sort == "case":
        return [HumanTask.case_id, *due_last, HumanTask.id]
    if sort == "task":
        return [name, *due_last, HumanTask.id]
    return [*due_last, HumanTask.due_at.is_(None), HumanTask.id]


def grouped_tasks(user: User, filters: WorklistFilters | None = None, actable=None) -> dict[str, Page]:
    """One page of each group's tasks, with the group's total, in one statement: the inner query
    numbers the user's tasks within their group and counts each group (window functions over the
    open tasks' index alone), the outer one loads the rows of each group's page with their case,
    person and holder.  `actable`: `actable_tasks(user)`, when the caller has it already."""
    filters = filters or WorklistFilters()
    group = _group_of()
    ranked = (_filtered(user, filters, actable)
              .with_entities(HumanTask.id.label("task_id"), group.label("task_group"),
                             sa.func.row_number().over(partition_by=group, order_by=_order(filters.sort))
                             .label("position"),
                             sa.func.count().over(partition_by=group).label("total"))
              .subquery())
    # The page shown of each group: the one asked for, or the last one if that is past the end
    # (as `Page.of`), so the rows always belong to the page the pager describes.
    asked = sa.case({key: filters.pages.get(key, 1) for key in GROUPS}, value=ranked.c.task_group, else_=1)
    last_page = (ranked.c.total + (PAGE_SIZE - 1)) // PAGE_SIZE
    first_row = (sa.case((asked < last_page, asked), else_=last_page) - 1) * PAGE_SIZE
    # Each row shows its case's state, its person's name and its holder's: loaded with the tasks
    # (only those columns), not one query per row.  The prefill (a form's starting values) is for
    # the task page, not for the list.
    rows = (db.session.query(HumanTask, ranked.c.task_group, ranked.c.total)
            .join(ranked, ranked.c.task_id == HumanTask.id)
            .filter(ranked.c.position > first_row, ranked.c.position <= first_row + PAGE_SIZE)
            .options(joinedload(HumanTask.case).load_only(Case.state).joinedload(Case.person).load_only(Person.name),
                     joinedload(HumanTask.assignee).load_only(User.display_name), defer(HumanTask.prefill))
            .order_by(ranked.c.task_group, ranked.c.position)
            .all())
    totals: dict[str, int] = {}
    shown: dict[str, list[HumanTask]] = {}
    for task, key, total in rows:
        totals[key] = total
        shown.setdefault(key, []).append(task)
    groups = {}
    for key in GROUPS:
        page = Page.of(totals.get(key, 0), filters.pages.get(key, 1))
        page.rows = shown.get(key, [])
        groups[key] = page
    return groups


def task_kinds(user: User, actable=None) -> list[tuple[str, str]]:
    """(form_key, task name) of the kinds of task open for the user, for the filter; `actable` as in
    `grouped_tasks`."""
    query = actable_tasks(user) if actable is None else actable
    rows = query.with_entities(HumanTask.form_key, sa.func.min(HumanTask.name)).group_by(HumanTask.form_key).all()
    return sorted(((form_key, name) for form_key, name in rows), key=lambda kv: kv[1])
