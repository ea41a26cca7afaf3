"""申請受付 → 審査 → 支給決定 / 不支給決定, and the extension application and its screening."""

from __future__ import annotations

from datetime import date

from app.clock import now
from app.errors import Conflict, ValidationFailed
from app.extensions import db
from app.lifecycle.steps import CaseStep
from app.models import FormSubmission, HbApplication, HbDutyRecord, HumanTask
from app.programs.rules import rules_in_force

from . import decisions, payments, workflow
from .computation import compute, last_day, month_of, months
from .inputs import validated

RULE_NAME = "housing_benefit"
OPEN_STATUSES = ("screening", "paying", "suspended")


def _submission(step: CaseStep, action: str | None, form_key: str, data: dict, version: int,
                task: HumanTask | None = None) -> FormSubmission:
    submission = FormSubmission(case_id=step.case.id, action=action, form_key=form_key, form_version=version,
                                data=data, actor_id=step.actor_id, submitted_at=now(),
                                human_task_id=task.id if task is not None else None)
    db.session.add(submission)
    db.session.flush()
    return submission


def current_application(case_id: int, statuses=OPEN_STATUSES) -> HbApplication | None:
    return (db.session.query(HbApplication).filter(HbApplication.case_id == case_id,
                                                    HbApplication.status.in_(statuses))
            .order_by(HbApplication.id.desc()).first())


def apply(step: CaseStep, raw: dict) -> HbApplication:
    """The case action `apply_housing_benefit`: keep the application, compute, start its workflow."""
    data, version = validated(step.case.process_version, "hb_application", raw, with_incomes=True)
    if current_application(step.case.id) is not None:
        raise Conflict("この相談ケースには審査中または支給中の住居確保給付金があります")
    submission = _submission(step, "apply_housing_benefit", "hb_application", data, version)
    applied_on = date.fromisoformat(data["applied_on"])
    rules = rules_in_force(RULE_NAME, applied_on)
    result = compute(rules.content, data, applied_on)
    application = HbApplication(
        case_id=step.case.id, ward=step.case.ward, status="screening", applied_on=applied_on, data=data,
        computation=result.as_dict(), rule_label=rules.label, payee=data["payee"], payee_name=data["payee_name"],
        submission_id=submission.id, process_version_id=step.case.process_version_id, workflow_blob=b"",
    )
    db.session.add(application)
    db.session.flush()
    step.record("hb_application_received", application_id=application.id, submission_id=submission.id,
                rule_version=rules.label, failed=[f.code for f in result.failures])
    workflow.start(step, application)
    step.case.updated_at = now()
    return application


# -- screening (the first decision, and each extension's) --------------------------------------
def screen(step: CaseStep, task: HumanTask, application: HbApplication, raw: dict) -> None:
    data, version = validated(step.case.process_version, "hb_screening", raw)
    extension = task.bpmn_id == "hb_extension_screening"
    pending = application.pending_extension if extension else None
    computation = pending["computation"] if extension else application.computation
    failures = computation["failures"]
    if data["decision"] == "grant" and failures:
        raise ValidationFailed({"decision": [
            "要件を満たしていないため支給決定できません: " + " / ".join(f"{f['code']} {f['text']}" for f in failures)]})
    submission = _submission(step, None, "hb_screening", data, version, task)
    task.status, task.completed_at, task.completed_by_id = "completed", now(), step.actor_id
    if extension:
        _decide_extension(step, application, data, computation, submission.id)
    else:
        _decide_application(step, application, data, computation, submission.id)
    step.record("hb_task_completed", task_id=task.id, bpmn_id=task.bpmn_id, form_key=task.form_key,
                submission_id=submission.id, application_id=application.id)
    workflow.complete(step, application, task, {"decision": data["decision"]})


def _refusal_text(failures: list[dict], note: str | None) -> str:
    texts = [f["text"] for f in failures] or [note or "審査の結果、支給要件を満たさないため"]
    return "\n".join(texts)


