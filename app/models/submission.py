from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db

from .base import JSONType, utcnow


class FormSubmission(db.Model):
    """A submitted form, exactly as validated; never updated (corrections are new rows)."""

    __tablename__ = "form_submissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    human_task_id: Mapped[int | None] = mapped_column(sa.ForeignKey("human_tasks.id"), unique=True)
    action: Mapped[str | None] = mapped_column(sa.String(64))
    form_key: Mapped[str] = mapped_column(sa.String(64))
    form_version: Mapped[int]
    data: Mapped[dict] = mapped_column(JSONType)
    actor_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    submitted_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    actor = relationship("User")
