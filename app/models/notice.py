"""Official notices (通知書) issued on a case, and their document-number series."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db

from .base import JSONType, utcnow


class Notice(db.Model):
    """One issued notice: what it says is fixed at issue (``content``); it is printed from that.

    ``content`` holds ``lead`` (the sentence stating the decision), ``items`` (the numbered lines
    under 「記」, each ``{label, value, category?}``; an item with a privacy category is left out
    for readers who may not see it), ``reason`` and ``remarks``.
    """

    __tablename__ = "notices"
    __table_args__ = (sa.UniqueConstraint("ward", "fiscal_year", "serial", name="uq_notices_ward_year_serial"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    ward: Mapped[str] = mapped_column(sa.String(32))
    kind: Mapped[str] = mapped_column(sa.String(32))
    fiscal_year: Mapped[int] = mapped_column(sa.Integer)
    serial: Mapped[int] = mapped_column(sa.Integer)
    number: Mapped[str] = mapped_column(sa.String(64))
    issued_on: Mapped[date] = mapped_column(sa.Date)
    subject: Mapped[str] = mapped_column(sa.String(200))
    decision_ref: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    plan_version: Mapped[int | None] = mapped_column(sa.Integer)
    recipient: Mapped[str] = mapped_column(sa.String(16), default="person")
    addressee: Mapped[str | None] = mapped_column(sa.String(200))
    content: Mapped[dict] = mapped_column(JSONType)
    issued_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)


class NoticeSeries(db.Model):
    """The last document number used by a ward in a fiscal year (文書番号 run per year)."""

    __tablename__ = "notice_series"

    ward: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    fiscal_year: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    last_serial: Mapped[int] = mapped_column(sa.Integer, default=0)
