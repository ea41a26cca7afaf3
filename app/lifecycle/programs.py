"""The statutory programmes' forms as steps of the lifecycle.

The programmes (``app/programs``) sit above the lifecycle: they compute eligibility from rule
tables and issue notices.  The lifecycle only declares their forms, so that every action and task
goes through the one step pipeline, and lets each programme plug its handler in at start-up
(``provide``).  A meeting that decides services tells the programmes through ``decided`` hooks.
"""

from __future__ import annotations

from collections.abc import Callable

from .kinds import HandlerResult, StepKind

FORM_KEYS = ("eligibility", "shelter_admission", "shelter_extension", "shelter_discharge", "pa_start",
             "person_flags", "inquiry", "work_readiness_review", "budget_table", "arrears", "child_referral")

_HANDLERS: dict[str, Callable] = {}
_AFTER: dict[str, Callable] = {}
_DECIDED_HOOKS: dict[str, tuple[Callable, Callable | None]] = {}


def provide(form_key: str, handler: Callable, after: Callable | None = None) -> None:
    """The programme's handler of a form; ``after`` runs once the engine moved (e.g. to send a message)."""
    if form_key not in FORM_KEYS:
        raise ValueError(f"no programme form {form_key!r}")
    _HANDLERS[form_key] = handler
    if after is not None:
        _AFTER[form_key] = after


def on_decided(hook: Callable, after: Callable | None = None) -> None:
    """``hook(step, plan, meeting, decisions)`` runs in the meeting's step when it approved a plan;
    ``after(step)`` once the engine has moved on from the meeting."""
    _DECIDED_HOOKS[hook.__qualname__] = (hook, after)


def services_decided(step, plan, meeting, decisions: list) -> None:
    for hook, _after in _DECIDED_HOOKS.values():
        hook(step, plan, meeting, decisions)


def after_meeting(step, task, submission, data: dict) -> None:
    if data.get("decision") != "approve":
        return
    for _hook, after in _DECIDED_HOOKS.values():
        if after is not None:
            after(step)


_PA_HOOKS: list[Callable] = []


def on_public_assistance(hook: Callable) -> None:
    """``hook(case)`` runs in the step that hands the episode over to 生活保護 (it closes)."""
    if hook not in _PA_HOOKS:
        _PA_HOOKS.append(hook)


def public_assistance_began(case) -> None:
    for hook in _PA_HOOKS:
        hook(case)


REVIEW_TASKS = ("work_readiness_review",)
CANCEL_REVIEW = "work_readiness_review_cancelled"


def support_ending(step) -> None:
    """The support is being evaluated: an open term review lapses (else the process could never end).

    Called by the evaluation's handler while its task is being completed: the message goes to the
    engine here and the step's own writes after the completion withdraw the review task's row.
    """
    if not any(task.bpmn_id in REVIEW_TASKS and task.status == "open" for task in step.open_tasks):
        return
    outcome = step.workflow.send_message(CANCEL_REVIEW, {})
    ready = sorted([info.bpmn_id, info.instance_item] for info in outcome.ready_tasks)
    step.record("action_run", action="work_readiness_review_cancelled",
                message={"name": CANCEL_REVIEW, "payload": {}},
                outcome={"completed": bool(outcome.completed), "ready": ready})


def _dispatch(form_key: str):
    def handle(step, task, submission, data: dict) -> HandlerResult:
        handler = _HANDLERS.get(form_key)
        if handler is None:
            raise RuntimeError(f"the programme handling {form_key} is not installed")
        return handler(step, task, submission, data) or HandlerResult()

    return handle


def _after(form_key: str):
    def after(step, task, submission, data: dict) -> None:
        handler = _AFTER.get(form_key)
        if handler is not None:
            handler(step, task, submission, data)

    return after


KINDS = tuple(StepKind(key, handle=_dispatch(key), after=_after(key)) for key in FORM_KEYS)
