"""Records of the statutory services beyond the plan: eligibility, shelter stays, DV and address
secrecy flags, third-party inquiries, the budget table and arrears, child referrals."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db

from .base import JSONType, utcnow


class ServiceEligibility(db.Model):
    """要件確認 for one service of a case: the standard test with its figures, or 準ずる者 (deemed).

    ``figures`` keeps what the test used (income, assets, household size, limits, the rule version),
    so that a decision can show them later even after the rule table changed.
    """

    __tablename__ = "service_eligibilities"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    service: Mapped[str] = mapped_column(sa.String(64))
    basis: Mapped[str] = mapped_column(sa.String(16))  # standard, deemed, not_required
    reason: Mapped[str | None] = mapped_column(sa.Text)
    figures: Mapped[dict] = mapped_column(JSONType, default=dict)
    approved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    submission_id: Mapped[int | None] = mapped_column(sa.ForeignKey("form_submissions.id"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    approved_by = relationship("User", foreign_keys=[approved_by_id])
    recorded_by = relationship("User", foreign_keys=[recorded_by_id])


class ShelterStay(db.Model):
    """一時生活支援: one stay, from the (urgent, provisional) admission to discharge."""

    __tablename__ = "shelter_stays"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    admitted_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    facility: Mapped[str] = mapped_column(sa.String(200))
    income: Mapped[int]
    assets: Mapped[int]
    urgent: Mapped[bool]
    figures: Mapped[dict] = mapped_column(JSONType, default=dict)
    certified_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    planned_end: Mapped[date]
    # The person was told of their right to apply for 生活保護: when, and what they chose
    # (None: not on record yet; the stay's page says so).
    pa_right_told_on: Mapped[date | None]
    pa_choice: Mapped[str | None] = mapped_column(sa.String(32))
    status: Mapped[str] = mapped_column(sa.String(16), default="staying")  # staying, discharged
    discharged_on: Mapped[date | None]
    destination: Mapped[str | None] = mapped_column(sa.String(200))
    end_reason: Mapped[str | None] = mapped_column(sa.String(32))  # discharged, public_assistance
    regional_visits: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    submission_id: Mapped[int | None] = mapped_column(sa.ForeignKey("form_submissions.id"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    certified_by = relationship("User", foreign_keys=[certified_by_id])
    extensions = relationship("ShelterExtension", order_by="ShelterExtension.id", back_populates="stay")


class ShelterExtension(db.Model):
    __tablename__ = "shelter_extensions"

    id: Mapped[int] = mapped_column(primary_key=True)
    stay_id: Mapped[int] = mapped_column(sa.ForeignKey("shelter_stays.id"), index=True)
    previous_end: Mapped[date]
    new_end: Mapped[date]
    reason: Mapped[str] = mapped_column(sa.Text)
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    submission_id: Mapped[int | None] = mapped_column(sa.ForeignKey("form_submissions.id"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    stay = relationship("ShelterStay", back_populates="extensions")


class PersonFlags(db.Model):
    """DV and 住所秘匿 on a person (and through them on their household), with who set them and when.

    ``abuser_name``/``abuser_kana`` name the person the household record must never link.
    """

    __tablename__ = "person_flags"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("persons.id"), unique=True)
    household_id: Mapped[int | None] = mapped_column(sa.ForeignKey("households.id"), index=True)
    dv: Mapped[bool] = mapped_column(default=False)
    address_secrecy: Mapped[bool] = mapped_column(default=False)
    safe_address: Mapped[str | None] = mapped_column(sa.String(256))
    abuser_name: Mapped[str | None] = mapped_column(sa.String(128))
    abuser_kana: Mapped[str | None] = mapped_column(sa.String(128))
    set_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    set_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    set_by = relationship("User")

    @property
    def protected(self) -> bool:
        return bool(self.dv or self.address_secrecy)


class Inquiry(db.Model):
    """A third party asked about a protected person: recorded, nothing confirmed."""

    __tablename__ = "inquiries"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    received_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    caller_claims: Mapped[str] = mapped_column(sa.Text)
    asked: Mapped[str] = mapped_column(sa.Text)
    answer: Mapped[str] = mapped_column(sa.String(64))
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    submission_id: Mapped[int | None] = mapped_column(sa.ForeignKey("form_submissions.id"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    recorded_by = relationship("User")


class BudgetTable(db.Model):
    """家計改善支援: the adviser's budget table for one month (income and spending lines, whole yen)."""

    __tablename__ = "budget_tables"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    month: Mapped[str] = mapped_column(sa.String(7))  # YYYY-MM
    income: Mapped[dict] = mapped_column(JSONType, default=dict)  # line -> yen
    spending: Mapped[dict] = mapped_column(JSONType, default=dict)
    note: Mapped[str | None] = mapped_column(sa.Text)
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    submission_id: Mapped[int | None] = mapped_column(sa.ForeignKey("form_submissions.id"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)


class ArrearsItem(db.Model):
    """家計再生プラン: one arrear and how it is handled (分納, 減免, 猶予).

    ``source`` is the data source (``tax``, ``nhi``, …): tax and NHI arrears follow the tax rule.
    """

    __tablename__ = "arrears_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(32))
    source: Mapped[str] = mapped_column(sa.String(32))
    amount: Mapped[int]
    handling: Mapped[str] = mapped_column(sa.String(16))
    monthly_installment: Mapped[int | None]
    agreed_on: Mapped[date | None]
    note: Mapped[str | None] = mapped_column(sa.Text)
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    submission_id: Mapped[int | None] = mapped_column(sa.ForeignKey("form_submissions.id"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)


class ChildReferral(db.Model):
    """子どもの学習・生活支援: a child of the household referred to a provider, with only what the
    consent allows (name, grade, the guardian's mobile) — there is no address field at all."""

    __tablename__ = "child_referrals"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("household_members.id"))
    child_name: Mapped[str] = mapped_column(sa.String(128))
    grade: Mapped[str] = mapped_column(sa.String(32))
    guardian_mobile: Mapped[str] = mapped_column(sa.String(32))
    provider_name: Mapped[str] = mapped_column(sa.String(200))
    referred_on: Mapped[date]
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    submission_id: Mapped[int | None] = mapped_column(sa.ForeignKey("form_submissions.id"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
