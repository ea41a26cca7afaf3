"""生活保護へのつなぎ (hand-off to public assistance): from screening, from the assessment, or asked for
during support (the action `request_pa_handoff`, a message the diagram's event subprocess catches).
The episode closes when the application was received."""

from __future__ import annotations

from app.errors import ValidationFailed

from .closure import mark_public_assistance
from .kinds import HandlerResult, StepKind

MESSAGE = "request_pa_handoff"


def record_handoff(step, task, submission, data: dict) -> HandlerResult:
    reason = "public_assistance" if data.get("application_received") else None
    mark_public_assistance(step.case, reason)
    return HandlerResult(closure_reason=reason)


def request_handoff(step, raw: dict) -> None:
    """The case action: send the process the hand-off message with the requester's note."""
    unknown = sorted(set(raw or {}) - {"note"})
    if unknown:
        raise ValidationFailed({key: [f"この項目は定義されていません: {key}"] for key in unknown})
    note = str((raw or {}).get("note") or "")
    payload = {"requested_by": step.actor.username, "note": note}
    step.send_message(MESSAGE, payload, action="request_pa_handoff", note=note)


def confirm_handoff(data: dict) -> str | None:
    return "終結" if data.get("application_received") else None


KINDS = (StepKind("pa_handoff", handle=record_handoff, confirm=confirm_handoff),)
