"""支援経過 (progress notes): the case action `record_progress`."""

from __future__ import annotations

from datetime import date

from app.extensions import db
from app.models import ProgressNote

from .kinds import HandlerResult, StepKind


def record_progress(step, task, submission, data: dict) -> HandlerResult:
    db.session.add(
        ProgressNote(
            case_id=step.case.id,
            recorded_on=date.fromisoformat(data["recorded_on"]),
            kind=data["kind"],
            content=data["content"],
            author_id=submission.actor_id,
            submission_id=submission.id,
        )
    )
    return HandlerResult()


KINDS = (StepKind("progress_note", handle=record_progress),)
