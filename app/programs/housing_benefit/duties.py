"""Duties while receiving: monthly job-search reports, the month-start check that raises a task for
the caseworker when a paid month has no compliant report, and the written instruction (指導)."""

from __future__ import annotations

import logging
from datetime import date

from app.clock import now, today
from app.errors import Conflict, ValidationFailed
from app.extensions import db
from app.lifecycle import steps
from app.lifecycle.steps import CaseStep
from app.models import HbApplication, HbDutyCheck, HbDutyRecord, HbPayment, HumanTask
from app.programs.rules import rules_in_force
from app.services.cases.transaction import Attempt, one_transaction

from . import decisions, workflow
from .applications import RULE_NAME, _submission, current_application
from .computation import add_months, duty_compliant, month_of, stop_month
from .inputs import validated

log = logging.getLogger("tsunagi.housing_benefit")


def report(step: CaseStep, raw: dict) -> HbDutyRecord:
    """`hb_report_duties`: a month's counts, checked against the rule version in force that month."""
    data, version = validated(step.case.process_version, "hb_duties", raw)
    application = current_application(step.case.id, ("paying", "suspended"))
    if application is None:
        raise Conflict("支給中の住居確保給付金がありません")
    month = data["month"]
    if not (application.months_from <= month <= application.months_to):
        raise ValidationFailed({"month": [f"支給期間（{application.months_from}〜{application.months_to}）の月を"
                                          "入力してください"]})
    submission = _submission(step, "hb_report_duties", "hb_duties", data, version)
    rules = rules_in_force(RULE_NAME, date.fromisoformat(month + "-01"))
    counts = {key: int(data[key]) for key in ("desk_interviews", "hello_work_sessions", "weeks_with_application")}
    compliant = duty_compliant(rules.content, counts)
    record = db.session.query(HbDutyRecord).filter_by(application_id=application.id, month=month).one_or_none()
    if record is None:
        record = HbDutyRecord(application_id=application.id, case_id=application.case_id, month=month, **counts,
                              compliant=compliant, rule_label=rules.label, submission_id=submission.id)
        db.session.add(record)
    else:  # a corrected report of the month replaces the counts; the submissions keep both
        for key, value in counts.items():
            setattr(record, key, value)
        record.compliant, record.rule_label, record.submission_id = compliant, rules.label, submission.id
    step.record("hb_duties_reported", application_id=application.id, month=month, compliant=compliant,
                submission_id=submission.id, rule_version=rules.label, required=rules.content["duties"])
    return record


# -- the month-start check -----------------------------------------------------------------------
def month_start_checks(on: date | None = None) -> int:
    """Check last month's reports of every paying application (once each); returns the tasks raised.

    Safe on many hosts: each check is made under the case lock and kept as a row with a unique key.
    """
    on = on or today()
    month = add_months(month_of(on), -1)
    candidates = [
        (app_id, case_id) for app_id, case_id in db.session.query(HbApplication.id, HbApplication.case_id)
        .join(HbPayment, HbPayment.application_id == HbApplication.id)
        .filter(HbApplication.status == "paying", HbPayment.month == month, HbPayment.status != "cancelled")
        .filter(~HbApplication.id.in_(db.session.query(HbDutyCheck.application_id).filter_by(month=month)))
        .order_by(HbApplication.id)
    ]
    db.session.rollback()
    raised = 0
    for application_id, case_id in candidates:
        try:
            raised += _check_one(application_id, case_id, month)
        except Exception:  # one case's failure must not stop the scheduler's pass; it is tried next tick
            db.session.rollback()
            log.exception("housing benefit duty check of application %s failed", application_id)
    return raised


