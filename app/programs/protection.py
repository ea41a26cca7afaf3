"""DV and address secrecy: the flags (``set_person_flags``) and third parties' inquiries (``log_inquiry``).

An inquiry is answered 「お答えできません」 whatever it asks — nothing is confirmed, not even that
the person is known — and the ward's section chiefs are alerted at once.
"""

from __future__ import annotations

from datetime import UTC, datetime

from app.clock import JST, now
from app.errors import ValidationFailed
from app.extensions import db
from app.models import HouseholdMember, Inquiry, PersonFlags
from app.services.timers.notifications import notify, ward_users

ANSWER = "お答えできません"


def set_flags(step, task, submission, data: dict) -> None:
    case = step.case
    if case.person_id is None:
        raise ValidationFailed({"dv": ["本人が登録されていません（相談受付の後に記録してください）"]})
    flags = db.session.query(PersonFlags).filter_by(person_id=case.person_id).first()
    if flags is None:
        flags = PersonFlags(person_id=case.person_id, set_by_id=step.actor_id)
        db.session.add(flags)
    member = db.session.query(HouseholdMember).filter_by(person_id=case.person_id).first()
    flags.household_id = member.household_id if member is not None else None
    flags.dv = bool(data.get("dv"))
    flags.address_secrecy = bool(data.get("address_secrecy"))
    flags.safe_address = (data.get("safe_address") or "").strip() or None
    flags.abuser_name = (data.get("abuser_name") or "").strip() or None
    flags.abuser_kana = (data.get("abuser_kana") or "").strip() or None
    flags.set_by_id = step.actor_id
    flags.set_at = now()
    db.session.flush()
    # The event says what changed, never where the person lives.
    step.record("person_flags_set", person_id=case.person_id, dv=flags.dv, address_secrecy=flags.address_secrecy,
                safe_address_confirmed=flags.safe_address is not None, abuser_named=flags.abuser_name is not None,
                submission_id=submission.id)


def log_inquiry(step, task, submission, data: dict) -> None:
    case = step.case
    received = datetime.fromisoformat(data["received_at"])
    received = (received if received.tzinfo else received.replace(tzinfo=JST)).astimezone(UTC)
    inquiry = Inquiry(case_id=case.id, received_at=received, caller_claims=data["caller_claims"],
                      asked=data["asked"], answer=ANSWER, recorded_by_id=step.actor_id, submission_id=submission.id)
    db.session.add(inquiry)
    db.session.flush()
    step.record("inquiry_logged", inquiry_id=inquiry.id, answer=ANSWER, submission_id=submission.id)
    notify(ward_users(case.ward, ("section_chief",)), "dv_inquiry", f"dv_inquiry:{inquiry.id}", case.id,
           received_at=received.astimezone(JST).strftime("%Y-%m-%d %H:%M"))
