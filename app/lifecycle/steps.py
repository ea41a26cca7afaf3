"""The one pipeline every writer of a case goes through.

A step locks the case row (with its open tasks and the head of its audit chain, read under that
lock), loads the workflow, acts on it — completes a task, sends a message, fires timers, moves it
to another process version, or starts it — and then writes, always in this order:

1. the case state the outcome leads to,
2. the workflow blob and the next timer,
3. the task projection (new tasks in, withdrawn tasks cancelled),
4. `case_state_changed` when the state moved,
5. the closure, with its `Closure` record, whenever the process ended.

The act's own audit event (`task_completed`, `action_run`, `timer_fired`, …) is written by the act,
before the writes it caused.  The caller commits: one step, one transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cache
from weakref import WeakKeyDictionary

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import NoResultFound
from sqlalchemy.orm import contains_eager, undefer
from sqlalchemy.orm.attributes import set_committed_value

from app import access
from app.audit_chain import HEAD_COLUMNS, CaseChain, head_params
from app.clock import now, today
from app.engine import RunningWorkflow, StepOutcome
from app.extensions import db
from app.models import Case, Closure, FormSubmission, HumanTask, ProcessVersion, User

from . import projection, registry, step_rows
from .runtime import engine
from .versions import current_version, spec_for


@dataclass(frozen=True)
class Closing:
    """How the case closes if this step ends the process."""

    reason: str = "other"
    closed_on: date | None = None


class CaseStep:
    """One transaction's change to one case: it holds the case row lock and the case's audit chain."""

    def __init__(self, case: Case, actor: User | None, chain: CaseChain, open_tasks: list[HumanTask],
                 workflow: RunningWorkflow | None = None, blob_digest: bytes | None = None,
                 submission_id: int | None = None, read_with_lock: dict | None = None):
        self.case = case
        self.actor = actor
        self.chain = chain
        self.open_tasks = open_tasks
        self._workflow = workflow
        # SHA-256 of the workflow blob as the lock read it, when it read the digest, not the blob.
        self._blob_digest = blob_digest
        # The id the lock took from the submissions' sequence for this step's form (PostgreSQL).
        self._submission_id = submission_id
        # {task id: the value its step kind reads with the lock} (`StepKind.read_with_lock`).
        self._read_with_lock = read_with_lock or {}
        # Why the act withdraws tasks (shown to their holders); each act sets it.
        self.cancel_reason: str | None = None

    @property
    def actor_id(self) -> int | None:
        return self.actor.id if self.actor is not None else None

    @property
    def workflow(self) -> RunningWorkflow:
        if self._workflow is None:
            if self._blob_digest is not None and "workflow_blob" in sa.inspect(self.case).unloaded:
                self._workflow = engine().load_by_digest(self._blob_digest, self._read_blob)
            else:
                self._workflow = engine().load_for_step(self.case.workflow_blob)
        return self._workflow

    def _read_blob(self) -> bytes:
        """The workflow blob, read when this process does not keep the workflow saved as it.

        On the step's connection, not through the session: reading it must not flush what the
        step holds pending (the step writes that itself)."""
        blob = db.session.connection().execute(_BLOB_OF_CASE, {"case_id": self.case.id}).scalar_one()
        set_committed_value(self.case, "workflow_blob", blob)
        return blob

    def read_with_lock(self, task: HumanTask | None, fallback: Callable[[], object]) -> object:
        """What the task's step kind reads with the lock (its `read_with_lock`), else `fallback()`
        (a step begun without the task, e.g. by `lock`)."""
        if task is not None and task.id in self._read_with_lock:
            return self._read_with_lock.pop(task.id)
        return fallback()

    def record(self, event_type: str, actor_id: int | None = None, **data):
        """An audit event on this case's chain (by the step's actor unless another is named)."""
        return self.chain.record(event_type, actor_id if actor_id is not None else self.actor_id, **data)

    # -- acts -------------------------------------------------------------------------------
    def complete_task(self, task: HumanTask, data: dict, form_version: int) -> FormSubmission:
        """A validated form completes its task: records, engine, projection, audit."""
        case, actor = self.case, self.actor
        submission = FormSubmission(
            id=self._submission_id, case_id=case.id, human_task_id=task.id, form_key=task.form_key,
            form_version=form_version, data=data, actor_id=actor.id, submitted_at=now(),
        )
        self._submission_id = None  # one form per id
        db.session.add(submission)
        task.status = "completed"  # goes out with the submission: one write for both
        task.completed_at = now()
        task.completed_by_id = actor.id
        if submission.id is None:  # no id came with the lock (SQLite): the handler and the audit event need it
            self.write_rows()
        step_kind = registry.for_form(task.form_key)
        result = step_kind.handle(self, task, submission, data)
        self.cancel_reason = result.cancel_reason or f"「{task.name}」が記録され、手順が変わったため"
        engine_data = {**data, **result.workflow_data}
        engine_input = step_input(self.workflow, task.engine_task_id, engine_data)  # for `audit replay`
        outcome = self.workflow.complete_task(task.engine_task_id, engine_data)
        self.record("task_completed", task_id=task.id, bpmn_id=task.bpmn_id, form_key=task.form_key,
                    submission_id=submission.id, on_behalf_of=access.acting_for(actor, task),
                    engine_input=engine_input, outcome=outcome_digest(outcome))
        closing = Closing(result.closure_reason or "other", _date(data.get("closed_on")))
        self.advance(outcome, completed_task_id=task.engine_task_id, completed_form_key=task.form_key,
                     closing=closing)
        if not case.is_closed and step_kind.after is not None:
            step_kind.after(self, task, submission, data)
        return submission

    def send_message(self, name: str, payload: dict, action: str, **event_data) -> StepOutcome:
        """A case action that sends the process a message (`action_run` keeps it for replay)."""
        outcome = self.workflow.send_message(name, payload)
        self.cancel_reason = self.cancel_reason or "ケースへの操作により手順が変わったため"
        self.record("action_run", action=action, **event_data,
                    message={"name": name, "payload": payload}, outcome=outcome_digest(outcome))
        self.advance(outcome)
        return outcome

    def fire_timers(self) -> list[HumanTask]:
        """Fire the workflow's due timers; returns the task rows the firing opened."""
        outcome = self.workflow.fire_due_timers()
        self.cancel_reason = "期限の到来により手順が変わったため"
        self.record("timer_fired", None, next_timer_at=outcome.next_timer_at)
        return self.advance(outcome)

    def move_to(self, target: ProcessVersion, blob: bytes, outcome: StepOutcome, **event_data) -> None:
        """Put the case on another process version with the migrated workflow."""
        previous_state = self.case.state
        from_version = self.case.process_version.version
        self.case.process_version_id = target.id
        self.case.workflow_blob = blob
        self.advance(outcome, dump=False)
        self.record("case_migrated", from_version=from_version, to_version=target.version,
                    state_before=previous_state, state_after=self.case.state, **event_data)

    def write_rows(self) -> None:
        """Write what the step holds pending now: in one statement where `step_rows` can, else
        by the ORM's flush."""
        if not step_rows.write(self):
            db.session.flush()

    # -- the writes every act ends with -----------------------------------------------------
    def advance(self, outcome: StepOutcome, completed_task_id: str | None = None,
                completed_form_key: str | None = None, closing: Closing | None = None,
                dump: bool = True) -> list[HumanTask]:
        """Write what the engine's outcome means for the case; returns the newly opened task rows."""
        case = self.case
        previous = case.state
        case.state = projection.derive_state(case, outcome, completed_form_key)
        if dump:
            case.workflow_blob = self.workflow.dump()
        case.next_timer_at = outcome.next_timer_at
        case.updated_at = now()
        opened = projection.sync_tasks(self, outcome, completed_task_id)
        if case.state != previous:
            self.record("case_state_changed", before=previous, after=case.state)
        if outcome.completed:
            self._close(closing or Closing())
        return opened

    def _close(self, closing: Closing) -> None:
        case = self.case
        closed_on = closing.closed_on or today()
        case.closed_on = closed_on
        case.closure_reason = closing.reason
        submission_id = db.session.query(db.func.max(FormSubmission.id)).filter_by(case_id=case.id).scalar()
        db.session.add(Closure(case_id=case.id, closed_on=closed_on, reason=closing.reason,
                               submission_id=submission_id, closed_by_id=self.actor_id))
        self.record("case_closed", reason=closing.reason, closed_on=closed_on.isoformat())


