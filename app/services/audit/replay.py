"""Deterministic replay: re-run a case's workflow from its audit events and compare.

The events that moved the engine carry what went into it (`case_opened.start_data`,
`task_completed.engine_input`, `action_run.message`; `timer_fired` uses its time;
`case_migrated` names the version a process owner moved the case to).  Replay starts the
process version the case opened on (`case_opened.process_version`), migrates where the case
was migrated, feeds the inputs in chain order, each step at its
event's recorded time (passed to the engine as `at`: what SpiffWorkflow's timers see then;
the process clock is left alone, so replays may run in any thread, side by side), checks each
step against the outcome recorded with it, and finally compares with the stored workflow, the
task projection and the case state.

Only engine events are read (`ENGINE_EVENTS`); every other event type (reads, consents, risk
flags, corrections…) does not move the workflow and is skipped, whatever new types appear.
An `action_run` moves it when its action sends the process a message (`ENGINE_ACTIONS`, or
any action that recorded a `message`); other actions are skipped.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime

from flask import current_app

from app.engine import EngineError, StepOutcome, try_migration
from app.engine.inspection import element_runs, find_ready_task
from app.extensions import db
from app.lifecycle.projection import derive_state, is_side_process_task
from app.lifecycle.runtime import engine
from app.lifecycle.steps import outcome_digest
from app.lifecycle.versions import spec_for
from app.models import AuditEvent, Case, HumanTask, ProcessVersion
from app.models.audit import chain_key, utc_iso

# case_migrated: a process owner moved the running case to another version; replay starts on
# the version the case opened on and migrates where the case did.
ENGINE_EVENTS = ("case_opened", "task_completed", "action_run", "timer_fired", "case_migrated")
# Actions that send the process a message (flag_risk only when the level is high: it records
# an action_run only then).
ENGINE_ACTIONS = ("request_pa_handoff", "flag_risk")


# -- replay --------------------------------------------------------------------
@dataclass
class ReplayStep:
    sequence: int
    event_type: str
    at: datetime
    label: str
    ran: list[str] = field(default_factory=list)  # BPMN ids completed during this step, in order
    active: list[str] = field(default_factory=list)  # BPMN ids ready or waiting after it


@dataclass
class ReplayResult:
    case_id: int
    process_version: int
    steps: list[ReplayStep] = field(default_factory=list)
    divergences: list[str] = field(default_factory=list)
    first_diverging_sequence: int | None = None

    @property
    def ok(self) -> bool:
        return not self.divergences

    def diverge(self, sequence: int | None, message: str) -> None:
        if self.first_diverging_sequence is None and sequence is not None:
            self.first_diverging_sequence = sequence
        self.divergences.append(f"step #{sequence}: {message}" if sequence is not None else message)


class _Stop(Exception):
    pass


def replay_case(case: Case, trace: bool = False) -> ReplayResult:
    """Re-execute `case` from its events; `trace` also notes which elements ran at each step."""
    events = (
        db.session.query(AuditEvent)
        .filter(AuditEvent.chain == chain_key(case.id), AuditEvent.event_type.in_(ENGINE_EVENTS))
        .order_by(AuditEvent.sequence)
        .all()
    )
    steps = [_StepEvent.of(event) for event in events]
    steps = [step for step in steps if step.moves_engine]
    result = ReplayResult(case.id, case.process_version.version)
    spec = _specs_of(case)
    default_start = {"plan_round": 0, "max_plan_rounds": int(current_app.config["MAX_PLAN_ROUNDS"])}
    workflow = None
    ready: list = []  # ready tasks after the previous step: the next step looks its task up here
    try:
        for step in steps:
            workflow, ready = _apply(step, workflow, ready, spec, default_start, result, trace)
    except _Stop:
        pass
    if result.ok and workflow is not None:
        _compare_with_stored(case, workflow, result)
    elif workflow is None and result.ok:
        result.diverge(None, "no case_opened event: nothing to replay")
    return result


@dataclass
class _StepEvent:
    sequence: int
    event_type: str
    at: datetime
    data: dict

    @classmethod
    def of(cls, event: AuditEvent) -> _StepEvent:
        at = event.at if event.at.tzinfo else event.at.replace(tzinfo=UTC)
        return cls(event.sequence, event.event_type, at, event.data or {})

    @property
    def moves_engine(self) -> bool:
        if self.event_type != "action_run":
            return True
        return self.data.get("action") in ENGINE_ACTIONS or "message" in self.data


def _specs_of(case: Case):
    """spec(version number) → the parsed process of that version of the case's process."""
    current = case.process_version

    def spec(number: int | None):
        if number is None or number == current.version:
            return spec_for(current)
        version = (db.session.query(ProcessVersion)
                   .filter_by(process_id=current.process_id, version=int(number)).one_or_none())
        if version is None:
            raise LookupError(f"process version {number} of {current.process_id} is not stored")
        return spec_for(version)

    return spec


