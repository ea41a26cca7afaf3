from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db

from .base import JSONType, utcnow


class IdempotencyRecord(db.Model):
    """The answer to an API step sent with an Idempotency-Key, written in the step's own transaction.

    A retry with the same user and key gets this answer back instead of doing the step again, so a
    client that lost the first answer (a timeout, a dropped connection) never opens a second case
    or completes a task twice.  The key claims its row at the start of the step: a simultaneous
    retry waits on the unique index and then reads the committed answer.
    """

    __tablename__ = "idempotency_records"
    __table_args__ = (sa.UniqueConstraint("user_id", "key", name="uq_idempotency_records_user_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    key: Mapped[str] = mapped_column(sa.String(128))
    # "POST /api/v1/cases": the same key on another endpoint is a reuse, refused like another body.
    request: Mapped[str] = mapped_column(sa.String(300))
    request_hash: Mapped[str] = mapped_column(sa.String(64))
    status: Mapped[int] = mapped_column(default=0)
    response: Mapped[dict | None] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
