"""Case actions (record a progress note, ask for the hand-off to public assistance, flag a risk,
correct the person's details): each is one transaction through the lifecycle's step pipeline."""

from __future__ import annotations

from collections.abc import Callable

from app import access
from app.clock import now
from app.errors import CaseClosed, Conflict, Forbidden, NotFound
from app.extensions import db
from app.lifecycle import public_assistance, registry, steps
from app.models import Case, FormSubmission, User
from app.programs import shelter

from .opening import open_tasks
from .tasks import validated
from .transaction import Attempt, one_transaction

# Each action and the form it is recorded with (the hand-off request carries only a note).
ACTIONS = {"record_progress": "progress_note", "request_pa_handoff": None, "flag_risk": "flag_risk",
           "correct_person": "person_correction"}
ACTIONS["record_outcome"] = "outcome"  # 就労・増収, counted in the month it happened
# The statutory programmes' actions (app/programs): allowed from intake on, before any plan.
ACTIONS.update({"record_eligibility": "eligibility", "admit_shelter": "shelter_admission",
                "extend_shelter": "shelter_extension", "discharge_shelter": "shelter_discharge",
                "record_pa_start": "pa_start", "set_person_flags": "person_flags", "log_inquiry": "inquiry",
                "record_budget": "budget_table", "record_arrears": "arrears", "refer_child": "child_referral"})


def available_actions(case: Case, user: User) -> list[str]:
    if case.is_closed:
        return []
    if not access.can_run_action(user, case, "record_progress"):
        # The budget adviser keeps the budget table and the arrears of a case they serve.
        return [a for a in access.ADVISER_ACTIONS if access.can_run_action(user, case, a)]
    actions = ["record_progress"]
    if not any(task.form_key == "pa_handoff" for task in open_tasks(case)):
        actions.append("request_pa_handoff")
    actions.append("flag_risk")  # 自死企図 risk flag
    if case.person_id is not None:
        actions.append("correct_person")  # 本人情報の訂正, audited with before/after/reason
    actions.append("record_outcome")  # 就労・増収
    actions.extend(program_actions(case))
    return actions


def program_actions(case: Case) -> list[str]:
    staying = shelter.active_stay(case) is not None
    actions = ["record_eligibility", "extend_shelter" if staying else "admit_shelter"]
    if staying:
        actions.append("discharge_shelter")
    actions.append("record_pa_start")
    if case.person_id is not None:
        actions += ["set_person_flags", "log_inquiry", "record_budget", "record_arrears", "refer_child"]
    return actions


def run_action(case_id: int, action: str, raw: dict, actor: User,
               before_commit: Callable[[Case], None] | None = None) -> Case:
    """Run a case action in one transaction; `before_commit(case)` adds to it (Idempotency-Key answer)."""
    case = db.session.get(Case, case_id)
    if case is None or not access.can_view_case(actor, case):
        raise NotFound("相談ケースが見つかりません")
    if action not in ACTIONS:
        raise NotFound(f"操作 {action} はありません")
    if not access.can_run_action(actor, case, action):
        raise Forbidden("この相談ケースで操作する権限がありません")
    with one_transaction(actor, Attempt("操作", action, case_id)):
        step = steps.lock(case_id, actor)
        if step.case.is_closed:
            raise CaseClosed("この相談ケースは終結しています。操作はできません")
        if action not in available_actions(step.case, actor):
            raise Conflict(f"操作 {action} は現在この相談ケースでは行えません")
        if ACTIONS[action] is None:
            public_assistance.request_handoff(step, raw)
        else:
            _record_action(step, action, raw)
        if before_commit is not None:
            before_commit(step.case)
    return step.case


def _record_action(step: steps.CaseStep, action: str, raw: dict) -> None:
    """Validate the action's form, keep it as an immutable submission, and let its step record it."""
    case, actor = step.case, step.actor
    form_key = ACTIONS[action]
    data, form_version = validated(case.process_version, form_key, raw)
    submission = FormSubmission(case_id=case.id, action=action, form_key=form_key,
                                form_version=form_version, data=data, actor_id=actor.id, submitted_at=now())
    db.session.add(submission)
    db.session.flush()
    case.updated_at = now()
    registry.for_form(form_key).handle(step, None, submission, data)
    if action == "record_progress":
        step.record("action_run", action="record_progress", submission_id=submission.id,
                    on_behalf_of=access.acting_for(actor, case))