def _check_one(application_id: int, case_id: int, month: str) -> int:
    with one_transaction(None, Attempt("操作", "求職活動状況の月初確認", case_id)):
        step = steps.lock(case_id, None)
        if db.session.query(HbDutyCheck.id).filter_by(application_id=application_id, month=month).first():
            return 0  # another host checked it meanwhile
        application = db.session.get(HbApplication, application_id)
        record = db.session.query(HbDutyRecord).filter_by(application_id=application_id, month=month).first()
        compliant = bool(record and record.compliant)
        db.session.add(HbDutyCheck(application_id=application_id, month=month, compliant=compliant,
                                   checked_at=now()))
        step.record("hb_duties_checked", application_id=application_id, month=month, compliant=compliant)
        if not compliant:
            workflow.send(step, application, "hb_duty_missed", {"month": month})
            return 1
    return 0


# -- the caseworker's follow-up: 指導 ------------------------------------------------------------
def follow_up(step: CaseStep, task: HumanTask, application: HbApplication, raw: dict) -> None:
    data, version = validated(step.case.process_version, "hb_duty_check", raw)
    month = (task.prefill or {}).get("month") or _missed_month(application)
    if data["outcome"] == "instruct" and not data.get("deadline"):
        raise ValidationFailed({"deadline": ["指導書を交付するときは改善の期限を入力してください"]})
    if data["outcome"] == "instruct" and date.fromisoformat(data["deadline"]) < today():
        raise ValidationFailed({"deadline": ["改善の期限は今日以降の日付を入力してください"]})
    submission = _submission(step, None, "hb_duty_check", data, version, task)
    task.status, task.completed_at, task.completed_by_id = "completed", now(), step.actor_id
    step.record("hb_task_completed", task_id=task.id, bpmn_id=task.bpmn_id, form_key=task.form_key,
                submission_id=submission.id, application_id=application.id)
    workflow.complete(step, application, task, {"outcome": data["outcome"]})
    if data["outcome"] != "instruct":
        return
    deadline = date.fromisoformat(data["deadline"])
    rules = rules_in_force(RULE_NAME, today())
    text = data.get("content") or (f"{month or '前月'}の求職活動状況報告（相談窓口での面談、ハローワークでの職業相談、"
                                   "週ごとの応募）が確認できません。期限までに求職活動を行い、報告してください。")
    decisions.record(step, application, "instruction", reason_codes=["JOB_SEARCH_DUTY_NOT_MET"], reason_text=text,
                     deadline=deadline, rule_label=rules.label, submission_id=submission.id)
    workflow.send(step, application, "hb_stop_proposed", {
        "decision": "stop", "reason_code": "JOB_SEARCH_DUTY_NOT_MET",
        "effective_month": stop_month(rules.content, deadline), "after": deadline.isoformat()})


def _missed_month(application: HbApplication) -> str | None:
    check = (db.session.query(HbDutyCheck).filter_by(application_id=application.id, compliant=False)
             .order_by(HbDutyCheck.month.desc()).first())
    return check.month if check else None


# -- 期間満了 -------------------------------------------------------------------------------------
def expire_finished(on: date | None = None) -> int:
    """Applications whose last granted month is over, with no extension pending and no task open, end."""
    month = month_of(on or today())
    candidates = [(a.id, a.case_id) for a in db.session.query(HbApplication)
                  .filter(HbApplication.status == "paying", HbApplication.months_to < month)
                  .order_by(HbApplication.id)]
    db.session.rollback()
    ended = 0
    for application_id, case_id in candidates:
        try:
            ended += _end_one(application_id, case_id, month)
        except Exception:  # as above: logged, tried again next tick
            db.session.rollback()
            log.exception("housing benefit period end of application %s failed", application_id)
    return ended


def _end_one(application_id: int, case_id: int, month: str) -> int:
    with one_transaction(None, Attempt("操作", "住居確保給付金の期間満了", case_id)):
        step = steps.lock(case_id, None)
        application = db.session.get(HbApplication, application_id)
        item = workflow.item_of(application)
        if application.status != "paying" or application.pending_extension or application.months_to >= month \
                or any(t.instance_item == item for t in step.open_tasks):
            return 0
        application.status = "ended"
        step.record("hb_period_ended", application_id=application.id, months_to=application.months_to)
        workflow.send(step, application, "hb_ended", {"reason": "period_ended"})
    return 1
