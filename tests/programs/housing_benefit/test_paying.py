"""Months of paying: the payment run, extensions, duties and instruction, and the stops."""

from __future__ import annotations

from datetime import date

from app.extensions import db
from app.models import AuditEvent, HbPayment

from .conftest import application, wage

APPLIED = date(2027, 6, 10)  # month 1 = 2027-06


def granted_three_person(benefit) -> None:
    benefit.on(APPLIED)
    benefit.open_case()
    benefit.action("apply_housing_benefit", application(
        APPLIED, household_size=3, incomes=[wage(60000, 5000), {"member": "妻", "kind": "pension", "gross": 40000,
                                                                 "commuting_allowance": 0}],
        rent=70000, assets=200000))
    benefit.screen("grant")


def statuses(benefit) -> list[tuple[str, int, str]]:
    return [(p["month"], p["amount"], p["status"]) for p in benefit.current()["payments"]]


def test_grant_extension_permanent_job_and_stop_pay_exactly_five_months(benefit):
    granted_three_person(benefit)
    assert benefit.current()["decisions"][0]["amount"] == 68000  # rent 70,000 at the ceiling
    for month, day in (("2027-06", date(2027, 6, 25)), ("2027-07", date(2027, 7, 1)), ("2027-08", date(2027, 8, 1))):
        benefit.on(day)
        assert "paid 1 payment(s)" in benefit.pay(month)
        benefit.report_duties(month)
    benefit.on(date(2027, 8, 20))
    benefit.action("hb_apply_extension", {"applied_on": "2027-08-20", "incomes": [wage(60000)], "assets": 150000})
    benefit.screen("grant")
    current = benefit.current()
    assert current["extensions"] == 1 and current["months_to"] == "2027-11"
    assert [d["kind"] for d in current["decisions"]] == ["grant", "extension"]
    benefit.on(date(2027, 9, 1))
    benefit.pay("2027-09")
    benefit.on(date(2027, 9, 5))
    benefit.action("hb_report_permanent_job", {"started_on": "2027-09-05", "permanent": True,
                                               "first_pay_on": "2027-10-25", "monthly_income": 260000})
    benefit.report_duties("2027-09")
    benefit.on(date(2027, 10, 1))
    benefit.pay("2027-10")
    benefit.on(date(2027, 10, 28))
    benefit.action("hb_report_income", {"month": "2027-10", "incomes": [wage(260000, 10000)]})
    task_id = benefit.task_id("hb_stop")
    shown = benefit.chief.get(f"/tasks/{task_id}").get_json()
    assert shown["prefill"] == {"decision": "stop", "reason_code": "PERMANENT_JOB_INCOME",
                                "effective_month": "2027-11"}, shown
    benefit.complete("hb_stop", {"decision": "stop", "reason_code": "PERMANENT_JOB_INCOME",
                                 "effective_month": "2027-11"}, client=benefit.chief)
    current = benefit.current()
    assert current["status"] == "stopped"
    stop = current["decisions"][-1]
    assert (stop["kind"], stop["reason_code"], stop["effective_month"]) == ("stop", "PERMANENT_JOB_INCOME", "2027-11")
    assert "260,000円" in stop["reason_text"]
    assert statuses(benefit) == [("2027-06", 68000, "paid"), ("2027-07", 68000, "paid"), ("2027-08", 68000, "paid"),
                                 ("2027-09", 68000, "paid"), ("2027-10", 68000, "paid"),
                                 ("2027-11", 68000, "cancelled")]
    benefit.on(date(2027, 11, 1))
    assert "paid 0 payment(s)" in benefit.pay("2027-11")
    assert [d["kind"] for d in current["decisions"]] == ["grant", "extension", "stop"]
    assert all(d["notice_id"] for d in current["decisions"])
    notices = benefit.cw.get(f"/cases/{benefit.case_id}/notices").get_json()
    assert [n["kind"] for n in notices] == ["hb_grant", "hb_extension", "hb_stop"]


def test_the_payment_run_pays_each_payment_once(benefit):
    granted_three_person(benefit)
    assert "paid 1 payment(s)" in benefit.pay("2027-06")
    assert "paid 0 payment(s)" in benefit.pay("2027-06")
    db.session.expire_all()
    assert db.session.query(AuditEvent).filter_by(event_type="hb_payment_paid").count() == 1
    assert statuses(benefit)[0] == ("2027-06", 68000, "paid")


