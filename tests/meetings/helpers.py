"""Bringing cases to the meetings through the same HTTP doors caseworkers use."""

from __future__ import annotations

from datetime import date, timedelta

from tests.helpers import case_of, complete, walk_in


def to_evaluation(cw, lead, day: date = date(2026, 11, 26), **intake) -> int:
    """A case whose plan (no statutory services) was approved and whose period ended at a monitoring."""
    case_id = walk_in(cw)
    end = (day + timedelta(days=20)).isoformat()
    complete(cw, case_id, "intake", day, new_person=True, **intake)
    complete(cw, case_id, "assessment", day)
    complete(cw, case_id, "plan", day, statutory_services=[], plan_to=end,
             next_monitoring_on=(day + timedelta(days=10)).isoformat())
    complete(lead, case_id, "coordination_meeting", day, decision="approve")
    complete(cw, case_id, "monitoring", day, contact_on=end, next_monitoring_on=end)
    assert case_of(case_id).state == "evaluation", case_of(case_id).state
    return case_id


def to_meeting(cw, day: date = date(2026, 11, 26), **intake) -> int:
    """A case whose first plan waits for its coordination meeting."""
    case_id = walk_in(cw)
    complete(cw, case_id, "intake", day, new_person=True, **intake)
    complete(cw, case_id, "assessment", day)
    complete(cw, case_id, "plan", day)
    assert case_of(case_id).state == "meeting"
    return case_id
