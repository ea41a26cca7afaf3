"""Reading a running workflow for audit and replay: which BPMN elements ran, which wait.

Plain values out (no SpiffWorkflow objects), like the rest of the engine door.
"""

from __future__ import annotations

from dataclasses import dataclass

from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.util.task import TaskState

from .types import UserTaskInfo

_STATE_NAMES = {
    TaskState.COMPLETED: "completed",
    TaskState.READY: "ready",
    TaskState.WAITING: "waiting",
    TaskState.STARTED: "started",
    TaskState.CANCELLED: "cancelled",
    TaskState.ERROR: "error",
}


@dataclass(frozen=True)
class ElementRun:
    """One task instance of a BPMN element (a loop or multi-instance body counts per run)."""

    task_id: str
    bpmn_id: str
    state: str
    manual: bool


def element_runs(running) -> list[ElementRun]:
    """Every reached task that stands for a BPMN element, in tree order.

    Loop and multi-instance containers are left out: their children (one per iteration or
    item) carry the same BPMN id and are what "ran twice" means to a reader of the diagram.
    """
    runs = []
    for task in running._wf.get_tasks():
        spec = task.task_spec
        bpmn_id = getattr(spec, "bpmn_id", None)
        state = _STATE_NAMES.get(task.state)
        if not bpmn_id or state is None or isinstance(spec, LoopTask):
            continue
        runs.append(ElementRun(str(task.id), bpmn_id, state, bool(getattr(spec, "manual", False))))
    return runs


def find_ready_task(ready: list[UserTaskInfo], bpmn_id: str, instance_item: str | None = None,
                    iteration: int | None = None) -> UserTaskInfo | None:
    """The ready user task for this element (and multi-instance item / loop iteration).

    `ready` is a workflow's ready_user_tasks() or the ready tasks of its last StepOutcome.
    """
    candidates = [
        info for info in ready
        if info.bpmn_id == bpmn_id and (instance_item is None or info.instance_item == instance_item)
    ]
    if iteration is not None and len(candidates) > 1:
        candidates = [info for info in candidates if info.iteration == iteration] or candidates
    return candidates[0] if candidates else None