def test_no_duties_in_month_one_leads_to_instruction_and_stop_from_month_three(benefit):
    granted_three_person(benefit)
    benefit.pay("2027-06")
    assert "raised 0" in benefit.check_duties(date(2027, 6, 30))  # month 1 is not over yet
    assert "raised 1" in benefit.check_duties(date(2027, 7, 1))
    assert "raised 0" in benefit.check_duties(date(2027, 7, 1))  # once
    benefit.on(date(2027, 7, 1))
    benefit.pay("2027-07")
    benefit.on(date(2027, 7, 2))
    shown = benefit.cw.get(f"/tasks/{benefit.task_id('hb_duty_check')}").get_json()
    assert shown["prefill"]["outcome"] == "instruct" and "2027-06分" in shown["prefill"]["content"]
    benefit.complete("hb_duty_check", {"outcome": "instruct", "deadline": "2027-07-15",
                                       "content": "2027年6月の求職活動状況報告を提出してください"}, client=benefit.cw)
    instruction = benefit.current()["decisions"][-1]
    assert (instruction["kind"], instruction["deadline"]) == ("instruction", "2027-07-15")
    answer = benefit.complete("hb_stop", {"decision": "stop", "reason_code": "JOB_SEARCH_DUTY_NOT_MET",
                                          "effective_month": "2027-08"}, client=benefit.chief, expect=422)
    assert "decision" in answer["errors"]  # the instruction's deadline has not passed
    benefit.on(date(2027, 7, 16))
    benefit.complete("hb_stop", {"decision": "stop", "reason_code": "JOB_SEARCH_DUTY_NOT_MET",
                                 "effective_month": "2027-08"}, client=benefit.chief)
    assert benefit.current()["status"] == "stopped"
    assert statuses(benefit) == [("2027-06", 68000, "paid"), ("2027-07", 68000, "paid"),
                                 ("2027-08", 68000, "cancelled")]


def test_an_extension_after_the_final_paid_month_is_refused_late(benefit):
    granted_three_person(benefit)
    for month in ("2027-06", "2027-07", "2027-08"):
        benefit.report_duties(month)
    benefit.on(date(2027, 9, 1))
    benefit.action("hb_apply_extension", {"applied_on": "2027-09-01", "incomes": [wage(60000)], "assets": 150000})
    refusal = benefit.current()["decisions"][-1]
    assert (refusal["kind"], refusal["reason_code"]) == ("extension_refusal", "EXTENSION_LATE")
    assert "2027-08-31" in refusal["reason_text"]
    assert [p["month"] for p in benefit.current()["payments"]] == ["2027-06", "2027-07", "2027-08"]
    assert "paid 0 payment(s)" in benefit.pay("2027-09")


def test_an_extension_without_the_duty_records_says_which_months_lack_them(benefit):
    granted_three_person(benefit)
    for month, day in (("2027-06", date(2027, 6, 25)), ("2027-07", date(2027, 7, 1))):
        benefit.on(day)
        benefit.pay(month)
    benefit.report_duties("2027-06")
    benefit.on(date(2027, 8, 10))
    benefit.action("hb_apply_extension", {"applied_on": "2027-08-10", "incomes": [], "assets": 150000})
    refusal = benefit.current()["decisions"][-1]
    assert refusal["kind"] == "extension_refusal" and "2027-07" in refusal["reason_text"]
    assert "2027-06" not in refusal["reason_text"].split("報告のない月")[1]


