"""What the person's consents allow: the active consent of an episode, its scopes, tax sharing.

The masking rules and the risk response ask these; recording and withdrawing consents are case steps.
"""

from __future__ import annotations

from datetime import date

from app.extensions import db
from app.models import Case, Consent

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
