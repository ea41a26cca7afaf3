"""Programme figures as data: shown by date, changed only by an admin, audited."""

from __future__ import annotations

import json
from datetime import date

from app.extensions import db
from app.models import AuditEvent
from app.programs.rules import household_figures, rules_in_force


def test_the_shipped_housing_benefit_figures(app):
    rules = rules_in_force("housing_benefit", date(2027, 4, 1))
    assert rules.label == "housing_benefit@2023-04-01"
    one, two, three, eight = (household_figures(rules, n) for n in (1, 2, 3, 8))
    assert (one["base_amount"], one["rent_ceiling"], one["income_limit_max"], one["asset_limit"]) == (
        84000, 52000, 136000, 504000)
    assert two["asset_limit"] == 780000
    assert three["asset_limit"] == 1000000 and three["rent_ceiling"] == 68000  # 172,000 × 6 capped
    assert eight["household_size_row"] == 7 and eight["base_amount"] == 334000


def test_rules_show_prints_the_version_in_force(app):
    result = app.test_cli_runner().invoke(args=["rules", "show", "housing_benefit", "--on", "2027-04-01"])
    assert result.exit_code == 0, result.output
    assert "housing_benefit@2023-04-01" in result.output
    assert "84,000円" in result.output and "136,000円" in result.output and "504,000円" in result.output
    bad = app.test_cli_runner().invoke(args=["rules", "show", "housing_benefit", "--on", "2023-03-31"])
    assert bad.exit_code != 0 and "有効な規則" in bad.output


def test_a_new_version_is_an_audited_admin_action_in_force_from_its_date(app, make_user, tmp_path):
    make_user("root", "admin", ward=None)
    make_user("cw", "caseworker")
    content = json.loads(json.dumps(rules_in_force("housing_benefit", date(2027, 1, 1)).content))
    content["by_household_size"]["1"]["base_amount"] = 85000
    path = tmp_path / "hb.json"
    path.write_text(json.dumps(content), encoding="utf-8")
    runner = app.test_cli_runner()

    refused = runner.invoke(args=["rules", "set", "housing_benefit", "--file", str(path), "--effective",
                                  "2027-10-01", "--by", "cw"])
    assert refused.exit_code != 0 and "システム管理者" in refused.output

    done = runner.invoke(args=["rules", "set", "housing_benefit", "--file", str(path), "--effective", "2027-10-01",
                               "--by", "root", "--note", "基準額の改定"])
    assert done.exit_code == 0, done.output
    assert household_figures(rules_in_force("housing_benefit", date(2027, 9, 30)), 1)["base_amount"] == 84000
    later = rules_in_force("housing_benefit", date(2027, 10, 1))
    assert later.label == "housing_benefit@2027-10-01" and household_figures(later, 1)["base_amount"] == 85000
    shown = runner.invoke(args=["rules", "show", "housing_benefit", "--on", "2027-10-01"])
    assert "85,000円" in shown.output and "基準額の改定" in shown.output

    [event] = db.session.query(AuditEvent).filter_by(event_type="rules_changed").all()
    assert event.case_id is None and event.data["effective_from"] == "2027-10-01"
    assert event.data["replaces"] == "housing_benefit@2023-04-01"

    again = runner.invoke(args=["rules", "set", "housing_benefit", "--file", str(path), "--effective",
                                "2027-10-01", "--by", "root"])
    assert again.exit_code != 0 and "既にあります" in again.output


def test_a_version_the_programme_could_not_use_is_refused(app, make_user, tmp_path):
    make_user("root", "admin", ward=None)
    content = json.loads(json.dumps(rules_in_force("housing_benefit", date(2027, 1, 1)).content))
    content["by_household_size"]["2"]["rent_ceiling"] = -1
    del content["duties"]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(content), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["rules", "set", "housing_benefit", "--file", str(path),
                                                "--effective", "2027-10-01", "--by", "root"])
    assert result.exit_code != 0 and "duties" in result.output
    assert db.session.query(AuditEvent).filter_by(event_type="rules_changed").count() == 0
