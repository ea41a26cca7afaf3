"""再相談 (re-consultation): a new episode of the same person after closure, linked to the earlier one.

How intake links a person to earlier episodes (probable duplicates) is ``app.lifecycle.people``.
"""

from __future__ import annotations

from app import access
from app.errors import Conflict, Forbidden, NotFound
from app.extensions import db
from app.lifecycle import steps
from app.lifecycle.people import episodes_of
from app.models import Case, HumanTask, User


def start_reconsultation(previous_case_id: int, actor: User) -> Case:
    """再相談: a new episode of the same person after closure, linked to the earlier one. One transaction."""
    previous = db.session.get(Case, previous_case_id)
    if previous is None or not access.can_view_case(actor, previous):
        raise NotFound("相談ケースが見つかりません")
    if not access.can_open_case(actor, previous.ward):
        raise Forbidden("この区で相談ケースを開く権限がありません")
    if not previous.is_closed:
        raise Conflict("この相談ケースはまだ終結していません。再相談は終結後に受け付けます")
    if previous.person_id is None:
        raise Conflict("この相談ケースには相談者が登録されていません")
    running = [c for c in episodes_of(previous.person_id, previous.ward) if not c.is_closed]
    if running:
        raise Conflict(f"この方には進行中の相談ケース（#{running[0].id}）があります")
    step = steps.start(previous.ward, actor, route="self")
    case = step.case
    case.person = previous.person
    case.previous_case_id = previous.id
    case.reconsultation = True
    person = previous.person
    _prefill_intake(case, {"person_name": person.name, "person_kana": person.kana,
                           "birth_date": person.birth_date.isoformat() if person.birth_date else None,
                           "address": person.address, "phone": person.phone,
                           "receiving_public_assistance": True if person.receiving_public_assistance else None})
    step.record("reconsultation_opened", previous_case_id=previous.id, person_id=person.id)
    db.session.commit()
    return case


def _prefill_intake(case: Case, values: dict) -> None:
    intake = db.session.query(HumanTask).filter_by(case_id=case.id, status="open", form_key="intake").first()
    if intake is not None:
        intake.prefill = {**(intake.prefill or {}), **{k: v for k, v in values.items() if v not in (None, "")}}


def later_episodes(case: Case) -> list[Case]:
    """The episodes opened after this one as re-consultations of it."""
    return db.session.query(Case).filter_by(previous_case_id=case.id).order_by(Case.id).all()


def duplicate_choices(case: Case, kana: str, birth_date) -> list[tuple[str, str]]:
    """The probable duplicates intake found, as choices for 「既存の相談者に紐づける」 (no typed IDs)."""
    from datetime import date

    from app.forms.jp import normalize_kana
    from app.lifecycle.people import probable_duplicates

    if not isinstance(birth_date, date):
        return []
    choices = []
    for person in probable_duplicates(case, normalize_kana(kana or ""), birth_date):
        cases = "、".join(f"#{c.id}（{'終結' if c.is_closed else '進行中'}）"
                         for c in episodes_of(person.id, case.ward))
        choices.append((str(person.id), f"{person.name}（{person.kana}・相談ケース {cases or '—'}）"))
    return choices
