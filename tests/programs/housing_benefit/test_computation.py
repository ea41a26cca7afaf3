"""The arithmetic of the benefit on Yokohama's 2023 figures (the baseline rule seed)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from app.programs.housing_benefit import computation as hb

CONTENT = json.loads((Path(hb.__file__).parents[1] / "rule_seeds" / "housing_benefit.json").read_text())["content"]
APPLIED = date(2027, 6, 10)


def application(**overrides) -> dict:
    data = {"household_size": 1, "incomes": [], "rent": 50000, "common_fee": 0, "assets": 0,
            "job_loss_on": "2027-03-31", "incapacity_days": 0, "main_earner": True, "job_seeker_registered": True}
    return {**data, **overrides}


def wage(gross: int, commuting: int = 0, member: str = "本人") -> dict:
    return {"member": member, "kind": "wage", "gross": gross, "commuting_allowance": commuting}


def test_income_over_the_limit_is_refused_with_both_figures():
    result = hb.compute(CONTENT, application(incomes=[wage(139000, 7000)], rent=54000, common_fee=2000), APPLIED)
    assert [f.code for f in result.failures] == ["INCOME_OVER_LIMIT"]
    assert result.counted_income == 139000 and result.counted_rent == 52000 and result.income_limit == 136000
    assert "139,000円" in result.failures[0].text and "136,000円" in result.failures[0].text
    assert any("通勤手当 7,000円" in note for note in result.notes)
    assert any("共益費" in note for note in result.notes)
    assert any("52,000円 までを算定" in note for note in result.notes)


def test_income_above_the_base_amount_pays_the_difference():
    result = hb.compute(CONTENT, application(incomes=[wage(128000, 9000)], rent=49000, common_fee=6000), APPLIED)
    assert result.passed
    assert result.monthly_amount == 5000  # 84,000 + 49,000 − 128,000
    assert result.income_limit == 133000


def test_every_member_and_kind_of_income_counts():
    incomes = [wage(60000, 5000), {"member": "妻", "kind": "pension", "gross": 30000, "commuting_allowance": 0},
               {"member": "子", "kind": "benefit", "gross": 10000, "commuting_allowance": 0}]
    result = hb.compute(CONTENT, application(household_size=3, incomes=incomes, rent=70000), APPLIED)
    assert result.counted_income == 100000
    assert result.monthly_amount == 68000  # income under 基準額: the rent, at the ceiling
    assert result.income_limit == 240000


def test_assets_are_inclusive_at_the_limit():
    at_limit = hb.compute(CONTENT, application(household_size=3, assets=1000000, rent=60000), APPLIED)
    assert at_limit.passed and at_limit.asset_limit == 1000000
    over = hb.compute(CONTENT, application(household_size=3, assets=1000001, rent=60000), APPLIED)
    assert [f.code for f in over.failures] == ["ASSETS_OVER_LIMIT"]
    assert "1,000,001円" in over.failures[0].text


def test_asset_limit_is_six_times_the_base_amount_below_the_cap():
    assert hb.figures(CONTENT, 1)["asset_limit"] == 504000
    assert hb.figures(CONTENT, 2)["asset_limit"] == 780000
    assert hb.figures(CONTENT, 9) == hb.figures(CONTENT, 7)


def test_job_loss_window_two_years_extended_by_incapacity_and_capped_at_four():
    too_old = hb.compute(CONTENT, application(job_loss_on="2025-05-31"), APPLIED)  # 2 years + 10 days
    assert [f.code for f in too_old.failures] == ["SEPARATION_TOO_OLD"]
    ill = hb.compute(CONTENT, application(job_loss_on="2025-05-31", incapacity_days=31), APPLIED)
    assert ill.passed and ill.window_end == "2027-07-01"
    short_illness = hb.compute(CONTENT, application(job_loss_on="2025-05-31", incapacity_days=29), APPLIED)
    assert [f.code for f in short_illness.failures] == ["SEPARATION_TOO_OLD"]
    capped = hb.compute(CONTENT, application(job_loss_on="2023-06-05", incapacity_days=3 * 365), APPLIED)
    assert [f.code for f in capped.failures] == ["SEPARATION_TOO_OLD"]
    assert capped.window_end == "2027-06-05"
    assert any("最長 4年" in note for note in capped.notes)


def test_every_failed_requirement_is_listed():
    result = hb.compute(CONTENT, application(incomes=[wage(200000)], assets=600000, job_loss_on="2020-01-01",
                                             main_earner=False, job_seeker_registered=False), APPLIED)
    assert [f.code for f in result.failures] == ["INCOME_OVER_LIMIT", "ASSETS_OVER_LIMIT", "SEPARATION_TOO_OLD",
                                                 "NOT_MAIN_EARNER", "NOT_JOB_SEEKER"]


def test_months_and_stop_month():
    assert hb.months("2027-11", 3) == ["2027-11", "2027-12", "2028-01"]
    assert hb.last_day("2028-02") == date(2028, 2, 29)
    assert hb.stop_month(CONTENT, date(2027, 7, 15)) == "2027-08"
    assert hb.stop_month({**CONTENT, "stop_effective": "same_month"}, date(2027, 7, 15)) == "2027-07"
    assert hb.duty_compliant(CONTENT, {"desk_interviews": 4, "hello_work_sessions": 2, "weeks_with_application": 4})
    assert not hb.duty_compliant(CONTENT, {"desk_interviews": 4, "hello_work_sessions": 1,
                                           "weeks_with_application": 4})


def test_an_income_drop_without_job_loss_is_not_judged_on_the_window_and_says_so():
    result = hb.compute(CONTENT, application(job_loss_on=None), APPLIED)
    assert result.passed and result.window_end is None
    assert any("休業等" in note for note in result.notes)
