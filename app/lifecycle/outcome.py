"""就労・増収 (job and income outcomes): the case action `record_outcome`, one record per event."""

from __future__ import annotations

from datetime import date

from app.clock import today
from app.errors import ValidationFailed
from app.extensions import db
from app.models import Outcome

from .kinds import HandlerResult, StepKind


def record_outcome(step, task, submission, data: dict) -> HandlerResult:
    on = date.fromisoformat(data["on"])
    if on > today():  # checked against the app's clock (the form layer reads the wall clock)
        raise ValidationFailed({"on": ["就労・増収の日は今日以前の日付を入力してください"]})
    # One event is recorded once: the same kind on the same day again is a duplicate, not a second job.
    duplicate = db.session.query(Outcome.id).filter_by(case_id=step.case.id, kind=data["kind"], on=on).first()
    if duplicate is not None:
        raise ValidationFailed({"on": ["同じ日の同じ種別の記録がすでにあります"]})
    db.session.add(Outcome(case_id=step.case.id, kind=data["kind"], on=on, permanent=bool(data.get("permanent")),
                           monthly_income=data.get("monthly_income"), submission_id=submission.id,
                           recorded_by_id=submission.actor_id))
    step.record("action_run", action="record_outcome", submission_id=submission.id, kind=data["kind"],
                on=data["on"])
    return HandlerResult()


KINDS = (StepKind("outcome", handle=record_outcome),)