def _date(value) -> date | None:
    return date.fromisoformat(value) if value else None


# -- the engine's inputs and answers, as audit events keep them ----------------------------------
def step_input(workflow: RunningWorkflow, engine_task_id: str, data: dict) -> dict:
    """What `complete_task` is about to feed the engine, in replayable terms."""
    info = next((i for i in workflow.ready_user_tasks() if i.task_id == str(engine_task_id)), None)
    return {
        "bpmn_id": info.bpmn_id if info else None,
        "instance_item": info.instance_item if info else None,
        "iteration": info.iteration if info else None,
        "data": data,
    }


def outcome_digest(outcome: StepOutcome) -> dict:
    """The engine's answer to a step, small enough to keep in the step's audit event."""
    ready = sorted([info.bpmn_id, info.instance_item] for info in outcome.ready_tasks)
    return {"completed": bool(outcome.completed), "ready": ready}


# -- beginning a step --------------------------------------------------------------------------
# The statements of every step, built once: SQLAlchemy keeps a statement object's cache key.
#
# On PostgreSQL the lock reads the SHA-256 of the workflow blob, not the blob: the workflow this
# process saved last is usually still kept deserialised (engine.warm), and the blob, some 20 kB
# sent as hex text, cost more than the rest of the locking read.  It is read only when not kept.
# SQLite has no sha256() and reads the blob in-process: there it comes with the lock.
_BLOB_DIGEST = sa.func.sha256(Case.workflow_blob).label("workflow_digest")
_BLOB_OF_CASE = sa.select(Case.__table__.c.workflow_blob).where(Case.__table__.c.id == sa.bindparam("case_id"))


