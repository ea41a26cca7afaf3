"""要件確認 (the case action ``record_eligibility``): the standard test, or 準ずる者 (deemed).

A failed standard test is refused with its figures so that the worker takes the deemed route:
the city deems the service necessary, with the worker's written reason and the approval of a
lead worker or section chief of the ward (recorded with their name and the time).  No age limit.
"""

from __future__ import annotations

from app.clock import now, today
from app.codes import label
from app.errors import ValidationFailed
from app.extensions import db
from app.models import Case, ServiceEligibility, User

from .figures import TESTED_SERVICES, assessment_figures, failure_text, standard_test

APPROVER_ROLES = {"lead_worker", "section_chief"}


def approver(case: Case, username: str | None, field: str, roles: set[str] = APPROVER_ROLES) -> User:
    """The named approver: a lead worker or section chief of the case's ward (field errors otherwise)."""
    name = (username or "").strip()
    if not name:
        raise ValidationFailed({field: ["承認者（主任相談支援員または区担当係長のユーザー名）を入力してください"]})
    user = db.session.query(User).filter_by(username=name).first()
    if user is None or not (user.roles & roles) or user.ward != case.ward or not user.active:
        wanted = "区担当係長" if roles == {"section_chief"} else "主任相談支援員または区担当係長"
        raise ValidationFailed({field: [f"承認者は、この区の{wanted}のユーザー名を入力してください"]})
    return user


def record_eligibility(step, task, submission, data: dict) -> None:
    case = step.case
    service = data["service"]
    if service not in TESTED_SERVICES:
        raise ValidationFailed({"service": [
            f"{label('STATUTORY_SERVICES', service)}には法定の収入・資産要件はありません（要件確認は不要です）"]})
    known = assessment_figures(case)
    figures = standard_test(service, today(), income=known["income"], assets=known["assets"], size=known["size"])
    basis = data["basis"]
    approved_by, reason = None, None
    if basis == "standard":
        if not figures["passed"]:
            raise ValidationFailed({"basis": [
                f"{failure_text(figures)}。準ずる者（要件に準ずる者として市が必要と認める）として、理由と承認者を"
                "記録してください"]})
    else:
        reason = (data.get("reason") or "").strip()
        if not reason:
            raise ValidationFailed({"reason": ["準ずる者とする理由を入力してください"]})
        approved_by = approver(case, data.get("approved_by"), "approved_by")
    record = ServiceEligibility(
        case_id=case.id, service=service, basis=basis, reason=reason, figures=figures,
        approved_by_id=approved_by.id if approved_by else None, approved_at=now() if approved_by else None,
        recorded_by_id=step.actor_id, submission_id=submission.id)
    db.session.add(record)
    db.session.flush()
    step.record("eligibility_recorded", eligibility_id=record.id, service=service, basis=basis,
                passed=figures["passed"], approved_by=approved_by.username if approved_by else None,
                submission_id=submission.id)


def latest(case: Case, service: str) -> ServiceEligibility | None:
    return (db.session.query(ServiceEligibility).filter_by(case_id=case.id, service=service)
            .order_by(ServiceEligibility.id.desc()).first())


def for_decision(step, service: str) -> ServiceEligibility:
    """The eligibility a decision of ``service`` rests on; the standard test is recorded when it passes.

    Refused (field ``decision``) when nothing is on record and the standard test does not pass.
    """
    case = step.case
    if service not in TESTED_SERVICES:
        record = ServiceEligibility(case_id=case.id, service=service, basis="not_required", figures={},
                                    recorded_by_id=step.actor_id)
        db.session.add(record)
        db.session.flush()
        return record
    found = latest(case, service)
    if found is not None:
        return found
    known = assessment_figures(case)
    figures = standard_test(service, today(), income=known["income"], assets=known["assets"], size=known["size"])
    if not figures["passed"]:
        raise ValidationFailed({"decision": [
            f"{label('STATUTORY_SERVICES', service)}: {failure_text(figures)}。了承の前に、準ずる者として要件確認"
            "（理由と承認者）を記録してください"]})
    record = ServiceEligibility(case_id=case.id, service=service, basis="standard", figures=figures,
                                recorded_by_id=step.actor_id)
    db.session.add(record)
    db.session.flush()
    step.record("eligibility_recorded", eligibility_id=record.id, service=service, basis="standard", passed=True)
    return record


def meeting_checks(case: Case, sees) -> list[dict]:
    """What the meeting checks before approving: each statutory service of the plan under review,
    its eligibility on record (or what the standard test gives), the figures for viewers who see income."""
    from app.lifecycle.plan import plan_under_review

    plan = plan_under_review(case)
    rows = []
    for service in (plan.statutory_services if plan is not None else []):
        row = {"service": service, "basis": "not_required", "ready": True, "figures": None, "approved_by": None}
        if service in TESTED_SERVICES:
            found = latest(case, service)
            if found is not None:
                figures = found.figures or None
                row.update(basis=found.basis, approved_by=found.approved_by.display_name if found.approved_by else None)
            else:
                known = assessment_figures(case)
                figures = standard_test(service, today(), income=known["income"], assets=known["assets"],
                                        size=known["size"])
                row.update(basis="standard" if figures["passed"] else None, ready=bool(figures["passed"]))
            row["figures"] = figures if sees("income") else None
            row["failure"] = failure_text(figures) if figures and figures.get("passed") is False else None
        rows.append(row)
    return rows
