"""就労準備支援: eligibility (standard test or 準ずる者), term 1 from the meeting, terms 2–4 by review,
a fifth term only with a section chief's exception."""

from __future__ import annotations

from datetime import date, timedelta

from app.extensions import db
from app.models import ServiceEligibility, SupportDecision
from tests.helpers import complete

from .conftest import DAY, open_task

# A 70-year-old in a 2-person household; income 205,000 > 130,000 + 62,000.
OLD = {"birth_date": "1956-05-01"}
OVER = {"household_size": 2, "monthly_income": 205000, "assets": 100000}
DEEMED = {"service": "work_readiness", "basis": "deemed",
          "reason": "同居の子の収入で世帯収入は基準を超えるが、本人は長期のひきこもりで就労準備支援が必要",
          "approved_by": "lead"}


def _to_meeting(login, staff, intake_case, services=("work_readiness",)):
    cw = login(staff["caseworker"])
    case_id = intake_case(**OLD)
    complete(cw, case_id, "assessment", DAY, **OVER)
    complete(cw, case_id, "plan", DAY, statutory_services=list(services))
    return cw, case_id


def test_a_failed_standard_test_offers_the_deemed_route_and_term_1_is_decided(app, staff, login, api,
                                                                             intake_case):
    cw, case_id = _to_meeting(login, staff, intake_case)
    worker = api(staff["caseworker"])
    refused = worker.action(case_id, "record_eligibility", {"service": "work_readiness", "basis": "standard"}, 422)
    message = refused["errors"]["basis"][0]
    assert "205,000円" in message and "130,000円" in message and "62,000円" in message and "準ずる者" in message
    # Without any eligibility on record the meeting cannot approve the failed test either; its page says so.
    lead = login(staff["lead_worker"])
    meeting_page = lead.get(f"/tasks/{open_task(case_id, 'meeting').id}").get_data(as_text=True)
    assert "法定事業の要件確認" in meeting_page and "205,000" in meeting_page and "192,000" in meeting_page
    assert "準ずる者として要件確認を記録してください" in meeting_page
    complete(lead, case_id, "coordination_meeting", DAY, expect=422)
    assert db.session.query(SupportDecision).filter_by(case_id=case_id).count() == 0
    worker.action(case_id, "record_eligibility", DEEMED)
    meeting_page = lead.get(f"/tasks/{open_task(case_id, 'meeting').id}").get_data(as_text=True)
    assert "承認 lead" in meeting_page
    complete(lead, case_id, "coordination_meeting", DAY)
    services = worker.get(f"/cases/{case_id}/services").get_json()
    assert len(services) == 1
    term = services[0]
    assert term["service"] == "work_readiness" and term["term"] == 1 and term["plan_version"] == 1
    assert term["from"] == DAY.isoformat() and term["to"] == date(2027, 2, 25).isoformat()
    assert term["eligibility"]["basis"] == "deemed"
    assert term["eligibility"]["approved_by"] == "lead" and term["eligibility"]["reason"].startswith("同居の子")
    assert term["eligibility"]["approved_at"] == "2026-11-26T12:00:00+09:00"
    assert term["eligibility"]["figures"]["income_limit"] == 192000
    assert term["status"] == "in_progress"
    review = open_task(case_id, "work_readiness_review")
    assert review is not None and review.due_on == date(2027, 2, 11)


def test_deemed_eligibility_needs_a_reason_and_an_approving_chief_of_the_ward(app, staff, login, api, intake_case,
                                                                             make_user):
    _cw, case_id = _to_meeting(login, staff, intake_case)
    worker = api(staff["caseworker"])
    make_user("lead_minami", "lead_worker", ward="minami")
    for data, field in (({**DEEMED, "reason": ""}, "reason"), ({**DEEMED, "approved_by": ""}, "approved_by"),
                        ({**DEEMED, "approved_by": "cw2x"}, "approved_by"),
                        ({**DEEMED, "approved_by": "navi"}, "approved_by"),
                        ({**DEEMED, "approved_by": "lead_minami"}, "approved_by")):
        answer = worker.action(case_id, "record_eligibility", data, 422)
        assert field in answer["errors"], (data, answer)
    assert db.session.query(ServiceEligibility).filter_by(case_id=case_id).count() == 0
    answer = worker.action(case_id, "record_eligibility", {**DEEMED, "service": "household_budget"}, 422)
    assert "service" in answer["errors"]


def test_a_passed_standard_test_is_recorded_with_its_figures_and_budget_support_needs_none(app, staff, login, api,
                                                                                          intake_case):
    cw = login(staff["caseworker"])
    case_id = intake_case(**OLD)
    complete(cw, case_id, "assessment", DAY, household_size=2, monthly_income=150000, assets=100000)
    complete(cw, case_id, "plan", DAY, statutory_services=["work_readiness", "household_budget"])
    complete(login(staff["lead_worker"]), case_id, "coordination_meeting", DAY)
    services = {row["service"]: row for row in api(staff["caseworker"]).get(f"/cases/{case_id}/services").get_json()}
    assert services["work_readiness"]["eligibility"]["basis"] == "standard"
    assert services["work_readiness"]["eligibility"]["figures"]["income"] == 150000
    assert services["household_budget"]["eligibility"]["basis"] == "not_required"
    assert services["household_budget"]["term"] is None
    # A provider sees the decisions, never the income figures.
    navigator = api(staff["employment_navigator"]).get(f"/cases/{case_id}/services")
    assert navigator.status_code == 200
    assert all(row["eligibility"]["figures"] == {} for row in navigator.get_json())


