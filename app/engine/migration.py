"""Comparing process versions and moving running workflows to another version.

Built on ``SpiffWorkflow.bpmn.util.diff``.  The library aligns task specs by BPMN id and
leaves the policy to us (SpiffWorkflow #416); ours:

* a case is *blocked* when a task it has in flight (ready, waiting, started or in error)
  or a task it already completed has no counterpart in the new version: the in-flight one
  would vanish, and a completed one could no longer be loaded (its spec is looked up by
  name when the blob is read);
* otherwise the ready/waiting branches are reset and predicted again from the new spec,
  which restarts waiting timers (a duration timer counts again from the migration);
* every migration is tried on a copy first: dump, reload and engine steps must succeed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.util.diff import SpecDiff, diff_workflow, migrate_workflow
from SpiffWorkflow.util.task import TaskState

from .clock import engine_time
from .specs import ProcessSpec
from .types import EngineError, StepOutcome

_IN_FLIGHT = TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.ERROR
_TIMER_EVENTS = ("DurationTimerEventDefinition", "TimeDateEventDefinition", "CycleTimerEventDefinition")


@dataclass(frozen=True)
class ElementChange:
    element_id: str
    name: str
    kind: str
    attributes: tuple[str, ...] = ()


@dataclass
class VersionDiff:
    """What changed between two deployed versions, element by element."""

    added: list[ElementChange] = field(default_factory=list)
    removed: list[ElementChange] = field(default_factory=list)
    changed: list[ElementChange] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


@dataclass(frozen=True)
class TimerChange:
    element_id: str
    name: str
    due_before: datetime | None
    due_after: datetime | None


@dataclass
class MigrationPlan:
    """The outcome of trying a migration on a copy of one workflow."""

    blocked_by: list[ElementChange] = field(default_factory=list)
    error: str | None = None
    timers: list[TimerChange] = field(default_factory=list)

    @property
    def migratable(self) -> bool:
        return not self.blocked_by and self.error is None


def _element(spec, attributes=()) -> ElementChange | None:
    bpmn_id = getattr(spec, "bpmn_id", None)
    if not bpmn_id:
        return None  # the library's own helper specs (Start, End, joins)
    return ElementChange(bpmn_id, getattr(spec, "bpmn_name", None) or bpmn_id, type(spec).__name__,
                         tuple(sorted(a for a in attributes if a not in ("inputs", "outputs"))))


def _all_specs(parsed: ProcessSpec) -> dict:
    return {parsed.process_id: parsed.spec, **parsed.subprocess_specs}


def diff_versions(engine, old: ProcessSpec, new: ProcessSpec) -> VersionDiff:
    """Task-level differences between two parsed versions (main process and subprocesses)."""
    registry = engine.serializer.registry
    result = VersionDiff()
    old_specs, new_specs = _all_specs(old), _all_specs(new)
    for name, new_spec in new_specs.items():
        if name not in old_specs:
            result.added.extend(filter(None, (_element(s) for s in new_spec.task_specs.values())))
    for name, old_spec in old_specs.items():
        if name not in new_specs:
            result.removed.extend(filter(None, (_element(s) for s in old_spec.task_specs.values())))
            continue
        diff = SpecDiff(registry, old_spec, new_specs[name])
        result.added.extend(filter(None, (_element(s) for s in diff.added)))
        result.removed.extend(filter(None, (_element(s) for s in diff.removed)))
        for spec, attributes in diff.changed.items():
            change = _element(spec, attributes)
            if change is not None and change.attributes:
                result.changed.append(change)
    for bucket in (result.added, result.removed, result.changed):
        unique = {c.element_id: c for c in bucket}
        bucket[:] = sorted(unique.values(), key=lambda c: c.element_id)
    return result


def waiting_timers(workflow) -> dict[str, tuple[str, datetime | None]]:
    """{element id: (name, due)} of the timers the workflow (and its subprocesses) wait for."""
    timers = {}
    for task in list(workflow.event_manager.tasks.values()):
        event = task.task_spec.event_definition
        if type(event).__name__ not in _TIMER_EVENTS:
            continue
        value = event.details(task).value
        try:
            due = TimerEventDefinition.get_datetime(value) if value else None
        except Exception:  # a cycle expression: no single due time
            due = None
        spec = task.task_spec
        timers[spec.bpmn_id or spec.name] = (spec.bpmn_name or spec.bpmn_id or spec.name, due)
    return timers


def _blockers(top_diff, sub_diffs, workflow) -> list[ElementChange]:
    blocked = []
    diffs = [(workflow, top_diff)] + [(workflow.subprocesses[i], d) for i, d in sub_diffs.items()]
    for sub_workflow, diff in diffs:
        if diff is None:  # the whole (sub)process is gone from the new version
            tasks = [t for t in sub_workflow.get_tasks() if t.state & (_IN_FLIGHT | TaskState.COMPLETED)]
        else:
            tasks = [t for t in diff.removed if t.state & (_IN_FLIGHT | TaskState.COMPLETED)]
        for task in tasks:
            change = _element(task.task_spec, (TaskState.get_name(task.state).lower(),))
            if change is not None:
                blocked.append(change)
    return sorted({c.element_id: c for c in blocked}.values(), key=lambda c: c.element_id)


def migrate_in_place(registry, workflow, new: ProcessSpec) -> MigrationPlan:
    """Move a loaded workflow to ``new`` (engine steps not run yet).

    When the plan is blocked nothing is changed.  Otherwise the workflow now points at the
    new specs; the caller runs engine steps, then calls :func:`note_timers`.
    """
    top_diff, sub_diffs = diff_workflow(registry, workflow, new.spec, new.subprocess_specs)
    plan = MigrationPlan(blocked_by=_blockers(top_diff, sub_diffs, workflow))
    if plan.blocked_by:
        return plan
    migrate_workflow(top_diff, workflow, new.spec)
    for sub_id, diff in sub_diffs.items():
        sub_workflow = workflow.subprocesses[sub_id]
        migrate_workflow(diff, sub_workflow, new.subprocess_specs[sub_workflow.spec.name])
    workflow.subprocess_specs = new.subprocess_specs
    return plan


def note_timers(plan: MigrationPlan, before: dict, after: dict) -> None:
    for element_id in sorted(set(before) | set(after)):
        name = (after.get(element_id) or before[element_id])[0]
        plan.timers.append(TimerChange(element_id, name, before.get(element_id, (None, None))[1],
                                       after.get(element_id, (None, None))[1]))


def try_migration(engine, blob: bytes, new: ProcessSpec, at: datetime | None = None
                  ) -> tuple[MigrationPlan, bytes | None, StepOutcome | None]:
    """Migrate a copy of the workflow in ``blob``; returns (plan, new blob, outcome) or (plan, None, None).

    ``engine`` is the :class:`ProcessEngine` (passed in to keep this module free of cycles).
    ``at``: the time restarted timers count from (replay passes the migration's recorded time).
    """
    running = engine.load(blob)
    workflow = running._wf
    before = waiting_timers(workflow)
    with engine_time(at):
        plan = migrate_in_place(engine.serializer.registry, workflow, new)
    if not plan.migratable:
        return plan, None, None
    try:
        with engine_time(at):
            running._run_steps()
        migrated = running.dump()
        reloaded = engine.load(migrated)
        outcome = reloaded.outcome()
    except Exception as exc:  # anything the new version cannot do with this case's state
        plan.error = f"{type(exc).__name__}: {exc}"
        return plan, None, None
    note_timers(plan, before, waiting_timers(reloaded._wf))
    return plan, migrated, outcome


class MigrationRefused(EngineError):
    def __init__(self, plan: MigrationPlan):
        reasons = ", ".join(c.element_id for c in plan.blocked_by) or plan.error or "unknown"
        super().__init__(f"migration refused: {reasons}")
        self.plan = plan
