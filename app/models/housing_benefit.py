"""住居確保給付金: applications (each with its own workflow), decisions, payments, monthly reports."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db

from .base import JSONType, utcnow


class HbApplication(db.Model):
    """One application (and its extensions); `workflow_blob` is its own housing_benefit process."""

    __tablename__ = "hb_applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    ward: Mapped[str] = mapped_column(sa.String(32))
    # screening, refused, paying, suspended, stopped, ended
    status: Mapped[str] = mapped_column(sa.String(16), index=True)
    applied_on: Mapped[date]
    data: Mapped[dict] = mapped_column(JSONType)  # the application's figures as submitted
    computation: Mapped[dict] = mapped_column(JSONType)  # the latest screening's figures
    rule_label: Mapped[str] = mapped_column(sa.String(64))
    payee: Mapped[str] = mapped_column(sa.String(16))
    payee_name: Mapped[str] = mapped_column(sa.String(200))
    months_from: Mapped[str | None] = mapped_column(sa.String(7))
    months_to: Mapped[str | None] = mapped_column(sa.String(7))  # the final month granted so far
    extensions: Mapped[int] = mapped_column(default=0)
    pending_extension: Mapped[dict | None] = mapped_column(JSONType)  # an extension awaiting screening
    employment: Mapped[dict | None] = mapped_column(JSONType)  # 常用就職届
    process_version_id: Mapped[int] = mapped_column(sa.ForeignKey("process_versions.id"))
    workflow_blob: Mapped[bytes] = mapped_column(sa.LargeBinary, deferred=True)
    submission_id: Mapped[int] = mapped_column(sa.ForeignKey("form_submissions.id"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    decisions = relationship("HbDecision", order_by="HbDecision.id", back_populates="application")
    payments = relationship("HbPayment", order_by="HbPayment.month", back_populates="application")
    duty_records = relationship("HbDutyRecord", order_by="HbDutyRecord.month", back_populates="application")


class HbDecision(db.Model):
    """A decision on an application: grant, refusal, extension, instruction, suspension, stop."""

    __tablename__ = "hb_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("hb_applications.id"), index=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(24))
    reason_code: Mapped[str | None] = mapped_column(sa.String(32))
    reason_codes: Mapped[list] = mapped_column(JSONType, default=list)  # every failed requirement
    reason_text: Mapped[str | None] = mapped_column(sa.Text)
    months_from: Mapped[str | None] = mapped_column(sa.String(7))
    months_to: Mapped[str | None] = mapped_column(sa.String(7))
    effective_month: Mapped[str | None] = mapped_column(sa.String(7))
    amount: Mapped[int | None]
    deadline: Mapped[date | None]  # an instruction's
    computation: Mapped[dict | None] = mapped_column(JSONType)
    rule_label: Mapped[str | None] = mapped_column(sa.String(64))
    decided_on: Mapped[date]
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    notice_id: Mapped[int | None] = mapped_column(sa.ForeignKey("notices.id"))
    submission_id: Mapped[int | None] = mapped_column(sa.ForeignKey("form_submissions.id"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    application = relationship("HbApplication", back_populates="decisions")


class HbPayment(db.Model):
    """One month's payment to the payee on file; paid once by that month's payment run."""

    __tablename__ = "hb_payments"
    __table_args__ = (sa.UniqueConstraint("application_id", "month"),
                      sa.Index("ix_hb_payments_month", "month", "status"))

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("hb_applications.id"))
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    ward: Mapped[str] = mapped_column(sa.String(32))
    month: Mapped[str] = mapped_column(sa.String(7))
    amount: Mapped[int]
    payee: Mapped[str] = mapped_column(sa.String(16))
    payee_name: Mapped[str] = mapped_column(sa.String(200))
    status: Mapped[str] = mapped_column(sa.String(16), default="scheduled")  # scheduled, paid, cancelled
    decision_id: Mapped[int] = mapped_column(sa.ForeignKey("hb_decisions.id"))
    cancelled_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("hb_decisions.id"))
    paid_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    application = relationship("HbApplication", back_populates="payments")


class HbDutyRecord(db.Model):
    """A month's job-search report (a later report of the same month replaces the counts)."""

    __tablename__ = "hb_duty_records"
    __table_args__ = (sa.UniqueConstraint("application_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("hb_applications.id"))
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    month: Mapped[str] = mapped_column(sa.String(7))
    desk_interviews: Mapped[int]
    hello_work_sessions: Mapped[int]
    weeks_with_application: Mapped[int]
    compliant: Mapped[bool]
    rule_label: Mapped[str] = mapped_column(sa.String(64))
    submission_id: Mapped[int] = mapped_column(sa.ForeignKey("form_submissions.id"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    application = relationship("HbApplication", back_populates="duty_records")


class HbIncomeReport(db.Model):
    """A month's household income reported while receiving."""

    __tablename__ = "hb_income_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("hb_applications.id"), index=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"))
    month: Mapped[str] = mapped_column(sa.String(7))
    incomes: Mapped[list] = mapped_column(JSONType)
    counted_income: Mapped[int]
    submission_id: Mapped[int] = mapped_column(sa.ForeignKey("form_submissions.id"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)


class HbDutyCheck(db.Model):
    """The month-start check of one paid month: raised once (the unique key), whichever host runs it."""

    __tablename__ = "hb_duty_checks"
    __table_args__ = (sa.UniqueConstraint("application_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("hb_applications.id"))
    month: Mapped[str] = mapped_column(sa.String(7))
    compliant: Mapped[bool]
    checked_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
