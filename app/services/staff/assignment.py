"""Who holds a task or a case: claim, release, take-over, reassignment and cover (代理).

Each is one transaction with its audit event.  Cases keep running: nothing is suspended.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import update

from app import access
from app import audit_chain as audit
from app.clock import now
from app.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.extensions import db
from app.lifecycle import steps
from app.models import Case, CoverAssignment, HumanTask, User
from app.services.timers import notifications


def visible_task(user: User, task_id: int) -> HumanTask:
    """The task if the user may at least look at it; 404 otherwise (never reveal other wards)."""
    task = db.session.get(HumanTask, task_id)
    if task is None or not (access.can_act_on_task(user, task) or access.can_view_case(user, task.case)):
        raise NotFound("タスクが見つかりません")
    return task


def _holder_message(task: HumanTask) -> str:
    holder = task.assignee.display_name if task.assignee else "?"
    return f"このタスクは {holder} さんが担当しています"


def claim_task(task_id: int, actor: User) -> HumanTask:
    """Take a free role task.  The update is a compare-and-set on the holder, so of two
    simultaneous claims exactly one wins and the other gets 409."""
    task = visible_task(actor, task_id)
    if task.status != "open":
        raise Conflict("このタスクは既に完了しています")
    if not access.can_claim_task(actor, task):
        raise Forbidden("このタスクを引き受ける権限がありません（担当ロールが異なります）")
    if task.assignee_id == actor.id or access.is_covering(actor, task.assignee_id):
        return task
    if task.assignee_id is not None:
        raise Conflict(_holder_message(task))
    step = steps.lock(task.case_id, actor)
    result = db.session.execute(
        update(HumanTask)
        .where(HumanTask.id == task.id, HumanTask.status == "open", HumanTask.assignee_id.is_(None))
        .values(assignee_id=actor.id)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.rollback()
        db.session.refresh(task)
        raise Conflict(_holder_message(task) if task.status == "open" else "このタスクは既に完了しています")
    step.record("task_claimed", task_id=task.id, bpmn_id=task.bpmn_id)
    if "caseworker" in task.roles and actor.has_role("caseworker") and step.case.assigned_to_id is None:
        # The caseworker who picks up the first task of an unassigned case (a referral) owns the case.
        step.case.assigned_to_id = actor.id
        step.record("case_assigned", assignee_id=actor.id)
    db.session.commit()
    db.session.refresh(task)
    return task


def release_task(task_id: int, actor: User) -> HumanTask:
    """Give a task back to the pool of its roles (the holder, or a supervisor of the ward)."""
    task = visible_task(actor, task_id)
    if not access.can_release_task(actor, task):
        raise Forbidden("このタスクを手放す権限がありません")
    step = steps.lock(task.case_id, actor)
    previous = task.assignee_id
    task.assignee_id = None
    step.record("task_released", task_id=task.id, previous_assignee_id=previous)
    db.session.commit()
    return task


def take_over_task(task_id: int, actor: User, reason: str = "") -> HumanTask:
    """A supervisor takes a task from whoever holds it."""
    task = visible_task(actor, task_id)
    if not access.can_take_over_task(actor, task):
        raise Forbidden("タスクを引き取れるのは主任相談支援員・区担当係長です")
    step = steps.lock(task.case_id, actor)
    previous = task.assignee_id
    task.assignee_id = actor.id
    step.record("task_taken_over", task_id=task.id, previous_assignee_id=previous, reason=reason)
    db.session.commit()
    return task


def _reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if not text:
        raise ValidationFailed({"reason": ["理由を入力してください"]})
    return text[:1000]


def find_user(username: str | None) -> User | None:
    return db.session.query(User).filter_by(username=username).first() if username else None


def _ward_member(user: User | None, ward: str, roles: set[str], field: str = "assignee") -> User:
    if user is None or not user.active or user.ward != ward or not (user.roles & roles):
        raise ValidationFailed({field: ["同じ区の担当できる職員を選んでください"]})
    return user


def _tell_new_holder(target: User, task: HumanTask, actor: User) -> None:
    """A task given to someone else appears in their お知らせ."""
    if target.id != actor.id:
        notifications.notify([target], "task_given", f"task_given:{task.id}:{now().isoformat()}", task.case_id,
                             name=task.name, by=actor.display_name, task_id=task.id)


def reassign_task(task_id: int, to_user: User | None, reason: str, actor: User) -> HumanTask:
    task = visible_task(actor, task_id)
    if not access.can_reassign(actor, task.ward):
        raise Forbidden("担当替えができるのは主任相談支援員・区担当係長です")
    if task.status != "open":
        raise Conflict("このタスクは既に完了しています")
    text = _reason(reason)
    target = _ward_member(to_user, task.ward, task.roles)
    step = steps.lock(task.case_id, actor)
    previous = task.assignee_id
    task.assignee_id = target.id
    step.record("task_reassigned", task_id=task.id, previous_assignee_id=previous, assignee_id=target.id,
                reason=text)
    _tell_new_holder(target, task, actor)
    db.session.commit()
    return task


def reassign_case(case_id: int, to_user: User | None, reason: str, actor: User) -> Case:
    """Hand a running case to another caseworker of the ward, with its open caseworker tasks."""
    case = db.session.get(Case, case_id)
    if case is None or not access.can_view_case(actor, case):
        raise NotFound("相談ケースが見つかりません")
    if not access.can_reassign(actor, case.ward):
        raise Forbidden("担当替えができるのは主任相談支援員・区担当係長です")
    text = _reason(reason)
    target = _ward_member(to_user, case.ward, {"caseworker"})
    # A step on the case like a task completion, so the two never interleave.
    step = steps.lock(case_id, actor)
    case = step.case
    previous = case.assigned_to_id
    case.assigned_to_id = target.id
    moved = []
    for task in step.open_tasks:
        if "caseworker" in task.roles and task.assignee_id in (previous, None):
            task.assignee_id = target.id
            moved.append(task.id)
    step.record("case_reassigned", previous_assignee_id=previous, assignee_id=target.id, reason=text,
                task_ids=moved)
    for task in step.open_tasks:
        if task.id in moved:
            _tell_new_holder(target, task, actor)
    db.session.commit()
    return case


def set_cover(absent: User | None, cover: User | None, starts_on: date, ends_on: date, reason: str,
              actor: User) -> CoverAssignment:
    """A section chief names a cover for an absent caseworker for a date range."""
    if not access.can_set_cover(actor, actor.ward or ""):
        raise Forbidden("代理を設定できるのは区担当係長です")
    errors: dict[str, list[str]] = {}
    if absent is None or absent.ward != actor.ward:
        raise ValidationFailed({"absent_user": ["同じ区の職員を選んでください"]})
    if cover is None or not cover.active or cover.id == absent.id or not (
            cover.roles & ({"caseworker"} | access.SUPERVISOR_ROLES)):
        errors["cover_user"] = ["代理の職員（相談支援員）を選んでください"]
    if ends_on < starts_on:
        errors["ends_on"] = ["終了日は開始日以降にしてください"]
    if errors:
        raise ValidationFailed(errors)
    text = _reason(reason)
    row = CoverAssignment(ward=absent.ward, absent_user_id=absent.id, cover_user_id=cover.id, starts_on=starts_on,
                          ends_on=ends_on, reason=text, created_by_id=actor.id, created_at=now())
    db.session.add(row)
    db.session.flush()
    audit.record("cover_assigned", None, actor.id, cover_id=row.id, absent_user_id=absent.id,
                 cover_user_id=cover.id, starts_on=starts_on.isoformat(), ends_on=ends_on.isoformat(), reason=text)
    db.session.commit()
    return row


def end_cover(cover_id: int, actor: User) -> CoverAssignment:
    row = db.session.get(CoverAssignment, cover_id)
    if row is None or not access.can_set_cover(actor, row.ward):
        raise NotFound("代理の設定が見つかりません")
    row.revoked_at = now()
    audit.record("cover_ended", None, actor.id, cover_id=row.id)
    db.session.commit()
    return row


def ward_caseworkers(ward: str) -> list[User]:
    """Whom a case can be handed to (for the reassign form)."""
    users = db.session.query(User).filter_by(ward=ward, active=True).order_by(User.username).all()
    return [u for u in users if u.has_role("caseworker")]


def tasks_visible_to(user: User, case_id: int | None = None, mine: bool = False,
                     form_key: str | None = None) -> list[HumanTask]:
    """Open tasks the user may see (GET /tasks): their worklist, or the whole ward for supervisors."""
    query = db.session.query(HumanTask).filter(HumanTask.status == "open")
    query = access.readable_task_filter(user, query)
    if case_id is not None:
        query = query.filter(HumanTask.case_id == case_id)
    if form_key:
        query = query.filter(HumanTask.form_key == form_key)
    if mine:
        holders = {user.id} | access.covered_user_ids(user)
        query = query.filter(HumanTask.assignee_id.in_(holders))
    return query.order_by(HumanTask.due_on, HumanTask.id).limit(500).all()


def user_by_id(user_id: int) -> User | None:
    return db.session.get(User, user_id)
