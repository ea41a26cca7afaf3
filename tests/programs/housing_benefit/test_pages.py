"""The pages: the application form with its income rows, the screening page's figures, the panel."""

from __future__ import annotations

from datetime import date

from app.extensions import db
from app.models import HbApplication
from tests.helpers import form_post

from .conftest import jst

APPLIED = date(2027, 6, 10)


def form_data(**overrides) -> dict:
    data = {"applied_on": APPLIED.isoformat(), "household_size": "1", "main_earner": True,
            "job_seeker_registered": True, "job_loss_on": "2027-03-31", "rent": "49000", "common_fee": "6000",
            "assets": "100000", "payee": "agent", "payee_name": "みなと不動産株式会社",
            "incomes-0-member": "本人", "incomes-0-kind": "wage", "incomes-0-gross": "128,000",
            "incomes-0-commuting_allowance": "9000"}
    return {**data, **overrides}


def test_application_page_screening_page_and_panel(app, clock, staff, login, benefit):
    clock.current = jst(APPLIED)
    cw, lead = login(staff["caseworker"]), login(staff["lead_worker"])
    benefit.on(APPLIED)
    case_id = benefit.open_case()
    page = cw.get(f"/cases/{case_id}/actions/apply_housing_benefit")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'name="incomes-5-kind"' in html and "通勤手当" in html

    bad = cw.post(f"/cases/{case_id}/actions/apply_housing_benefit",
                  data=form_post(form_data(**{"incomes-1-gross": "5000"})))  # a row without its kind
    assert bad.status_code == 422
    assert "2行目" in bad.get_data(as_text=True) and 'value="5000"' in bad.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.query(HbApplication).count() == 0

    assert cw.post(f"/cases/{case_id}/actions/apply_housing_benefit",
                   data=form_post(form_data())).status_code == 303
    task_id = benefit.task_id("hb_screening")
    screening = lead.get(f"/tasks/{task_id}").get_data(as_text=True)
    for expected in ("128,000円", "49,000円", "84,000円", "52,000円", "133,000円", "5,000円", "504,000円",
                     "通勤手当 9,000円 は収入に算入しない", "共益費・管理費 6,000円 は家賃に含めない",
                     "housing_benefit@2023-04-01", "すべての要件を満たしています"):
        assert expected in screening, expected
    assert lead.post(f"/tasks/{task_id}", data={"decision": "grant", "confirmed": "1"}).status_code == 303
    case_page = cw.get(f"/cases/{case_id}").get_data(as_text=True)
    for expected in ("住居確保給付金", "支給中", "2027年6月 〜 2027年8月", "みなと不動産株式会社", "支払予定",
                     "中生支第"):
        assert expected in case_page, expected


def test_a_grant_on_the_screening_page_is_confirmed_first(app, clock, staff, login, benefit):
    benefit.on(APPLIED)
    case_id = benefit.open_case()
    lead = login(staff["lead_worker"])
    assert login(staff["caseworker"]).post(f"/cases/{case_id}/actions/apply_housing_benefit",
                                           data=form_post(form_data())).status_code == 303
    task_id = benefit.task_id("hb_screening")
    confirm = lead.post(f"/tasks/{task_id}", data={"decision": "grant"})
    assert confirm.status_code == 200 and "取り消せません" in confirm.get_data(as_text=True)
    assert benefit.current()["status"] == "screening"
    assert lead.post(f"/tasks/{task_id}", data={"decision": "grant", "confirmed": "1"}).status_code == 303
    assert benefit.current()["status"] == "paying"


def test_the_screening_task_is_on_the_lead_workers_worklist_named_after_the_benefit(staff, login, benefit):
    benefit.on(APPLIED)
    case_id = benefit.open_case()
    assert login(staff["caseworker"]).post(f"/cases/{case_id}/actions/apply_housing_benefit",
                                           data=form_post(form_data())).status_code == 303
    worklist = login(staff["lead_worker"]).get("/").get_data(as_text=True)
    assert "住居確保給付金の審査" in worklist and "（住居確保給付金）" in worklist
    assert "housing_benefit:" not in worklist
