"""Opening cases and reading them."""

from __future__ import annotations

from flask import current_app

from app import access
from app.codes import WARDS
from app.extensions import db
from app.models import Case, FormSubmission, HumanTask, User

from . import audit, replay
from .errors import Forbidden, NotFound, ValidationFailed
from .processes import current_version, spec_for
from .projection import derive_state, sync_tasks
from .runtime import engine, today

ACTIONS = {"record_progress": "progress_note", "request_pa_handoff": None, "flag_risk": "flag_risk",
           "correct_person": "person_correction"}


def start_case(ward: str, actor: User, route: str | None = None) -> Case:
    """Open a new episode at intake (a walk-in); one transaction."""
    if ward not in WARDS:
        raise ValidationFailed({"ward": [f"区のコードが正しくありません: {ward}"]})
    if not access.can_open_case(actor, ward):
        raise Forbidden("この区で相談ケースを開く権限がありません")
    case = open_episode(ward, actor, route)
    db.session.commit()
    return case


def open_episode(ward: str, actor: User, route: str | None = None) -> Case:
    """Start the process for a new case in the current transaction (callers check access and commit)."""
    version = current_version()
    start_data = {"plan_round": 0, "max_plan_rounds": int(current_app.config["MAX_PLAN_ROUNDS"])}
    workflow = engine().start(spec_for(version), start_data)
    case = Case(
        ward=ward,
        state="intake",
        assigned_to_id=actor.id if actor.has_role("caseworker") else None,
        opened_on=today(),
        route=route,
        process_version_id=version.id,
        workflow_blob=workflow.dump(),
    )
    db.session.add(case)
    db.session.flush()
    outcome = workflow.outcome()
    case.next_timer_at = outcome.next_timer_at
    sync_tasks(case, outcome, None, actor.id)
    case.state = derive_state(case, outcome)
    audit.record("case_opened", case.id, actor.id, ward=ward, process_version=version.version,
                 start_data=start_data, outcome=replay.outcome_digest(outcome))  # start_data: for `audit replay`
    return case


def get_case_for(user: User, case_id: int) -> Case:
    """The case if the user may see it; 404 otherwise (never reveal other wards' cases)."""
    case = db.session.get(Case, case_id)
    if case is None or not access.can_view_case(user, case):
        raise NotFound("相談ケースが見つかりません")
    return case


def open_tasks(case: Case) -> list[HumanTask]:
    return db.session.query(HumanTask).filter_by(case_id=case.id, status="open").order_by(HumanTask.id).all()


def available_actions(case: Case, user: User) -> list[str]:
    if case.is_closed or not access.can_run_action(user, case, "record_progress"):
        return []
    actions = ["record_progress"]
    if not any(task.form_key == "pa_handoff" for task in open_tasks(case)):
        actions.append("request_pa_handoff")
    actions.append("flag_risk")  # 自死企図 risk flag
    if case.person_id is not None:
        actions.append("correct_person")  # 本人情報の訂正, audited with before/after/reason
    return actions


def submissions(case: Case) -> list[FormSubmission]:
    return db.session.query(FormSubmission).filter_by(case_id=case.id).order_by(FormSubmission.id).all()
