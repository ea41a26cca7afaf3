"""Persons and their episodes as intake and planning see them: probable duplicates, re-consultation,
public assistance.

- One person may have many episodes (相談ケース); a closed episode is never reopened.  A new
  consultation after closure opens a new episode linked to the person and to the earlier one
  (``previous_case_id``, flag ``reconsultation`` = 再相談), with its own consent.
- At intake a person with the same kana and date of birth who already has an episode in the
  ward is a probable duplicate: intake offers to link to them (``existing_person_id``) or to
  confirm a different person (``new_person``) instead of silently creating a second record.
  Only the ward's own persons are offered (cases stay inside their ward).
- A person recorded as receiving public assistance (生活保護受給中) gets no Act-based plan.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from app.access.flags import is_named_abuser
from app.errors import ValidationFailed
from app.extensions import db
from app.models import Case, Consent, DataItem, HouseholdMember, Person

if TYPE_CHECKING:
    from .steps import CaseStep

ABUSER_REFUSAL = "DV・住所秘匿の記録で加害者とされている方は、この世帯に登録できません"
PA_PLAN_REFUSAL = "生活保護受給中の方には、生活困窮者自立支援法に基づくプランは作成できません（生活保護受給中）"


def episodes_of(person_id: int | None, ward: str | None = None) -> list[Case]:
    if person_id is None:
        return []
    query = db.session.query(Case).filter(Case.person_id == person_id)
    if ward is not None:
        query = query.filter(Case.ward == ward)
    return query.order_by(Case.opened_on, Case.id).all()


def probable_duplicates(case: Case, kana: str, birth_date: date | None) -> list[Person]:
    """Other persons of the ward with the same kana and date of birth."""
    if not kana or birth_date is None:
        return []
    return (
        db.session.query(Person)
        .join(Case, Case.person_id == Person.id)
        .filter(Person.kana == kana, Person.birth_date == birth_date, Case.ward == case.ward, Case.id != case.id)
        .filter(Person.id != (case.person_id or -1))
        .distinct()
        .order_by(Person.id)
        .all()
    )


def _describe_candidate(person: Person, ward: str) -> str:
    episodes = episodes_of(person.id, ward)
    cases = "、".join(f"#{c.id}（{'終結' if c.is_closed else '進行中'}）" for c in episodes) or "—"
    return f"相談者ID {person.id}（{person.name}、相談ケース {cases}）"


def resolve_person(case: Case, data: dict) -> Person | None:
    """Intake: the existing person to link this episode to, or None for a new (or the slip's) person.

    Raises ValidationFailed with the offer when a probable duplicate exists and the form did not
    say which it is.
    """
    birth = date.fromisoformat(data["birth_date"]) if data.get("birth_date") else None
    chosen = data.get("existing_person_id")
    if chosen:
        person = db.session.get(Person, chosen)
        if person is not None and person.id == case.person_id:
            return None  # already this episode's person (a re-consultation opened from the closed case)
        if person is None or not episodes_of(person.id, case.ward):
            raise ValidationFailed({"existing_person_id": ["この区の相談者IDを入力してください"]})
        running = [c for c in episodes_of(person.id, case.ward) if not c.is_closed and c.id != case.id]
        if running:
            raise ValidationFailed({"existing_person_id": [
                f"この方には進行中の相談ケース（#{running[0].id}）があります。そちらで支援を続けてください"]})
        return person
    if data.get("new_person"):
        return None
    candidates = probable_duplicates(case, data.get("person_kana") or "", birth)
    if candidates:
        listed = "、".join(_describe_candidate(p, case.ward) for p in candidates)
        raise ValidationFailed({"existing_person_id": [
            f"フリガナと生年月日が同じ相談者が登録されています: {listed}。同一人物なら「既存の相談者に紐づける」で"
            "その方を選んでください（再相談としてつながります）。別人なら「別人として登録する」を選んでください"]})
    return None


def link_person(step: CaseStep, person: Person) -> None:
    """Attach the episode to an existing person; a person made from a slip for it is merged in."""
    case = step.case
    orphan = case.person if case.person is not None and case.person.id != person.id else None
    case.person = person
    earlier = [c for c in episodes_of(person.id, case.ward) if c.id != case.id and c.is_closed]
    if earlier:
        case.previous_case_id = earlier[-1].id
        case.reconsultation = True
    if orphan is not None:
        for model in (Consent, DataItem):
            db.session.query(model).filter(model.person_id == orphan.id, model.case_id == case.id).update(
                {model.person_id: person.id}, synchronize_session="fetch")
        db.session.flush()
        still_used = any(db.session.query(m.id).filter(m.person_id == orphan.id).first() for m in (
            Case, Consent, DataItem, HouseholdMember))
        if not still_used:
            db.session.delete(orphan)
    step.record("person_linked", person_id=person.id,
                merged_person_id=orphan.id if orphan is not None else None,
                previous_case_id=case.previous_case_id, reconsultation=case.reconsultation)


def refuse_plan_on_public_assistance(case: Case) -> None:
    if case.person is not None and case.person.receiving_public_assistance:
        raise ValidationFailed({"overall_goal": [PA_PLAN_REFUSAL]}, PA_PLAN_REFUSAL)


def member_status(person_id: int) -> str:
    """A person's own standing: applied with an active 申込 consent, consented with any active consent."""
    consents = db.session.query(Consent).filter_by(person_id=person_id).filter(Consent.withdrawn_on.is_(None)).all()
    if any(c.kind == "intake" for c in consents):
        return "applied"
    return "consented" if consents else "not_consented"


def register_household_member(step: CaseStep, person_id: int) -> None:
    """The member's own intake: link the Person to the member row and update the status."""
    case = step.case
    if case.household_member_id is None:
        member = db.session.query(HouseholdMember).filter_by(person_id=person_id).first()
        if member is not None:
            member.status = member_status(person_id)
        return
    member = db.session.get(HouseholdMember, case.household_member_id)
    if member is None:
        return
    person = db.session.get(Person, person_id)
    if person is not None and is_named_abuser(member.household_id, person.name, person.kana):
        raise ValidationFailed({"person_name": [ABUSER_REFUSAL]})
    member.person_id = person_id
    member.status = member_status(person_id)
    step.record("household_member_registered", member_id=member.id, status=member.status)
