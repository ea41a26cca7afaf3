"""The one door to SpiffWorkflow.  Nothing outside this package imports it.

Callers hand in BPMN text and plain dicts and get back bytes (the serialised
workflow) and plain dataclasses.  The engine never touches the database.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import datetime

from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.exceptions import SpiffWorkflowException, WorkflowException
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.util.task import TaskState

from . import clock, iteration
from .clock import engine_time
from .migration import ElementChange, MigrationPlan, TimerChange, VersionDiff, diff_versions, try_migration
from .scripting import ScriptRejected, budget_scope, compile_problems, make_script_engine
from .serializer import AppSerializer
from .specs import MAX_BPMN_BYTES, ProcessSpec, content_hash, parse_process, parse_xml
from .static_checks import expression_problems, timer_expression_problems
from .types import EngineError, ProcessProblem, StepOutcome, TaskNotReady, UserTaskInfo
from .warm import WarmWorkflows

__all__ = [
    "MAX_BPMN_BYTES",
    "ElementChange",
    "EngineError",
    "MigrationPlan",
    "TimerChange",
    "VersionDiff",
    "diff_versions",
    "expression_problems",
    "timer_expression_problems",
    "try_migration",
    "ProcessEngine",
    "ProcessProblem",
    "ProcessSpec",
    "RunningWorkflow",
    "StepOutcome",
    "TaskNotReady",
    "UserTaskInfo",
    "compile_problems",
    "content_hash",
    "parse_xml",
]


_TIMER_EVENTS = ("DurationTimerEventDefinition", "TimeDateEventDefinition", "CycleTimerEventDefinition")


def _properties(task_spec) -> dict:
    return dict((getattr(task_spec, "extensions", None) or {}).get("properties") or {})


def _role(task_spec, props: dict) -> str | None:
    """The task's candidate roles; else its lane's role (property, or the lane's name in old versions)."""
    return props.get("role") or props.get("laneRole") or getattr(task_spec, "lane", None)


def _element_id(exc: Exception) -> str | None:
    task = getattr(exc, "task", None)
    spec = getattr(task, "task_spec", None) or getattr(exc, "task_spec", None)
    return getattr(spec, "bpmn_id", None) or getattr(spec, "name", None)


class RunningWorkflow:
    """One loaded case workflow.  Not thread-safe: load, act, save within one request."""

    def __init__(self, workflow: BpmnWorkflow, serializer: AppSerializer, warm: WarmWorkflows | None = None):
        self._wf = workflow
        self._serializer = serializer
        self._warm = warm
        self._warm_key: bytes | None = None  # set while the warm cache holds this workflow as its last dump

    # -- reading ---------------------------------------------------------
    @property
    def completed(self) -> bool:
        return self._wf.is_completed()

    def ready_user_tasks(self) -> list[UserTaskInfo]:
        return [self._describe(task) for task in iteration.ready_manual_tasks(self._wf)]

    def _describe(self, task) -> UserTaskInfo:
        spec = task.task_spec
        props = _properties(spec)
        item_name = props.get("instanceItem")
        item = task.data.get(item_name) if item_name else None
        return UserTaskInfo(
            task_id=str(task.id),
            bpmn_id=spec.bpmn_id,
            name=spec.bpmn_name or spec.bpmn_id,
            form_key=props.get("formKey"),
            role=_role(spec, props),
            case_state=props.get("caseState"),
            lane=getattr(spec, "lane", None),
            instance_item=str(item) if item is not None else None,
            iteration=task.internal_data.get("iteration") if task.internal_data else None,
            data=dict(task.data),
        )

    def next_timer_at(self) -> datetime | None:
        dues = [
            TimerEventDefinition.get_datetime(event.value)
            for event in self._wf.waiting_events()
            if event.event_type in _TIMER_EVENTS and event.value
        ]
        return min(dues) if dues else None

    def outcome(self) -> StepOutcome:
        return StepOutcome(self.completed, [] if self.completed else self.ready_user_tasks(), self.next_timer_at())

    # -- acting ----------------------------------------------------------
    def _run_steps(self):
        ends_case = []

        def note_case_end(task):
            # A terminate end event marked terminateScope=case ends the whole case even from
            # inside an event subprocess or a called process (SpiffWorkflow ends only that
            # subprocess); do_engine_steps reports the tasks of subprocesses too.
            if _properties(task.task_spec).get("terminateScope") == "case":
                ends_case.append(task)

        try:
            self._wf.do_engine_steps(did_complete_task=note_case_end)
            if ends_case:
                self._wf.cancel()
        except ScriptRejected as exc:
            raise EngineError(str(exc)) from exc
        except (SpiffWorkflowException, WorkflowException) as exc:
            raise EngineError(str(exc), _element_id(exc)) from exc
        except Exception as exc:  # a diagram expression raised (NameError, TypeError, ...)
            raise EngineError(f"{type(exc).__name__}: {exc}", _element_id(exc)) from exc

    # Every script of one step shares one budget (a step of many scripts cannot go on for long).
    def _budget(self):
        return budget_scope(getattr(self._wf.script_engine.environment, "budget", None))

    def _changing(self) -> None:
        """The workflow is about to differ from the blob it was last saved as: not warm any more."""
        if self._warm_key is not None:
            self._warm.forget(self._warm_key, self._wf)
            self._warm_key = None

    # `at`: the time SpiffWorkflow's timers see during the step (replay passes the recorded
    # time); None is the wall clock.
    def complete_task(self, task_id: str, data: dict, at: datetime | None = None) -> StepOutcome:
        self._changing()
        with engine_time(at), self._budget():
            return self._complete_task(task_id, data)

    def _complete_task(self, task_id: str, data: dict) -> StepOutcome:
        if self.completed:
            raise TaskNotReady("the process has ended")
        try:
            task = self._wf.get_task_from_id(_uuid(task_id))
        except Exception:
            task = None
        if task is None or task.state != TaskState.READY or not task.task_spec.manual:
            raise TaskNotReady("task is not waiting for input")
        # A copy: the caller keeps its dict, and a workflow kept warm must not change with it.
        task.data.update(copy.deepcopy(data))
        try:
            task.run()
        except (SpiffWorkflowException, WorkflowException) as exc:
            raise EngineError(str(exc), _element_id(exc) or task.task_spec.bpmn_id) from exc
        except ScriptRejected as exc:  # a post-script out of its budget
            raise EngineError(str(exc), task.task_spec.bpmn_id) from exc
        self._run_steps()
        return self.outcome()

    def send_message(self, name: str, payload: dict, at: datetime | None = None) -> StepOutcome:
        self._changing()
        payload = copy.deepcopy(payload)
        with engine_time(at), self._budget():
            return self._send_message(name, payload)

    def _send_message(self, name: str, payload: dict) -> StepOutcome:
        if self.completed:
            raise TaskNotReady("the process has ended")
        try:
            self._wf.send_event(BpmnEvent(MessageEventDefinition(name), payload=payload))
        except WorkflowException as exc:
            raise EngineError(str(exc)) from exc
        self._run_steps()
        return self.outcome()

    def fire_due_timers(self, at: datetime | None = None) -> StepOutcome:
        self._changing()
        with engine_time(at), self._budget():
            self._wf.refresh_timers()
            self._run_steps()
            return self.outcome()

    def dump(self) -> bytes:
        blob = self._serializer.dump(self._wf)
        if self._warm is not None:
            self._warm_key = self._warm.keep(blob, self._wf)
        return blob


def _uuid(task_id: str):
    from uuid import UUID

    return UUID(str(task_id))


class ProcessEngine:
    """Builds and loads workflows with the restricted script environment attached."""

    def __init__(self, helpers: dict | None = None):
        # What this engine changes in SpiffWorkflow, done when an engine is made (by create_app), not
        # on import: timers read the time a caller passes in (`at`), else the wall clock; task-tree
        # walks skip per-task depth bookkeeping.  Both are idempotent.
        clock.install()
        iteration.install()
        self.script_engine = make_script_engine(helpers)
        self.serializer = AppSerializer(self.script_engine)
        self.warm = WarmWorkflows()

    def parse(self, files: dict[str, str], process_id: str) -> ProcessSpec:
        return parse_process(files, process_id)

    def start(self, spec: ProcessSpec, data: dict | None = None, at: datetime | None = None) -> RunningWorkflow:
        # SpiffWorkflow rewires a spec when an event subprocess is first triggered
        # (BpmnStartTask.trigger_wf), so a running workflow gets its own copy of every
        # cached spec that can be rewired (loaded workflows likewise, see serializer.py).
        shared = spec.shared()
        top, subprocesses = shared.for_workflow()
        workflow = BpmnWorkflow(top, subprocesses, script_engine=self.script_engine)
        workflow._tsunagi_specs = (shared, top, dict(subprocesses))  # lets `dump` reuse spec texts
        workflow.task_tree.data.update(data or {})
        running = RunningWorkflow(workflow, self.serializer, self.warm)
        with engine_time(at), running._budget():
            running._run_steps()
        return running

    def user_task_specs(self, files: dict[str, str], process_id: str) -> list[UserTaskInfo]:
        """Every user task of the process and its subprocesses, as declared (no instance)."""
        parsed = self.parse(files, process_id)
        found = []
        for spec in [parsed.spec, *parsed.subprocess_specs.values()]:
            for task_spec in spec.task_specs.values():
                if getattr(task_spec, "manual", False) and getattr(task_spec, "bpmn_id", None):
                    props = _properties(task_spec)
                    found.append(UserTaskInfo(
                        task_id="", bpmn_id=task_spec.bpmn_id, name=task_spec.bpmn_name or task_spec.bpmn_id,
                        form_key=props.get("formKey"), role=_role(task_spec, props),
                        case_state=props.get("caseState"), lane=getattr(task_spec, "lane", None),
                    ))
        return found

    def script_problems(self, files: dict[str, str], process_id: str) -> list[ProcessProblem]:
        """Scripts that the restricted environment would refuse, found before anything runs."""
        parsed = self.parse(files, process_id)
        problems = []
        for spec in [parsed.spec, *parsed.subprocess_specs.values()]:
            for task_spec in spec.task_specs.values():
                script = getattr(task_spec, "script", None)
                if script:
                    for reason in compile_problems(script, "exec"):
                        problems.append(ProcessProblem(reason, getattr(task_spec, "bpmn_id", None)))
        return problems

    def load(self, blob: bytes) -> RunningWorkflow:
        """The workflow saved as `blob`, deserialised afresh (for reading, replay, migration)."""
        return RunningWorkflow(self.serializer.load(blob), self.serializer)

    def load_for_step(self, blob: bytes, keep_warm: bool = True) -> RunningWorkflow:
        """The workflow saved as `blob`, to act on and save again.

        When this process saved exactly these bytes last (the previous step of the case ran here
        and nobody changed the row since), the workflow it saved them from is handed out instead
        of deserialising the blob again; the bytes are the version check.  Otherwise a fresh load.
        The workflow saved at the end goes back to this process's warm cache, unless `keep_warm`
        is false (a process that will not act on the case again soon).
        """
        return self.load_by_digest(WarmWorkflows.digest(blob), lambda: blob, keep_warm)

    def load_by_digest(self, digest: bytes, fetch_blob: Callable[[], bytes],
                       keep_warm: bool = True) -> RunningWorkflow:
        """As `load_for_step`, given the SHA-256 digest of the saved bytes; `fetch_blob` is called
        for the bytes only when the workflow saved as them is not kept in this process."""
        workflow = self.warm.take(digest)
        if workflow is None:
            workflow = self.serializer.load(fetch_blob())
        return RunningWorkflow(workflow, self.serializer, self.warm if keep_warm else None)
