"""Slips that connect a person to the desk: the 連絡票 (F1) and the 生活保護廃止時 情報提供票 (F12).

連絡票 (``submit_referral``, role ``referrer`` and the desk's own staff):
- No ``consent_to_refer``: only the anonymous tally (ward, section, date) is kept; no person, no
  case, no task, no submission.
- With consent: a person, an episode in state ``identified`` in the ward, the slip as the case's
  FormSubmission, a Consent record (``kind="referral"``: the referral and a reply only), arrears
  as DataItems tagged with their source, and the intake task as the first-contact task of the
  ward's caseworkers, due 3 business days later (deadline rule ``first_contact_after_referral``).
- The sender later reads only what the ``reply`` scope allows: 接続済 / 未来所.

情報提供票 (``submit_pa_slip``, role ``pa_worker``): refused without the person's consent unless a
special reason and the approving section chief of the ward are recorded; opens an ``identified``
episode with route ``pa_discontinuation`` holding only the consented summary.

Both take an optional idempotency key: the same sender and key give back the first receipt
(a retry after a timeout creates one episode); the same key with another body is refused.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date

from sqlalchemy.exc import IntegrityError

from app import access
from app import audit_chain as audit
from app.clock import now, today
from app.codes import SECTIONS, WARDS
from app.errors import Forbidden, NotFound, ValidationFailed
from app.extensions import db
from app.forms import validate_data
from app.lifecycle import steps
from app.lifecycle.deadlines import first_contact_due
from app.lifecycle.versions import current_version, form_definition
from app.models import Case, Consent, DataItem, FormSubmission, HumanTask, Person, ReferralReceipt, User
from app.models.data_item import ARREARS_SOURCES
from app.services.timers import notifications

REPLY_LABELS = {"connected": "接続済", "not_yet_contacted": "未来所", "received": "受付済（回答の同意なし）"}
IDEMPOTENCY_FIELD = "Idempotency-Key"
MAX_KEY_LENGTH = 128


def submit_referral(ward: str | None, raw: dict, actor: User, idempotency_key: str | None = None
                    ) -> tuple[ReferralReceipt, bool]:
    """Receive a 連絡票; returns (receipt, replayed). One transaction."""
    if not access.can_submit_referral(actor):
        raise Forbidden("連絡票を送る権限がありません")
    ward = _ward(ward or actor.ward)
    if actor.ward is not None and actor.ward != ward and not access.can_open_case(actor, actor.ward):
        # A ward's sections refer to their own ward's desk; city-wide sections, and the desks themselves
        # (passing a person on to another ward's desk), choose the ward.
        raise Forbidden("自分の区の相談窓口にだけ連絡票を送れます")
    digest = _digest(ward, raw)
    replayed = _replay(actor, idempotency_key, digest, "referral_slip")
    if replayed is not None:
        return replayed, True
    definition = form_definition(current_version(), "referral_slip")
    data = _validated(definition, raw)
    consent = bool(data.get("consent_to_refer"))
    if consent:
        _require_contact_route(data)
        if data.get("arrears_amount") is not None and not data.get("arrears_kind"):
            raise ValidationFailed({"arrears_kind": ["滞納額を記入する場合は、滞納の種類（所管課）を選んでください"]})
    receipt = ReferralReceipt(
        ward=ward, from_section=data["from_section"], slip_date=date.fromisoformat(data["slip_date"]),
        consent_to_refer=consent, kind="referral_slip", submitted_by_id=actor.id, submitted_at=now(),
        idempotency_key=idempotency_key, request_hash=digest if idempotency_key else None,
    )
    return _store(receipt, actor, idempotency_key, lambda: _open_from_referral(receipt, data, definition.version,
                                                                                actor) if consent else None)


def submit_pa_slip(ward: str | None, raw: dict, actor: User, idempotency_key: str | None = None
                   ) -> tuple[ReferralReceipt, bool]:
    """Receive a 生活保護廃止時 情報提供票; returns (receipt, replayed). One transaction."""
    if not access.can_submit_pa_slip(actor):
        raise Forbidden("情報提供票を送る権限がありません（生活保護担当CWのみ）")
    ward = _ward(ward or actor.ward)
    if actor.ward != ward:
        raise Forbidden("自分の区の情報提供票だけを送れます")
    digest = _digest(ward, raw)
    replayed = _replay(actor, idempotency_key, digest, "pa_discontinuation")
    if replayed is not None:
        return replayed, True
    definition = form_definition(current_version(), "pa_discontinuation_slip")
    data = _validated(definition, raw)
    _require_contact_route(data)
    consent = bool(data.get("consent_given"))
    approver = None
    if not consent:
        approver = _approving_chief(data.get("approved_by"), ward)
    receipt = ReferralReceipt(
        ward=ward, from_section="public_assistance", slip_date=date.fromisoformat(data["discontinued_on"]),
        consent_to_refer=consent, kind="pa_discontinuation", submitted_by_id=actor.id, submitted_at=now(),
        idempotency_key=idempotency_key, request_hash=digest if idempotency_key else None,
        special_reason=None if consent else data.get("special_reason"),
        approved_by_id=approver.id if approver else None,
    )
    return _store(receipt, actor, idempotency_key,
                  lambda: _open_from_pa_slip(receipt, data, definition.version, actor))


# --- what the sender may read -----------------------------------------------------------------


def referral_status(referral_id: int, user: User) -> dict:
    """What the sender may read: whether the person was connected (only with the `reply` scope)."""
    receipt = db.session.get(ReferralReceipt, referral_id)
    if receipt is None or not access.can_view_referral(user, receipt):
        raise NotFound("連絡票が見つかりません")
    return status_of(receipt)


def status_of(receipt: ReferralReceipt) -> dict:
    status = "received"
    if receipt.case_id is not None and _reply_allowed(receipt):
        status = "connected" if _connected(receipt.case_id) else "not_yet_contacted"
    return {"referral_id": receipt.id, "kind": receipt.kind, "slip_date": receipt.slip_date.isoformat(),
            "from_section": receipt.from_section, "consent_to_refer": receipt.consent_to_refer,
            "status": status, "status_label": REPLY_LABELS[status]}


def sent_by(user: User) -> list[ReferralReceipt]:
    return (db.session.query(ReferralReceipt).filter_by(submitted_by_id=user.id)
            .order_by(ReferralReceipt.id.desc()).limit(200).all())


def _reply_allowed(receipt: ReferralReceipt) -> bool:
    """The slip's own consent (kind ``referral``), not withdrawn, includes ``reply``."""
    consent = (db.session.query(Consent)
               .filter_by(case_id=receipt.case_id, kind="referral")
               .order_by(Consent.id.desc()).first())
    return bool(consent and consent.withdrawn_on is None and "reply" in (consent.scopes or []))