def test_public_assistance_starting_stops_the_benefit_and_tells_the_pa_side(benefit):
    granted_three_person(benefit)
    benefit.pay("2027-06")
    benefit.on(date(2027, 7, 1))
    benefit.pay("2027-07")
    benefit.action("request_pa_handoff", {"note": "生活保護の申請を希望"})
    benefit.on(date(2027, 7, 10))
    task_id = benefit.task_id("pa_handoff")
    response = benefit.cw.post(f"/tasks/{task_id}/complete", json={"data": {
        "consent_to_share": True, "handed_over_at": "2027-07-10T10:00:00+09:00", "application_received": True,
        "note": "同日、生活保護担当へ同行"}})
    assert response.status_code == 200, response.get_json()
    current = benefit.current()
    stop = current["decisions"][-1]
    assert (stop["kind"], stop["reason_code"], stop["effective_month"]) == \
        ("stop", "PUBLIC_ASSISTANCE_STARTED", "2027-07")
    assert statuses(benefit) == [("2027-06", 68000, "paid"), ("2027-07", 68000, "paid"),
                                 ("2027-08", 68000, "cancelled")]
    db.session.expire_all()
    event = db.session.query(AuditEvent).filter_by(event_type="hb_pa_notified").one()
    assert event.data["covered_months"] == ["2027-06", "2027-07"]
    assert db.session.query(HbPayment).filter_by(status="scheduled").count() == 0


def test_training_benefit_suspends_and_resumes_without_touching_paid_months(benefit):
    granted_three_person(benefit)
    benefit.pay("2027-06")
    benefit.on(date(2027, 6, 20))
    benefit.action("hb_propose_stop", {"decision": "suspend", "reason_code": "TRAINING_BENEFIT",
                                       "effective_month": "2027-07", "note": "職業訓練受講給付金の受給開始"})
    benefit.complete("hb_stop", {"decision": "suspend", "reason_code": "TRAINING_BENEFIT",
                                 "effective_month": "2027-07"}, client=benefit.chief)
    current = benefit.current()
    assert current["status"] == "suspended" and current["decisions"][-1]["kind"] == "suspension"
    assert current["decisions"][-1]["notice_id"] is not None
    assert statuses(benefit) == [("2027-06", 68000, "paid"), ("2027-07", 68000, "cancelled"),
                                 ("2027-08", 68000, "cancelled")]
    benefit.on(date(2027, 7, 20))
    benefit.action("hb_propose_stop", {"decision": "resume", "reason_code": "TRAINING_BENEFIT",
                                       "effective_month": "2027-08"})
    benefit.complete("hb_stop", {"decision": "resume", "reason_code": "TRAINING_BENEFIT",
                                 "effective_month": "2027-08"}, client=benefit.chief)
    assert benefit.current()["status"] == "paying"
    assert statuses(benefit) == [("2027-06", 68000, "paid"), ("2027-07", 68000, "cancelled"),
                                 ("2027-08", 68000, "scheduled")]


def test_a_stop_cannot_reach_back_into_paid_months_and_extensions_are_limited_to_two(benefit):
    granted_three_person(benefit)
    for month in ("2027-06", "2027-07", "2027-08"):
        benefit.report_duties(month)
    benefit.on(date(2027, 8, 20))
    for round_, applied in enumerate(("2027-08-20", "2027-11-20"), start=1):
        benefit.on(date.fromisoformat(applied))
        benefit.action("hb_apply_extension", {"applied_on": applied, "incomes": [], "assets": 150000})
        benefit.screen("grant")
        assert benefit.current()["extensions"] == round_
        for month in {1: ("2027-09", "2027-10", "2027-11"), 2: ()}[round_]:
            benefit.report_duties(month)
    assert benefit.current()["months_to"] == "2028-02"
    benefit.on(date(2028, 2, 10))
    benefit.action("hb_apply_extension", {"applied_on": "2028-02-10", "incomes": [], "assets": 150000})
    refusal = benefit.current()["decisions"][-1]
    assert (refusal["kind"], refusal["reason_code"]) == ("extension_refusal", "EXTENSION_LIMIT")
    assert len(benefit.current()["payments"]) == 9
    benefit.action("hb_propose_stop", {"decision": "stop", "reason_code": "MOVED_OUT", "effective_month": "2028-01"})
    answer = benefit.complete("hb_stop", {"decision": "stop", "reason_code": "MOVED_OUT",
                                          "effective_month": "2028-01"}, client=benefit.chief, expect=422)
    assert "effective_month" in answer["errors"]
    every = benefit.current()["decisions"]
    assert all(d["notice_id"] for d in every), every


