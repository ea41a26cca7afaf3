"""Plain values the engine hands to the rest of the app (no SpiffWorkflow objects)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class UserTaskInfo:
    task_id: str
    bpmn_id: str
    name: str
    form_key: str | None
    role: str | None
    case_state: str | None
    lane: str | None
    instance_item: str | None = None  # the multi-instance input item (e.g. the service code)
    iteration: int | None = None
    data: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ProcessProblem:
    """One thing wrong with a diagram, pointing at the element when known."""

    message: str
    element_id: str | None = None
    file: str | None = None
    severity: str = "error"  # "warning": shown to the process owner, does not block a deploy


@dataclass
class StepOutcome:
    completed: bool
    ready_tasks: list[UserTaskInfo]
    next_timer_at: datetime | None


class EngineError(Exception):
    """A step failed inside the process (no condition matched, a script failed...)."""

    def __init__(self, message: str, element_id: str | None = None):
        super().__init__(message)
        self.element_id = element_id


class TaskNotReady(EngineError):
    """The task is not (or no longer) waiting for input."""
