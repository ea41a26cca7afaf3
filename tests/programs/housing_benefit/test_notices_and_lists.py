"""Each decision's notice (and its PDF text), the finance section's payment lists, and masking."""

from __future__ import annotations

import csv
import io
from datetime import date

import openpyxl
import pypdf

from app.extensions import db
from app.models import Notice

from .conftest import application, wage

APPLIED = date(2027, 6, 10)


def pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages).replace("\n", "")


def test_grant_and_refusal_notices_carry_amount_months_and_reason(benefit, login, staff):
    benefit.on(APPLIED)
    benefit.open_case()
    benefit.action("apply_housing_benefit", application(APPLIED, incomes=[wage(139000, 7000)], rent=54000,
                                                        common_fee=2000))
    benefit.screen("refuse")
    benefit.action("apply_housing_benefit", application(APPLIED, incomes=[wage(128000, 9000)], rent=49000,
                                                        common_fee=6000))
    benefit.screen("grant")
    refusal, grant = (a["decisions"][0] for a in benefit.state()["applications"])
    listed = benefit.cw.get(f"/cases/{benefit.case_id}/notices").get_json()
    assert [row["kind"] for row in listed] == ["hb_refusal", "hb_grant"]
    browser = login(staff["caseworker"])
    text = pdf_text(browser.get(f"/notices/{grant['notice_id']}?format=pdf").data)
    for expected in ("住居確保給付金支給決定通知書", "5,000円", "令和9年6月分〜令和9年8月分", "みなと不動産株式会社"):
        assert expected in text, expected
    text = pdf_text(browser.get(f"/notices/{refusal['notice_id']}?format=pdf").data)
    for expected in ("住居確保給付金不支給決定通知書", "収入要件不適合", "139,000円", "136,000円"):
        assert expected in text, expected


def test_stop_notice_and_the_notice_to_the_public_assistance_side(benefit, login, staff):
    benefit.on(APPLIED)
    benefit.open_case()
    benefit.action("apply_housing_benefit", application(APPLIED, rent=50000))
    benefit.screen("grant")
    benefit.pay("2027-06")
    benefit.action("request_pa_handoff", {"note": "生活保護の申請を希望"})
    benefit.on(date(2027, 7, 3))
    task_id = benefit.task_id("pa_handoff")
    assert benefit.cw.post(f"/tasks/{task_id}/complete", json={"data": {
        "consent_to_share": True, "handed_over_at": "2027-07-03T10:00:00+09:00", "application_received": True,
    }}).status_code == 200
    db.session.expire_all()
    kinds = {n.kind: n for n in db.session.query(Notice)}
    assert {"hb_grant", "hb_stop", "pa_notice"} <= set(kinds)
    assert kinds["pa_notice"].recipient == "pa_section"
    browser = login(staff["caseworker"])
    text = pdf_text(browser.get(f"/notices/{kinds['pa_notice'].id}?format=pdf").data)
    assert "令和9年6月分" in text and "令和9年7月分から" in text
    text = pdf_text(browser.get(f"/notices/{kinds['hb_stop'].id}?format=pdf").data)
    assert "生活保護の支給が開始されたため" in text and "令和9年7月分から" in text


def test_payment_lists_for_finance_name_payee_amount_case_and_month_only(benefit, tmp_path):
    benefit.on(APPLIED)
    benefit.open_case()
    benefit.action("apply_housing_benefit", application(APPLIED, incomes=[wage(128000, 9000)], rent=49000))
    benefit.screen("grant")
    runner = benefit.app.test_cli_runner()
    out_csv, out_xlsx = tmp_path / "list.csv", tmp_path / "list.xlsx"
    assert runner.invoke(args=["benefits", "payment-list", "--month", "2027-07", "--out", str(out_csv)]).exit_code == 0
    assert runner.invoke(args=["benefits", "payment-list", "--month", "2027-07", "--format", "xlsx",
                               "--out", str(out_xlsx)]).exit_code == 0
    rows = list(csv.reader(io.StringIO(out_csv.read_bytes().decode("utf-8-sig"))))
    assert rows == [["支払先", "支払額", "ケース番号", "対象月"],
                    ["みなと不動産株式会社", "5000", str(benefit.case_id), "2027-07"]]
    sheet = openpyxl.load_workbook(out_xlsx).active
    assert [list(r) for r in sheet.iter_rows(values_only=True)] == [
        ["支払先", "支払額", "ケース番号", "対象月"], ["みなと不動産株式会社", 5000, benefit.case_id, "2027-07"]]
    bad = runner.invoke(args=["benefits", "pay", "--month", "2027-13"])
    assert bad.exit_code != 0 and "YYYY-MM" in bad.output


