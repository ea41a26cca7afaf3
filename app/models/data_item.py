from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db

from .base import JSONType, utcnow

# What a data item is about (``category``). Arrears categories follow the section they came from.
DATA_CATEGORIES = (
    "tax_arrears", "nhi_arrears", "water_arrears", "housing_arrears", "school_lunch_arrears",
    "income", "address", "other",
)

# 滞納の種類 (a section code) -> (data source, category).
ARREARS_SOURCES: dict[str, tuple[str, str]] = {
    "tax": ("tax", "tax_arrears"),
    "nhi": ("nhi", "nhi_arrears"),
    "water": ("water", "water_arrears"),
    "municipal_housing": ("municipal_housing", "housing_arrears"),
    "school_lunch": ("school_lunch", "school_lunch_arrears"),
}


class DataItem(db.Model):
    """One value about a person or an episode, tagged with the department it came from.

    ``source`` is a contract data-source code (``person``, ``tax``, ``nhi``, ``water``,
    ``municipal_housing``, ``school_lunch``, ``public_assistance``, ``agency``); masking rules key
    on it. Rows are never updated: a correction is a new row (the newest per category wins).
    """

    __tablename__ = "data_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("persons.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    category: Mapped[str] = mapped_column(sa.String(32))
    source: Mapped[str] = mapped_column(sa.String(32))
    value: Mapped[dict | list | str | int | None] = mapped_column(JSONType)
    note: Mapped[str | None] = mapped_column(sa.Text)
    recorded_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    submission_id: Mapped[int | None] = mapped_column(sa.ForeignKey("form_submissions.id"))

    recorded_by = relationship("User")
