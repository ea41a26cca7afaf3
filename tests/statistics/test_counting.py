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
