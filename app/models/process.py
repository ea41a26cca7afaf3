from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db

from .base import JSONType, utcnow


class ProcessVersion(db.Model):
    """An immutable deployment: the BPMN files and the form definitions they use."""

    __tablename__ = "process_versions"
    __table_args__ = (
        sa.UniqueConstraint("process_id", "version"),
        sa.UniqueConstraint("process_id", "content_hash"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[str] = mapped_column(sa.String(64))
    version: Mapped[int]
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    bpmn_files: Mapped[dict] = mapped_column(JSONType)  # {filename: xml}
    form_definitions: Mapped[dict] = mapped_column(JSONType)  # {form_key: definition dict}
    note: Mapped[str | None] = mapped_column(sa.Text)
    deployed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    deployed_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
