"""子どもの学習・生活支援: a child member of the household referred to a provider.

Only what the consent scope ``providers`` allows goes to the provider: the child's name, grade and
the guardian's mobile — the referral has no address at all, so none can leak.
"""

from __future__ import annotations

from datetime import date

from app.access.consents import scope_allowed
from app.errors import ValidationFailed
from app.extensions import db
from app.models import ChildReferral, HouseholdMember

CHILD_RELATIONS = {"child", "grandchild"}


def refer(step, task, submission, data: dict) -> None:
    case = step.case
    if not scope_allowed(case, "providers"):
        raise ValidationFailed({"provider_name": ["本人の同意（サービス提供事業者との共有）が記録されていません"]})
    member = db.session.get(HouseholdMember, data["member_id"])
    own = db.session.query(HouseholdMember).filter_by(person_id=case.person_id).first() if case.person_id else None
    if member is None or own is None or member.household_id != own.household_id:
        raise ValidationFailed({"member_id": ["この方の世帯の世帯員IDを入力してください"]})
    if member.relation not in CHILD_RELATIONS:
        raise ValidationFailed({"member_id": ["子（または孫）の世帯員を選んでください"]})
    referral = ChildReferral(
        case_id=case.id, member_id=member.id, child_name=data["child_name"], grade=data["grade"],
        guardian_mobile=data["guardian_mobile"], provider_name=data["provider_name"],
        referred_on=date.fromisoformat(data["referred_on"]), recorded_by_id=step.actor_id,
        submission_id=submission.id)
    db.session.add(referral)
    db.session.flush()
    step.record("child_referred", child_referral_id=referral.id, member_id=member.id, submission_id=submission.id)


def referrals_json(case) -> list[dict]:
    rows = db.session.query(ChildReferral).filter_by(case_id=case.id).order_by(ChildReferral.id).all()
    return [{"child_referral_id": r.id, "member_id": r.member_id, "child_name": r.child_name, "grade": r.grade,
             "guardian_mobile": r.guardian_mobile, "provider_name": r.provider_name,
             "referred_on": r.referred_on.isoformat()} for r in rows]
