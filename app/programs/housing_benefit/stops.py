"""中止・停止: the section chief's decision on a proposal (duties not met after an instruction,
income over the limit after a permanent job), the stop when public assistance starts, and the
reports that lead to them (常用就職届, income reports)."""

from __future__ import annotations

from datetime import date

from app.clock import now, today
from app.errors import Conflict, ValidationFailed
from app.extensions import db
from app.lifecycle.steps import CaseStep
from app.models import HbApplication, HbDecision, HbIncomeReport, HbPayment, HumanTask
from app.programs.rules import rules_in_force

from . import decisions, notices, payments, workflow
from .applications import RULE_NAME, _submission, current_application
from .computation import add_months, counted_income, month_of, yen
from .inputs import validated

REASON_TEXTS = {
    "JOB_SEARCH_DUTY_NOT_MET": "受給中に行うべき求職活動等を行わず、指導書による指導の期限までに改善されなかったため",
    "PERMANENT_JOB_INCOME": "常用就職後の収入が収入基準額を超えたため",
    "PUBLIC_ASSISTANCE_STARTED": "生活保護の支給が開始されたため",
    "MOVED_OUT": "支給対象の住宅から退去したため",
    "FALSE_STATEMENT": "申請に虚偽があったため",
    "TRAINING_BENEFIT": "職業訓練受講給付金を受給するため",
}


def decide(step: CaseStep, task: HumanTask, application: HbApplication, raw: dict) -> None:
    """The `hb_stop` task: 中止, 停止, 再開 or continue paying, from the effective month on."""
    data, version = validated(step.case.process_version, "hb_stop", raw)
    choice, code, month = data["decision"], data["reason_code"], data["effective_month"]
    if choice in ("stop", "suspend") and month < month_of(today()):
        raise ValidationFailed({"effective_month": ["支給済みの月に遡って中止・停止することはできません（今月以降）"]})
    if choice == "stop" and code == "JOB_SEARCH_DUTY_NOT_MET":
        _instruction_first(application)
    submission = _submission(step, None, "hb_stop", data, version, task)
    task.status, task.completed_at, task.completed_by_id = "completed", now(), step.actor_id
    step.record("hb_task_completed", task_id=task.id, bpmn_id=task.bpmn_id, form_key=task.form_key,
                submission_id=submission.id, application_id=application.id)
    workflow.complete(step, application, task, {"decision": choice})
    text = _reason_text(code, application, data.get("note"))
    if choice == "stop":
        decision = stop(step, application, code, month, text, submission.id)
        if code == "PUBLIC_ASSISTANCE_STARTED":  # a PA start date reported to the office, not the hand-off
            _notify_pa(step, application, decision)
    elif choice == "suspend":
        decision = decisions.record(step, application, "suspension", reason_codes=[code], reason_text=text,
                                    effective_month=month, rule_label=application.rule_label,
                                    submission_id=submission.id)
        payments.cancel_from(application, month, decision)
        application.status = "suspended"
    elif choice == "resume":
        _resume(step, application, month)
    else:
        step.record("hb_stop_declined", application_id=application.id, reason_code=code)


def _instruction_first(application: HbApplication) -> None:
    instruction = (db.session.query(HbDecision).filter_by(application_id=application.id, kind="instruction")
                   .order_by(HbDecision.id.desc()).first())
    if instruction is None:
        raise ValidationFailed({"reason_code": [
            "求職活動要件による中止は、指導書による指導の後でなければ決定できません"]})
    if instruction.deadline and instruction.deadline >= today():
        raise ValidationFailed({"decision": [f"指導の期限（{instruction.deadline.isoformat()}）が過ぎていません"]})


def _reason_text(code: str, application: HbApplication, note: str | None) -> str:
    text = REASON_TEXTS.get(code, "")
    if code == "PERMANENT_JOB_INCOME":
        report = (db.session.query(HbIncomeReport).filter_by(application_id=application.id)
                  .order_by(HbIncomeReport.month.desc()).first())
        if report is not None:
            text = (f"常用就職後の{report.month}の世帯収入 {yen(report.counted_income)} が 収入基準額 "
                    f"{yen(int(application.computation['income_limit']))} を超えたため")
    return f"{text}\n{note}" if note else text


def stop(step: CaseStep, application: HbApplication, code: str, month: str, text: str,
         submission_id: int | None = None) -> HbDecision:
    """中止 from `month`: later scheduled payments cancelled (paid ones stay), notice, workflow ended."""
    decision = decisions.record(step, application, "stop", reason_codes=[code], reason_text=text,
                                effective_month=month, rule_label=application.rule_label,
                                submission_id=submission_id)
    cancelled = payments.cancel_from(application, month, decision)
    application.status = "stopped"
    application.pending_extension = None
    step.record("hb_payments_cancelled", application_id=application.id, decision_id=decision.id, months=cancelled)
    if workflow.is_running(application):
        workflow.send(step, application, "hb_ended", {"reason_code": code})
    return decision


