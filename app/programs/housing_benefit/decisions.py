"""Recording a decision: the row (with its computation and rule version), its notice, its audit event."""

from __future__ import annotations

from app.clock import today
from app.extensions import db
from app.lifecycle.steps import CaseStep
from app.models import HbApplication, HbDecision

from . import notices


def record(step: CaseStep, application: HbApplication, kind: str, *, reason_codes: list[str] | None = None,
           reason_text: str | None = None, submission_id: int | None = None, **fields) -> HbDecision:
    codes = list(reason_codes or [])
    decision = HbDecision(
        application_id=application.id, case_id=application.case_id, kind=kind,
        reason_code=codes[0] if codes else None, reason_codes=codes, reason_text=reason_text,
        decided_on=today(), decided_by_id=step.actor_id, submission_id=submission_id, **fields,
    )
    db.session.add(decision)
    db.session.flush()
    notice = notices.issue_for(step, decision, application)
    step.record("hb_decision_recorded", application_id=application.id, decision_id=decision.id, kind=kind,
                reason_codes=codes, months_from=decision.months_from, months_to=decision.months_to,
                effective_month=decision.effective_month, rule_version=decision.rule_label,
                notice_id=notice.id if notice is not None else None)
    return decision
