"""Application → screening → grant or refusal, through the API; the decision keeps its figures."""

from __future__ import annotations

from datetime import date

from app.extensions import db
from app.models import FormSubmission, HbApplication

from .conftest import application, wage

APPLIED = date(2027, 6, 10)


def test_income_over_the_limit_is_refused_with_the_figures(benefit):
    benefit.on(APPLIED)
    benefit.open_case()
    benefit.action("apply_housing_benefit", application(APPLIED, incomes=[wage(139000, 7000)], rent=54000,
                                                        common_fee=2000))
    current = benefit.current()
    assert current["status"] == "screening"
    assert current["computation"]["counted_income"] == 139000 and current["computation"]["income_limit"] == 136000
    answer = benefit.screen("grant", expect=422)
    assert "INCOME_OVER_LIMIT" in answer["errors"]["decision"][0]
    benefit.screen("refuse")
    current = benefit.current()
    assert current["status"] == "refused"
    (refusal,) = current["decisions"]
    assert refusal["kind"] == "refusal" and refusal["reason_code"] == "INCOME_OVER_LIMIT"
    assert "139,000円" in refusal["reason_text"] and "136,000円" in refusal["reason_text"]
    assert refusal["rule_version"] == "housing_benefit@2023-04-01"
    assert current["payments"] == []


def test_grant_schedules_three_months_to_the_payee(benefit):
    benefit.on(APPLIED)
    benefit.open_case()
    benefit.action("apply_housing_benefit", application(APPLIED, incomes=[wage(128000, 9000)], rent=49000,
                                                        common_fee=6000))
    benefit.screen("grant")
    current = benefit.current()
    assert current["status"] == "paying"
    (grant,) = current["decisions"]
    assert grant["kind"] == "grant" and grant["amount"] == 5000
    assert (grant["months_from"], grant["months_to"]) == ("2027-06", "2027-08")
    assert [(p["month"], p["amount"], p["payee"], p["status"]) for p in current["payments"]] == [
        ("2027-06", 5000, "みなと不動産株式会社", "scheduled"), ("2027-07", 5000, "みなと不動産株式会社", "scheduled"),
        ("2027-08", 5000, "みなと不動産株式会社", "scheduled")]
    db.session.expire_all()
    stored = db.session.query(HbApplication).one()
    assert stored.decisions[0].computation["monthly_amount"] == 5000
    assert stored.decisions[0].rule_label == "housing_benefit@2023-04-01"


def test_assets_at_the_limit_pass_and_one_yen_over_is_refused(benefit):
    benefit.on(APPLIED)
    benefit.open_case()
    benefit.action("apply_housing_benefit", application(APPLIED, household_size=3, assets=1000001, rent=60000))
    benefit.screen("refuse")
    assert benefit.current()["decisions"][0]["reason_code"] == "ASSETS_OVER_LIMIT"
    benefit.action("apply_housing_benefit", application(APPLIED, household_size=3, assets=1000000, rent=60000))
    benefit.screen("grant")
    assert benefit.current()["status"] == "paying"


def test_job_loss_window(benefit):
    benefit.on(APPLIED)
    benefit.open_case()
    benefit.action("apply_housing_benefit", application(APPLIED, job_loss_on="2025-05-31"))
    benefit.screen("refuse")
    assert benefit.current()["decisions"][0]["reason_code"] == "SEPARATION_TOO_OLD"
    benefit.action("apply_housing_benefit", application(APPLIED, job_loss_on="2023-06-05", incapacity_days=1095))
    benefit.screen("refuse")
    assert benefit.current()["decisions"][0]["reason_code"] == "SEPARATION_TOO_OLD"
    benefit.action("apply_housing_benefit", application(APPLIED, job_loss_on="2025-05-31", incapacity_days=31))
    benefit.screen("grant")
    assert benefit.current()["status"] == "paying"


def test_bad_input_names_the_field_and_stores_nothing(benefit):
    benefit.on(APPLIED)
    benefit.open_case()
    cases = [
        ({"rent": -1}, "rent"),
        ({"household_size": 0}, "household_size"),
        ({"incomes": [{"member": "本人", "gross": 1000}]}, "incomes[0].kind"),
        ({"incomes": [wage(-5)]}, "incomes[0].gross"),
        ({"payee": None}, "payee"),
        ({"payee_name": ""}, "payee_name"),
    ]
    for overrides, field in cases:
        answer = benefit.action("apply_housing_benefit", application(APPLIED, **overrides), expect=422)
        assert field in answer["errors"], (field, answer)
    db.session.expire_all()
    assert db.session.query(HbApplication).count() == 0
    assert db.session.query(FormSubmission).filter_by(form_key="hb_application").count() == 0


def test_screening_is_for_lead_workers_and_section_chiefs(benefit):
    benefit.on(APPLIED)
    benefit.open_case()
    benefit.action("apply_housing_benefit", application(APPLIED))
    benefit.complete("hb_screening", {"decision": "grant"}, client=benefit.cw, expect=403)
    benefit.complete("hb_screening", {"decision": "grant"}, client=benefit.chief)
    assert benefit.current()["status"] == "paying"
