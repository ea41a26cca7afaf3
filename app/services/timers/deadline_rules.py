"""Changing the deadline rules: a ward's (or the city's) override from a date on, and closed days."""

from __future__ import annotations

from datetime import date

from app.extensions import db
from app.lifecycle.deadlines import DEFAULT_RULES
from app.models import ClosedDay, DeadlineRule


def set_rule(rule: str, days: int, business_days: bool, effective_from: date, ward: str | None) -> DeadlineRule:
    """Add (or replace) a ward's or the city's override of a rule from a date on."""
    if rule not in DEFAULT_RULES:
        raise KeyError(f"unknown deadline rule {rule}; known: {', '.join(sorted(DEFAULT_RULES))}")
    if days < 0:
        raise ValueError("days must not be negative")
    row = db.session.query(DeadlineRule).filter_by(rule=rule, ward=ward, effective_from=effective_from).first()
    if row is None:
        row = DeadlineRule(rule=rule, ward=ward, effective_from=effective_from, days=days)
        db.session.add(row)
    row.days, row.business_days = days, business_days
    db.session.commit()
    return row


def add_closed_day(day: date, ward: str | None, note: str | None) -> None:
    if db.session.query(ClosedDay).filter_by(ward=ward, day=day).first() is None:
        db.session.add(ClosedDay(ward=ward, day=day, note=note))
        db.session.commit()
