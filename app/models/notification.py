"""In-app notifications (one row per recipient) and timer incidents shown to operators."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db

from .base import JSONType, utcnow


class Notification(db.Model):
    """An alert for one person; dedupe_key makes each alert appear once per recipient."""

    __tablename__ = "notifications"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "dedupe_key", name="uq_notifications_user_dedupe"),
        sa.Index("ix_notifications_user_unread", "user_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(64))
    dedupe_key: Mapped[str] = mapped_column(sa.String(128))
    params: Mapped[dict] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    emailed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    user = relationship("User")


class TimerIncident(db.Model):
    """A case whose timer keeps failing: retried with backoff, then left open for an operator."""

    __tablename__ = "timer_incidents"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    status: Mapped[str] = mapped_column(sa.String(16), default="retrying")  # retrying, open, resolved
    attempts: Mapped[int] = mapped_column(default=0)
    element_id: Mapped[str | None] = mapped_column(sa.String(128))
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    first_failed_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
