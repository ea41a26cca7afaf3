"""What a plan or meeting task is about: the plan version under review, and the meeting's
requested changes a re-plan answers (shown beside the form, and the re-plan starts from the
previous version)."""

from __future__ import annotations

from dataclasses import dataclass

from app.extensions import db
from app.models import CoordinationMeeting, FormSubmission, HumanTask, PlanVersion

# A new version needs the person's new signature: these are never carried over.
NOT_CARRIED = ("signed_by_person", "signed_on")


@dataclass(frozen=True)
class Review:
    plan: PlanVersion | None
    meeting: CoordinationMeeting | None  # the meeting that asked for changes (re-plan only)


def review_for(task: HumanTask) -> Review | None:
    """The plan under review for a meeting task; the previous version and the request for a plan task."""
    if task.form_key == "coordination_meeting":
        plan = _latest_plan(task.case_id, status="draft")
        return Review(plan, None) if plan else None
    if task.form_key == "plan":
        plan = _latest_plan(task.case_id)
        if plan is None or plan.status != "revised":
            return None
        meeting = (db.session.query(CoordinationMeeting).filter_by(plan_version_id=plan.id, decision="revise")
                   .order_by(CoordinationMeeting.id.desc()).first())
        return Review(plan, meeting)
    return None


def replan_prefill(review: Review | None) -> dict:
    """The previous version's answers, as a re-plan starts from them."""
    if review is None or review.meeting is None or review.plan is None:
        return {}
    submission = db.session.get(FormSubmission, review.plan.submission_id)
    data = dict(submission.data or {}) if submission else {}
    for key in NOT_CARRIED:
        data.pop(key, None)
    data["plan_kind"] = "replan"
    return {key: value for key, value in data.items() if value not in (None, "", [])}


def _latest_plan(case_id: int, status: str | None = None) -> PlanVersion | None:
    query = db.session.query(PlanVersion).filter_by(case_id=case_id)
    if status:
        query = query.filter_by(status=status)
    return query.order_by(PlanVersion.number.desc()).first()
