"""Tasks for a staff member outside any workflow: a follow-up after closure, a 支援会議's agreed action."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db

from .base import utcnow


class StaffTask(db.Model):
    """One thing one staff member is to do by a date; the case (if any) may already be closed."""

    __tablename__ = "staff_tasks"
    __table_args__ = (sa.Index("ix_staff_tasks_open", "assignee_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ward: Mapped[str] = mapped_column(sa.String(32))
    kind: Mapped[str] = mapped_column(sa.String(32))  # follow_up, support_meeting_action
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    support_meeting_id: Mapped[int | None] = mapped_column(sa.ForeignKey("support_meetings.id"), index=True)
    title: Mapped[str] = mapped_column(sa.Text)
    due_on: Mapped[date]
    assignee_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(sa.String(16), default="open")  # open, done
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    assignee = relationship("User", foreign_keys=[assignee_id])