def _connected(case_id: int) -> bool:
    """The person came: the intake (相談受付) of the episode was completed."""
    return db.session.query(FormSubmission.id).filter_by(case_id=case_id, form_key="intake").first() is not None


# --- shared steps -----------------------------------------------------------------------------


def _ward(ward: str | None) -> str:
    if not ward:
        raise ValidationFailed({"ward": ["送り先の区を選んでください"]})
    if ward not in WARDS:
        raise ValidationFailed({"ward": [f"区のコードが正しくありません: {ward}"]})
    return ward


def _digest(ward: str, raw) -> str:
    canonical = json.dumps({"ward": ward, "data": raw}, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _replay(actor: User, key: str | None, digest: str, kind: str) -> ReferralReceipt | None:
    if key is None:
        return None
    if not key.strip() or len(key) > MAX_KEY_LENGTH:
        raise ValidationFailed({IDEMPOTENCY_FIELD: [f"冪等キーは1〜{MAX_KEY_LENGTH}文字で指定してください"]})
    existing = db.session.query(ReferralReceipt).filter_by(submitted_by_id=actor.id, idempotency_key=key).first()
    if existing is None:
        return None
    if existing.request_hash != digest or existing.kind != kind:
        raise ValidationFailed({IDEMPOTENCY_FIELD: [
            "この冪等キーは別の内容の送信に使われています。新しい送信には新しいキーを使ってください"]})
    return existing


def _validated(definition, raw) -> dict:
    result = validate_data(definition, raw)
    if not result.ok:
        raise ValidationFailed(result.errors)
    return result.clean


def _require_contact_route(data: dict) -> None:
    if not (data.get("phone") or data.get("address")):
        raise ValidationFailed({"phone": ["本人への連絡手段として、電話番号か住所のどちらかを記入してください"]})


def ward_chiefs(ward: str | None) -> list[User]:
    """The section chiefs of a ward, who may approve a slip sent without consent (the page offers them)."""
    users = db.session.query(User).filter(User.ward == ward, User.active.is_(True)).order_by(User.id).all()
    return [u for u in users if u.has_role("section_chief")]


def _approving_chief(username: str | None, ward: str) -> User:
    chief = db.session.query(User).filter_by(username=(username or "").strip()).first()
    if chief is None or not chief.active or not chief.has_role("section_chief") or chief.ward != ward:
        raise ValidationFailed({"approved_by": ["承認した区担当係長を選んでください（この区の係長に限ります）"]})
    return chief


def _store(receipt: ReferralReceipt, actor: User, key: str | None, open_case) -> tuple[ReferralReceipt, bool]:
    """Insert the receipt first (a concurrent retry with the same key fails here), then the episode."""
    try:
        db.session.add(receipt)
        db.session.flush()
        open_case()
        audit.record("referral_received", receipt.case_id, actor.id, referral_id=receipt.id, kind=receipt.kind,
                     ward=receipt.ward, from_section=receipt.from_section,
                     consent_to_refer=receipt.consent_to_refer,
                     special_reason=bool(receipt.special_reason), approved_by_id=receipt.approved_by_id)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        if key is None:
            raise
        existing = db.session.query(ReferralReceipt).filter_by(submitted_by_id=actor.id, idempotency_key=key).one()
        return existing, True
    except Exception:
        db.session.rollback()
        raise
    return receipt, False


def _identified_case(receipt: ReferralReceipt, person: Person, route: str, actor: User) -> steps.CaseStep:
    """The episode a consented slip opens: its person known, the person not yet seen (identified)."""
    step = steps.start(receipt.ward, actor, route=route)
    case = step.case
    case.person = person
    previous = case.state
    case.state = "identified"
    step.record("case_state_changed", before=previous, after="identified")
    receipt.case_id = case.id
    return step


def _first_contact_task(case: Case, prefill: dict) -> HumanTask | None:
    """The intake task is the first contact: due within the rule's business days from today."""
    intake = db.session.query(HumanTask).filter_by(case_id=case.id, status="open", form_key="intake").first()
    if intake is not None:
        intake.prefill = {k: v for k, v in prefill.items() if v not in (None, "")}
        intake.due_on = first_contact_due(case.ward, today())
        db.session.flush()
        # Nobody holds a referral's intake yet: the ward's caseworkers and lead workers hear of it.
        notifications.notify(notifications.ward_users(case.ward, ("caseworker", "lead_worker")), "intake_waiting",
                             f"intake_waiting:{intake.id}", case.id, name=intake.name,
                             due_on=intake.due_on.isoformat() if intake.due_on else None)
    return intake


def _person(data: dict, name_key: str = "person_name", kana_key: str = "person_kana") -> Person:
    person = Person(name=data[name_key], kana=data[kana_key] or "",
                    birth_date=date.fromisoformat(data["birth_date"]) if data.get("birth_date") else None,
                    phone=data.get("phone"), address=data.get("address"))
    db.session.add(person)
    db.session.flush()
    return person


def _submission(case: Case, form_key: str, data: dict, version: int, actor: User) -> FormSubmission:
    submission = FormSubmission(case_id=case.id, form_key=form_key, action="referral", data=data,
                                form_version=version, actor_id=actor.id, submitted_at=now())
    db.session.add(submission)
    db.session.flush()
    return submission


def _open_from_referral(receipt: ReferralReceipt, data: dict, form_version: int, actor: User) -> None:
    person = _person(data)
    step = _identified_case(receipt, person, "city_section", actor)
    case = step.case
    submission = _submission(case, "referral_slip", data, form_version, actor)
    receipt.submission_id = submission.id
    db.session.add(Consent(
        person_id=person.id, case_id=case.id, kind="referral", given_by="person",
        given_on=date.fromisoformat(data["slip_date"]), form="連絡票", scopes=list(data.get("consent_scopes") or []),
        tax_sharing={"allowed": False, "with_roles": []}, exclusions=[], recorded_by_id=actor.id,
        recorded_at=now()))
    if data.get("arrears_amount") is not None:
        kind = data["arrears_kind"]
        source, category = ARREARS_SOURCES.get(kind, ("agency", "other"))
        db.session.add(DataItem(
            person_id=person.id, case_id=case.id, category=category, source=source,
            value={"amount": data["arrears_amount"], "section": kind}, note=None,
            recorded_at=now(), recorded_by_id=actor.id, submission_id=submission.id))
    _first_contact_task(case, {
        "via_slip": True, "route": "city_section", "route_section": data["from_section"],
        "person_name": data.get("person_name"), "person_kana": data.get("person_kana"),
        "birth_date": data.get("birth_date"), "phone": data.get("phone"), "address": data.get("address"),
    })
    step.record("consent_recorded", kind="referral", scopes=data.get("consent_scopes") or [])


def _open_from_pa_slip(receipt: ReferralReceipt, data: dict, form_version: int, actor: User) -> None:
    person = _person(data)
    person.receiving_public_assistance = False  # assistance ends with this slip
    step = _identified_case(receipt, person, "pa_discontinuation", actor)
    case = step.case
    submission = _submission(case, "pa_discontinuation_slip", data, form_version, actor)
    receipt.submission_id = submission.id
    if data.get("consent_given"):
        scopes = list(data.get("consent_scopes") or [])
        db.session.add(Consent(
            person_id=person.id, case_id=case.id, kind="pa_discontinuation", given_by="person",
            given_on=date.fromisoformat(data["consent_given_on"]), form="生活保護廃止時 情報提供票", scopes=scopes,
            tax_sharing={"allowed": False, "with_roles": []}, exclusions=[], recorded_by_id=actor.id,
            recorded_at=now()))
        step.record("consent_recorded", kind="pa_discontinuation", scopes=scopes)
    for key in ("assessment_summary", "support_points"):
        if data.get(key):
            db.session.add(DataItem(
                person_id=person.id, case_id=case.id, category="pa_summary", source="public_assistance",
                value={"kind": key, "text": data[key]}, recorded_at=now(), recorded_by_id=actor.id,
                submission_id=submission.id))
    _first_contact_task(case, {
        "route": "pa_discontinuation", "person_name": data.get("person_name"),
        "person_kana": data.get("person_kana"), "birth_date": data.get("birth_date"), "phone": data.get("phone"),
        "address": data.get("address"),
    })


def section_label(code: str) -> str:
    return SECTIONS.get(code, {}).get("ja", code)
