"""Households (世帯): who lives with the person, and each member's own standing with the desk.

The 8050 rule: a parent consults and consents for herself; her adult son is recorded only as a
member of *her* household (relation and a short description, no Person, no case, no consent).
His status stays 未同意・未申込 until he comes and signs himself: then his own episode opens
(``start_member_episode``) and his own intake creates his Person and his Consent.
"""

from __future__ import annotations

from app import access
from app.access.flags import is_named_abuser
from app.clock import now
from app.codes import HOUSEHOLD_RELATIONS, MEMBER_STATUSES
from app.errors import CaseClosed, Conflict, Forbidden, NotFound, ValidationFailed
from app.extensions import db
from app.lifecycle import steps
from app.lifecycle.people import ABUSER_REFUSAL, member_status
from app.models import Case, Household, HouseholdMember, User
from app.services.cases.opening import get_case_for

# Who reads consents and the household of a case: its worker, the ward's supervisors, the cover,
# auditors. Delivering roles (budget, employment, providers…) see only their task's part.
PERSON_RECORD_READERS = {"caseworker", "lead_worker", "section_chief", "auditor"}


def may_read_person_records(user: User, case: Case) -> bool:
    return access.can_view_case(user, case) and (
        bool(user.roles & PERSON_RECORD_READERS) or access.is_covering(user, case.assigned_to_id))


def case_for_person_records(user: User, case_id: int) -> Case:
    case = get_case_for(user, case_id)
    if not may_read_person_records(user, case):
        raise Forbidden("この相談ケースの同意・世帯の記録を見る権限がありません")
    return case


def _case_for_change(case_id: int, actor: User) -> Case:
    case = get_case_for(actor, case_id)
    if not access.can_run_action(actor, case, "household"):
        raise Forbidden("この相談ケースで世帯を記録する権限がありません")
    return case


def household_of(person_id: int | None) -> Household | None:
    if person_id is None:
        return None
    member = db.session.query(HouseholdMember).filter_by(person_id=person_id).first()
    return member.household if member else None


def members_for(case: Case) -> list[HouseholdMember]:
    household = household_of(case.person_id)
    return list(household.members) if household else []


def add_member(case_id: int, relation: str, description: str | None, actor: User) -> HouseholdMember:
    """Record a member the person told about; nothing is created in the member's name. One transaction."""
    case = _case_for_change(case_id, actor)
    if case.is_closed:
        raise CaseClosed("この相談ケースは終結しています。記録の追加や変更はできません")
    errors = {}
    if relation not in HOUSEHOLD_RELATIONS or relation == "self":
        errors["relation"] = ["続柄を選んでください（本人以外）"]
    description = (description or "").strip() or None
    if description is not None and len(description) > 256:
        errors["description"] = ["メモは256文字以内で入力してください"]
    if errors:
        raise ValidationFailed(errors)
    if case.person_id is None:
        raise Conflict("先に相談受付（本人の登録）を完了してください")
    step = steps.lock(case.id, actor)
    household = household_of(case.person_id)
    if household is not None and is_named_abuser(household.id, description):
        raise ValidationFailed({"description": [ABUSER_REFUSAL]})
    if household is None:
        household = Household(ward=case.ward, created_at=now())
        db.session.add(household)
        db.session.flush()
        db.session.add(HouseholdMember(household_id=household.id, person_id=case.person_id, relation="self",
                                       status=member_status(case.person_id), recorded_by_id=actor.id,
                                       recorded_at=now()))
    member = HouseholdMember(household_id=household.id, person_id=None, relation=relation, description=description,
                             status="not_consented", recorded_by_id=actor.id, recorded_at=now())
    db.session.add(member)
    db.session.flush()
    step.record("household_member_added", household_id=household.id, member_id=member.id, relation=relation)
    db.session.commit()
    return member


def start_member_episode(case_id: int, member_id: int, actor: User) -> Case:
    """The member comes to the desk himself: his own episode opens (his person at his own intake)."""
    case = get_case_for(actor, case_id)
    if not access.can_open_case(actor, case.ward):
        raise Forbidden("この区で相談ケースを開く権限がありません")
    member = db.session.get(HouseholdMember, member_id)
    household = household_of(case.person_id)
    if member is None or household is None or member.household_id != household.id or member.relation == "self":
        raise NotFound("世帯員が見つかりません")
    if member.person_id is not None:
        raise Conflict("この世帯員は既に本人として登録されています")
    opened = db.session.query(Case).filter_by(household_member_id=member.id).filter(Case.state != "closed").first()
    if opened is not None:
        raise Conflict(f"この世帯員の相談ケース（#{opened.id}）が既にあります")
    step = steps.start(case.ward, actor, route="self")
    new_case = step.case
    new_case.household_member_id = member.id
    step.record("member_episode_opened", household_id=household.id, member_id=member.id, from_case_id=case.id)
    db.session.commit()
    return new_case


def describe(member: HouseholdMember) -> dict:
    return {"member_id": member.id, "relation": member.relation,
            "relation_label": HOUSEHOLD_RELATIONS.get(member.relation, {}).get("ja", member.relation),
            "description": member.description, "registered": member.person_id is not None,
            "status": member.status, "status_label": MEMBER_STATUSES[member.status]["ja"]}
