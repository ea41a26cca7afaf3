"""家計改善支援 (the adviser's budget table, arrears with 分納/減免/猶予) and 子どもの学習・生活支援
(a child of the household referred with name, grade and the guardian's mobile only)."""

from __future__ import annotations

from app.extensions import db
from app.models import ArrearsItem, ChildReferral, Consent
from tests.helpers import case_of, complete

from .conftest import DAY

HOME = "横浜市中区扇町三丁目2番1号"
MOBILE = "090-1111-2222"


def _consent(case_id, scopes, tax_roles=()):
    case = case_of(case_id)
    db.session.add(Consent(person_id=case.person_id, case_id=case.id, kind="intake", given_by="person",
                           given_on=DAY, form="intake", scopes=list(scopes),
                           tax_sharing={"allowed": bool(tax_roles), "with_roles": list(tax_roles)}, exclusions=[]))
    db.session.commit()


def _served_by_the_adviser(staff, login, intake_case, tax_roles=()):
    case_id = intake_case(address=HOME)
    _consent(case_id, ["support_agencies", "budget"], tax_roles)
    cw = login(staff["caseworker"])
    complete(cw, case_id, "assessment", DAY)
    complete(cw, case_id, "plan", DAY, statutory_services=["household_budget"])
    complete(login(staff["lead_worker"]), case_id, "coordination_meeting", DAY)
    return case_id


def test_the_adviser_keeps_the_budget_table_and_tax_arrears_only_with_the_consent_scope(app, staff, login, api,
                                                                                        intake_case):
    case_id = _served_by_the_adviser(staff, login, intake_case)
    adviser = api(staff["budget_advisor"])
    assert "record_budget" in adviser.get(f"/cases/{case_id}").get_json()["actions"]
    adviser.action(case_id, "record_budget", {"month": "2026-11", "income_wages": 98000, "income_pension": 0,
                                              "spend_rent": 52000, "spend_food": 30000, "spend_debt": 20000})
    refused = adviser.action(case_id, "record_arrears", {"kind": "tax", "amount": 84000, "handling": "installment",
                                                         "monthly_installment": 5000}, 422)
    assert "kind" in refused["errors"]
    adviser.action(case_id, "record_arrears", {"kind": "water", "amount": 12000, "handling": "installment",
                                               "monthly_installment": 3000, "agreed_on": DAY.isoformat()})
    api(staff["caseworker"]).action(case_id, "record_arrears", {"kind": "tax", "amount": 84000,
                                                                "handling": "deferment"})
    budget = adviser.get(f"/cases/{case_id}/budget").get_json()
    (table,) = budget["tables"]
    assert table["total_income"] == 98000 and table["total_spending"] == 102000
    assert [(a["kind"], a["handling"]) for a in budget["arrears"]] == [("water", "installment")]
    owner = api(staff["caseworker"]).get(f"/cases/{case_id}/budget").get_json()
    assert [a["kind"] for a in owner["arrears"]] == ["water", "tax"]
    # The chief sees the table; a bad line is refused.
    assert api(staff["section_chief"]).get(f"/cases/{case_id}/budget").get_json()["tables"]
    bad = adviser.action(case_id, "record_budget", {"month": "2026-13", "income_wages": -1}, 422)
    assert {"month", "income_wages"} <= set(bad["errors"])
    assert db.session.query(ArrearsItem).count() == 2


def test_with_tax_sharing_the_adviser_records_and_sees_tax_arrears(app, staff, login, api, intake_case):
    case_id = _served_by_the_adviser(staff, login, intake_case, tax_roles=["budget_advisor"])
    adviser = api(staff["budget_advisor"])
    adviser.action(case_id, "record_arrears", {"kind": "tax", "amount": 84000, "handling": "installment",
                                               "monthly_installment": 5000})
    assert [a["amount"] for a in adviser.get(f"/cases/{case_id}/budget").get_json()["arrears"]] == [84000]
    assert api(staff["employment_navigator"]).get(f"/cases/{case_id}/budget").status_code == 404


def test_a_child_is_referred_with_name_grade_and_mobile_never_the_address(app, staff, login, api, intake_case):
    case_id = intake_case(address=HOME)
    worker = api(staff["caseworker"])
    member = worker.post(f"/cases/{case_id}/household/members", {"relation": "child", "description": "長男"})
    spouse = worker.post(f"/cases/{case_id}/household/members", {"relation": "spouse", "description": "夫"})
    child = {"member_id": member.get_json()["member_id"], "child_name": "横浜 一郎", "grade": "中学2年",
             "guardian_mobile": MOBILE, "provider_name": "寄り添い型学習支援 中区会場", "referred_on": DAY.isoformat()}
    # Without the providers scope nothing goes out.
    _consent(case_id, ["support_agencies"])
    assert "provider_name" in worker.action(case_id, "refer_child", child, 422)["errors"]
    _consent(case_id, ["support_agencies", "providers"])
    assert "member_id" in worker.action(case_id, "refer_child", {**child,
                                                                 "member_id": spouse.get_json()["member_id"]},
                                        422)["errors"]
    worker.action(case_id, "refer_child", child)
    assert db.session.query(ChildReferral).count() == 1
    cw = login(staff["caseworker"])
    complete(cw, case_id, "assessment", DAY)
    complete(cw, case_id, "plan", DAY, statutory_services=["child_learning"])
    complete(login(staff["lead_worker"]), case_id, "coordination_meeting", DAY)
    (decision,) = worker.get(f"/cases/{case_id}/services").get_json()
    assert decision["service"] == "child_learning" and decision["eligibility"]["basis"] == "not_required"
    provider = api(staff["provider"])
    answer = provider.get(f"/cases/{case_id}/child-referrals")
    assert answer.status_code == 200, answer.get_json()
    (row,) = answer.get_json()
    assert (row["child_name"], row["grade"], row["guardian_mobile"]) == ("横浜 一郎", "中学2年", MOBILE)
    assert HOME not in str(answer.get_json()) and "address" not in str(answer.get_json())
    assert api(staff["employment_navigator"]).get(f"/cases/{case_id}/child-referrals").status_code == 404


def test_a_replan_ends_the_earlier_plans_decisions(app, staff, login, api, intake_case):
    case_id = _served_by_the_adviser(staff, login, intake_case)
    cw = login(staff["caseworker"])
    complete(cw, case_id, "monitoring", DAY, replan_needed=True)
    complete(cw, case_id, "plan", DAY, statutory_services=["household_budget"])
    complete(login(staff["lead_worker"]), case_id, "coordination_meeting", DAY)
    services = api(staff["caseworker"]).get(f"/cases/{case_id}/services").get_json()
    assert [(s["plan_version"], s["status"]) for s in services] == [(1, "ended"), (2, "in_progress")]
