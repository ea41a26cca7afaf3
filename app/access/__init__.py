"""Who may see and do what, decided here once for pages and the API alike.

The spine's rules: staff act only inside their own ward; a task is offered to the
holders of its roles in the case's ward; a caseworker task goes to the case's
assigned caseworker.  Supervisors (lead_worker, section_chief) see every case
of their ward.
"""

from __future__ import annotations

from app.models import Case, HumanTask, User

WARD_STAFF_ROLES = {
    "caseworker", "lead_worker", "section_chief", "employment_navigator", "budget_advisor", "provider",
    "pa_worker", "mental_health",
}
SUPERVISOR_ROLES = {"lead_worker", "section_chief"}
CASE_OPENING_ROLES = {"caseworker", "lead_worker", "section_chief"}


def can_view_case(user: User, case: Case) -> bool:
    if not user.is_authenticated or user.ward != case.ward:
        return False
    if user.roles & SUPERVISOR_ROLES or user.has_role("caseworker"):
        return True
    # Delivering roles see the cases they have a task on.
    return any(can_act_on_task(user, task) for task in _open_tasks(case))


def _open_tasks(case: Case):
    from app.extensions import db

    return db.session.query(HumanTask).filter_by(case_id=case.id, status="open").all()


def can_act_on_task(user: User, task: HumanTask) -> bool:
    if not user.is_authenticated or user.ward != task.ward:
        return False
    if not (user.roles & task.roles):
        return False
    return task.assignee_id is None or task.assignee_id == user.id


def can_open_case(user: User, ward: str) -> bool:
    return user.is_authenticated and user.ward == ward and bool(user.roles & CASE_OPENING_ROLES)


def can_run_action(user: User, case: Case, action: str) -> bool:
    if not can_view_case(user, case):
        return False
    if user.roles & SUPERVISOR_ROLES:
        return True
    return user.has_role("caseworker") and case.assigned_to_id in (None, user.id)


def visible_task_filter(user: User, query):
    """Restrict a HumanTask query to what the user may see in the worklist."""
    from sqlalchemy import or_

    if not user.is_authenticated or not user.ward:
        return query.filter(HumanTask.id.is_(None))
    role_match = or_(*[HumanTask.role.contains(role) for role in user.roles]) if user.roles else False
    return query.filter(
        HumanTask.ward == user.ward,
        role_match,
        or_(HumanTask.assignee_id.is_(None), HumanTask.assignee_id == user.id),
    )