def test_duty_counts_follow_the_rule_version_in_force_that_month(benefit, make_user, tmp_path):
    import json

    from app.programs.rules import rules_in_force

    granted_three_person(benefit)
    make_user("admin1", "admin", ward=None)
    relaxed = {**rules_in_force("housing_benefit", APPLIED).content,
               "duties": {"desk_interviews": 1, "hello_work_sessions": 1, "weeks_with_application": 1}}
    path = tmp_path / "relaxed.json"
    path.write_text(json.dumps(relaxed), encoding="utf-8")
    result = benefit.app.test_cli_runner().invoke(args=[
        "rules", "set", "housing_benefit", "--file", str(path), "--effective", "2027-07-01", "--by", "admin1",
        "--note", "求職活動要件の緩和"])
    assert result.exit_code == 0, result.output
    counts = {"desk_interviews": 1, "hello_work_sessions": 1, "weeks_with_application": 1}
    benefit.action("hb_report_duties", {"month": "2027-06", **counts})
    benefit.action("hb_report_duties", {"month": "2027-07", **counts})
    assert [(d["month"], d["compliant"]) for d in benefit.current()["duties"]] == [("2027-06", False),
                                                                                   ("2027-07", True)]
    answer = benefit.action("hb_report_duties", {"month": "2027-09", **counts}, expect=422)
    assert "month" in answer["errors"]  # outside the months granted


def test_a_reported_public_assistance_start_date_stops_through_the_chief_and_tells_the_pa_side(benefit):
    granted_three_person(benefit)
    benefit.pay("2027-06")
    benefit.on(date(2027, 7, 1))
    benefit.pay("2027-07")
    benefit.action("hb_propose_stop", {"decision": "stop", "reason_code": "PUBLIC_ASSISTANCE_STARTED",
                                       "effective_month": "2027-08", "note": "保護開始日 2027-08-01"})
    benefit.complete("hb_stop", {"decision": "stop", "reason_code": "PUBLIC_ASSISTANCE_STARTED",
                                 "effective_month": "2027-08"}, client=benefit.chief)
    assert statuses(benefit)[-1] == ("2027-08", 68000, "cancelled")
    notices = benefit.cw.get(f"/cases/{benefit.case_id}/notices").get_json()
    assert [n["kind"] for n in notices] == ["hb_grant", "hb_stop", "pa_notice"]
    db.session.expire_all()
    assert db.session.query(AuditEvent).filter_by(event_type="hb_pa_notified").one().data["covered_months"] == [
        "2027-06", "2027-07"]


def test_an_extension_over_the_income_limit_cannot_be_granted_and_is_refused_with_its_figures(benefit):
    granted_three_person(benefit)
    benefit.on(date(2027, 8, 5))
    benefit.action("hb_apply_extension", {"applied_on": "2027-08-05", "incomes": [wage(250000)],
                                          "assets": 150000})
    answer = benefit.screen("grant", expect=422)
    assert "INCOME_OVER_LIMIT" in answer["errors"]["decision"][0]
    benefit.screen("refuse")
    current = benefit.current()
    refusal = current["decisions"][-1]
    assert (refusal["kind"], refusal["reason_code"]) == ("extension_refusal", "INCOME_OVER_LIMIT")
    assert "250,000円" in refusal["reason_text"] and "240,000円" in refusal["reason_text"]
    assert current["status"] == "paying" and current["months_to"] == "2027-08" and len(current["payments"]) == 3
    notices = benefit.cw.get(f"/cases/{benefit.case_id}/notices").get_json()
    assert [n["kind"] for n in notices] == ["hb_grant", "hb_extension_refusal"]


def test_recording_the_public_assistance_start_stops_the_benefit_from_that_month(benefit):
    granted_three_person(benefit)
    benefit.pay("2027-06")
    benefit.on(date(2027, 7, 1))
    benefit.pay("2027-07")
    benefit.on(date(2027, 7, 12))
    benefit.action("record_pa_start", {"started_on": "2027-07-10"})
    current = benefit.current()
    assert current["status"] == "stopped"
    assert (current["decisions"][-1]["reason_code"], current["decisions"][-1]["effective_month"]) == \
        ("PUBLIC_ASSISTANCE_STARTED", "2027-07")
    assert statuses(benefit)[-1] == ("2027-08", 68000, "cancelled")
    kinds = [n["kind"] for n in benefit.cw.get(f"/cases/{benefit.case_id}/notices").get_json()]
    assert kinds[-2:] == ["hb_stop", "pa_notice"]
