"""終結 (closure): the closure record's reason; closing to public assistance marks the person 生活保護受給中."""

from __future__ import annotations

from . import programs
from .kinds import HandlerResult, StepKind


def mark_public_assistance(case, reason: str | None) -> None:
    """Closed to public assistance: the person is recorded as 生活保護受給中 (no Act-based plan)."""
    if reason == "public_assistance" and case.person is not None:
        case.person.receiving_public_assistance = True
    if reason == "public_assistance":
        programs.public_assistance_began(case)  # e.g. a shelter stay switches to the 保護 side


def record_closure(step, task, submission, data: dict) -> HandlerResult:
    mark_public_assistance(step.case, data["closure_reason"])
    return HandlerResult(closure_reason=data["closure_reason"])


def prefill_closure(info) -> dict:
    """The closure record starts from the reason the meeting gave when it decided to close."""
    reason = (info.data or {}).get("closure_reason")
    return {"closure_reason": reason} if reason else {}


KINDS = (StepKind("closure", handle=record_closure, confirm=lambda data: "終結", prefill=prefill_closure),)
