"""Consent as a record: who gave it, when, on which form, for which scopes.

- Given by the person only: a family member cannot consent for an adult (``given_by`` must be
  ``person``).
- Each episode needs its own consent; a 連絡票 consent (``kind="referral"``) covers only the
  referral and a reply to its sender.
- Withdrawal stops future sharing (``withdrawn_on``); what was shared before stays recorded.

What consents allow (the active consent, scopes, tax sharing) is read in ``app.access.consents``;
recording a consent is part of the step that takes it (``app.lifecycle.consents``).
"""

from __future__ import annotations

from datetime import date

from app import access
from app.access.consents import consents_of
from app.clock import today
from app.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.extensions import db
from app.lifecycle import steps
from app.models import Case, Consent


def consent_of(case: Case, consent_id: int) -> Consent | None:
    """The consent if it belongs to this episode."""
    consent = db.session.get(Consent, consent_id)
    return consent if consent is not None and consent.case_id == case.id else None


def withdraw_consent(case_id: int, consent_id: int, withdrawn_on: date | None, note: str | None, actor) -> Consent:
    """The person withdraws a consent: sharing stops from ``withdrawn_on``; past records stay. One transaction."""
    case = db.session.get(Case, case_id)
    if case is None or not access.can_view_case(actor, case):
        raise NotFound("相談ケースが見つかりません")
    if not access.can_run_action(actor, case, "withdraw_consent"):
        raise Forbidden("この相談ケースで同意の撤回を記録する権限がありません")
    consent = db.session.get(Consent, consent_id)
    if consent is None or consent.case_id != case.id:
        raise NotFound("同意の記録が見つかりません")
    if consent.withdrawn_on is not None:
        raise Conflict("この同意は既に撤回されています")
    withdrawn_on = withdrawn_on or today()
    if withdrawn_on > today():
        raise ValidationFailed({"withdrawn_on": ["撤回日に未来の日付は指定できません"]})
    if withdrawn_on < consent.given_on:
        raise ValidationFailed({"withdrawn_on": ["撤回日は同意日以降の日付にしてください"]})
    if note is not None and len(note) > 1000:
        raise ValidationFailed({"note": ["備考は1000文字以内で入力してください"]})
    step = steps.lock(case.id, actor)
    consent.withdrawn_on = withdrawn_on
    consent.withdrawn_by_id = actor.id
    consent.withdrawal_note = note or None
    step.record("consent_withdrawn", consent_id=consent.id, kind=consent.kind, withdrawn_on=withdrawn_on.isoformat(),
                on_behalf_of=access.acting_for(actor, case))
    db.session.commit()
    return consent


def describe(consent: Consent) -> dict:
    """A consent as the API shows it."""
    return {
        "consent_id": consent.id, "kind": consent.kind, "given_by": consent.given_by,
        "given_on": consent.given_on.isoformat(), "form": consent.form, "scopes": list(consent.scopes or []),
        "tax_sharing": dict(consent.tax_sharing or {}), "exclusions": list(consent.exclusions or []),
        "withdrawn_on": consent.withdrawn_on.isoformat() if consent.withdrawn_on else None,
        "active": consent.withdrawn_on is None,
    }


__all__ = ["consent_of", "consents_of", "describe", "withdraw_consent"]
