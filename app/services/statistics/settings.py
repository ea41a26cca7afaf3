"""Ward populations (with their base dates) and the 目安値 table: the denominators and the targets."""

from __future__ import annotations

from datetime import date

from app import audit_chain
from app.codes import WARDS
from app.errors import ValidationFailed
from app.extensions import db
from app.models import StatTarget, WardPopulation

from .counting import CITY


def set_population(ward: str, population: int, as_of: date, actor_id: int | None = None) -> WardPopulation:
    """The population of a ward (or ``city``) on a base date; a second figure for that date replaces it."""
    if ward not in WARDS and ward != CITY:
        raise ValidationFailed({"ward": [f"区コードが正しくありません: {ward}"]})
    if population <= 0:
        raise ValidationFailed({"population": ["人口は1以上の整数で指定してください"]})
    row = db.session.query(WardPopulation).filter_by(ward=ward, as_of=as_of).one_or_none()
    before = row.population if row else None
    if row is None:
        row = WardPopulation(ward=ward, as_of=as_of, population=population, set_by_id=actor_id)
        db.session.add(row)
    row.population, row.set_by_id = population, actor_id
    audit_chain.record("ward_population_set", None, actor_id, ward=ward, as_of=as_of.isoformat(),
                       population=population, before=before)
    db.session.commit()
    return row


def set_target(fiscal_year: int, new_consultations: float, plans: float, employment_support_targets: float,
               actor_id: int | None = None) -> StatTarget:
    """The 目安値 of a fiscal year (per 100,000 population per month)."""
    if not 2000 <= fiscal_year <= 2100:
        raise ValidationFailed({"fiscal_year": ["年度は西暦4桁で指定してください"]})
    values = {"new_consultations": new_consultations, "plans": plans,
              "employment_support_targets": employment_support_targets}
    bad = {name: ["目安値は0以上の数で指定してください"] for name, value in values.items() if value < 0}
    if bad:
        raise ValidationFailed(bad)
    row = db.session.get(StatTarget, fiscal_year)
    if row is None:
        row = StatTarget(fiscal_year=fiscal_year, **values)
        db.session.add(row)
    for name, value in values.items():
        setattr(row, name, value)
    audit_chain.record("stat_target_set", None, actor_id, fiscal_year=fiscal_year, **values)
    db.session.commit()
    return row
