"""Per-ward deadline rules and closed days; the defaults live in app/lifecycle/deadlines.py."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db

from .base import utcnow


class DeadlineRule(db.Model):
    """Overrides one default rule for a ward (or every ward when ward is NULL) from a date on."""

    __tablename__ = "deadline_rules"
    __table_args__ = (sa.UniqueConstraint("rule", "ward", "effective_from", name="uq_deadline_rules_rule_ward_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rule: Mapped[str] = mapped_column(sa.String(64), index=True)
    ward: Mapped[str | None] = mapped_column(sa.String(32))
    days: Mapped[int]
    business_days: Mapped[bool] = mapped_column(default=False)
    effective_from: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)


class ClosedDay(db.Model):
    """A day a ward office is closed besides weekends, national holidays and 年末年始."""

    __tablename__ = "closed_days"
    __table_args__ = (sa.UniqueConstraint("ward", "day", name="uq_closed_days_ward_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ward: Mapped[str | None] = mapped_column(sa.String(32))  # NULL: every ward
    day: Mapped[date] = mapped_column(index=True)
    note: Mapped[str | None] = mapped_column(sa.String(200))
