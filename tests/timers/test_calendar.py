"""Business days: weekends, national holidays (jpholiday), 年末年始 and each ward's closed days."""

from __future__ import annotations

from datetime import date

from app.extensions import db
from app.lifecycle.calendar import BusinessCalendar
from app.lifecycle.deadlines import (
    assessment_due,
    evaluation_overdue_on,
    first_contact_due,
    no_response_ladder,
    rule_for,
)
from app.models import ClosedDay, DeadlineRule


def test_golden_week_is_skipped_for_first_contact(app):
    # 2027: 4/29 昭和の日 (Thu), 4/30 open, 5/1-5/2 weekend, 5/3-5/5 holidays, 5/6 open.
    cal = BusinessCalendar("naka", set())
    assert not cal.is_business_day(date(2027, 4, 29)) and cal.is_business_day(date(2027, 4, 30))
    assert [cal.is_business_day(date(2027, 5, d)) for d in range(1, 8)] == [False] * 5 + [True, True]
    assert first_contact_due("naka", date(2027, 4, 28)) == date(2027, 5, 7)


def test_year_end_break_is_closed(app):
    cal = BusinessCalendar("naka", set())
    assert not any(cal.is_business_day(date(2026, 12, d)) for d in (29, 30, 31))
    assert not any(cal.is_business_day(date(2027, 1, d)) for d in (1, 2, 3))
    assert cal.is_business_day(date(2026, 12, 28)) and cal.is_business_day(date(2027, 1, 4))
    # Friday 12/25 → 12/28 (1), 1/4 (2), 1/5 (3)
    assert first_contact_due("naka", date(2026, 12, 25)) == date(2027, 1, 5)
    # calendar-day deadlines landing in the break move to the first open day
    assert assessment_due("naka", date(2026, 12, 20)) == date(2027, 1, 4)
    assert evaluation_overdue_on("naka", date(2026, 12, 18)) == date(2027, 1, 4)


def test_ward_closed_days_apply_to_that_ward_only(app):
    db.session.add(ClosedDay(ward="naka", day=date(2027, 1, 4), note="庁舎停電"))
    db.session.add(ClosedDay(ward=None, day=date(2027, 1, 6), note="全区システム停止"))
    db.session.commit()
    assert first_contact_due("naka", date(2026, 12, 25)) == date(2027, 1, 7)
    assert first_contact_due("minami", date(2026, 12, 25)) == date(2027, 1, 5)
    assert first_contact_due("minami", date(2026, 12, 28)) == date(2027, 1, 7)
    assert first_contact_due("naka", date(2026, 12, 28)) == date(2027, 1, 8)


def test_rules_per_ward_with_effective_dates(app):
    db.session.add(DeadlineRule(rule="first_contact_after_referral", ward="naka", days=2, business_days=True,
                                effective_from=date(2027, 4, 1)))
    db.session.add(DeadlineRule(rule="assessment_after_application", ward=None, days=10,
                                effective_from=date(2027, 1, 1)))
    db.session.commit()
    assert rule_for("first_contact_after_referral", "naka", date(2027, 3, 31)).days == 3
    assert first_contact_due("naka", date(2027, 4, 28)) == date(2027, 5, 6)
    assert first_contact_due("minami", date(2027, 4, 28)) == date(2027, 5, 7)
    assert assessment_due("naka", date(2026, 12, 1)) == date(2026, 12, 15)
    assert assessment_due("naka", date(2027, 2, 1)) == date(2027, 2, 12)  # 2/11 建国記念の日


def test_ladder_due_times_skip_closed_days(app):
    ladder = no_response_ladder("naka", date(2027, 4, 19))
    assert ladder == {"no_response_ladder": {
        "missed_on": "2027-04-19",
        "letter_at": "2027-05-06T09:00:00+09:00",  # D+14 = 5/3 憲法記念日
        "home_visit_at": "2027-05-19T09:00:00+09:00",
        "suspension_at": "2027-06-18T09:00:00+09:00",
        "evaluation_at": "2027-07-20T09:00:00+09:00",  # 7/18 Sun, 7/19 海の日
    }}


def test_deadlines_command_sets_rules_and_closed_days(app):
    runner = app.test_cli_runner()
    out = runner.invoke(args=["deadlines", "set", "first_contact_after_referral", "2", "--business-days",
                              "--from", "2027-04-01", "--ward", "naka"])
    assert out.exit_code == 0, out.output
    assert runner.invoke(args=["deadlines", "close", "2027-05-06", "--ward", "naka"]).exit_code == 0
    assert first_contact_due("naka", date(2027, 4, 28)) == date(2027, 5, 7)  # 4/30 (1), 5/6 closed, 5/7 (2)
    shown = runner.invoke(args=["deadlines", "show", "--ward", "naka", "--on", "2027-04-01"]).output
    assert "first_contact_after_referral: 2 business days" in shown
    bad = runner.invoke(args=["deadlines", "set", "no_such_rule", "2", "--from", "2027-04-01"])
    assert bad.exit_code == 2 and "unknown deadline rule" in bad.output
