"""`tsunagi stats verify`: the counters the pages show against a recount from the records."""

from __future__ import annotations

import json
from datetime import date

import sqlalchemy as sa

from app.extensions import db


def _verify(app, *args):
    return app.test_cli_runner().invoke(args=["stats", "verify", *args])


def test_verify_passes_then_fails_after_a_record_is_changed_behind_the_apps_back(app, worked_example):
    result = _verify(app)
    assert result.exit_code == 0, result.output
    assert "ok" in result.output
    assert _verify(app, "--month", "2027-05").exit_code == 0

    # Someone edits an intake's date in the database: the app never saw it, the counters did not move.
    first = db.session.execute(sa.text(
        "SELECT id FROM form_submissions WHERE form_key = 'intake' ORDER BY id LIMIT 1")).scalar()
    data = db.session.execute(sa.text("SELECT data FROM form_submissions WHERE id = :id"), {"id": first}).scalar()
    data = data if isinstance(data, dict) else json.loads(data)
    data["received_on"] = "2027-05-02"
    db.session.execute(sa.text("UPDATE form_submissions SET data = :data WHERE id = :id"),
                       {"data": json.dumps(data), "id": first})
    db.session.commit()

    result = _verify(app)
    assert result.exit_code == 1
    assert "naka 2027-04 new_consultation[self]: shown 30, records 29" in result.output
    assert "naka 2027-05 new_consultation[self]: shown 36, records 37" in result.output
    assert _verify(app, "--month", "2027-06").exit_code == 0  # June was not touched


def test_verify_sees_a_closure_reason_changed_in_the_database(app, records):
    case = records.case(intake_on=date(2027, 4, 3))
    records.close(case, date(2027, 4, 30), "goal_achieved")
    db.session.commit()
    assert _verify(app, "--month", "2027-04").exit_code == 0
    db.session.execute(sa.text("UPDATE closures SET reason = 'moved'"))
    db.session.commit()
    result = _verify(app, "--month", "2027-04")
    assert result.exit_code == 1 and "closure[moved]: shown 0, records 1" in result.output


def test_set_population_and_target_by_cli(app, worked_example):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["wards", "set-population", "naka", "300000", "--as-of", "2027-05-01"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["stats", "set-target", "2027", "--new-consultations", "26", "--plans", "13",
                                 "--employment-support-targets", "8"])
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["wards", "set-population", "atlantis", "10", "--as-of", "2027-05-01"]).exit_code == 2
    from app.services.statistics import monthly_rows

    rows = monthly_rows(["naka"], "2027-04", "2027-06")
    assert [r["per_100k"]["new_consultations"] for r in rows] == [20.0, 12.0, 11.0]  # the population in force
    assert rows[0]["targets"] == {"new_consultations": 26.0, "plans": 13.0, "employment_support_targets": 8.0}
    march = monthly_rows(["naka"], "2027-03", "2027-03")[0]
    assert march["targets"]["new_consultations"] == 24.0 and march["per_100k"]["new_consultations"] is None
