"""The caseload list: the cases of a ward (or of one worker) with their next due date, filtered,
sorted and exported as CSV — for the staff who may read the ward's cases, names as they see them."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import defer, joinedload

from app import access
from app import audit_chain as audit
from app.access.policy import SUPERVISOR_ROLES, WHOLE_WARD_READERS
from app.clock import now, today
from app.codes import CASE_STATES, label
from app.errors import Forbidden
from app.extensions import db
from app.models import Case, HumanTask, Person, User

from .paging import Page

SORTS = ("due", "opened", "state", "worker", "case")
LIMIT = 500


@dataclass(frozen=True)
class Filters:
    state: str = ""          # a case state, "open" (all but closed) or "" (all)
    worker: str = ""         # "me", "unassigned", a user id, or "" (everyone)
    overdue: bool = False
    sort: str = "due"

    @classmethod
    def from_args(cls, args, user: User) -> Filters:
        state = args.get("state", "open")
        state = state if state in CASE_STATES or state in ("open", "") else "open"
        default_worker = "" if user.roles & SUPERVISOR_ROLES else "me"
        worker = args.get("worker", default_worker)
        worker = worker if worker in ("me", "unassigned", "") or worker.isdigit() else default_worker
        sort = args.get("sort", "due")
        return cls(state=state, worker=worker, overdue=args.get("overdue") == "1",
                   sort=sort if sort in SORTS else "due")


@dataclass(frozen=True)
class CaseRow:
    case: Case
    next_due: date | None
    open_tasks: int
    overdue_tasks: int

    @property
    def age(self) -> int | None:
        birth = self.case.person.birth_date if self.case.person else None
        return age_on(birth, today()) if birth else None


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def can_list(user: User) -> bool:
    return bool(user.roles & WHOLE_WARD_READERS) and user.ward is not None


def ward_workers(user: User) -> list[User]:
    users = db.session.query(User).filter(User.ward == user.ward, User.active.is_(True)).order_by(User.id).all()
    return [u for u in users if u.has_role("caseworker")]


def caseload(user: User, filters: Filters) -> list[CaseRow]:
    if not can_list(user):
        raise Forbidden("ケース一覧を見られるのは区の相談支援員・主任相談支援員・係長です")
    day = today()
    tasks = (
        sa.select(HumanTask.case_id.label("case_id"), sa.func.min(HumanTask.due_on).label("next_due"),
                  sa.func.count(HumanTask.id).label("open_tasks"),
                  sa.func.sum(sa.case((HumanTask.due_on < day, 1), else_=0)).label("overdue_tasks"))
        .where(HumanTask.status == "open").group_by(HumanTask.case_id).subquery()
    )
    covered = access.covered_user_ids(user)
    query = (db.session.query(Case, tasks.c.next_due, tasks.c.open_tasks, tasks.c.overdue_tasks)
             .outerjoin(tasks, tasks.c.case_id == Case.id)
             .options(joinedload(Case.person), joinedload(Case.assigned_to))
             .filter(sa.or_(Case.ward == user.ward, Case.assigned_to_id.in_(covered or {-1}))))
    if filters.state == "open":
        query = query.filter(Case.state != "closed")
    elif filters.state:
        query = query.filter(Case.state == filters.state)
    if filters.worker == "me":
        query = query.filter(Case.assigned_to_id == user.id)
    elif filters.worker == "unassigned":
        query = query.filter(Case.assigned_to_id.is_(None))
    elif filters.worker:
        query = query.filter(Case.assigned_to_id == int(filters.worker))
    if filters.overdue:
        query = query.filter(tasks.c.overdue_tasks > 0)
    query = query.order_by(*_order(filters.sort, tasks)).limit(LIMIT)
    return [CaseRow(case, next_due, open_tasks or 0, overdue or 0)
            for case, next_due, open_tasks, overdue in query.all() if access.can_view_case(user, case)]


def _order(sort: str, tasks) -> list:
    # Cases with no due date come after those with one, whatever the database's NULL order.
    due_last = [sa.case((tasks.c.next_due.is_(None), 1), else_=0), tasks.c.next_due]
    return {
        "due": [*due_last, Case.id],
        "opened": [Case.opened_on.desc(), Case.id.desc()],
        "state": [Case.state, *due_last, Case.id],
        "worker": [Case.assigned_to_id, *due_last, Case.id],
        "case": [Case.id.desc()],
    }[sort]


CSV_HEADER = ["ケース番号", "相談者", "フリガナ", "年齢", "状態", "担当", "受付日", "次の期限", "未完了タスク",
              "期限超過"]


def caseload_csv(user: User, filters: Filters) -> str:
    """The list as CSV (UTF-8 with BOM, for Excel); the export itself is an audited read."""
    rows = caseload(user, filters)
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for row in rows:
        case = row.case
        writer.writerow([
            case.id, case.person.name if case.person else "", case.person.kana if case.person else "",
            row.age if row.age is not None else "", label(CASE_STATES, case.state),
            case.assigned_to.display_name if case.assigned_to else "未割当",
            _jp(case.opened_on), _jp(row.next_due), row.open_tasks, row.overdue_tasks,
        ])
    audit.record("caseload_exported", None, user.id, ward=user.ward, count=len(rows),
                 filters={"state": filters.state, "worker": filters.worker, "overdue": filters.overdue},
                 at=now().isoformat())
    db.session.commit()
    return out.getvalue()


def _jp(day: date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def meeting_queue(user: User, page: int = 1) -> Page:
    """Plans waiting for the ward's coordination meeting, oldest first: one page of them, with
    their count, in one statement (the count a window over the waiting plans; the page's 25 rows
    alone joined to their case and person)."""
    if not (user.roles & SUPERVISOR_ROLES) or user.ward is None:
        return Page.of(0, 1)
    waiting = db.session.query(HumanTask).filter(HumanTask.status == "open",
                                                 HumanTask.form_key == "coordination_meeting",
                                                 HumanTask.ward == user.ward)
    order = [HumanTask.created_at, HumanTask.id]

    def rows_of(queue: Page) -> list[tuple[HumanTask, int]]:
        ranked = (waiting.with_entities(HumanTask.id.label("task_id"), sa.func.count().over().label("total"))
                  .order_by(*order).limit(queue.size).offset(queue.offset).subquery())
        return (db.session.query(HumanTask, ranked.c.total).join(ranked, ranked.c.task_id == HumanTask.id)
                .options(joinedload(HumanTask.case).load_only(Case.state).joinedload(Case.person).load_only(Person.name),
                         defer(HumanTask.prefill))
                .order_by(*order).all())

    rows = rows_of(Page(total=0, number=page))  # the page asked for; its total comes with its rows
    if not rows and page > 1:  # past the end: the last page, as `Page.of` shows it
        total = waiting.with_entities(sa.func.count(HumanTask.id)).scalar()
        rows = rows_of(Page.of(total, page)) if total else []
    queue = Page.of(rows[0][1] if rows else 0, page)
    queue.rows = [task for task, _total in rows]
    return queue


def state_counts(user: User) -> dict[str, int]:
    """How many of the ward's cases stand in each state (closed ones left out)."""
    if not can_list(user):
        return {}
    # count(*): the states and the ward are all the partial index ix_cases_open_ward_state needs.
    rows = (db.session.query(Case.state, sa.func.count()).filter(Case.ward == user.ward, Case.state != "closed")
            .group_by(Case.state).all())
    counts = dict(rows)
    return {state: counts[state] for state in CASE_STATES if counts.get(state)}
