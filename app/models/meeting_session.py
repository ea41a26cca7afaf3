"""個別支援調整会議 sessions: one sitting of the ward's meeting that decides several cases."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db

from .base import JSONType, utcnow


class MeetingSession(db.Model):
    __tablename__ = "meeting_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    ward: Mapped[str] = mapped_column(sa.String(32), index=True)
    held_on: Mapped[date]
    place: Mapped[str] = mapped_column(sa.String(200))
    member_ids: Mapped[list] = mapped_column(JSONType)  # staff attending (user ids)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    cases = relationship("MeetingSessionCase", order_by="MeetingSessionCase.id", back_populates="session")


class MeetingSessionCase(db.Model):
    """A case on a session's agenda; its minutes complete the case's meeting task."""

    __tablename__ = "meeting_session_cases"
    __table_args__ = (sa.UniqueConstraint("session_id", "case_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting_sessions.id"), index=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    human_task_id: Mapped[int] = mapped_column(sa.ForeignKey("human_tasks.id"))
    coordination_meeting_id: Mapped[int | None] = mapped_column(sa.ForeignKey("coordination_meetings.id"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    session = relationship("MeetingSession", back_populates="cases")
    case = relationship("Case")
    task = relationship("HumanTask")
