"""連絡票 through the API: the consent rule, minimal until the referral domain (issue 4) lands.

- No ``consent_to_refer``: only the anonymous tally (ward, section, date) is kept; no case.
- With consent: an episode opens in state ``identified``; the slip is kept as the case's
  FormSubmission and prefills the intake task, which the ward's caseworkers can claim.
"""

from __future__ import annotations

from datetime import date

from app import access
from app.codes import WARDS
from app.extensions import db
from app.forms import validate_data
from app.models import FormSubmission, HumanTask, ReferralReceipt, User

from . import audit
from .cases import open_episode
from .errors import Forbidden, NotFound, ValidationFailed
from .processes import current_version, form_definition
from .runtime import now


def submit_referral(ward: str | None, raw: dict, actor: User) -> ReferralReceipt:
    if not access.can_submit_referral(actor):
        raise Forbidden("連絡票を送る権限がありません")
    ward = ward or actor.ward
    if ward not in WARDS:
        raise ValidationFailed({"ward": [f"区のコードが正しくありません: {ward}"]})
    definition = form_definition(current_version(), "referral_slip")
    result = validate_data(definition, raw)
    if not result.ok:
        raise ValidationFailed(result.errors)
    data = result.clean
    consent = bool(data.get("consent_to_refer"))
    receipt = ReferralReceipt(ward=ward, from_section=data["from_section"], slip_date=date.fromisoformat(
        data["slip_date"]), consent_to_refer=consent, submitted_by_id=actor.id, submitted_at=now())
    if consent:
        _open_identified_case(receipt, data, definition.version, actor)
    db.session.add(receipt)
    db.session.flush()
    audit.record("referral_received", receipt.case_id, actor.id, referral_id=receipt.id, ward=ward,
                 from_section=receipt.from_section, consent_to_refer=consent)
    db.session.commit()
    return receipt


def _open_identified_case(receipt: ReferralReceipt, data: dict, form_version: int, actor: User) -> None:
    case = open_episode(receipt.ward, actor, route="city_section")
    previous = case.state
    case.state = "identified"
    audit.record("case_state_changed", case.id, actor.id, before=previous, after="identified")
    submission = FormSubmission(case_id=case.id, form_key="referral_slip", action="referral", data=data,
                                form_version=form_version, actor_id=actor.id, submitted_at=now())
    db.session.add(submission)
    db.session.flush()
    intake = db.session.query(HumanTask).filter_by(case_id=case.id, status="open", form_key="intake").first()
    if intake is not None:
        intake.prefill = {
            "via_slip": True, "route": "city_section", "route_section": data["from_section"],
            "person_name": data.get("person_name"), "person_kana": data.get("person_kana"),
        }
    receipt.case_id = case.id
    receipt.submission_id = submission.id


def referral_status(referral_id: int, user: User) -> dict:
    """What the sender may read: whether the person was connected (only with the `reply` scope)."""
    receipt = db.session.get(ReferralReceipt, referral_id)
    if receipt is None or not access.can_view_referral(user, receipt):
        raise NotFound("連絡票が見つかりません")
    status = "received"
    if receipt.case_id is not None and _reply_allowed(receipt):
        from app.models import Case

        case = db.session.get(Case, receipt.case_id)
        status = "not_yet_contacted" if case.state == "identified" else "connected"
    return {"referral_id": receipt.id, "case_id": receipt.case_id, "consent_to_refer": receipt.consent_to_refer,
            "status": status}


def _reply_allowed(receipt: ReferralReceipt) -> bool:
    submission = db.session.get(FormSubmission, receipt.submission_id) if receipt.submission_id else None
    return bool(submission and "reply" in (submission.data.get("consent_scopes") or []))
