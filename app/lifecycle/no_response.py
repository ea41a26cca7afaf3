"""連絡途絶への対応 (the non-response ladder): re-contact, letter, home visit, suspension, evaluation.

A monitoring without contact hands the ladder's dates to the diagram (`no_response_ladder`);
each contact attempt is also a progress note (支援経過); the ladder's tasks fall due on its dates (the deadline rules).
"""

from __future__ import annotations

from datetime import date

from app.extensions import db
from app.models import ProgressNote

from .deadlines import no_response_ladder
from .kinds import HandlerResult, StepKind


def ladder_after_monitoring(case, data: dict) -> dict:
    """A monitoring without contact starts the ladder: its due times go into the workflow."""
    if data.get("contact_made") or not data.get("contact_on"):
        return {}
    return no_response_ladder(case.ward, date.fromisoformat(data["contact_on"]))


def record_contact_attempt(step, task, submission, data: dict) -> HandlerResult:
    outcome = "連絡がとれた" if data.get("contact_made") else "連絡とれず"
    db.session.add(
        ProgressNote(
            case_id=step.case.id,
            recorded_on=date.fromisoformat(data["attempted_on"]),
            kind=data["kind"],
            content=f"{task.name if task else '連絡'}: {outcome}。{data.get('note') or ''}".strip(),
            author_id=submission.actor_id,
            submission_id=submission.id,
        )
    )
    return HandlerResult()


KINDS = (
    StepKind("contact_attempt", handle=record_contact_attempt, variables=("contact_made",)),
    StepKind("suspension_decision"),
)