def _apply(step: _StepEvent, workflow, ready: list, spec, default_start: dict, result: ReplayResult, trace: bool):
    before = _completed_ids(workflow) if trace and workflow is not None else set()
    try:
        if step.event_type == "case_opened":
            opened_on = spec(step.data.get("process_version"))
            workflow = engine().start(opened_on, step.data.get("start_data") or default_start, at=step.at)
            outcome, label = workflow.outcome(), "case_opened"
        elif workflow is None:
            result.diverge(step.sequence, "an engine step before the case was opened")
            raise _Stop
        elif step.event_type == "task_completed":
            outcome, label = _complete(step, workflow, ready, result)
        elif step.event_type == "action_run":
            message = step.data.get("message") or {}
            if not message:
                result.diverge(step.sequence, "the action's event does not carry the message payload")
                raise _Stop
            outcome = workflow.send_message(message["name"], message.get("payload") or {}, at=step.at)
            label = message["name"]
        elif step.event_type == "case_migrated":
            workflow, outcome = _migrate(step, workflow, spec, result)
            label = f"v{step.data.get('from_version')} → v{step.data.get('to_version')}"
        else:
            outcome, label = workflow.fire_due_timers(at=step.at), "timer_fired"
    except LookupError as exc:
        result.diverge(step.sequence, str(exc))
        raise _Stop from exc
    except EngineError as exc:
        result.diverge(step.sequence, f"the engine failed in replay: {exc}")
        raise _Stop from exc
    _check_outcome(step, outcome, result)
    replay_step = ReplayStep(step.sequence, step.event_type, step.at, label)
    if trace:
        runs = element_runs(workflow)
        replay_step.ran = [r.bpmn_id for r in runs if r.state == "completed" and r.task_id not in before]
        replay_step.active = [r.bpmn_id for r in runs if r.state in ("ready", "waiting")]
    result.steps.append(replay_step)
    return workflow, outcome.ready_tasks


def _migrate(step: _StepEvent, workflow, spec, result: ReplayResult):
    """Move the replayed workflow to the version the case was migrated to, as the live migration did."""
    target = step.data.get("to_version")
    if target is None:
        result.diverge(step.sequence, "the migration's event does not name the version it moved to")
        raise _Stop
    plan, blob, outcome = try_migration(engine(), workflow.dump(), spec(target), at=step.at)
    if blob is None:
        reasons = ", ".join(c.element_id for c in plan.blocked_by) or plan.error or "unknown"
        result.diverge(step.sequence, f"the migration to version {target} is refused in replay ({reasons})")
        raise _Stop
    return engine().load(blob), outcome


def _completed_ids(workflow) -> set[str]:
    return {run.task_id for run in element_runs(workflow) if run.state == "completed"}


def _complete(step: _StepEvent, workflow, ready: list, result: ReplayResult):
    given = step.data.get("engine_input")
    if not given:
        result.diverge(step.sequence, f"task {step.data.get('bpmn_id')} was recorded without its engine input")
        raise _Stop
    info = find_ready_task(ready, given["bpmn_id"], given.get("instance_item"), given.get("iteration"))
    if info is None:
        waiting = sorted(f"{i.bpmn_id}[{i.instance_item or ''}]" for i in workflow.ready_user_tasks())
        result.diverge(step.sequence, f"task {given['bpmn_id']}[{given.get('instance_item') or ''}] "
                                      f"was not waiting in the replay (waiting: {', '.join(waiting) or 'none'})")
        raise _Stop
    return workflow.complete_task(info.task_id, given.get("data") or {}, at=step.at), info.name


def _check_outcome(step: _StepEvent, outcome: StepOutcome, result: ReplayResult) -> None:
    recorded = step.data.get("outcome")
    if recorded is None:
        return
    replayed = outcome_digest(outcome)
    if replayed != recorded:
        result.diverge(step.sequence, f"after this step the replay has {_show(replayed)}, "
                                      f"the record says {_show(recorded)}")
        raise _Stop


def _show(digest: dict) -> str:
    ready = ", ".join(f"{b}[{i or ''}]" for b, i in digest["ready"]) or "nothing"
    return f"{'completed, ' if digest['completed'] else ''}ready: {ready}"


def _ready_key(info) -> tuple:
    return info.bpmn_id, info.instance_item or "", info.iteration or 0


def _compare_with_stored(case: Case, workflow, result: ReplayResult) -> None:
    last = result.steps[-1].sequence if result.steps else None
    stored = engine().load(case.workflow_blob)
    replayed_ready = sorted(workflow.ready_user_tasks(), key=_ready_key)
    stored_ready = sorted(stored.ready_user_tasks(), key=_ready_key)
    if workflow.completed != stored.completed:
        result.diverge(last, f"replay completed={workflow.completed}, stored workflow completed={stored.completed}")
    if [_ready_key(i) for i in replayed_ready] != [_ready_key(i) for i in stored_ready]:
        result.diverge(last, f"ready tasks differ: replay {[_ready_key(i) for i in replayed_ready]}, "
                             f"stored {[_ready_key(i) for i in stored_ready]}")
        return
    for replayed, kept in zip(replayed_ready, stored_ready, strict=True):
        if _canonical(replayed.data) != _canonical(kept.data):
            changed = sorted(k for k in set(replayed.data) | set(kept.data)
                             if _canonical(replayed.data.get(k)) != _canonical(kept.data.get(k)))
            result.diverge(last, f"workflow data of open task {replayed.bpmn_id} differs in: {', '.join(changed)}")
    projected = sorted(
        (row.bpmn_id, row.instance_item or "")
        for row in db.session.query(HumanTask).filter_by(case_id=case.id, status="open")
        if not is_side_process_task(row)  # a programme's own workflow (住居確保給付金) is not replayed here
    )
    expected = sorted((i.bpmn_id, i.instance_item or "") for i in replayed_ready if i.form_key)
    if projected != expected:
        result.diverge(last, f"open task rows {projected} do not match the replay {expected}")
    outcome = StepOutcome(workflow.completed, [] if workflow.completed else replayed_ready, None)
    state = derive_state(case, outcome)
    if state != case.state:
        result.diverge(last, f"case state is {case.state}, the replay gives {state}")


def _canonical(value) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def describe_at(step: ReplayStep) -> str:
    return f"#{step.sequence} {utc_iso(step.at)} {step.event_type} {step.label}"
