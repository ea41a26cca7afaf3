"""就労準備支援 in terms: term 1 from the meeting's decision, each next term from a review.

A term lasts ``term_months`` (rule table ``work_readiness``, 3 by default).  Each term decided
sends the process the message ``work_readiness_review_due``: the caseworker's
``work_readiness_review`` task falls due ``review_days_before_end`` before the term ends and
decides the next term (a new decision and notice) or the end.  A term beyond ``max_terms`` or a
total beyond ``max_total_months`` (施行規則第5条: one year) needs a section chief's exception
with its reason (ただし書き).  Attending the programme is never recorded as employment.
"""

from __future__ import annotations

from datetime import date, timedelta

from app.clock import today
from app.engine import EngineError
from app.errors import ValidationFailed
from app.extensions import db
from app.models import HumanTask, PlanVersion, SupportDecision

from . import notices
from .dates import add_months, months_spanned
from .eligibility import approver
from .rules import rules_in_force

SERVICE = "work_readiness"
MESSAGE = "work_readiness_review_due"
REVIEW_TASK = "work_readiness_review"


def rules(on: date) -> dict:
    return rules_in_force("work_readiness", on).content


def term_end(start: date, content: dict) -> date:
    return add_months(start, int(content["term_months"])) - timedelta(days=1)


def first_term(decision: SupportDecision) -> None:
    content = rules(decision.decided_on)
    decision.term = 1
    decision.period_from = decision.decided_on
    decision.period_to = term_end(decision.period_from, content)


def terms(case) -> list[SupportDecision]:
    return (db.session.query(SupportDecision).filter_by(case_id=case.id, service=SERVICE)
            .filter(SupportDecision.status != "refused").order_by(SupportDecision.id).all())


def current_term(case) -> SupportDecision | None:
    running = [d for d in terms(case) if d.status != "ended"]
    return running[-1] if running else None


def _first_of_run(case, current: SupportDecision) -> SupportDecision:
    """Term 1 of the run the current term belongs to (the 12 months count from its start)."""
    run = [d for d in terms(case) if d.id <= current.id]
    return max((d for d in run if d.term == 1), key=lambda d: d.id, default=current)


def review(step, task, submission, data: dict) -> None:
    case = step.case
    current = current_term(case)
    if current is None:
        raise ValidationFailed({"outcome": ["就労準備支援の支援決定がありません"]})
    if data["outcome"] == "end":
        current.status = "ended"
        current.ended_on = today()
        step.record("work_readiness_ended", decision_id=current.id, term=current.term, submission_id=submission.id)
        return
    content = rules(today())
    number = (current.term or 1) + 1
    start = current.period_to + timedelta(days=1)
    end = term_end(start, content)
    total = months_spanned(_first_of_run(case, current).period_from, end)
    exception_reason, chief = None, None
    if number > int(content["max_terms"]) or total > int(content["max_total_months"]):
        exception_reason = (data.get("exception_reason") or "").strip()
        if not exception_reason or not (data.get("exception_approved_by") or "").strip():
            raise ValidationFailed({"outcome": [
                f"第{number}期（通算{total}か月）は上限（{content['max_terms']}期・{content['max_total_months']}か月）"
                "を超えます。係長が例外の理由を記録した場合に限り決定できます（施行規則第5条ただし書き）"]})
        chief = approver(case, data.get("exception_approved_by"), "exception_approved_by", {"section_chief"})
    plan = (db.session.query(PlanVersion).filter_by(case_id=case.id, status="approved")
            .order_by(PlanVersion.number.desc()).first())
    decision = SupportDecision(
        case_id=case.id, plan_version_id=plan.id if plan else current.plan_version_id, meeting_id=None,
        service=SERVICE, delivering_role=current.delivering_role, decided_on=today(), period_from=start,
        period_to=end, status="decided", term=number, eligibility_id=current.eligibility_id,
        eligibility_basis=current.eligibility_basis, exception_reason=exception_reason,
        exception_by_id=chief.id if chief else None, decided_by_id=step.actor_id)
    db.session.add(decision)
    current.status = "ended"
    current.ended_on = current.period_to
    db.session.flush()
    step.record("support_decided", decision_id=decision.id, service=SERVICE, term=number,
                plan_version=decision.plan_version.number, basis=decision.eligibility_basis,
                exception=bool(exception_reason), submission_id=submission.id)
    notices.decision_notice(step, decision)


def after_review(step, task, submission, data: dict) -> None:
    if data.get("outcome") != "end":
        open_review(step)


def open_review(step) -> None:
    """Ask the process for the review of the current term, due before the term ends."""
    case = step.case
    current = current_term(case)
    if current is None:
        return
    already = db.session.query(HumanTask.id).filter_by(case_id=case.id, status="open", bpmn_id=REVIEW_TASK).first()
    if already is not None:
        return
    try:
        step.send_message(MESSAGE, {"decision_id": current.id, "term": current.term}, action="work_readiness_review",
                          decision_id=current.id)
    except EngineError:
        # A case on a process version without the review: the term stands, the worker reviews by hand.
        step.record("work_readiness_review_unavailable", decision_id=current.id)
        return
    due = max(current.period_to - timedelta(days=int(rules(current.period_to)["review_days_before_end"])),
              today())
    for row in db.session.query(HumanTask).filter_by(case_id=case.id, status="open", bpmn_id=REVIEW_TASK):
        row.due_on = due
        row.prefill = {"outcome": "next_term"}
    db.session.flush()
