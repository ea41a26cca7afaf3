"""Consent as a record: who gave it, when, on which form, for which scopes.

- Given by the person only: a family member cannot consent for an adult (``given_by`` must be
  ``person``).
- Each episode needs its own consent; a 連絡票 consent (``kind="referral"``) covers only the
  referral and a reply to its sender.
- Withdrawal stops future sharing (``withdrawn_on``); what was shared before stays recorded.

``active_consent`` and ``tax_sharing_allows`` are what the masking rules ask.
"""

from __future__ import annotations

from datetime import date

from app import access
from app.extensions import db
from app.models import Case, Consent

from . import audit
from .errors import Conflict, Forbidden, NotFound, ValidationFailed
from .runtime import now, today

# Which consent of an episode counts when several are on record: the 申込 consent first.
_KIND_PRIORITY = {"intake": 0, "pa_discontinuation": 1, "referral": 2}


def consents_of(case: Case) -> list[Consent]:
    """Every consent recorded for the episode, newest first (withdrawn ones included)."""
    return (
        db.session.query(Consent)
        .filter(Consent.case_id == case.id)
        .order_by(Consent.recorded_at.desc(), Consent.id.desc())
        .all()
    )


def active_consent(case: Case | None) -> Consent | None:
    """The consent that governs sharing for this episode now, or None.

    The newest not-withdrawn 申込 consent; failing that the newest not-withdrawn slip consent
    (which covers only the referral and the reply).
    """
    if case is None or case.id is None:
        return None
    active = [c for c in consents_of(case) if c.withdrawn_on is None]
    if not active:
        return None
    return sorted(active, key=lambda c: _KIND_PRIORITY.get(c.kind, 9))[0]


def scope_allowed(case: Case | None, scope: str) -> bool:
    consent = active_consent(case)
    return bool(consent and scope in (consent.scopes or []) and scope not in (consent.exclusions or []))


def tax_sharing_allows(case: Case | None, role: str) -> bool:
    """Whether the person's active consent lets tax information be shared with ``role``.

    Only an active consent whose ``tax_sharing`` says ``allowed`` and names the role counts.
    (The case worker and the supervisor see tax items by the matrix, not by this consent.)
    """
    consent = active_consent(case)
    if consent is None or consent.kind == "referral":
        return False
    sharing = consent.tax_sharing or {}
    return bool(sharing.get("allowed")) and role in (sharing.get("with_roles") or [])


def is_withdrawn_as_of(consent: Consent, on: date) -> bool:
    return consent.withdrawn_on is not None and consent.withdrawn_on <= on


# --- recording and withdrawing ----------------------------------------------------------------


def record_consent(case: Case, person_id: int, *, kind: str, given_by: str, given_on: date, form: str,
                   scopes: list[str], tax_with: list[str] | None = None, exclusions: list[str] | None = None,
                   actor_id: int | None = None, field: str = "consent_given_by") -> Consent:
    """Add a consent of the person to the current transaction (the caller commits).

    Only the person gives consent: anything else is refused with a field error.
    """
    if given_by != "person":
        raise ValidationFailed({field: [
            "成人の本人に代わって家族が申込・同意することはできません。本人の署名（同意）が必要です"]})
    tax_allowed = "tax_info" in scopes
    consent = Consent(
        person_id=person_id, case_id=case.id, kind=kind, given_by="person", given_on=given_on, form=form,
        scopes=list(scopes), tax_sharing={"allowed": tax_allowed, "with_roles": list(tax_with or []) if tax_allowed
                                          else []},
        exclusions=list(exclusions or []), recorded_by_id=actor_id, recorded_at=now())
    db.session.add(consent)
    db.session.flush()
    audit.record("consent_recorded", case.id, actor_id, consent_id=consent.id, kind=kind, scopes=list(scopes),
                 tax_sharing=consent.tax_sharing, exclusions=len(consent.exclusions))
    return consent


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
    consent.withdrawn_on = withdrawn_on
    consent.withdrawn_by_id = actor.id
    consent.withdrawal_note = note or None
    audit.record("consent_withdrawn", case.id, actor.id, consent_id=consent.id, kind=consent.kind,
                 withdrawn_on=withdrawn_on.isoformat(), on_behalf_of=access.acting_for(actor, case))
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