def _review(client_login, staff, case_id, expect=303, **data):
    task = open_task(case_id, "work_readiness_review")
    from tests.helpers import form_post

    response = client_login.post(f"/tasks/{task.id}", data=form_post({"outcome": "next_term", **data}))
    assert response.status_code == expect, response.get_data(as_text=True)[:2000]
    return response


def test_terms_2_to_4_by_review_and_a_fifth_only_with_a_section_chiefs_exception(app, staff, login, api,
                                                                                intake_case, clock):
    cw, case_id = _to_meeting(login, staff, intake_case)
    worker = api(staff["caseworker"])
    worker.action(case_id, "record_eligibility", DEEMED)
    complete(login(staff["lead_worker"]), case_id, "coordination_meeting", DAY)
    for expected_term in (2, 3, 4):
        clock.advance(days=80)
        worker = api(staff["caseworker"])  # tokens expire: a fresh one each quarter
        _review(cw, staff, case_id)
        answer = worker.get(f"/cases/{case_id}/services").get_json()
        assert isinstance(answer, list), answer
        rows = [r for r in answer if r["status"] != "ended"]
        assert [r["term"] for r in rows] == [expected_term]
    terms = worker.get(f"/cases/{case_id}/services").get_json()
    assert [t["term"] for t in terms] == [1, 2, 3, 4]
    assert all(t["plan_version"] == 1 for t in terms)
    assert terms[3]["to"] == (date.fromisoformat(terms[0]["from"]) + timedelta(days=364)).isoformat()
    # A fifth term: refused without the exception, nothing stored.
    clock.advance(days=80)
    worker = api(staff["caseworker"])
    response = _review(cw, staff, case_id, expect=422)
    assert "施行規則第5条" in response.get_data(as_text=True)
    assert db.session.query(SupportDecision).filter_by(case_id=case_id).count() == 4
    reason = "体調の回復に時間を要し、あと3か月で就労が見込める"
    _review(cw, staff, case_id, expect=422, exception_reason=reason,
            exception_approved_by="lead")  # a lead worker is not a section chief
    assert db.session.query(SupportDecision).filter_by(case_id=case_id).count() == 4
    _review(cw, staff, case_id, exception_reason=reason, exception_approved_by="chief")
    terms = worker.get(f"/cases/{case_id}/services").get_json()
    assert [t["term"] for t in terms] == [1, 2, 3, 4, 5]
    assert terms[4]["exception"]["reason"].startswith("体調の回復")
    # Each term has its own 支援決定通知書 on plan version 1.
    notices = worker.get(f"/cases/{case_id}/notices").get_json()
    assert [(n["kind"], n["plan_version"]) for n in notices] == [("support_decision", 1)] * 5
    assert [t["notice_id"] for t in terms] == [n["notice_id"] for n in notices]
    fifth = cw.get(f"/notices/{terms[4]['notice_id']}").get_data(as_text=True)
    for text in ("支援決定通知書", "就労準備支援", "第5期", "第1版", "ただし書き", "令和", "中生支第"):
        assert text in fifth, text
    review = open_task(case_id, "work_readiness_review")
    assert review is not None
    response = cw.post(f"/tasks/{review.id}", data={"outcome": "end"})
    assert response.status_code == 303
    statuses = [t["status"] for t in worker.get(f"/cases/{case_id}/services").get_json()]
    assert statuses == ["ended"] * 5
    assert open_task(case_id, "work_readiness_review") is None


def test_a_plan_revised_at_the_meeting_leaves_no_decision_on_version_1(app, staff, login, api, intake_case):
    cw, case_id = _to_meeting(login, staff, intake_case, services=("work_readiness", "household_budget"))
    worker = api(staff["caseworker"])
    worker.action(case_id, "record_eligibility", DEEMED)
    lead = login(staff["lead_worker"])
    complete(lead, case_id, "coordination_meeting", DAY, decision="revise", requested_changes="目標を具体的に")
    assert worker.get(f"/cases/{case_id}/services").get_json() == []
    complete(cw, case_id, "plan", DAY, statutory_services=["work_readiness", "household_budget"])
    complete(lead, case_id, "coordination_meeting", DAY)
    services = worker.get(f"/cases/{case_id}/services").get_json()
    assert {row["plan_version"] for row in services} == {2}
    assert len(services) == 2


def test_the_term_length_is_a_rule_table_an_admin_changes_by_date(app, staff, login, api, intake_case, make_user,
                                                                  tmp_path):
    import json

    make_user("root", "admin", ward=None)
    path = tmp_path / "wr.json"
    path.write_text(json.dumps({"term_months": 2, "max_terms": 4, "max_total_months": 12,
                                "review_days_before_end": 10}), encoding="utf-8")
    runner = app.test_cli_runner()
    done = runner.invoke(args=["rules", "set", "work_readiness", "--file", str(path), "--effective", "2026-11-01",
                               "--by", "root", "--note", "1期2か月に変更"])
    assert done.exit_code == 0, done.output
    shown = runner.invoke(args=["rules", "show", "work_readiness", "--on", DAY.isoformat()])
    assert shown.exit_code == 0 and "term_months" in shown.output
    cw = login(staff["caseworker"])
    case_id = intake_case()
    complete(cw, case_id, "assessment", DAY)
    complete(cw, case_id, "plan", DAY, statutory_services=["work_readiness"])
    complete(login(staff["lead_worker"]), case_id, "coordination_meeting", DAY)
    (term,) = api(staff["caseworker"]).get(f"/cases/{case_id}/services").get_json()
    assert (term["from"], term["to"], term["eligibility"]["basis"]) == ("2026-11-26", "2027-01-25", "standard")
    assert open_task(case_id, "work_readiness_review").due_on == date(2027, 1, 15)