def _decide_application(step, application, data, computation, submission_id) -> None:
    rules = rules_in_force(RULE_NAME, application.applied_on)
    if data["decision"] == "refuse":
        decisions.record(step, application, "refusal", reason_codes=[f["code"] for f in computation["failures"]],
                         reason_text=_refusal_text(computation["failures"], data.get("note")),
                         computation=computation, rule_label=application.rule_label, submission_id=submission_id)
        application.status = "refused"
        return
    granted = months(month_of(application.applied_on), int(rules.content["months_per_grant"]))
    amount = int(computation["monthly_amount"])
    decision = decisions.record(step, application, "grant", months_from=granted[0], months_to=granted[-1],
                                amount=amount, computation=computation, rule_label=application.rule_label,
                                submission_id=submission_id)
    payments.schedule(application, decision, granted, amount)
    application.status, application.months_from, application.months_to = "paying", granted[0], granted[-1]


def _decide_extension(step, application, data, computation, submission_id) -> None:
    pending = application.pending_extension
    rules = rules_in_force(RULE_NAME, date.fromisoformat(pending["applied_on"]))
    if data["decision"] == "refuse":
        decisions.record(step, application, "extension_refusal",
                         reason_codes=[f["code"] for f in computation["failures"]],
                         reason_text=_refusal_text(computation["failures"], data.get("note")),
                         computation=computation, rule_label=rules.label, submission_id=submission_id)
        application.pending_extension = None
        return
    granted = months(workflow_next_month(application), int(rules.content["months_per_grant"]))
    amount = int(computation["monthly_amount"])
    decision = decisions.record(step, application, "extension", months_from=granted[0], months_to=granted[-1],
                                amount=amount, computation=computation, rule_label=rules.label,
                                submission_id=submission_id)
    payments.schedule(application, decision, granted, amount)
    application.months_to = granted[-1]
    application.extensions += 1
    application.computation = computation
    application.pending_extension = None


def workflow_next_month(application: HbApplication) -> str:
    from .computation import add_months

    return add_months(application.months_to, 1)


# -- the extension application ------------------------------------------------------------------
def apply_extension(step: CaseStep, raw: dict) -> HbApplication:
    """`hb_apply_extension`: refused at once when late, over the limit or without the duty records;
    otherwise the tests run again on the new figures and a screener decides."""
    data, version = validated(step.case.process_version, "hb_extension", raw, with_incomes=True)
    application = current_application(step.case.id, ("paying",))
    if application is None:
        raise Conflict("支給中の住居確保給付金がありません")
    if application.pending_extension:
        raise Conflict("審査中の延長申請があります")
    submission = _submission(step, "hb_apply_extension", "hb_extension", data, version)
    applied_on = date.fromisoformat(data["applied_on"])
    rules = rules_in_force(RULE_NAME, applied_on)
    figures = {**application.data, "incomes": data["incomes"], "assets": data["assets"]}
    result = compute(rules.content, figures, applied_on, check_window=False)
    step.record("hb_extension_received", application_id=application.id, submission_id=submission.id,
                rule_version=rules.label)
    refusal = _extension_bar(application, applied_on, rules.content)
    if refusal:
        code, text = refusal
        decisions.record(step, application, "extension_refusal", reason_codes=[code], reason_text=text,
                         computation=result.as_dict(), rule_label=rules.label, submission_id=submission.id)
        return application
    application.pending_extension = {"applied_on": data["applied_on"], "computation": result.as_dict(),
                                     "submission_id": submission.id}
    workflow.send(step, application, "hb_extension_received", {"applied_on": data["applied_on"]})
    return application


def _extension_bar(application: HbApplication, applied_on: date, content: dict) -> tuple[str, str] | None:
    if application.extensions >= int(content["max_extensions"]):
        return "EXTENSION_LIMIT", f"延長は{content['max_extensions']}回までのため、これ以上延長できません"
    deadline = last_day(application.months_to)
    if applied_on > deadline:
        return "EXTENSION_LATE", (f"延長申請の期限（最終支給月の末日 {deadline.isoformat()}）を過ぎて "
                                  f"{applied_on.isoformat()} に申請されたため")
    reported = {r.month for r in db.session.query(HbDutyRecord).filter_by(application_id=application.id)}
    missing = [m for m in payments.paid_months(application) if m < month_of(applied_on) and m not in reported]
    if missing:
        return "JOB_SEARCH_DUTY_NOT_MET", ("支給を受けた月の求職活動状況報告がないため（報告のない月: "
                                           + "、".join(missing) + "）")
    return None
