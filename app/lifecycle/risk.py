"""自死企図 risk flags: recording them (assessment form or the ``flag_risk`` action) and the
high-risk response the process owns (event subprocess ``risk_response`` in case_lifecycle.bpmn).

A ``high`` flag sends the message ``flag_risk_high``; the process then opens three tasks, whose
due times are set here: the acknowledgement by the ward's lead worker / section chief within one
hour, the same-day warm hand-off to ``mental_health`` and a follow-up contact on the next business
day.  Sharing with mental health needs the person's consent (scope ``support_agencies`` or
``medical``) or the life-and-health exception (個人情報保護法第69条) with its legal basis and a
section chief's approval on record; otherwise the high flag is refused with field errors.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from app.access.consents import scope_allowed
from app.clock import JST, now
from app.engine import EngineError
from app.errors import Conflict, ValidationFailed
from app.extensions import db
from app.models import Case, FormSubmission, HumanTask, RiskFlag, RiskReferral, User

from .calendar import calendar_for
from .kinds import HandlerResult, StepKind

CONSENT_SCOPES_FOR_REFERRAL = ("support_agencies", "medical")
MESSAGE = "flag_risk_high"
# The response's tasks, its forms and the fields that hold the flag: masked like the flag itself.
RISK_TASK_IDS = frozenset({"risk_acknowledgement", "risk_referral", "risk_follow_up"})
RISK_FIELDS = frozenset({"suicide_risk", "risk_indicators", "risk_observed_at", "risk_note", "risk_sharing_basis",
                         "risk_legal_basis", "risk_approving_chief"})
ACK_WITHIN = timedelta(hours=1)


def _at(value, default: datetime) -> datetime:
    if not value:
        return default
    parsed = datetime.fromisoformat(str(value))
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=JST)).astimezone(UTC)


def _sharing(case: Case, fields: dict, actor: User) -> tuple[str | None, str | None, int | None]:
    """(basis, legal basis, approving chief id) for a high flag; field errors if sharing is not allowed."""
    basis_field, legal_field, chief_field = fields["names"]
    basis, legal, chief_name = fields["basis"], (fields["legal"] or "").strip(), (fields["chief"] or "").strip()
    consented = any(scope_allowed(case, scope) for scope in CONSENT_SCOPES_FOR_REFERRAL)
    if basis in (None, "", "consent"):
        if consented:
            return "consent", None, None
        raise ValidationFailed({basis_field: [
            "本人の同意（関係機関・医療機関との共有）が記録されていません。精神保健福祉担当へつなぐには、"
            "「生命・身体の保護のための例外」を選び、根拠と係長の承認を記録してください"]})
    if not legal:
        raise ValidationFailed({legal_field: ["同意なく共有する根拠を入力してください（個人情報保護法第69条）"]})
    if actor.has_role("section_chief") and actor.ward == case.ward and not chief_name:
        return "life_and_health", legal, actor.id
    chief = db.session.query(User).filter_by(username=chief_name).first() if chief_name else None
    if chief is None or not chief.has_role("section_chief") or chief.ward != case.ward:
        raise ValidationFailed({chief_field: ["承認した係長（この区の区担当係長のユーザー名）を入力してください"]})
    return "life_and_health", legal, chief.id


def record_flag(step, *, level: str, indicators, observed_at, note, via: str,
                submission: FormSubmission | None, sharing_fields: dict) -> RiskFlag:
    """Store the flag (and, for ``high``, start the process's response) in the step."""
    case, actor = step.case, step.actor
    moment = now().astimezone(UTC)
    observed = _at(observed_at, moment)
    if observed > moment + timedelta(minutes=5):
        name = "observed_at" if via == "action" else "risk_observed_at"
        raise ValidationFailed({name: ["把握した日時に未来の日時は入力できません"]})
    basis = legal = chief_id = None
    if level == "high":
        basis, legal, chief_id = _sharing(case, sharing_fields, actor)
    flag = RiskFlag(case_id=case.id, person_id=case.person_id, level=level, indicators=list(indicators or []),
                    observed_at=observed, assessor_id=actor.id, note=note or None, via=via,
                    submission_id=submission.id if submission else None, sharing_basis=basis,
                    legal_basis=legal, approved_by_id=chief_id)
    db.session.add(flag)
    db.session.flush()
    step.record("risk_flagged", risk_flag_id=flag.id, via=via, submission_id=submission.id if submission else None)
    if level == "high":
        _start_response(step, flag)
    return flag


def _start_response(step, flag: RiskFlag) -> None:
    case = step.case
    already = db.session.query(HumanTask.id).filter(
        HumanTask.case_id == case.id, HumanTask.status == "open", HumanTask.bpmn_id.in_(RISK_TASK_IDS)).first()
    if already is not None:
        return  # a response is under way: its tasks stand, the new flag is on record
    payload = {"risk_flag_id": flag.id}
    try:
        outcome = step.send_message(MESSAGE, payload, action="flag_risk", via=flag.via, risk_flag_id=flag.id)
    except EngineError:
        outcome = None  # "not waiting for flag_risk_high": the case's version has no risk_response
    if outcome is None or not any(info.bpmn_id == "risk_acknowledgement" for info in outcome.ready_tasks):
        # A case still running on a process version without the response: never lose a high flag silently.
        raise Conflict("この相談ケースのプロセス版には自死リスク「高」への対応（確認・つなぎ・連絡のタスク）が"
                       "ありません。プロセス管理でケースを最新の版へ移行してから記録してください。"
                       "緊急の場合は主任・係長と精神保健福祉担当へ直接連絡してください")
    _set_due_times(case)


def _set_due_times(case: Case) -> None:
    moment = now().astimezone(JST)
    today = moment.date()
    end_of_day = datetime.combine(today, time(23, 59, 59), tzinfo=JST)
    # Only just opened: a response under way is never restarted (see _start_response).
    rows = db.session.query(HumanTask).filter(
        HumanTask.case_id == case.id, HumanTask.status == "open", HumanTask.bpmn_id.in_(RISK_TASK_IDS))
    for task in rows:
        if task.bpmn_id == "risk_acknowledgement":
            task.due_at = (moment + ACK_WITHIN).astimezone(UTC)
            task.due_on = (moment + ACK_WITHIN).date()
        elif task.bpmn_id == "risk_referral":
            task.due_at, task.due_on = end_of_day.astimezone(UTC), today
        else:
            task.due_on = calendar_for(case.ward).add_business_days(today, 1)
    db.session.flush()


# -- the forms of the risk response -------------------------------------------------------------------------
def flag_from_action(step, task, submission: FormSubmission, data: dict) -> HandlerResult:
    """The case action `flag_risk`."""
    record_flag(
        step, level=data["level"], indicators=data.get("indicators"), observed_at=data.get("observed_at"),
        note=data.get("note"), via="action", submission=submission,
        sharing_fields={"names": ("sharing_basis", "legal_basis", "approving_chief"),
                        "basis": data.get("sharing_basis"), "legal": data.get("legal_basis"),
                        "chief": data.get("approving_chief")})
    return HandlerResult()


def flag_from_assessment(step, submission: FormSubmission, data: dict) -> None:
    """The assessment recorded a suicide risk: the flag, after the engine step."""
    record_flag(step, level=data["suicide_risk"], indicators=data.get("risk_indicators"),
                observed_at=data.get("risk_observed_at"), note=data.get("risk_note"), via="assessment",
                submission=submission,
                sharing_fields={"names": ("risk_sharing_basis", "risk_legal_basis", "risk_approving_chief"),
                                "basis": data.get("risk_sharing_basis"), "legal": data.get("risk_legal_basis"),
                                "chief": data.get("risk_approving_chief")})


def acknowledge(step, task, submission: FormSubmission, data: dict) -> None:
    """確認: the lead worker or section chief has seen the high flag."""
    flag = _latest_high(step.case)
    if flag is not None and flag.acknowledged_at is None:
        flag.acknowledged_at = _at(data.get("acknowledged_at"), now())
        flag.acknowledged_by_id = step.actor_id
    step.record("risk_acknowledged", risk_flag_id=flag.id if flag else None, submission_id=submission.id)


def refer(step, task, submission: FormSubmission, data: dict) -> None:
    """つなぎ: the warm hand-off to mental health, as it went."""
    flag = _latest_high(step.case)
    referral = RiskReferral(case_id=step.case.id, risk_flag_id=flag.id if flag else None,
                            reached_at=_at(data.get("reached_at"), now()), person_reached=data["person_reached"],
                            next_step=data["next_step"], safety_contact=data["safety_contact"],
                            submission_id=submission.id, recorded_by_id=step.actor_id)
    db.session.add(referral)
    db.session.flush()
    step.record("risk_referred", risk_referral_id=referral.id, submission_id=submission.id)


def _latest_high(case: Case) -> RiskFlag | None:
    return (db.session.query(RiskFlag).filter_by(case_id=case.id, level="high")
            .order_by(RiskFlag.id.desc()).first())


KINDS = (
    StepKind("flag_risk", handle=flag_from_action, sensitive=True),
    StepKind("risk_acknowledgement", after=acknowledge, sensitive=True),
    StepKind("risk_referral", after=refer, sensitive=True),
    StepKind("risk_follow_up", sensitive=True),
)
