"""本人情報の訂正: correcting a person's recorded details, with before, after and a reason.

The person row holds the current value; the audit event `data_corrected` keeps what it was, what
it became, who changed it, when and why, so earlier values are never lost.
"""

from __future__ import annotations

from datetime import date

from app import access
from app.errors import Conflict, ValidationFailed
from app.models import FormSubmission

from .kinds import HandlerResult, StepKind

# form field -> Person attribute
CORRECTABLE = {
    "person_name": "name",
    "person_kana": "kana",
    "birth_date": "birth_date",
    "address": "address",
    "phone": "phone",
}


def _comparable(value):
    return value.isoformat() if isinstance(value, date) else value


def correct_person(step, task, submission: FormSubmission, data: dict) -> HandlerResult:
    """The case action `correct_person`: apply the filled-in fields to the case's person, audited."""
    person = step.case.person
    if person is None:
        raise Conflict("この相談ケースには本人の記録がまだありません。受付を済ませてから訂正してください")
    changes = {}
    for field, attribute in CORRECTABLE.items():
        new = data.get(field)
        if new in (None, ""):
            continue
        old = getattr(person, attribute)
        if _comparable(old) == _comparable(new):
            continue
        changes[field] = {"before": _comparable(old), "after": _comparable(new)}
        setattr(person, attribute, date.fromisoformat(new) if attribute == "birth_date" else new)
    if not changes:
        raise ValidationFailed({"person_name": ["訂正する値が入力されていないか、現在の記録と同じです"]})
    step.record("data_corrected", person_id=person.id, changes=changes, reason=data["reason"],
                submission_id=submission.id, on_behalf_of=access.acting_for(step.actor, step.case))
    return HandlerResult()


KINDS = (StepKind("person_correction", handle=correct_person),)
