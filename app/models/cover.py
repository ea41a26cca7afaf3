from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db

from .base import utcnow


class CoverAssignment(db.Model):
    """代理: while a caseworker is away, another user sees and acts on their cases and tasks."""

    __tablename__ = "cover_assignments"
    __table_args__ = (sa.Index("ix_cover_assignments_cover_dates", "cover_user_id", "starts_on", "ends_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ward: Mapped[str] = mapped_column(sa.String(32))
    absent_user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    cover_user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    reason: Mapped[str] = mapped_column(sa.Text)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    absent_user = relationship("User", foreign_keys=[absent_user_id])
    cover_user = relationship("User", foreign_keys=[cover_user_id])
