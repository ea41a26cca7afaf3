"""一時生活支援 (temporary shelter): admission before any plan, extension to 最長6か月, discharge.

The admission may come first, on the urgent provisional certification of a lead worker or
section chief, with the eligibility figures and the admission time on record, together with
the record that the person was told of their right to apply for 生活保護 (date and choice).  The
plan and the meeting's decision made afterwards confirm the stay.  The stay ends on the day
生活保護 starts (``record_pa_start``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from app.clock import JST, iso_datetime, now, today
from app.errors import ValidationFailed
from app.extensions import db
from app.models import Case, ServiceEligibility, ShelterExtension, ShelterStay, SupportDecision

from . import notices
from .dates import add_months, jst_date
from .eligibility import approver
from .figures import assessment_figures, failure_text, standard_test
from .rules import rules_in_force

MAX_TEXT = "最長6か月"


def rules(on: date) -> dict:
    return rules_in_force("temporary_shelter", on).content


def latest_end(stay: ShelterStay) -> date:
    """The last day a stay may reach: 最長6か月 from the admission."""
    admitted_on = jst_date(stay.admitted_at)
    return add_months(admitted_on, int(rules(admitted_on)["max_months"]))


def active_stay(case: Case) -> ShelterStay | None:
    return (db.session.query(ShelterStay).filter_by(case_id=case.id, status="staying")
            .order_by(ShelterStay.id.desc()).first())


def stays(case: Case) -> list[ShelterStay]:
    return db.session.query(ShelterStay).filter_by(case_id=case.id).order_by(ShelterStay.id).all()


def _moment(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=JST)).astimezone(UTC)


def _day(value) -> date | None:
    return date.fromisoformat(value) if value else None


def _too_long(field: str, limit: date) -> ValidationFailed:
    return ValidationFailed({field: [
        f"{MAX_TEXT}を超えることはできません（入所日から6か月: {limit.year}年{limit.month}月{limit.day}日まで）"]})


def admit(step, task, submission, data: dict) -> None:
    case = step.case
    if active_stay(case) is not None:
        raise ValidationFailed({"admitted_at": ["入所中の利用があります。退所を記録してから入所を記録してください"]})
    admitted_at = _moment(data["admitted_at"])
    if admitted_at > now() + timedelta(minutes=5):
        raise ValidationFailed({"admitted_at": ["入所日時に未来の日時は入力できません"]})
    certifier = approver(case, data.get("certified_by"), "certified_by")
    if data.get("pa_right_told_on") and not data.get("pa_choice"):
        raise ValidationFailed({"pa_choice": ["生活保護の申請権を説明したときは、本人の意向を選んでください"]})
    admitted_on = jst_date(admitted_at)
    content = rules(admitted_on)
    planned_end = date.fromisoformat(data["planned_end"]) if data.get("planned_end") else add_months(
        admitted_on, int(content["standard_months"]))
    if planned_end < admitted_on:
        raise ValidationFailed({"planned_end": ["終了予定日が入所日より前です"]})
    limit = add_months(admitted_on, int(content["max_months"]))
    if planned_end > limit:
        raise _too_long("planned_end", limit)
    size = data.get("household_size") or assessment_figures(case)["size"] or 1
    figures = standard_test("temporary_shelter", admitted_on, income=data["income"], assets=data["assets"], size=size)
    reason = None
    if not figures["passed"]:
        reason = (data.get("deemed_reason") or "").strip()
        if not reason:
            raise ValidationFailed({"deemed_reason": [
                f"{failure_text(figures)}。緊急に必要と認める理由を入力してください"]})
    eligibility = ServiceEligibility(
        case_id=case.id, service="temporary_shelter", basis="standard" if figures["passed"] else "deemed",
        reason=reason, figures=figures, approved_by_id=certifier.id, approved_at=now(),
        recorded_by_id=step.actor_id, submission_id=submission.id)
    stay = ShelterStay(
        case_id=case.id, admitted_at=admitted_at, facility=data["facility"], income=data["income"],
        assets=data["assets"], urgent=bool(data.get("urgent")), figures=figures, certified_by_id=certifier.id,
        planned_end=planned_end, pa_right_told_on=_day(data.get("pa_right_told_on")),
        pa_choice=data.get("pa_choice"), status="staying", submission_id=submission.id)
    db.session.add_all([eligibility, stay])
    db.session.flush()
    step.record("shelter_admitted", stay_id=stay.id, eligibility_id=eligibility.id, urgent=stay.urgent,
                certified_by=certifier.username, passed=figures["passed"], pa_choice=stay.pa_choice,
                submission_id=submission.id)
    notices.shelter_notices(step, stay)


def extend(step, task, submission, data: dict) -> None:
    stay = active_stay(step.case)
    if stay is None:
        raise ValidationFailed({"new_end": ["入所中の一時生活支援がありません"]})
    new_end = date.fromisoformat(data["new_end"])
    admitted_on = jst_date(stay.admitted_at)
    if new_end < admitted_on:
        raise ValidationFailed({"new_end": ["延長後の終了日が入所日より前です"]})
    if new_end <= stay.planned_end:
        raise ValidationFailed({"new_end": ["延長後の終了日は、現在の終了予定日より後の日付にしてください"]})
    limit = latest_end(stay)
    if new_end > limit:
        raise _too_long("new_end", limit)
    extension = ShelterExtension(stay_id=stay.id, previous_end=stay.planned_end, new_end=new_end,
                                 reason=data["reason"], recorded_by_id=step.actor_id, submission_id=submission.id)
    stay.planned_end = new_end
    db.session.add(extension)
    _follow_decision(step.case, stay)
    db.session.flush()
    step.record("shelter_extended", stay_id=stay.id, previous_end=extension.previous_end.isoformat(),
                new_end=new_end.isoformat(), submission_id=submission.id)


def discharge(step, task, submission, data: dict) -> None:
    stay = active_stay(step.case)
    if stay is None:
        raise ValidationFailed({"discharged_on": ["入所中の一時生活支援がありません"]})
    day = date.fromisoformat(data["discharged_on"])
    if day < jst_date(stay.admitted_at):
        raise ValidationFailed({"discharged_on": ["退所日が入所日より前です"]})
    _end(stay, day, "discharged", data.get("destination"), bool(data.get("regional_visits")))
    step.record("shelter_discharged", stay_id=stay.id, discharged_on=day.isoformat(),
                regional_visits=stay.regional_visits, submission_id=submission.id)


def public_assistance_started(step, task, submission, data: dict) -> None:
    """生活保護 starts: the stay ends that day (it switches to the 保護 side); the person is now a recipient."""
    case = step.case
    day = date.fromisoformat(data["started_on"])
    stay = active_stay(case)
    if stay is not None:
        if day < jst_date(stay.admitted_at):
            raise ValidationFailed({"started_on": ["保護開始日が入所日より前です"]})
        _end(stay, day, "public_assistance", "生活保護へ移行", False)
    if case.person is not None:
        case.person.receiving_public_assistance = True
    step.record("public_assistance_started", started_on=day.isoformat(), stay_id=stay.id if stay else None,
                submission_id=submission.id)


def _end(stay: ShelterStay, day: date, reason: str, destination: str | None, visits: bool) -> None:
    stay.status = "discharged"
    stay.discharged_on = day
    stay.end_reason = reason
    stay.destination = destination
    stay.regional_visits = visits
    for decision in _decisions(stay.case_id):
        if decision.status != "ended":
            decision.status = "ended"
            decision.ended_on = day
            decision.period_to = min(decision.period_to, day)
    db.session.flush()


def _decisions(case_id: int) -> list[SupportDecision]:
    return db.session.query(SupportDecision).filter_by(case_id=case_id, service="temporary_shelter").all()


def _follow_decision(case: Case, stay: ShelterStay) -> None:
    for decision in _decisions(case.id):
        if decision.status != "ended":
            decision.period_to = stay.planned_end


def confirm_by_decision(decision: SupportDecision, case: Case) -> None:
    """The meeting's decision confirms a stay that began before the plan: its period is the stay's."""
    stay = active_stay(case)
    if stay is not None:
        decision.period_from = jst_date(stay.admitted_at)
        decision.period_to = stay.planned_end


def stay_json(stay: ShelterStay) -> dict:
    return {
        "stay_id": stay.id, "admitted_at": iso_datetime(stay.admitted_at), "facility": stay.facility,
        "planned_end": stay.planned_end.isoformat(), "latest_end": latest_end(stay).isoformat(),
        "extensions": [{"new_end": e.new_end.isoformat(), "previous_end": e.previous_end.isoformat(),
                        "reason": e.reason} for e in stay.extensions],
        "discharged_on": stay.discharged_on.isoformat() if stay.discharged_on else None,
        "destination": stay.destination, "end_reason": stay.end_reason, "regional_visits": stay.regional_visits,
        "status": stay.status, "urgent": stay.urgent, "certified_by": stay.certified_by.username,
        "eligibility": stay.figures,
        "pa_right_told_on": stay.pa_right_told_on.isoformat() if stay.pa_right_told_on else None,
        "pa_choice": stay.pa_choice,
    }


def hand_over_to_public_assistance(case: Case) -> None:
    """The episode closes to 生活保護: a stay still running switches to the 保護 side that day."""
    stay = active_stay(case)
    if stay is not None:
        _end(stay, today(), "public_assistance", "生活保護へ移行", False)
