from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db

from .base import JSONType, utcnow


class PlanVersion(db.Model):
    """A numbered plan; frozen once a meeting decided on it."""

    __tablename__ = "plan_versions"
    __table_args__ = (sa.UniqueConstraint("case_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    number: Mapped[int]
    overall_goal: Mapped[str] = mapped_column(sa.Text)
    statutory_services: Mapped[list] = mapped_column(JSONType)
    employment_support_target: Mapped[bool]
    plan_from: Mapped[date]
    plan_to: Mapped[date]
    next_monitoring_on: Mapped[date | None]
    signed_by_person: Mapped[bool]
    status: Mapped[str] = mapped_column(sa.String(16), default="draft")  # draft, approved, revised, closed
    frozen_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    submission_id: Mapped[int] = mapped_column(sa.ForeignKey("form_submissions.id"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)


class CoordinationMeeting(db.Model):
    __tablename__ = "coordination_meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    plan_version_id: Mapped[int] = mapped_column(sa.ForeignKey("plan_versions.id"))
    held_on: Mapped[date]
    attendees: Mapped[list] = mapped_column(JSONType)
    decision: Mapped[str] = mapped_column(sa.String(16))
    requested_changes: Mapped[str | None] = mapped_column(sa.Text)
    submission_id: Mapped[int] = mapped_column(sa.ForeignKey("form_submissions.id"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    # plan: reviews a plan draft; closure: after the evaluation, decides close or continue.
    purpose: Mapped[str] = mapped_column(sa.String(16), default="plan", server_default="plan")
    closure_reason: Mapped[str | None] = mapped_column(sa.String(32))
    person_absence_reason: Mapped[str | None] = mapped_column(sa.Text)

    plan_version = relationship("PlanVersion")


class SupportDecision(db.Model):
    """支援決定: one per statutory service of the approved plan version."""

    __tablename__ = "support_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    plan_version_id: Mapped[int] = mapped_column(sa.ForeignKey("plan_versions.id"))
    # None for a decision taken outside a meeting (a 就労準備 term decided by its review).
    meeting_id: Mapped[int | None] = mapped_column(sa.ForeignKey("coordination_meetings.id"))
    service: Mapped[str] = mapped_column(sa.String(64))
    delivering_role: Mapped[str] = mapped_column(sa.String(32))
    decided_on: Mapped[date]
    period_from: Mapped[date]
    period_to: Mapped[date]
    # decided, in_progress, ended, refused (contract names)
    status: Mapped[str] = mapped_column(sa.String(16), default="decided", server_default="decided")
    term: Mapped[int | None]  # 就労準備支援: 1, 2, …
    eligibility_id: Mapped[int | None] = mapped_column(sa.ForeignKey("service_eligibilities.id"))
    eligibility_basis: Mapped[str | None] = mapped_column(sa.String(16))
    # A term beyond the limits (施行規則第5条ただし書き): the section chief's reason.
    exception_reason: Mapped[str | None] = mapped_column(sa.Text)
    exception_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    notice_id: Mapped[int | None]
    ended_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    plan_version = relationship("PlanVersion")
    eligibility = relationship("ServiceEligibility")


class ServiceRecord(db.Model):
    """One entry of a service track (start, progress, end) from the service_record form."""

    __tablename__ = "service_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    decision_id: Mapped[int | None] = mapped_column(sa.ForeignKey("support_decisions.id"))
    service: Mapped[str] = mapped_column(sa.String(64))
    started_on: Mapped[date]
    status: Mapped[str] = mapped_column(sa.String(16))
    ended_on: Mapped[date | None]
    outcome: Mapped[str | None] = mapped_column(sa.Text)
    submission_id: Mapped[int] = mapped_column(sa.ForeignKey("form_submissions.id"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)


class ProgressNote(db.Model):
    """支援経過記録: append-only."""

    __tablename__ = "progress_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    recorded_on: Mapped[date]
    kind: Mapped[str] = mapped_column(sa.String(32))
    content: Mapped[str] = mapped_column(sa.Text)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    submission_id: Mapped[int] = mapped_column(sa.ForeignKey("form_submissions.id"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
