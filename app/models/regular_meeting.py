"""定例支援調整会議: a ward's quarterly meeting with agencies outside the section, and its pack."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db

from .base import JSONType, utcnow


class RegularMeeting(db.Model):
    """The pack is generated once, when the meeting is set up, and kept as it was shown."""

    __tablename__ = "regular_meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    ward: Mapped[str] = mapped_column(sa.String(32), index=True)
    quarter: Mapped[str] = mapped_column(sa.String(6))  # fiscal: 2027Q1 = April–June 2027
    held_on: Mapped[date]
    pack: Mapped[dict] = mapped_column(JSONType)
    minutes: Mapped[dict | None] = mapped_column(JSONType)  # attending agencies, per review, resource issues
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
