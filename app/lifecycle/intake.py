"""相談受付 (intake): who the person is, their 申込 consent, and the screening that decides the way on.

Screening `info_only` or `refer_other` ends the episode there (情報提供のみ, 他機関へつなぐ).
"""

from __future__ import annotations

from datetime import date

from app.clock import today
from app.errors import ValidationFailed
from app.extensions import db
from app.models import Person, SupportMeeting

from .consents import record_consent
from .kinds import HandlerResult, StepKind
from .people import link_person, register_household_member, resolve_person


def _d(value) -> date | None:
    return date.fromisoformat(value) if value else None


def record_intake(step, task, submission, data: dict) -> HandlerResult:
    case = step.case
    existing = resolve_person(case, data)  # probable duplicates, 再相談
    if existing is not None:
        link_person(step, existing)
    person = case.person
    if person is None:
        person = Person(name=data["person_name"], kana=data["person_kana"])
        db.session.add(person)
        case.person = person
    person.name = data["person_name"]
    person.kana = data["person_kana"]
    person.birth_date = _d(data.get("birth_date"))
    person.address = data.get("address") or person.address
    person.phone = data.get("phone") or person.phone
    person.receiving_public_assistance = bool(data.get("receiving_public_assistance"))
    db.session.flush()
    case.route = data.get("route")
    link_support_meeting(step, data)
    scopes = list(data.get("consent_scopes") or [])
    if data.get("applied") or scopes:  # the 申込 consent as a record, given by the person only
        exclusions = [line.strip() for line in (data.get("consent_exclusions") or "").splitlines() if line.strip()]
        record_consent(
            step, person.id, kind="intake", given_by=data.get("consent_given_by") or "person",
            given_on=_d(data.get("applied_on")) or _d(data["received_on"]),
            form=data.get("consent_form") or "相談受付・申込票", scopes=scopes,
            tax_with=list(data.get("tax_sharing_with") or []), exclusions=exclusions)
    register_household_member(step, person.id)
    reason = {"info_only": "info_only", "refer_other": "referred_out"}.get(data["screening_result"])
    return HandlerResult(closure_reason=reason)


def link_support_meeting(step, data: dict) -> None:
    """An intake that came from a 支援会議 names it: the case points to the meeting (by id only).

    Nothing of the meeting's record enters the case; a meeting of another ward, or none, is refused.
    """
    meeting_id = data.get("support_meeting_id")
    if not meeting_id or data.get("route") != "support_meeting":
        return
    meeting = db.session.get(SupportMeeting, int(meeting_id))
    if meeting is None or meeting.ward != step.case.ward:
        raise ValidationFailed({"support_meeting_id": ["この区の支援会議の番号を入力してください"]})
    step.case.support_meeting_id = meeting.id
    step.record("support_meeting_linked", support_meeting_id=meeting.id)


def prefill_intake(info) -> dict:
    """受付日 starts as the day the consultation opens (the worker changes it for a later entry)."""
    return {"received_on": today().isoformat()}


KINDS = (StepKind("intake", handle=record_intake, prefill=prefill_intake),)
