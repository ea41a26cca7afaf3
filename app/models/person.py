from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db

from .base import utcnow


class Person(db.Model):
    __tablename__ = "persons"
    __table_args__ = (sa.Index("ix_persons_kana_birth", "kana", "birth_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(128))
    kana: Mapped[str] = mapped_column(sa.String(128))
    birth_date: Mapped[date | None]
    address: Mapped[str | None] = mapped_column(sa.String(256))
    phone: Mapped[str | None] = mapped_column(sa.String(32))
    # 生活保護受給中: no Act-based plan (生活困窮者自立支援法) while this is set.
    receiving_public_assistance: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
