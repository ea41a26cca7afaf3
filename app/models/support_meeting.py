"""支援会議 (Act art. 9): closed meetings about people not yet connected or not consenting.

Nothing here refers to a case: items name a household by a label only.  A later intake may
name the meeting (``Case.support_meeting_id``).
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db

from .base import utcnow


class SupportMeeting(db.Model):
    __tablename__ = "support_meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    ward: Mapped[str] = mapped_column(sa.String(32), index=True)
    held_on: Mapped[date]
    convened_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    minutes: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    members = relationship("SupportMeetingMember", order_by="SupportMeetingMember.id")
    items = relationship("SupportMeetingItem", order_by="SupportMeetingItem.id")


class SupportMeetingMember(db.Model):
    """A named member and their confidentiality acknowledgement (守秘義務の確認: who, when)."""

    __tablename__ = "support_meeting_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("support_meetings.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    agency: Mapped[str] = mapped_column(sa.String(200))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    acknowledged_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))


class SupportMeetingItem(db.Model):
    """One piece of information tabled: which agency it comes from, what it is, which household."""

    __tablename__ = "support_meeting_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("support_meetings.id"), index=True)
    source_agency: Mapped[str] = mapped_column(sa.String(32))
    category: Mapped[str] = mapped_column(sa.String(32))
    content: Mapped[str] = mapped_column(sa.Text)
    household_label: Mapped[str] = mapped_column(sa.String(100))
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
