"""Privacy records: the audited privacy settings and the 自死企図 risk flags."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db

from .base import JSONType, utcnow


class PrivacySetting(db.Model):
    """One switch of the privacy rules (e.g. ``mask_nhi_as_tax``); every change is audited."""

    __tablename__ = "privacy_settings"

    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    value: Mapped[dict | list | str | int | bool | None] = mapped_column(JSONType)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    reason: Mapped[str | None] = mapped_column(sa.Text)


class RiskFlag(db.Model):
    """A suicide-risk (自死企図) flag: level, indicators, when it was seen, who assessed it.

    Rows are never updated except for the acknowledgement; a new assessment is a new row (the
    newest is the case's current level).  ``sharing_basis`` says on which ground the flag may
    go to the mental-health section: ``consent`` or ``life_and_health`` (個人情報保護法第69条),
    the latter only with ``legal_basis`` and a section chief's approval on record.
    """

    __tablename__ = "risk_flags"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("persons.id"), index=True)
    level: Mapped[str] = mapped_column(sa.String(16))
    indicators: Mapped[list] = mapped_column(JSONType)
    observed_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    assessor_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    note: Mapped[str | None] = mapped_column(sa.Text)
    via: Mapped[str] = mapped_column(sa.String(32))  # "assessment" or "action"
    submission_id: Mapped[int | None] = mapped_column(sa.ForeignKey("form_submissions.id"))
    sharing_basis: Mapped[str | None] = mapped_column(sa.String(32))
    legal_basis: Mapped[str | None] = mapped_column(sa.Text)
    approved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    acknowledged_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    acknowledged_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    assessor = relationship("User", foreign_keys=[assessor_id])
    approved_by = relationship("User", foreign_keys=[approved_by_id])
    acknowledged_by = relationship("User", foreign_keys=[acknowledged_by_id])


class RiskReferral(db.Model):
    """The warm hand-off to 精神保健福祉担当: when, whom we reached, the next step, a safety contact."""

    __tablename__ = "risk_referrals"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    risk_flag_id: Mapped[int | None] = mapped_column(sa.ForeignKey("risk_flags.id"))
    reached_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    person_reached: Mapped[str] = mapped_column(sa.String(200))
    next_step: Mapped[str] = mapped_column(sa.Text)
    safety_contact: Mapped[str] = mapped_column(sa.String(200))
    submission_id: Mapped[int | None] = mapped_column(sa.ForeignKey("form_submissions.id"))
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
