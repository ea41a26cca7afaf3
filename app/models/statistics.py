"""Statistics (支援状況調査): job and income outcomes, the counted facts, populations and targets."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db

from .base import utcnow


class Outcome(db.Model):
    """A job start (就労) or an income increase (増収), recorded once with the date it happened."""

    __tablename__ = "outcomes"
    __table_args__ = (sa.UniqueConstraint("case_id", "kind", "on", name="uq_outcomes_case_kind_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(32))  # employed, income_increased
    on: Mapped[date]
    permanent: Mapped[bool] = mapped_column(default=False)
    monthly_income: Mapped[int | None]
    submission_id: Mapped[int] = mapped_column(sa.ForeignKey("form_submissions.id"))
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)


class StatFact(db.Model):
    """One counted event (a consultation, a first plan, a job, a closure, …) in the month it counts.

    Written in the transaction of the step that moved it; the pages aggregate these rows and
    `tsunagi stats verify` recomputes them from the records.
    """

    __tablename__ = "stat_facts"
    # Covers the monthly aggregate (an index-only scan on PostgreSQL).
    __table_args__ = (sa.Index("ix_stat_facts_month_ward_indicator", "month", "ward", "indicator", "detail",
                               "of_which_plan"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    ward: Mapped[str] = mapped_column(sa.String(32))
    month: Mapped[str] = mapped_column(sa.String(7))  # YYYY-MM
    indicator: Mapped[str] = mapped_column(sa.String(40))
    detail: Mapped[str | None] = mapped_column(sa.String(40))  # route, closure reason, …
    of_which_plan: Mapped[bool] = mapped_column(default=False)
    source: Mapped[str] = mapped_column(sa.String(40))  # the record it counts, e.g. "submission:12"


class WardPopulation(db.Model):
    """A ward's (or the city's, ward ``city``) population on an official base date."""

    __tablename__ = "ward_populations"
    __table_args__ = (sa.UniqueConstraint("ward", "as_of", name="uq_ward_populations_ward_as_of"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ward: Mapped[str] = mapped_column(sa.String(32))
    as_of: Mapped[date]
    population: Mapped[int]
    set_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)


class StatTarget(db.Model):
    """目安値: per 100,000 population per month, by fiscal year (in force until a later year is set)."""

    __tablename__ = "stat_targets"

    fiscal_year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    new_consultations: Mapped[float] = mapped_column(sa.Numeric(6, 1))
    plans: Mapped[float] = mapped_column(sa.Numeric(6, 1))
    employment_support_targets: Mapped[float] = mapped_column(sa.Numeric(6, 1))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow,
                                                 server_default=sa.func.now())


# The national 目安値 of the first fiscal years (the migration stores them; a table without them,
# e.g. one emptied by hand, still has them); later years are set with `tsunagi stats set-target`.
INITIAL_TARGETS = (
    {"fiscal_year": 2015, "new_consultations": 20, "plans": 10, "employment_support_targets": 6},
    {"fiscal_year": 2016, "new_consultations": 22, "plans": 11, "employment_support_targets": 7},
    {"fiscal_year": 2017, "new_consultations": 24, "plans": 12, "employment_support_targets": 7},
)

