"""Deadline rules (defaults marked [G]) and the due dates computed from them.

A ward may override a rule from an effective date on (DeadlineRule rows); the rule in force
on the day the clock starts (the referral, the application, the missed contact) applies.
Calendar-day deadlines that land on a closed day move to the next business day; business-day
deadlines count only business days of the ward's calendar.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from app.extensions import db
from app.lifecycle.calendar import BusinessCalendar, calendar_for, pass_cache, settings_read
from app.models import DeadlineRule

# The hour (Japan time) at which a date-only deadline's timer fires: the start of office hours.
TIMER_HOUR_JST = 9


@dataclass(frozen=True)
class Rule:
    days: int
    business_days: bool = False


DEFAULT_RULES: dict[str, Rule] = {
    "first_contact_after_referral": Rule(3, business_days=True),
    "assessment_after_application": Rule(14),
    "no_response_letter": Rule(14),
    "no_response_home_visit": Rule(30),
    "no_response_suspension": Rule(60),
    "no_response_evaluation": Rule(90),
    "evaluation_overdue": Rule(14),
}

# Keys of the workflow variable `no_response_ladder` (timeDate of the ladder's boundary timers).
LADDER_STEPS = {
    "no_response_letter": "letter_at",
    "no_response_home_visit": "home_visit_at",
    "no_response_suspension": "suspension_at",
    "no_response_evaluation": "evaluation_at",
}


def rule_for(rule: str, ward: str | None, on: date) -> Rule:
    """The ward's override in force on `on`, else the city-wide override, else the default."""
    if rule not in DEFAULT_RULES:
        raise KeyError(f"unknown deadline rule {rule}")
    rows = [row for row in _overrides(rule, ward) if row[1] <= on]
    if rows:
        best = max(rows, key=lambda row: (row[0] is not None, row[1]))
        return Rule(best[2], best[3])
    return DEFAULT_RULES[rule]


def _overrides(rule: str, ward: str | None) -> list[tuple[str | None, date, int, bool]]:
    """(ward, effective_from, days, business_days) of the city's and the ward's overrides of a rule."""
    cache = pass_cache()
    key = ("rule", rule, ward)
    if cache is not None and key in cache:
        return cache[key]
    with settings_read():
        rows = [
            (row.ward, row.effective_from, row.days, row.business_days)
            for row in db.session.query(DeadlineRule)
            .filter(DeadlineRule.rule == rule)
            .filter((DeadlineRule.ward == ward) | DeadlineRule.ward.is_(None))
        ]
    if cache is not None:
        cache[key] = rows
    return rows


def due_date(rule: str, ward: str | None, start: date, calendar: BusinessCalendar | None = None) -> date:
    calendar = calendar or calendar_for(ward)
    found = rule_for(rule, ward, start)
    if found.business_days:
        return calendar.add_business_days(start, found.days)
    return calendar.on_or_after(start + timedelta(days=found.days))


def timer_at(day: date) -> str:
    """A timeDate value for a BPMN timer: the start of office hours on that day, Japan time."""
    return f"{day.isoformat()}T{TIMER_HOUR_JST:02d}:00:00+09:00"


def first_contact_due(ward: str | None, referred_on: date) -> date:
    """連絡票 received → the person must be contacted within 3 business days [G]."""
    return due_date("first_contact_after_referral", ward, referred_on)


def assessment_due(ward: str | None, applied_on: date) -> date:
    return due_date("assessment_after_application", ward, applied_on)


def evaluation_overdue_on(ward: str | None, plan_to: date) -> date:
    return due_date("evaluation_overdue", ward, plan_to)


def no_response_ladder(ward: str | None, missed_on: date) -> dict:
    """Workflow variables for the non-response ladder, counted from the missed contact (D0)."""
    calendar = calendar_for(ward)
    ladder = {"missed_on": missed_on.isoformat()}
    for rule, key in LADDER_STEPS.items():
        ladder[key] = timer_at(due_date(rule, ward, missed_on, calendar))
    return {"no_response_ladder": ladder}


# Which date each ladder task is due on (the workflow variable it reads).
_LADDER_TASK_DUE = {
    "recontact": "missed_on",
    "contact_letter": "letter_at",
    "home_visit": "home_visit_at",
    "suspension_decision": "suspension_at",
    "suspended_contact": "evaluation_at",
    "evaluation_no_response": "evaluation_at",
}


def _iso_day(value) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def task_due_on(bpmn_id: str, form_key: str | None, data: dict, ward: str | None) -> date | None:
    """The due date of a newly opened task under the deadline rules, or None when no rule applies."""
    key = _LADDER_TASK_DUE.get(bpmn_id)
    if key:
        return _iso_day((data.get("no_response_ladder") or {}).get(key))
    if form_key == "assessment" and _iso_day(data.get("received_on")):
        return assessment_due(ward, _iso_day(data["received_on"]))
    if form_key == "evaluation" and _iso_day(data.get("plan_to")):
        return evaluation_overdue_on(ward, _iso_day(data["plan_to"]))
    return None
