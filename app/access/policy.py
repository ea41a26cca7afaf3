"""The rules: role × ward × assignment (× cover), decided here for pages, API, exports and search.

- Ward staff see and act on cases of their own ward only; a city-bureau auditor (no ward) reads
  every ward's histories, a ward auditor their ward's; auditors change nothing.
- A task is offered to the holders of its roles in the case's ward; a caseworker task goes to the
  case's assigned caseworker (``HumanTask.assignee_id``).  A supervisor (lead_worker,
  section_chief) sees every case and open task of the ward, may take tasks over, and reassigns.
- Cover (代理): while a cover assignment is running, the cover user sees and acts on the absent
  user's cases and tasks, even across wards (the domain matrix: "only when covering, logged").
- A case under DV / 住所秘匿 (``flags.is_protected``) is absent from a provider's views: the
  provider still works its own task (whose page shows no address), nothing more.
- ``referrer`` users submit referral slips and read what the slip's consent allows; they never
  see cases.  ``stats_viewer`` sees aggregates only; ``process_owner`` and ``admin`` have no
  case access.
"""

from __future__ import annotations

from sqlalchemy import and_, false, literal, or_, true

from app.models import Case, HumanTask, User

from .covers import covered_user_ids
from .flags import is_protected

WARD_STAFF_ROLES = {
    "caseworker", "lead_worker", "section_chief", "employment_navigator", "budget_advisor", "provider",
    "pa_worker", "mental_health",
}
SUPERVISOR_ROLES = {"lead_worker", "section_chief"}
CASE_OPENING_ROLES = {"caseworker", "lead_worker", "section_chief"}
WHOLE_WARD_READERS = {"caseworker"} | SUPERVISOR_ROLES
REFERRAL_ROLES = {"referrer"} | CASE_OPENING_ROLES
STATS_ROLES = {"stats_viewer", "section_chief", "lead_worker"}
COVER_SETTING_ROLES = {"section_chief"}
PROTECTED_HIDDEN_ROLES = {"provider"}


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def is_supervisor_of(user: User, ward: str | None) -> bool:
    return _signed_in(user) and ward is not None and user.ward == ward and bool(user.roles & SUPERVISOR_ROLES)


def is_auditor_for(user: User, ward: str) -> bool:
    return _signed_in(user) and user.has_role("auditor") and user.ward in (None, ward)


def is_covering(user: User, assignee_id: int | None) -> bool:
    # Nobody covers for themselves: the user's own work needs no cover lookup.
    if assignee_id is None or assignee_id == getattr(user, "id", None):
        return False
    return assignee_id in covered_user_ids(user)


def can_view_case(user: User, case: Case) -> bool:
    if not _signed_in(user):
        return False
    if is_covering(user, case.assigned_to_id) or is_auditor_for(user, case.ward):
        return True
    if user.ward != case.ward:
        return False
    if user.roles & WHOLE_WARD_READERS:
        return True
    # DV / 住所秘匿: a provider works its own task only; the case itself is absent from its views.
    if user.roles & PROTECTED_HIDDEN_ROLES and not user.roles - PROTECTED_HIDDEN_ROLES and is_protected(case):
        return False
    # Delivering roles see the cases they have a task on.
    return any(can_act_on_task(user, task) for task in _open_tasks(case))


def can_read_history(user: User, case: Case) -> bool:
    """Audit events of a case: whoever may see the case (auditors included)."""
    return can_view_case(user, case)


def _open_tasks(case: Case):
    from app.extensions import db

    return db.session.query(HumanTask).filter_by(case_id=case.id, status="open").all()


def can_act_on_task(user: User, task: HumanTask) -> bool:
    if not _signed_in(user):
        return False
    if is_covering(user, task.assignee_id):
        return bool(user.roles & task.roles) or bool(user.roles & SUPERVISOR_ROLES)
    if user.ward != task.ward:
        return False
    if task.assignee_id == user.id:
        # A supervisor who took a caseworker task over works it (主任 are senior caseworkers).
        return bool(user.roles & task.roles) or ("caseworker" in task.roles and bool(user.roles & SUPERVISOR_ROLES))
    return task.assignee_id is None and bool(user.roles & task.roles)


def acting_for(user: User, task_or_case) -> int | None:
    """The absent user whose work this is, when the user acts as their cover; else None."""
    assignee = getattr(task_or_case, "assignee_id", None)
    if assignee is None:
        assignee = getattr(task_or_case, "assigned_to_id", None)
    if assignee is None or assignee == user.id:
        return None
    return assignee if is_covering(user, assignee) else None


def can_claim_task(user: User, task: HumanTask) -> bool:
    """Claiming needs the task's role in its ward (or cover); whether it is free is checked atomically."""
    if not _signed_in(user) or task.status != "open":
        return False
    if is_covering(user, task.assignee_id):
        return True
    return user.ward == task.ward and bool(user.roles & task.roles)


