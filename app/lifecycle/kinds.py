"""What a step of the lifecycle declares about one form: its records, due date, prefill, confirmation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from app.engine import UserTaskInfo

from .deadlines import task_due_on

if TYPE_CHECKING:
    from app.models import FormSubmission, HumanTask

    from .steps import CaseStep


@dataclass
class HandlerResult:
    """What a step's records hand back: variables for the diagram, and the closure reason if it ends the case."""

    workflow_data: dict = field(default_factory=dict)
    closure_reason: str | None = None
    # Why tasks this step withdraws are no longer needed, told to their holders.
    cancel_reason: str | None = None


Handler = Callable[["CaseStep", "HumanTask | None", "FormSubmission", dict], HandlerResult]


def record_nothing(step: CaseStep, task: HumanTask | None, submission: FormSubmission, data: dict) -> HandlerResult:
    return HandlerResult()


@dataclass(frozen=True)
class StepKind:
    """What one form of the lifecycle means.

    * `handle`: the case records its submission writes (may refuse with field errors), before the engine moves;
    * `after`: records written after the engine moved (e.g. a risk flag's response), skipped once the case closed;
    * `due_on(info, ward)`: the due date of a newly opened task of this form;
    * `prefill(info)`: the values a new task's form starts with;
    * `confirm(data)`: why the step needs a confirm page first (it cannot be undone), or None;
    * `variables`: workflow variables the handler hands to the diagram (processes/README.md lists who reads them);
    * `sensitive_fields`: fields that hold the suicide-risk item, masked like the flag itself;
    * `sensitive`: the whole form is about the risk flag (its tasks and values are masked);
    * `starts_delivery`: a submission of this form after the plan's approval means support has begun;
    * `read_with_lock`: one value the handler needs from earlier records, as a scalar SQL expression
      (bind parameters `case_id`, and `task_item`: the task's instance item): it is read in the
      statement that reads the case's open tasks under the lock, so the handler sends no query of
      its own.  The handler gets it by `step.read_with_lock(task, fallback)`.
    """

    form_key: str
    handle: Handler = record_nothing
    after: Handler | None = None
    due_on: Callable[[UserTaskInfo, str | None], date | None] | None = None  # None: the deadline rules alone
    prefill: Callable[[UserTaskInfo], dict] | None = None
    confirm: Callable[[dict], str | None] | None = None
    variables: tuple[str, ...] = ()
    sensitive_fields: frozenset[str] = frozenset()
    sensitive: bool = False
    starts_delivery: bool = False
    read_with_lock: object | None = None  # a SQLAlchemy scalar expression


def due_by_rules(kind: StepKind, info: UserTaskInfo, ward: str | None) -> date | None:
    """A new task's due date: the step's own rule, else the deadline rules (e.g. the ladder's dates)."""
    if kind.due_on is not None:
        return kind.due_on(info, ward)
    return task_due_on(info.bpmn_id, info.form_key, info.data, ward)
