"""Completing tasks and running case actions: each is one transaction."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, joinedload
from sqlalchemy.orm.exc import StaleDataError

from app import access
from app.engine import EngineError, StepOutcome, TaskNotReady
from app.extensions import db
from app.forms import validate_data
from app.models import Case, Closure, FormSubmission, HumanTask, ProcessVersion, User

from . import audit, corrections, replay, risk
from .case_lock import lock_case
from .cases import ACTIONS, available_actions
from .errors import CaseClosed, Conflict, Forbidden, NotFound, StepFailed, ValidationFailed
from .handlers import HandlerResult, handler_for
from .processes import form_definition
from .projection import derive_state, open_tasks_under_lock, sync_tasks
from .runtime import engine, now, today

# The statements of every task step, built once: SQLAlchemy keeps a statement object's cache
# key, so reusing the object saves working it out again on each step.
_WITH_CASE = contains_eager(HumanTask.case)  # a plain join, so that FOR UPDATE OF can name the table
_TASK_LOCKING_ITS_CASE = (
    sa.select(HumanTask).join(HumanTask.case).join(Case.process_version)
    .where(HumanTask.id == sa.bindparam("task_id"))
    .options(_WITH_CASE.contains_eager(Case.process_version), _WITH_CASE.undefer(Case.workflow_blob))
    .with_for_update(of=Case).execution_options(populate_existing=True)
)


def get_task_for(user: User, task_id: int, lock_case: bool = False) -> HumanTask:
    """The task if the user may work on it; 404 when its case is not theirs to see at all.

    The task, its case and the case's process version come in one query.  With `lock_case` (a
    step is about to follow, e.g. a task form was posted) that query also locks the case row,
    so the step needs no lock query of its own; the task row itself is read again under the lock.
    """
    if lock_case:
        task = db.session.execute(_TASK_LOCKING_ITS_CASE, {"task_id": task_id}).scalars().one_or_none()
        if task is not None:
            audit.case_row_locked(task.case_id)
    else:
        with_case = joinedload(HumanTask.case, innerjoin=True)
        task = db.session.get(HumanTask, task_id,
                              options=[with_case.joinedload(Case.process_version, innerjoin=True)])
    if task is None or not (access.can_act_on_task(user, task) or access.can_view_case(user, task.case)):
        raise NotFound("タスクが見つかりません")
    if task.status == "open" and not access.can_act_on_task(user, task):
        raise Forbidden("このタスクを処理する権限がありません（担当ロールまたは担当者が異なります）")
    return task


def _validated(version: ProcessVersion, form_key: str, raw: dict) -> tuple[dict, int]:
    definition = form_definition(version, form_key)
    result = validate_data(definition, raw or {})
    if not result.ok:
        raise ValidationFailed(result.errors)
    return result.clean, definition.version


def submit_task(task_id: int, raw: dict, actor: User) -> Case:
    """Validate, record, advance the process and project the result; all or nothing."""
    task = get_task_for(actor, task_id)
    # Keeps the (immutable) process version loaded: the lock below refreshes the case row and
    # would otherwise drop it and read it again.
    version = task.case.process_version
    try:
        case = lock_case(task.case_id)
        # Read after the lock: the task's own status (a second submission finds it done) and the
        # case's other open tasks, which the projection compares with the engine's ready tasks.
        open_rows = open_tasks_under_lock(case.id)
        if task not in open_rows:
            db.session.refresh(task)
        if case.is_closed:
            raise CaseClosed("この相談ケースは終結しています。記録の追加や変更はできません")
        if task.status != "open":
            raise Conflict("このタスクは既に完了しています（二重送信または古い画面）")
        if not access.can_act_on_task(actor, task):
            raise Forbidden("このタスクを処理する権限がありません")
        if case.process_version_id != version.id:  # migrated meanwhile: its own version
            version = case.process_version
        data, form_version = _validated(version, task.form_key, raw)
        submission = FormSubmission(
            case_id=case.id, human_task_id=task.id, form_key=task.form_key, form_version=form_version,
            data=data, actor_id=actor.id, submitted_at=now(),
        )
        db.session.add(submission)
        task.status = "completed"  # goes out with the submission: one flush for both
        task.completed_at = now()
        task.completed_by_id = actor.id
        db.session.flush()
        result = handler_for(task.form_key)(case, task, submission, data)
        workflow = engine().load(case.workflow_blob)
        engine_data = {**data, **result.workflow_data}
        engine_input = replay.step_input(workflow, task.engine_task_id, engine_data)  # for `audit replay`
        outcome = workflow.complete_task(task.engine_task_id, engine_data)
        audit.record("task_completed", case.id, actor.id, task_id=task.id, bpmn_id=task.bpmn_id,
                     form_key=task.form_key, submission_id=submission.id,
                     on_behalf_of=access.acting_for(actor, task),
                     engine_input=engine_input, outcome=replay.outcome_digest(outcome))
        _apply_outcome(case, workflow.dump(), outcome, task.engine_task_id, actor, result, data, task.form_key,
                       open_rows)
        if not case.is_closed:
            risk.after_task(case, task, submission, data, actor)  # risk flags and their response
        db.session.commit()
    except TaskNotReady as exc:
        db.session.rollback()
        raise Conflict("このタスクはもう処理できません（ケースの状況が変わりました）") from exc
    except EngineError as exc:
        db.session.rollback()
        _record_failure(task.case_id, actor.id, task.name, exc.element_id or task.bpmn_id, exc)
        message = f"タスク「{task.name}」の処理に失敗しました。変更は保存されていません。"
        raise StepFailed(message, exc.element_id) from exc
    except StaleDataError as exc:
        db.session.rollback()
        raise Conflict("他の職員が同時にこのケースを更新しました。画面を開き直してください") from exc
    except Exception:
        db.session.rollback()
        raise
    return case


def run_action(case_id: int, action: str, raw: dict, actor: User) -> Case:
    case = db.session.get(Case, case_id)
    if case is None or not access.can_view_case(actor, case):
        raise NotFound("相談ケースが見つかりません")
    if action not in ACTIONS:
        raise NotFound(f"操作 {action} はありません")
    if not access.can_run_action(actor, case, action):
        raise Forbidden("この相談ケースで操作する権限がありません")
    try:
        case = lock_case(case_id)
        if case.is_closed:
            raise CaseClosed("この相談ケースは終結しています。操作はできません")
        if action not in available_actions(case, actor):
            raise Conflict(f"操作 {action} は現在この相談ケースでは行えません")
        if action == "record_progress":
            _record_progress(case, raw, actor)
        elif action == "flag_risk":
            _flag_risk(case, raw, actor)
        elif action == "correct_person":
            _correct_person(case, raw, actor)
        else:
            _request_pa_handoff(case, raw, actor)
        db.session.commit()
    except EngineError as exc:
        db.session.rollback()
        _record_failure(case_id, actor.id, action, exc.element_id, exc)
        raise StepFailed(f"操作「{action}」の処理に失敗しました。変更は保存されていません。", exc.element_id) from exc
    except StaleDataError as exc:
        db.session.rollback()
        raise Conflict("他の職員が同時にこのケースを更新しました。画面を開き直してください") from exc
    except Exception:
        db.session.rollback()
        raise
    return case


def _action_submission(case: Case, action: str, raw: dict, actor: User) -> tuple[dict, FormSubmission]:
    """Validate an action's form and keep it as an immutable submission of the case."""
    form_key = ACTIONS[action]
    data, form_version = _validated(case.process_version, form_key, raw)
    submission = FormSubmission(case_id=case.id, action=action, form_key=form_key,
                                form_version=form_version, data=data, actor_id=actor.id, submitted_at=now())
    db.session.add(submission)
    db.session.flush()
    case.updated_at = now()
    return data, submission