def can_release_task(user: User, task: HumanTask) -> bool:
    return task.status == "open" and (task.assignee_id == user.id or is_supervisor_of(user, task.ward))


def can_take_over_task(user: User, task: HumanTask) -> bool:
    """A supervisor of the ward takes over only a task they could then work: one of its roles, or a
    caseworker's (a mental-health hand-off taken by a lead worker would be stuck with nobody able to do it)."""
    workable = bool(user.roles & task.roles) or "caseworker" in task.roles
    return task.status == "open" and is_supervisor_of(user, task.ward) and workable


def can_reassign(user: User, ward: str) -> bool:
    return is_supervisor_of(user, ward)


def can_set_cover(user: User, ward: str) -> bool:
    return _signed_in(user) and user.ward == ward and bool(user.roles & COVER_SETTING_ROLES)


def can_open_case(user: User, ward: str) -> bool:
    return _signed_in(user) and user.ward == ward and bool(user.roles & CASE_OPENING_ROLES)


# Case actions of the 家計改善 adviser on a case they serve (the budget table, the arrears).
ADVISER_ACTIONS = ("record_budget", "record_arrears")


def can_run_action(user: User, case: Case, action: str) -> bool:
    if not can_view_case(user, case):
        return False
    if action in ADVISER_ACTIONS and user.has_role("budget_advisor") and user.ward == case.ward:
        return True
    if is_supervisor_of(user, case.ward) or is_covering(user, case.assigned_to_id):
        return True
    return user.has_role("caseworker") and user.ward == case.ward and case.assigned_to_id in (None, user.id)


def can_submit_referral(user: User) -> bool:
    return _signed_in(user) and bool(user.roles & REFERRAL_ROLES)


def can_submit_pa_slip(user: User) -> bool:
    """生活保護廃止時 情報提供票: the public-assistance caseworkers of a ward."""
    return _signed_in(user) and user.ward is not None and user.has_role("pa_worker")


def can_view_referral(user: User, receipt) -> bool:
    """The referrer who sent it, or ward staff who may see the case it opened."""
    if not _signed_in(user):
        return False
    if receipt.submitted_by_id == user.id:
        return True
    return user.ward == receipt.ward and bool(user.roles & WHOLE_WARD_READERS)


def can_view_stats(user: User) -> bool:
    return _signed_in(user) and bool(user.roles & STATS_ROLES)


def visible_task_filter(user: User, query):
    """Restrict a HumanTask query to the open tasks the user may work on (the worklist)."""
    if not _signed_in(user):
        return query.filter(false())
    covered = covered_user_ids(user)
    clauses = [HumanTask.assignee_id.in_(covered)] if covered else []
    if user.ward and user.roles:
        role_match = or_(*[HumanTask.role.contains(role) for role in user.roles])
        clauses.append(and_(HumanTask.ward == user.ward, role_match, HumanTask.assignee_id.is_(None)))
        clauses.append(and_(HumanTask.ward == user.ward, HumanTask.assignee_id == user.id))
    return query.filter(or_(*clauses)) if clauses else query.filter(false())


def _has_role(role: str):
    # ``HumanTask.role`` is space-separated: match whole words, as ``HumanTask.roles`` splits them.
    # The codes' underscores are escaped: in LIKE they would match any character.
    return (literal(" ").concat(HumanTask.role).concat(" ")).like(f"% {role.replace('_', '!_')} %", escape="!")


def actable_task_filter(user: User, query):
    """Restrict a HumanTask query to exactly the tasks `can_act_on_task` allows, so the database can
    count and page them (the worklist)."""
    if not _signed_in(user) or getattr(user, "id", None) is None:
        return query.filter(false())
    supervisor = bool(user.roles & SUPERVISOR_ROLES)
    role_match = or_(*[_has_role(role) for role in sorted(user.roles)]) if user.roles else false()
    covered = covered_user_ids(user) - {user.id}
    clauses = []
    if covered:
        clauses.append(and_(HumanTask.assignee_id.in_(sorted(covered)), true() if supervisor else role_match))
    if user.ward:
        mine = or_(role_match, _has_role("caseworker")) if supervisor else role_match
        clauses.append(and_(HumanTask.ward == user.ward, HumanTask.assignee_id == user.id, mine))
        clauses.append(and_(HumanTask.ward == user.ward, HumanTask.assignee_id.is_(None), role_match))
    return query.filter(or_(*clauses)) if clauses else query.filter(false())


def readable_task_filter(user: User, query):
    """Open tasks the user may look at: the worklist, plus every task of the ward for supervisors."""
    if user.ward and user.roles & SUPERVISOR_ROLES:
        covered = covered_user_ids(user)
        return query.filter(or_(HumanTask.ward == user.ward, HumanTask.assignee_id.in_(covered or {-1})))
    return visible_task_filter(user, query)
