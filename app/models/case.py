from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db

from .base import utcnow


class Case(db.Model):
    """One episode (相談ケース) of one person, in one ward."""

    __tablename__ = "cases"
    # The ward's running cases by state (the supervisors' worklist counts them on every visit)
    # from the index alone: most of a ward's cases are closed ones of past years.
    __table_args__ = (sa.Index("ix_cases_open_ward_state", "ward", "state",
                               postgresql_where=sa.text("state <> 'closed'"),
                               sqlite_where=sa.text("state <> 'closed'")),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ward: Mapped[str] = mapped_column(sa.String(32), index=True)
    person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("persons.id"), index=True)
    state: Mapped[str] = mapped_column(sa.String(32), index=True)
    assigned_to_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    opened_on: Mapped[date]
    closed_on: Mapped[date | None]
    closure_reason: Mapped[str | None] = mapped_column(sa.String(32))
    route: Mapped[str | None] = mapped_column(sa.String(32))
    # The 支援会議 that led to this consultation (route support_meeting), if intake named it.
    support_meeting_id: Mapped[int | None] = mapped_column(sa.ForeignKey("support_meetings.id"))
    # 再相談: the earlier episode of the same person this one follows (closed episodes stay as they are).
    previous_case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    reconsultation: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # The household member this episode was opened for (8050: the son who finally comes himself).
    household_member_id: Mapped[int | None] = mapped_column(sa.ForeignKey("household_members.id"))
    process_version_id: Mapped[int] = mapped_column(sa.ForeignKey("process_versions.id"))
    # Deferred: only a step reads it, under the case lock (the lock queries undefer it);
    # lists and pages that load many cases do not carry every serialized workflow along.
    workflow_blob: Mapped[bytes] = mapped_column(sa.LargeBinary, deferred=True)
    next_timer_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True), index=True)
    lock_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    person = relationship("Person")
    assigned_to = relationship("User")
    process_version = relationship("ProcessVersion")
    previous_case = relationship("Case", remote_side=[id])

    __mapper_args__ = {"version_id_col": lock_version}

    @property
    def is_closed(self) -> bool:
        return self.state == "closed"


class Closure(db.Model):
    __tablename__ = "closures"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), unique=True)
    closed_on: Mapped[date]
    reason: Mapped[str] = mapped_column(sa.String(32))
    submission_id: Mapped[int | None] = mapped_column(sa.ForeignKey("form_submissions.id"))
    closed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