def test_the_benefit_is_read_by_ward_staff_only_and_the_read_is_audited(benefit, staff):
    # Navigators and providers (neither income nor computation) are checked by tests/privacy/test_matrix.py.
    benefit.on(APPLIED)
    benefit.open_case()
    benefit.action("apply_housing_benefit", application(APPLIED, incomes=[wage(128000, 9000)], rent=49000))
    benefit.screen("grant")
    assert benefit.current()["computation"]["counted_income"] == 128000
    lead_view = benefit.state(benefit.lead)
    assert lead_view["applications"][0]["computation"]["counted_income"] == 128000
    other_ward = benefit.client(staff["other_ward_caseworker"]).get(f"/cases/{benefit.case_id}/housing-benefit")
    assert other_ward.status_code == 404
    db.session.expire_all()
    from app.models import AuditEvent

    reads = db.session.query(AuditEvent).filter_by(case_id=benefit.case_id, event_type="case_viewed").all()
    assert any(event.data.get("what") == "api_housing_benefit" for event in reads)


def test_the_payment_list_page_is_for_the_wards_supervisors(benefit, staff, login, make_user):
    benefit.on(APPLIED)
    benefit.open_case()
    benefit.action("apply_housing_benefit", application(APPLIED, incomes=[wage(128000, 9000)], rent=49000))
    benefit.screen("grant")
    chief = login(staff["section_chief"])
    response = chief.get("/housing-benefit/payments/2027-06.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "hb-payments-naka-2027-06.csv" in response.headers["Content-Disposition"]
    assert response.data.decode("utf-8-sig").splitlines()[1] == f"みなと不動産株式会社,5000,{benefit.case_id},2027-06"
    sheet = openpyxl.load_workbook(io.BytesIO(chief.get("/housing-benefit/payments/2027-06.xlsx").data)).active
    assert sheet.max_row == 2
    assert login(staff["caseworker"]).get("/housing-benefit/payments/2027-06.csv").status_code == 403
    assert chief.get("/housing-benefit/payments/2027-13.csv").status_code == 422
    minami_lead = login(make_user("lead_minami", "lead_worker", ward="minami"))
    rows = minami_lead.get("/housing-benefit/payments/2027-06.csv").data.decode("utf-8-sig").splitlines()
    assert rows == ["支払先,支払額,ケース番号,対象月"]  # another ward's payments are not theirs



def test_monthly_statistics_count_grants_refusals_extensions_and_stops(benefit, staff):
    benefit.on(APPLIED)
    benefit.open_case()
    benefit.action("apply_housing_benefit", application(APPLIED, incomes=[wage(139000, 7000)], rent=54000))
    benefit.screen("refuse")
    benefit.action("apply_housing_benefit", application(APPLIED, incomes=[wage(128000, 9000)], rent=49000))
    benefit.screen("grant")
    for month in ("2027-06", "2027-07"):
        benefit.report_duties(month)
    benefit.on(date(2027, 8, 3))
    benefit.action("hb_apply_extension", {"applied_on": "2027-08-03", "incomes": [wage(100000)], "assets": 1000})
    benefit.screen("grant")
    chief = benefit.client(staff["section_chief"])
    response = chief.get("/stats/monthly?ward=naka&from=2027-06&to=2027-08")
    assert response.status_code == 200, response.get_json()
    rows = {row["month"]: row for row in response.get_json() if row["ward"] == "naka"}
    assert (rows["2027-06"]["hb_grants"], rows["2027-06"]["hb_refusals"]) == (1, 1)
    assert rows["2027-08"]["hb_extensions"] == 1 and rows["2027-07"]["hb_grants"] == 0
