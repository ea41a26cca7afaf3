"""Records for the statistics tests, written as the steps write them (the flush keeps the counters)."""

from __future__ import annotations

from datetime import date

from app.extensions import db
from app.lifecycle.versions import current_version
from app.models import Case, Closure, CoordinationMeeting, FormSubmission, Outcome, PlanVersion


class Records:
    """Builds episodes with their intake, plans and meetings, closures and outcomes."""

    def __init__(self, actor_id: int):
        self.actor_id = actor_id
        self.version_id = current_version().id

    def case(self, ward: str = "naka", intake_on: date | None = None, route: str = "self",
             reconsultation: bool = False) -> Case:
        case = Case(ward=ward, state="in_support", opened_on=intake_on or date(2027, 4, 1),
                    process_version_id=self.version_id, workflow_blob=b"", reconsultation=reconsultation)
        db.session.add(case)
        db.session.flush()
        if intake_on is not None:
            self.submit(case, "intake", {"received_on": intake_on.isoformat(), "route": route})
        return case

    def submit(self, case: Case, form_key: str, data: dict) -> FormSubmission:
        submission = FormSubmission(case_id=case.id, form_key=form_key, form_version=1, data=data,
                                    actor_id=self.actor_id)
        db.session.add(submission)
        db.session.flush()
        return submission

    def approve_plan(self, case: Case, on: date, employment: bool = False) -> PlanVersion:
        number = db.session.query(PlanVersion).filter_by(case_id=case.id).count() + 1
        submission = self.submit(case, "plan", {})
        plan = PlanVersion(case_id=case.id, number=number, overall_goal="目標", statutory_services=[],
                           employment_support_target=employment, plan_from=on, plan_to=on, signed_by_person=True,
                           status="approved", submission_id=submission.id)
        db.session.add(plan)
        db.session.flush()
        db.session.add(CoordinationMeeting(case_id=case.id, plan_version_id=plan.id, held_on=on, attendees=[],
                                           decision="approve", submission_id=submission.id))
        db.session.flush()
        return plan

    def close(self, case: Case, on: date, reason: str) -> Closure:
        closure = Closure(case_id=case.id, closed_on=on, reason=reason)
        case.state, case.closed_on, case.closure_reason = "closed", on, reason
        db.session.add(closure)
        db.session.flush()
        return closure

    def outcome(self, case: Case, kind: str, on: date, permanent: bool = True) -> Outcome:
        submission = self.submit(case, "outcome", {"kind": kind, "on": on.isoformat()})
        row = Outcome(case_id=case.id, kind=kind, on=on, permanent=permanent, monthly_income=150000,
                      submission_id=submission.id, recorded_by_id=self.actor_id)
        db.session.add(row)
        db.session.flush()
        return row