def _resume(step: CaseStep, application: HbApplication, month: str) -> None:
    resumed = []
    for payment in db.session.query(HbPayment).filter(
            HbPayment.application_id == application.id, HbPayment.month >= month,
            HbPayment.status == "cancelled").order_by(HbPayment.month):
        payment.status, payment.cancelled_by_id = "scheduled", None
        resumed.append(payment.month)
    application.status = "paying"
    step.record("hb_payments_resumed", application_id=application.id, months=resumed)


# -- reports that lead to a stop --------------------------------------------------------------------
def report_permanent_job(step: CaseStep, raw: dict) -> None:
    """`hb_report_permanent_job` (常用就職届): kept; a later income report over the limit proposes the stop."""
    data, version = validated(step.case.process_version, "hb_employment", raw)
    application = current_application(step.case.id, ("paying", "suspended"))
    if application is None:
        raise Conflict("支給中の住居確保給付金がありません")
    submission = _submission(step, "hb_report_permanent_job", "hb_employment", data, version)
    application.employment = {**data, "submission_id": submission.id}
    step.record("hb_permanent_job_reported", application_id=application.id, submission_id=submission.id,
                permanent=data["permanent"], started_on=data["started_on"])


def report_income(step: CaseStep, raw: dict) -> None:
    """`hb_report_income`: after a permanent job, income over the 収入基準額 proposes 中止 from the next month."""
    data, version = validated(step.case.process_version, "hb_income", raw, with_incomes=True)
    application = current_application(step.case.id, ("paying", "suspended"))
    if application is None:
        raise Conflict("支給中の住居確保給付金がありません")
    submission = _submission(step, "hb_report_income", "hb_income", data, version)
    total = counted_income(data["incomes"], [])
    db.session.add(HbIncomeReport(application_id=application.id, case_id=application.case_id, month=data["month"],
                                  incomes=data["incomes"], counted_income=total, submission_id=submission.id))
    limit = int(application.computation["income_limit"])
    job = application.employment or {}
    over = bool(job.get("permanent")) and data["month"] >= month_of(date.fromisoformat(job["started_on"])) \
        and total > limit
    step.record("hb_income_reported", application_id=application.id, month=data["month"],
                submission_id=submission.id, over_limit=over)
    if over:
        rules = rules_in_force(RULE_NAME, today())
        effective = add_months(data["month"], 1) if rules.content.get("stop_effective") == "next_month" \
            else data["month"]
        workflow.send(step, application, "hb_stop_proposed", {
            "decision": "stop", "reason_code": "PERMANENT_JOB_INCOME", "effective_month": effective})


# -- public assistance starting ---------------------------------------------------------------------
def public_assistance_started(step: CaseStep, started_on: date) -> HbDecision | None:
    """生活保護 starts: 中止 from that month, and the PA side is told which months the benefit covered."""
    application = current_application(step.case.id, ("paying", "suspended", "screening"))
    if application is None:
        return None
    month = month_of(started_on)
    if application.status == "screening":
        return None  # nothing was decided: the screener refuses with the case's state in view
    decision = stop(step, application, "PUBLIC_ASSISTANCE_STARTED", month,
                    f"{REASON_TEXTS['PUBLIC_ASSISTANCE_STARTED']}（保護開始日 {started_on.isoformat()}）")
    _notify_pa(step, application, decision)
    return decision


def _notify_pa(step: CaseStep, application: HbApplication, decision: HbDecision) -> None:
    covered = payments.paid_months(application)
    notices.issue_pa_notice(step, decision, covered, int(application.computation["monthly_amount"]))
    step.record("hb_pa_notified", application_id=application.id, decision_id=decision.id, covered_months=covered)


def propose(step: CaseStep, raw: dict) -> None:
    """`hb_propose_stop`: a worker puts a stop, a suspension (職業訓練受講給付金) or a resumption before
    the section chief; the chief's `hb_stop` task opens with the proposal filled in."""
    data, version = validated(step.case.process_version, "hb_stop", raw)
    application = current_application(step.case.id, ("paying", "suspended"))
    if application is None:
        raise Conflict("支給中の住居確保給付金がありません")
    if data["decision"] == "resume" and application.status != "suspended":
        raise ValidationFailed({"decision": ["停止中ではないため再開できません"]})
    submission = _submission(step, "hb_propose_stop", "hb_stop", data, version)
    step.record("hb_stop_proposed", application_id=application.id, submission_id=submission.id,
                decision=data["decision"], reason_code=data["reason_code"], effective_month=data["effective_month"])
    workflow.send(step, application, "hb_stop_proposed", {key: data[key] for key in
                                                          ("decision", "reason_code", "effective_month")})
