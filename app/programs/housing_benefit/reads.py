"""The benefit as the API and the case page show it; income and the computation only to viewers
who may see income (navigators and providers see neither)."""

from __future__ import annotations

from app.extensions import db
from app.models import HbApplication

COMPUTATION_KEYS = ("counted_income", "counted_rent", "base_amount", "rent_ceiling", "income_limit", "asset_limit",
                    "assets", "monthly_amount", "window_end")


def applications_of(case_id: int) -> list[HbApplication]:
    return db.session.query(HbApplication).filter_by(case_id=case_id).order_by(HbApplication.id).all()


def benefit_json(case_id: int, sees_income: bool) -> dict:
    return {"applications": [application_json(a, sees_income) for a in applications_of(case_id)]}


def application_json(application: HbApplication, sees_income: bool) -> dict:
    comp = application.computation or {}
    return {
        "application_id": application.id,
        "status": application.status,
        "applied_on": application.applied_on.isoformat(),
        "months_from": application.months_from,
        "months_to": application.months_to,
        "extensions": application.extensions,
        "rule_version": application.rule_label,
        "computation": {key: comp.get(key) for key in COMPUTATION_KEYS} if sees_income else None,
        "decisions": [{
            "decision_id": d.id, "kind": d.kind, "reason_code": d.reason_code, "reason_codes": d.reason_codes,
            "reason_text": d.reason_text if sees_income else None,
            "months_from": d.months_from, "months_to": d.months_to, "effective_month": d.effective_month,
            "amount": d.amount if sees_income else None, "decided_on": d.decided_on.isoformat(),
            "deadline": d.deadline.isoformat() if d.deadline else None, "rule_version": d.rule_label,
            "notice_id": d.notice_id,
        } for d in application.decisions],
        "payments": [{"month": p.month, "amount": p.amount if sees_income else None, "payee": p.payee_name,
                      "status": p.status} for p in application.payments],
        "duties": [{"month": r.month, "desk_interviews": r.desk_interviews,
                    "hello_work_sessions": r.hello_work_sessions, "weeks_with_application": r.weeks_with_application,
                    "compliant": r.compliant} for r in application.duty_records],
    }


def screening_view(application: HbApplication, extension: bool = False) -> dict:
    """Every figure and rule the screener decides on (the extension's own figures when it is one)."""
    comp = (application.pending_extension or {}).get("computation") if extension else application.computation
    return {"application": application, "computation": comp or {}, "data": application.data,
            "rule_version": application.rule_label, "extension": extension}


def benefit_for(user, case_id: int, door: str = "api_housing_benefit") -> dict:
    """The case's benefit as `user` may see it; the read is audited."""
    from app.services.cases.opening import get_case_for
    from app.services.cases.reads import record_case_view
    from app.services.privacy import masking

    case = get_case_for(user, case_id)
    viewer = masking.viewer_for(user, case)
    answer = benefit_json(case.id, viewer.sees("income"))
    record_case_view(user, case, door, basis=viewer.basis)
    return answer
