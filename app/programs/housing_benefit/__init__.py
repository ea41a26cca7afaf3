"""住居確保給付金 (housing security benefit): applications with their own workflow, the screening
with every figure, decisions and notices, monthly payments, duties, extensions and stops."""

from __future__ import annotations

from app.errors import NotFound
from app.extensions import db
from app.lifecycle.steps import CaseStep
from app.models import Case, HbApplication, HumanTask

from . import applications, duties, stops, workflow

# Case actions of the programme and what runs them (each inside the action's case step).
ACTIONS = {
    "apply_housing_benefit": applications.apply,
    "hb_report_duties": duties.report,
    "hb_apply_extension": applications.apply_extension,
    "hb_report_permanent_job": stops.report_permanent_job,
    "hb_report_income": stops.report_income,
    # Not a contract action: puts a stop or a suspension (e.g. 職業訓練受講給付金) before the section chief.
    "hb_propose_stop": stops.propose,
}
FORMS = {"apply_housing_benefit": "hb_application", "hb_report_duties": "hb_duties",
         "hb_apply_extension": "hb_extension", "hb_report_permanent_job": "hb_employment",
         "hb_report_income": "hb_income", "hb_propose_stop": "hb_stop"}
_TASKS = {"hb_screening": applications.screen, "hb_duty_check": duties.follow_up, "hb_stop": stops.decide}
# Every form the programme records itself (not through a lifecycle step).
PROGRAMME_FORMS = frozenset(FORMS.values()) | frozenset(_TASKS)
# From intake on (before any plan: emergencies do not wait for one).
APPLY_STATES = {"intake", "assessment", "plan_draft", "meeting", "decided", "in_support", "evaluation",
                "suspended", "handoff_pa"}


def available_actions(case: Case) -> list[str]:
    if case.state not in APPLY_STATES:
        return []
    current = applications.current_application(case.id)
    if current is None:
        return ["apply_housing_benefit"]
    if current.status == "screening":
        return []
    found = ["hb_report_duties", "hb_report_permanent_job", "hb_report_income", "hb_propose_stop"]
    if current.status == "paying" and not current.pending_extension:
        found.insert(1, "hb_apply_extension")
    return found


def is_programme_task(task: HumanTask) -> bool:
    return workflow.application_id_of(task) is not None


def complete_task(step: CaseStep, task: HumanTask, raw: dict) -> None:
    application = db.session.get(HbApplication, workflow.application_id_of(task))
    if application is None or application.case_id != step.case.id:
        raise NotFound("給付金の申請が見つかりません")
    _TASKS[task.form_key](step, task, application, raw)


def public_assistance_started(step: CaseStep, handed_over_at) -> None:
    """The case's hand-off to 生活保護 was received: the benefit stops from that day's month (Japan time)."""
    from datetime import date, datetime
    from zoneinfo import ZoneInfo

    value = str(handed_over_at or "")
    try:
        moment = datetime.fromisoformat(value)
        day = moment.astimezone(ZoneInfo("Asia/Tokyo")).date() if moment.tzinfo else moment.date()
    except ValueError:
        day = date.fromisoformat(value[:10])
    stops.public_assistance_started(step, day)
