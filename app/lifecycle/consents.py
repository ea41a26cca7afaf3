"""Recording a person's consent as part of a case step (the 申込 at intake, a slip's consent)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from app.clock import now
from app.errors import ValidationFailed
from app.extensions import db
from app.models import Consent

if TYPE_CHECKING:
    from .steps import CaseStep


def record_consent(step: CaseStep, person_id: int, *, kind: str, given_by: str, given_on: date, form: str,
                   scopes: list[str], tax_with: list[str] | None = None, exclusions: list[str] | None = None,
                   field: str = "consent_given_by") -> Consent:
    """Add a consent of the person to the step.  Only the person gives consent: anything else is
    refused with a field error."""
    if given_by != "person":
        raise ValidationFailed({field: [
            "成人の本人に代わって家族が申込・同意することはできません。本人の署名（同意）が必要です"]})
    tax_allowed = "tax_info" in scopes
    consent = Consent(
        person_id=person_id, case_id=step.case.id, kind=kind, given_by="person", given_on=given_on, form=form,
        scopes=list(scopes), tax_sharing={"allowed": tax_allowed, "with_roles": list(tax_with or []) if tax_allowed
                                          else []},
        exclusions=list(exclusions or []), recorded_by_id=step.actor_id, recorded_at=now())
    db.session.add(consent)
    db.session.flush()
    step.record("consent_recorded", consent_id=consent.id, kind=kind, scopes=list(scopes),
                tax_sharing=consent.tax_sharing, exclusions=len(consent.exclusions))
    return consent
