"""The counting rules, on the worked example of a ward of 150,000 people."""

from __future__ import annotations

from datetime import date

from app.extensions import db
from app.services.statistics import monthly_rows


def test_worked_example_per_100k_monthly_next_to_targets(worked_example):
    rows = monthly_rows(["naka"], "2027-04", "2027-06")
    assert [r["month"] for r in rows] == ["2027-04", "2027-05", "2027-06"]
    assert [r["new_consultations"] for r in rows] == [30, 36, 33]
    assert [r["plans"] for r in rows] == [9, 12, 15]
    assert [r["employment_support_targets"] for r in rows] == [6, 6, 9]
    assert [r["per_100k"]["new_consultations"] for r in rows] == [20.0, 24.0, 22.0]
    assert [r["per_100k"]["plans"] for r in rows] == [6.0, 8.0, 10.0]
    assert [r["per_100k"]["employment_support_targets"] for r in rows] == [4.0, 4.0, 6.0]
    # FY2027 has no 目安値 of its own: FY2017's (the latest set) is in force.
    assert rows[0]["targets"] == {"new_consultations": 24.0, "plans": 12.0, "employment_support_targets": 7.0}


def test_city_total_sums_the_wards(worked_example):
    worked_example.case(ward="minami", intake_on=date(2027, 4, 3))
    db.session.commit()
    rows = monthly_rows(None, "2027-04", "2027-04")
    assert len(rows) == 19
    by_ward = {r["ward"]: r for r in rows}
    assert by_ward["naka"]["new_consultations"] == 30
    assert by_ward["minami"]["new_consultations"] == 1
    assert by_ward["city"]["new_consultations"] == 31
    assert by_ward["city"]["per_100k"]["new_consultations"] is None  # no city population yet


def test_each_event_counts_once_in_its_own_month(records):
    first = records.case(intake_on=date(2027, 4, 2), route="family")
    again = records.case(intake_on=date(2027, 4, 9), reconsultation=True)  # 再相談: counted again, flagged
    records.approve_plan(first, date(2027, 4, 20), employment=False)
    records.outcome(first, "income_increased", date(2027, 4, 25))  # no employment-support plan: not "of which"
    records.approve_plan(again, date(2027, 4, 28), employment=True)
    records.outcome(again, "employed", date(2027, 4, 27))  # the day before the plan: not "of which"
    records.outcome(again, "employed", date(2027, 5, 6))
    records.close(first, date(2027, 5, 31), "goal_achieved")
    # Records written after the closure (a follow-up, a late note) never count the closure again.
    records.submit(first, "progress_note", {"recorded_on": "2027-06-02"})
    records.submit(first, "pa_handoff", {"handed_over_at": "2027-06-30T23:30:00+00:00"})  # 1 July in Japan
    db.session.commit()
    april, may, june, july = monthly_rows(["naka"], "2027-04", "2027-07")
    assert (april["new_consultations"], april["reconsultations"]) == (2, 1)
    assert april["routes"] == {"family": 1, "self": 1}
    assert (april["plans"], april["employment_support_targets"]) == (2, 1)
    assert (april["income_increased"], april["income_increased_of_which_plan"]) == (1, 0)
    assert (april["employed"], april["employed_of_which_plan"]) == (1, 0)
    assert (may["employed"], may["employed_of_which_plan"], may["income_increased"]) == (1, 1, 0)
    assert may["closures_by_reason"] == {"goal_achieved": 1}
    assert june["closures_by_reason"] == {} and june["pa_referrals"] == 0
    assert july["pa_referrals"] == 1
    assert [r["hb_grants"] + r["hb_refusals"] + r["hb_extensions"] for r in (april, may, june, july)] == [0] * 4


def test_a_case_moved_to_another_ward_takes_its_figures_along(records):
    case = records.case(intake_on=date(2027, 4, 2))
    db.session.commit()
    case.ward = "minami"
    db.session.commit()
    rows = {r["ward"]: r for r in monthly_rows(["naka", "minami"], "2027-04", "2027-04")}
    assert (rows["naka"]["new_consultations"], rows["minami"]["new_consultations"]) == (0, 1)
