"""Programme rules as data: one row per version of a rule set, in force from its date."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db

from .base import JSONType, utcnow


class RuleVersion(db.Model):
    """A version of a programme's figures (e.g. ``housing_benefit``), in force from ``effective_from``
    until the next version of the same name; never updated, a change is a new row."""

    __tablename__ = "rule_versions"
    __table_args__ = (sa.UniqueConstraint("name", "effective_from", name="uq_rule_versions_name_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(64))
    effective_from: Mapped[date] = mapped_column(sa.Date)
    content: Mapped[dict] = mapped_column(JSONType)
    note: Mapped[str | None] = mapped_column(sa.Text)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
