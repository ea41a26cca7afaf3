"""Issuing notices (通知書) on a case, numbered per ward and fiscal year, and reading them back."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask import current_app

from app import access
from app.access.privacy import ITEMS
from app.clock import today
from app.codes import NOTICE_KINDS, NOTICE_RECIPIENTS, WARDS, label
from app.errors import NotFound, ValidationFailed
from app.extensions import db
from app.models import Case, Notice, NoticeSeries, User

from .wareki import fiscal_year

if TYPE_CHECKING:
    from app.lifecycle.steps import CaseStep


def _next_serial(ward: str, year: int) -> int:
    """The ward's next document number in the fiscal year; the row stays locked until commit, so
    two notices of one ward never share a number."""
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(NoticeSeries).values(ward=ward, fiscal_year=year, last_serial=1)
    statement = statement.on_conflict_do_update(
        index_elements=["ward", "fiscal_year"], set_={"last_serial": NoticeSeries.last_serial + 1}
    ).returning(NoticeSeries.last_serial)
    return db.session.execute(statement).scalar_one()


def document_number(ward: str, serial: int) -> str:
    """「中生支第12号」: the ward (without 区), 生活支援課, the serial of the fiscal year."""
    return f"{label(WARDS, ward).removesuffix('区')}生支第{serial}号"


def _clean_items(items: list[dict]) -> list[dict]:
    cleaned = []
    for number, item in enumerate(items, start=1):
        if not item.get("label") or item.get("value") in (None, ""):
            raise ValidationFailed({f"items.{number}": ["通知書の記載事項には見出しと内容が必要です"]})
        category = item.get("category")
        if category is not None and category not in ITEMS:
            raise ValueError(f"unknown privacy category {category!r}")
        cleaned.append({"label": str(item["label"]), "value": str(item["value"]), "category": category})
    return cleaned


def issue_notice(step: CaseStep, kind: str, *, subject: str, items: list[dict], lead: str | None = None,
                 reason: str | None = None, remarks: str | None = None, decision_ref: str | None = None,
                 plan_version: int | None = None, recipient: str = "person", addressee: str | None = None,
                 issued_on: date | None = None) -> Notice:
    """Issue a notice inside the step's transaction (the step holds the case lock) and chain it."""
    if kind not in NOTICE_KINDS:
        raise ValueError(f"unknown notice kind {kind!r}")
    if recipient not in NOTICE_RECIPIENTS:
        raise ValueError(f"unknown notice recipient {recipient!r}")
    case = step.case
    issued_on = issued_on or today()
    year = fiscal_year(issued_on)
    serial = _next_serial(case.ward, year)
    if addressee is None and recipient == "person" and case.person is not None:
        addressee = case.person.name
    notice = Notice(case_id=case.id, ward=case.ward, kind=kind, fiscal_year=year, serial=serial,
                    number=document_number(case.ward, serial), issued_on=issued_on, subject=subject,
                    decision_ref=decision_ref, plan_version=plan_version, recipient=recipient,
                    addressee=addressee, issued_by_id=step.actor.id if step.actor else None,
                    content={"lead": lead, "items": _clean_items(items), "reason": reason, "remarks": remarks})
    db.session.add(notice)
    db.session.flush()
    step.record("notice_issued", notice_id=notice.id, kind=kind, number=notice.number,
                issued_on=issued_on.isoformat(), decision_ref=decision_ref, plan_version=plan_version,
                recipient=recipient)
    return notice


def case_notices(case: Case) -> list[Notice]:
    return db.session.scalars(sa.select(Notice).where(Notice.case_id == case.id).order_by(Notice.id)).all()


def notice_for(user: User, notice_id: int) -> tuple[Notice, Case]:
    """The notice and its case if the user may see the case (404 otherwise, never 403: no hint)."""
    notice = db.session.get(Notice, notice_id)
    case = db.session.get(Case, notice.case_id) if notice is not None else None
    if notice is None or case is None or not access.can_view_case(user, case):
        raise NotFound("通知書が見つかりません")
    return notice, case


def summary(notice: Notice) -> dict:
    """The API's description of a notice (contract names)."""
    return {"notice_id": notice.id, "kind": notice.kind, "number": notice.number,
            "issued_on": notice.issued_on.isoformat(), "subject": notice.subject,
            "decision_id": notice.decision_ref, "plan_version": notice.plan_version,
            "recipient": notice.recipient}


def contact(ward: str) -> dict:
    """問い合わせ先 of a ward's office, from the settings."""
    config = current_app.config
    ward_label = label(WARDS, ward)
    return {"section": config["NOTICE_CONTACT_SECTION"].format(ward=ward_label),
            "phone": (config.get("NOTICE_CONTACT_PHONES") or {}).get(ward),
            "hours": config["NOTICE_CONTACT_HOURS"]}


def issuer(ward: str) -> str:
    """The office that issues the decision (not a person): 「横浜市中区福祉保健センター長」."""
    return f"{current_app.config['NOTICE_CITY']}{label(WARDS, ward)}福祉保健センター長"


def appeal_text() -> list[str]:
    city = current_app.config["NOTICE_CITY"]
    return [paragraph.format(city=city) for paragraph in current_app.config["NOTICE_APPEAL_TEXT"]]