def _case_locked(with_digest: bool):
    statement = sa.select(Case, _BLOB_DIGEST) if with_digest else \
        sa.select(Case).options(undefer(Case.workflow_blob))
    return (statement.where(Case.id == sa.bindparam("case_id"))
            .with_for_update(of=Case).execution_options(populate_existing=True))


_WITH_CASE = contains_eager(HumanTask.case)  # a plain join, so that FOR UPDATE OF can name the table


def _task_locking_its_case(with_digest: bool):
    statement = sa.select(HumanTask, _BLOB_DIGEST) if with_digest else sa.select(HumanTask)
    options = [_WITH_CASE.contains_eager(Case.process_version)]
    if not with_digest:
        options.append(_WITH_CASE.undefer(Case.workflow_blob))
    return (statement.join(HumanTask.case).join(Case.process_version)
            .where(HumanTask.id == sa.bindparam("task_id")).options(*options)
            .with_for_update(of=Case).execution_options(populate_existing=True))


# {reads the digest: statement}
_CASE_LOCKED = {flag: _case_locked(flag) for flag in (False, True)}
_TASK_LOCKING_ITS_CASE = {flag: _task_locking_its_case(flag) for flag in (False, True)}
# The blob digest each locked case row came with, until the step on it is built (`_under_lock`):
# held by the case object itself, so it goes with the object's session.
_LOCKED_DIGESTS: WeakKeyDictionary = WeakKeyDictionary()


def _on_postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _locked(statement, params: dict, case_of) -> object | None:
    """Run a locking read; note the blob digest it read (if any) for the step built on it."""
    with_digest = _on_postgresql()
    row = db.session.execute(statement[with_digest], params).one_or_none()
    if row is None:
        return None
    if with_digest:
        _LOCKED_DIGESTS[case_of(row[0])] = row[1]
    return row[0]


# The submission's id, taken from its sequence by a step about to record a form (PostgreSQL).
_SUBMISSION_ID = sa.func.nextval(sa.func.pg_get_serial_sequence(FormSubmission.__tablename__, "id"))


@cache
def _open_tasks_and_chain_head(taking_an_id: bool, form_key: str | None):
    """The case's open tasks and the head of its audit chain, read under the lock in one statement.

    Outer-joined to one row, so a case with no open task (one waiting on a timer) still gets its
    chain head from this statement instead of a second one at its first event.  That row also
    carries, when asked, the submission's id (taken once: the row is a subquery), so the submission
    needs no write of its own before the handler and the audit event use its id, and the value the
    form's step kind reads with the lock, so its handler sends no query of its own.
    """
    columns = [sa.literal(1).label("one")]
    if taking_an_id:
        columns.append(_SUBMISSION_ID.label("submission_id"))
    if form_key is not None:
        columns.append(registry.for_form(form_key).read_with_lock.label("read_with_lock"))
    one_row = sa.select(*columns).subquery()
    extra = [one_row.c[name] for name in ("submission_id", "read_with_lock") if name in one_row.c]
    return (
        sa.select(HumanTask, *HEAD_COLUMNS, *extra).select_from(one_row)
        .outerjoin(HumanTask, sa.and_(HumanTask.case_id == sa.bindparam("case_id"), HumanTask.status == "open"))
        .execution_options(populate_existing=True)
    )


