"""Notices: numbered per ward and fiscal year, printed for their reader, as a page and a PDF."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pypdf
import pytest

from app.extensions import db
from app.lifecycle import steps
from app.models import AuditEvent, User
from app.services.documents.notices import issue_notice
from app.services.documents.wareki import fiscal_year, wareki_date, wareki_month
from tests.helpers import walk_in

ITEMS = [{"label": "支給額（月額）", "value": "68,000円", "category": "income"},
         {"label": "支給期間", "value": "令和9年6月分〜令和9年8月分"},
         {"label": "滞納の状況", "value": "市県民税 42,000円", "category": "tax_arrears"}]


def _issue(case_id: int, actor: User, **overrides) -> int:
    step = steps.lock(case_id, actor)
    notice = issue_notice(step, overrides.pop("kind", "hb_grant"), subject="住居確保給付金の支給について",
                          items=ITEMS, lead="次のとおり住居確保給付金を支給することに決定したので通知します。",
                          decision_ref="hb_decision:1", **overrides)
    db.session.commit()
    return notice.id


def _pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def test_japanese_dates_and_fiscal_years():
    assert wareki_date(date(2027, 4, 1)) == "令和9年4月1日"
    assert wareki_date(date(2019, 5, 1)) == "令和元年5月1日"
    assert wareki_date(date(2019, 4, 30)) == "平成31年4月30日"
    assert wareki_month("2027-06") == "令和9年6月"
    assert fiscal_year(date(2027, 3, 31)) == 2026
    assert fiscal_year(date(2027, 4, 1)) == 2027


@pytest.fixture
def case_id(app, staff, login):
    return walk_in(login(staff["caseworker"]))


def test_a_notice_is_numbered_printed_and_listed(app, staff, login, case_id, clock):
    cw = login(staff["caseworker"])
    first = _issue(case_id, staff["caseworker"])
    second = _issue(case_id, staff["caseworker"], kind="hb_refusal", reason="収入要件不適合")

    page = cw.get(f"/notices/{first}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for text in ("中生支第1号", wareki_date(date(2026, 11, 26)), "住居確保給付金支給決定通知書", "68,000円",
                 "横浜市中区福祉保健センター長", "審査請求", "問い合わせ先", "中区福祉保健センター 生活支援課"):
        assert text in html, text
    assert "中生支第2号" in cw.get(f"/notices/{second}").get_data(as_text=True)

    assert f'href="/cases/{case_id}/notices"' in cw.get(f"/cases/{case_id}").get_data(as_text=True)
    listing = cw.get(f"/cases/{case_id}/notices").get_data(as_text=True)
    assert "中生支第1号" in listing and "住居確保給付金不支給決定通知書" in listing

    events = (db.session.query(AuditEvent).filter_by(case_id=case_id, event_type="notice_issued")
              .order_by(AuditEvent.id).all())
    assert [e.data["number"] for e in events] == ["中生支第1号", "中生支第2号"]


def test_the_pdf_holds_the_text_and_no_name_in_its_metadata(app, staff, login, case_id):
    notice_id = _issue(case_id, staff["caseworker"], addressee="相川 大輔")
    response = login(staff["caseworker"]).get(f"/notices/{notice_id}?format=pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "相川" not in response.headers["Content-Disposition"]
    reader = pypdf.PdfReader(io.BytesIO(response.data))
    assert reader.pages[0].mediabox.width == pytest.approx(595.28, abs=0.5)  # A4 portrait
    text = _pdf_text(response.data)
    for expected in ("住居確保給付金支給決定通知書", "68,000円", "中生支第1号", "相川 大輔", "令和8年11月26日"):
        assert expected in text.replace("\n", ""), expected
    assert "相川" not in str(reader.metadata or {})


def test_numbers_restart_with_the_fiscal_year(app, staff, case_id, login, clock):
    _issue(case_id, staff["caseworker"])
    clock.current = datetime(2027, 4, 1, 1, 0, tzinfo=UTC)
    later = _issue(case_id, staff["caseworker"])
    html = login(staff["caseworker"]).get(f"/notices/{later}").get_data(as_text=True)
    assert "中生支第1号" in html and "令和9年4月1日" in html


def test_items_a_reader_may_not_see_are_left_out(app, staff, make_user, login, case_id):
    notice_id = _issue(case_id, staff["caseworker"])
    owner = login(staff["caseworker"]).get(f"/notices/{notice_id}").get_data(as_text=True)
    assert "市県民税 42,000円" in owner and "68,000円" in owner
    auditor = login(make_user("aud", "auditor")).get(f"/notices/{notice_id}").get_data(as_text=True)
    assert "68,000円" in auditor and "市県民税" not in auditor and "滞納の状況" not in auditor


def test_other_wards_and_the_api(app, staff, login, case_id, make_user):
    notice_id = _issue(case_id, staff["caseworker"])
    assert login(staff["other_ward_caseworker"]).get(f"/notices/{notice_id}").status_code == 404
    assert login(staff["other_ward_caseworker"]).get(f"/cases/{case_id}/notices").status_code == 404

    from app.services.staff.tokens import issue_token

    token, _ = issue_token(staff["caseworker"].username)
    answer = app.test_client().get(f"/api/v1/cases/{case_id}/notices", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    [row] = answer.get_json()
    assert row["kind"] == "hb_grant" and row["number"] == "中生支第1号" and row["decision_id"] == "hb_decision:1"
    assert row["issued_on"] == "2026-11-26" and row["pdf_url"].endswith("format=pdf")
