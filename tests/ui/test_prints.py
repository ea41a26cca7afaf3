"""The plan, the assessment sheet and the meeting record print as A4 pages and PDFs, in 和暦, with
only what the reader's role may see."""

from __future__ import annotations

import io

from tests.helpers import complete, walk_in


def _case_at_support(staff, login):
    cw, lead = login(staff["caseworker"]), login(staff["lead_worker"])
    case_id = walk_in(cw)
    complete(cw, case_id, "intake")
    complete(cw, case_id, "assessment", monthly_income=80000)
    complete(cw, case_id, "plan", overall_goal="安定した仕事に就く")
    complete(lead, case_id, "coordination_meeting")
    return cw, lead, case_id


def test_the_plan_prints_for_signature_in_wareki(staff, login):
    cw, _lead, case_id = _case_at_support(staff, login)
    page = cw.get(f"/cases/{case_id}").get_data(as_text=True)
    assert f"/cases/{case_id}/print/plan?n=1" in page and f"/cases/{case_id}/print/assessment" in page
    body = cw.get(f"/cases/{case_id}/print/plan?n=1").get_data(as_text=True)
    assert "プラン兼事業等利用申込書（第1版）" in body and "安定した仕事に就く" in body
    assert "令和8年11月26日" in body and "2026-11-26" not in body
    assert "本人署名" in body and "家計改善支援" in body


def test_the_assessment_sheet_and_meeting_record_print_and_make_pdfs(staff, login):
    from pypdf import PdfReader

    cw, lead, case_id = _case_at_support(staff, login)
    sheet = cw.get(f"/cases/{case_id}/print/assessment").get_data(as_text=True)
    assert "インテーク・アセスメントシート" in sheet and "80,000円" in sheet
    record = lead.get(f"/cases/{case_id}/print/meeting").get_data(as_text=True)
    assert "個別支援調整会議 記録" in record and "了承" in record
    response = lead.get(f"/cases/{case_id}/print/meeting?format=pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    assert "個別支援調整会議" in reader.pages[0].extract_text()
    assert "横浜" not in str(reader.metadata or {})  # no person's name in the PDF's metadata


def test_a_reader_sees_only_what_their_role_may(staff, login):
    cw, _lead, case_id = _case_at_support(staff, login)
    assert "自死リスク" in cw.get(f"/cases/{case_id}/print/assessment").get_data(as_text=True)
    sheet = login(staff["budget_advisor"]).get(f"/cases/{case_id}/print/assessment")
    body = sheet.get_data(as_text=True)
    assert sheet.status_code == 200
    assert "自死リスク" not in body  # the risk item is never printed for other roles
    assert "権限の範囲外のため記載していない項目" in body
    assert login(staff["other_ward_caseworker"]).get(f"/cases/{case_id}/print/plan").status_code == 404
