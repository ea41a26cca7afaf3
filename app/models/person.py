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


# Case search matches any part of a name or its kana, with or without the space between family
# and given name (`LIKE '%…%'`): on PostgreSQL trigram GIN indexes answer that without reading
# every person (100,000 and more).  Elsewhere the column ones are plain indexes the search does
# not use, and the expression ones are not made (`ddl_if`).
TRIGRAM_EXTENSION_SQL = "CREATE EXTENSION IF NOT EXISTS pg_trgm"
_COMPACT_NAME = sa.func.replace(Person.name, " ", "").label("name_compact")
_COMPACT_KANA = sa.func.replace(Person.kana, " ", "").label("kana_compact")
SEARCH_INDEXES = (
    sa.Index("ix_persons_name_trgm", Person.name, postgresql_using="gin", postgresql_ops={"name": "gin_trgm_ops"}),
    sa.Index("ix_persons_kana_trgm", Person.kana, postgresql_using="gin", postgresql_ops={"kana": "gin_trgm_ops"}),
    sa.Index("ix_persons_name_compact_trgm", _COMPACT_NAME, postgresql_using="gin",
             postgresql_ops={"name_compact": "gin_trgm_ops"}).ddl_if(dialect="postgresql"),
    sa.Index("ix_persons_kana_compact_trgm", _COMPACT_KANA, postgresql_using="gin",
             postgresql_ops={"kana_compact": "gin_trgm_ops"}).ddl_if(dialect="postgresql"),
)
sa.event.listen(Person.__table__, "before_create", sa.DDL(TRIGRAM_EXTENSION_SQL).execute_if(dialect="postgresql"))
