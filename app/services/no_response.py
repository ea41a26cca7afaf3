"""The non-response ladder's records: each contact attempt is also a progress note (支援経過)."""

from __future__ import annotations

from datetime import date

from app.extensions import db
from app.models import Case, FormSubmission, HumanTask, ProgressNote

from .deadlines import no_response_ladder


def ladder_data_after_monitoring(case: Case, data: dict) -> dict:
    """A monitoring without contact starts the ladder: its due times go into the workflow."""
    if data.get("contact_made") or not data.get("contact_on"):
        return {}
    return no_response_ladder(case.ward, date.fromisoformat(data["contact_on"]))


def handle_contact_attempt(case: Case, task: HumanTask | None, sub: FormSubmission, data: dict):
    from .handlers import HandlerResult

    outcome = "連絡がとれた" if data.get("contact_made") else "連絡とれず"
    db.session.add(
        ProgressNote(
            case_id=case.id,
            recorded_on=date.fromisoformat(data["attempted_on"]),
            kind=data["kind"],
            content=f"{task.name if task else '連絡'}: {outcome}。{data.get('note') or ''}".strip(),
            author_id=sub.actor_id,
            submission_id=sub.id,
        )
    )
    return HandlerResult()


SUPERVISOR_ROLES = {"lead_worker", "section_chief"}


def refuse_lost_contact_without_supervisor(task: HumanTask | None, data: dict) -> None:
    """Closing for 連絡途絶 is a supervisor's decision (the ladder's evaluation task), never a caseworker's."""
    from .errors import ValidationFailed

    if data.get("outcome") == "close" and data.get("closure_reason") == "lost_contact":
        if task is None or not task.roles & SUPERVISOR_ROLES:
            raise ValidationFailed({"closure_reason": [
                "連絡途絶による終結は、主任相談支援員または係長の判断（連絡途絶の評価）でのみ選べます"]})