def _record_progress(case: Case, raw: dict, actor: User) -> None:
    data, submission = _action_submission(case, "record_progress", raw, actor)
    handler_for("progress_note")(case, None, submission, data)
    audit.record("action_run", case.id, actor.id, action="record_progress", submission_id=submission.id,
                 on_behalf_of=access.acting_for(actor, case))


def _correct_person(case: Case, raw: dict, actor: User) -> None:
    data, submission = _action_submission(case, "correct_person", raw, actor)
    corrections.correct_person(case, data, submission, actor, access.acting_for(actor, case))


def _flag_risk(case: Case, raw: dict, actor: User) -> None:
    data, submission = _action_submission(case, "flag_risk", raw, actor)
    risk.flag_from_action(case, data, submission, actor)


def _request_pa_handoff(case: Case, raw: dict, actor: User) -> None:
    unknown = sorted(set(raw or {}) - {"note"})
    if unknown:
        raise ValidationFailed({key: [f"この項目は定義されていません: {key}"] for key in unknown})
    note = str((raw or {}).get("note") or "")
    workflow = engine().load(case.workflow_blob)
    payload = {"requested_by": actor.username, "note": note}
    outcome = workflow.send_message("request_pa_handoff", payload)
    audit.record("action_run", case.id, actor.id, action="request_pa_handoff", note=note,
                 message={"name": "request_pa_handoff", "payload": payload}, outcome=replay.outcome_digest(outcome))
    _apply_outcome(case, workflow.dump(), outcome, None, actor, HandlerResult(), {})


def _apply_outcome(case: Case, blob: bytes, outcome: StepOutcome, completed_task_id, actor: User,
                   result: HandlerResult, data: dict, completed_form_key: str | None = None,
                   open_rows: list[HumanTask] | None = None) -> None:
    previous = case.state
    # State first (its queries would otherwise flush the case row twice), then one UPDATE.
    case.state = derive_state(case, outcome, completed_form_key)
    case.workflow_blob = blob
    case.next_timer_at = outcome.next_timer_at
    case.updated_at = now()
    sync_tasks(case, outcome, completed_task_id, actor.id, open_rows)
    if case.state != previous:
        audit.record("case_state_changed", case.id, actor.id, before=previous, after=case.state)
    if outcome.completed:
        _close(case, result.closure_reason or "other", data, actor)


def _close(case: Case, reason: str, data: dict, actor: User) -> None:
    closed_on = date.fromisoformat(data["closed_on"]) if data.get("closed_on") else today()
    case.closed_on = closed_on
    case.closure_reason = reason
    submission_id = (
        db.session.query(db.func.max(FormSubmission.id)).filter_by(case_id=case.id).scalar()
    )
    db.session.add(Closure(case_id=case.id, closed_on=closed_on, reason=reason,
                           submission_id=submission_id, closed_by_id=actor.id))
    audit.record("case_closed", case.id, actor.id, reason=reason, closed_on=closed_on.isoformat())


def _record_failure(case_id: int, actor_id: int, what: str, element_id: str | None, exc: Exception) -> None:
    """Operators must see failed steps even though the step itself was rolled back."""
    audit.record("step_failed", case_id, actor_id, what=what, element_id=element_id, error=str(exc)[:1000])
    db.session.commit()
