"""アセスメント (assessment): due a number of days after the application; a suicide risk it records
becomes a risk flag (see `risk`)."""

from __future__ import annotations

from datetime import date, timedelta

from flask import current_app

from app.engine import UserTaskInfo

from .deadlines import task_due_on
from .kinds import StepKind
from .risk import RISK_FIELDS, flag_from_assessment


def assessment_due_on(info: UserTaskInfo, ward: str | None) -> date | None:
    ruled = task_due_on(info.bpmn_id, info.form_key, info.data, ward)
    if ruled is not None:
        return ruled
    try:
        received = date.fromisoformat(str(info.data.get("received_on"))[:10]) if info.data.get("received_on") else None
    except ValueError:
        return None
    return received + timedelta(days=current_app.config["ASSESSMENT_DUE_DAYS"]) if received else None


def after_assessment(step, task, submission, data: dict):
    if data.get("suicide_risk") not in (None, "", "none"):
        flag_from_assessment(step, submission, data)


KINDS = (StepKind("assessment", after=after_assessment, due_on=assessment_due_on,
                  variables=("likely_public_assistance",), sensitive_fields=RISK_FIELDS),)