def _under_lock(case: Case, actor: User | None, task: HumanTask | None = None) -> CaseStep:
    """The step of a case whose row this transaction has just locked: its open tasks and chain head, read fresh.

    A separate statement after the lock on purpose: joined to the locking query, PostgreSQL would
    hand back the task rows as they were before the wait for the lock (only the locked row is
    read again), and a second submission of the same task would see it still open.  With `task`
    (about to be completed), the statement also takes the submission's id and what the task's
    step kind reads with the lock.
    """
    taking_an_id = task is not None and _on_postgresql()
    reading = task is not None and registry.for_form(task.form_key).read_with_lock is not None
    statement = _open_tasks_and_chain_head(taking_an_id, task.form_key if reading else None)
    params = {"case_id": case.id, **head_params(case.id)}
    if reading:
        params["task_item"] = task.instance_item
    rows = db.session.execute(statement, params).all()
    first = rows[0]
    sequence, head_hash = first[1], first[2]
    # No head under the lock: the chain has no event yet and starts at the genesis link.
    chain = CaseChain(case.id, sequence, head_hash) if sequence is not None else CaseChain.new(case.id)
    digest = _LOCKED_DIGESTS.pop(case, None)
    return CaseStep(case, actor, chain, [row[0] for row in rows if row[0] is not None], blob_digest=digest,
                    submission_id=first[3] if taking_an_id else None,
                    read_with_lock={task.id: first[-1]} if reading else None)


def lock(case_id: int, actor: User | None) -> CaseStep:
    """Lock the case row (read fresh; its workflow when the step first needs it) and begin a step on it."""
    case = _locked(_CASE_LOCKED, {"case_id": case_id}, lambda case: case)
    if case is None:
        raise NoResultFound(f"no case {case_id}")
    return _under_lock(case, actor)


def locked_task(task_id: int) -> HumanTask | None:
    """The task with its case row locked for the rest of this transaction, in one query; None for
    no such task.  Hand it to `lock_task` later in the same transaction, which then sends no
    second query (a request about to complete the task locks before validating the form)."""
    return _locked(_TASK_LOCKING_ITS_CASE, {"task_id": task_id}, lambda task: task.case)


def lock_task(task_id: int, actor: User, locked: HumanTask | None = None) -> tuple[CaseStep, HumanTask] | None:
    """The task with its case locked, in one query, and a step on that case; None for no such task.

    `locked` is that task as `locked_task` returned it in this same transaction (nothing committed
    since), when the caller locked already.  The task row is read under the lock, so a second
    submission or a reassignment made meanwhile is seen.
    """
    task = locked if locked is not None and locked.id == task_id else locked_task(task_id)
    if task is None:
        return None
    step = _under_lock(task.case, actor, task)
    if task not in step.open_tasks:
        db.session.refresh(task)
    return step, task


def claimed(case: Case) -> CaseStep:
    """A step on a case the caller has just locked itself (the scheduler's claim); no actor.

    Its workflow is not kept warm after the step: what acts on the case next is a web worker
    (the firing opens someone's task) or a timer due much later, so a workflow kept in the
    scheduler's process was practically never taken again.  Kept, each one aged into the garbage
    collector's oldest generation, where only a full collection frees it once the cache drops it:
    after some 2,000 timers one such collection took seconds.
    """
    step = _under_lock(case, None)
    step._workflow = engine().load_for_step(case.workflow_blob, keep_warm=False)
    return step


def start(ward: str, actor: User, route: str | None = None) -> CaseStep:
    """A new case at intake, its workflow started on the current process version."""
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
    step = CaseStep(case, actor, CaseChain.new(case.id), [], workflow)
    outcome = workflow.outcome()
    step.record("case_opened", ward=ward, process_version=version.version,
                start_data=start_data, outcome=outcome_digest(outcome))  # start_data: for `audit replay`
    step.advance(outcome, dump=False)
    return step
