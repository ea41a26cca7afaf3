"""Read audit (case_viewed with its basis), search, the audited NHI switch, the auditor's pages
and meeting pages: the other doors of the privacy rules."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.models import AuditEvent
from app.services.audit.export import check_exported_chain
from app.services.staff.tokens import issue_token
from tests.helpers import complete, open_task, walk_in

from .conftest import ADDRESS, DAY, INCOME, NHI, RISK_NOTE, TAX, add_consent, add_items


def _views(case_id: int) -> list[dict]:
    db.session.expire_all()
    rows = (db.session.query(AuditEvent).filter_by(case_id=case_id, event_type="case_viewed")
            .order_by(AuditEvent.sequence).all())
    return [{"who": e.actor_id, "at": e.at, **e.data} for e in rows]


def _bearer(user) -> dict:
    raw, _ = issue_token(user.username)
    return {"Authorization": f"Bearer {raw}"}


def test_every_view_of_a_case_is_audited_with_its_basis(app, login, privacy_case):
    pc = privacy_case()
    users, case_id = pc.users, pc.case_id
    login(users["caseworker"]).get(f"/cases/{case_id}")
    login(users["lead_worker"]).get(f"/tasks/{pc.tasks['risk_acknowledgement:']}")
    app.test_client().get(f"/api/v1/cases/{case_id}", headers=_bearer(users["cover"]))
    app.test_client().get(f"/api/v1/cases/{case_id}", headers=_bearer(users["caseworker2"]))
    login(users["budget_advisor"]).get(f"/tasks/{pc.tasks['record_budget_service:household_budget']}")
    app.test_client().get(f"/api/v1/tasks/{pc.tasks['risk_referral:']}", headers=_bearer(users["mental_health"]))
    login(users["caseworker"]).get(f"/cases/{case_id}/actions/record_progress")
    views = _views(case_id)
    seen = [(v["who"], v["what"], v["basis"]) for v in views]
    assert seen == [
        (users["caseworker"].id, "case_page", "own_case"),
        (users["lead_worker"].id, "task_page", "supervisor"),
        (users["cover"].id, "api_case", "cover"),
        (users["caseworker2"].id, "api_case", "ward_staff"),
        (users["budget_advisor"].id, "task_page", "task_role"),
        (users["mental_health"].id, "api_task", "task_role"),
        (users["caseworker"].id, "case_action", "own_case"),
    ]
    assert views[1]["task_id"] == pc.tasks["risk_acknowledgement:"] and all(v["at"] for v in views)
    # Someone who may not see the case leaves a 404, not a read.
    assert login(users["other_ward_caseworker"]).get(f"/cases/{case_id}").status_code == 404
    assert len(_views(case_id)) == len(views)


def test_auditor_reads_and_exports_are_audited_as_auditor(login, privacy_case):
    pc = privacy_case()
    auditor = login(pc.users["auditor"])
    assert auditor.get(f"/audit/cases/{pc.case_id}").status_code == 200
    assert auditor.get(f"/audit/cases/{pc.case_id}/export.json").status_code == 200
    db.session.expire_all()
    read = db.session.query(AuditEvent).filter_by(case_id=pc.case_id, event_type="case_history_viewed").one()
    exported = db.session.query(AuditEvent).filter_by(case_id=pc.case_id, event_type="case_history_exported").one()
    assert read.data["basis"] == "auditor" and exported.data["basis"] == "auditor"


def test_auditor_export_masks_tax_and_risk_but_its_chain_still_checks(login, privacy_case):
    pc = privacy_case()
    exported = login(pc.users["auditor"]).get(f"/audit/cases/{pc.case_id}/export.json").get_json()
    text = str(exported)
    assert str(TAX) not in text and str(NHI) not in text and RISK_NOTE.split()[0] not in text
    assert str(INCOME) in text and ADDRESS in text
    assert any(e.get("redacted") for e in exported["events"])
    assert check_exported_chain(exported)
    exported["events"][1]["prev_hash"] = "0" * 64  # a broken link is still caught
    assert not check_exported_chain(exported)


def test_auditor_pages_mask_the_form_as_submitted_and_the_data_difference(login, privacy_case):
    pc = privacy_case()
    auditor = login(pc.users["auditor"])
    assessment = db.session.query(AuditEvent).filter(
        AuditEvent.case_id == pc.case_id, AuditEvent.event_type == "task_completed").all()
    submission_id = next(e.data["submission_id"] for e in assessment if e.data["form_key"] == "assessment")
    page = auditor.get(f"/audit/cases/{pc.case_id}/submissions/{submission_id}").get_data(as_text=True)
    assert f"{TAX:,}" not in page and str(TAX) not in page and RISK_NOTE.split()[0] not in page
    assert "権限の範囲外のため表示しない項目" in page and f"{INCOME:,}" in page
    diff = auditor.get(f"/audit/cases/{pc.case_id}/diff?from=1&to=200").get_data(as_text=True)
    assert str(TAX) not in diff and RISK_NOTE.split()[0] not in diff and "＊＊＊" in diff
    timeline = auditor.get(f"/audit/cases/{pc.case_id}").get_data(as_text=True)
    assert str(TAX) not in timeline and RISK_NOTE.split()[0] not in timeline


@pytest.fixture
def meeting_case(staff, login):
    """make(scopes) -> a case waiting for its coordination meeting, with tax arrears and a high risk flag."""

    def make(scopes):
        cw = login(staff["caseworker"])
        case_id = walk_in(cw)
        complete(cw, case_id, "intake", DAY, new_person=True, address=ADDRESS)
        add_consent(case_id, scopes)
        add_items(case_id)
        complete(cw, case_id, "assessment", DAY, monthly_income=INCOME, tax_arrears=TAX, suicide_risk="high",
                 risk_indicators=["ideation"], risk_note=RISK_NOTE)
        complete(cw, case_id, "plan", DAY, statutory_services=["household_budget"])
        return case_id

    return make


def test_meeting_pages_never_show_the_risk_flag_nor_tax_without_consent(staff, login, meeting_case):
    lead = login(staff["lead_worker"])
    case_id = meeting_case(["support_agencies"])
    page = lead.get(f"/tasks/{open_task(case_id, 'coordination_meeting').id}").get_data(as_text=True)
    assert str(TAX) not in page and f"{TAX:,}" not in page and f"{NHI:,}" not in page
    assert RISK_NOTE.split()[0] not in page and "自死" not in page
    assert f"{INCOME:,}" in page  # income may be tabled
    # The same supervisor sees everything on the case page (not a meeting page).
    assert f"{TAX:,}" in lead.get(f"/cases/{case_id}").get_data(as_text=True)


def test_meeting_pages_show_tax_items_when_the_consent_covers_the_meeting(staff, login, meeting_case):
    lead = login(staff["lead_worker"])
    case_id = meeting_case(["support_agencies", "tax_info", "support_meeting"])
    page = lead.get(f"/tasks/{open_task(case_id, 'coordination_meeting').id}").get_data(as_text=True)
    assert f"{TAX:,}" in page and f"{NHI:,}" in page and RISK_NOTE.split()[0] not in page


def test_nhi_masking_is_a_db_setting_changed_only_by_admins_and_audited(app, login, privacy_case, make_user):
    pc = privacy_case()
    runner = app.test_cli_runner()
    admin = make_user("sysadmin", "admin", ward=None)
    headers = _bearer(pc.users["budget_advisor"])
    assert str(NHI) not in str(app.test_client().get(f"/api/v1/cases/{pc.case_id}", headers=headers).get_json())
    refused = runner.invoke(args=["privacy", "set", "mask_nhi_as_tax", "off", "--by", "cw", "--reason", "試し"])
    assert refused.exit_code != 0 and "システム管理者" in refused.output
    no_reason = runner.invoke(args=["privacy", "set", "mask_nhi_as_tax", "off", "--by", admin.username,
                                    "--reason", " "])
    assert no_reason.exit_code != 0 and "理由" in no_reason.output
    done = runner.invoke(args=["privacy", "set", "mask_nhi_as_tax", "off", "--by", admin.username,
                               "--reason", "法務担当の判断（保険料は地方税法第22条の対象外）"])
    assert done.exit_code == 0, done.output
    assert "mask_nhi_as_tax: off" in runner.invoke(args=["privacy", "show"]).output
    shown = str(app.test_client().get(f"/api/v1/cases/{pc.case_id}", headers=headers).get_json())
    assert str(NHI) in shown and str(TAX) not in shown  # NHI now follows the non-tax rule; tax does not move
    db.session.expire_all()
    event = db.session.query(AuditEvent).filter_by(event_type="privacy_setting_changed").one()
    assert (event.actor_id, event.data["before"], event.data["after"]) == (admin.id, True, False)


def test_search_finds_cases_by_kana_name_or_id_within_the_ward_and_masks_results(app, login, privacy_case):
    pc = privacy_case()
    users = pc.users
    cw2 = login(users["caseworker2"])
    page = cw2.get("/cases/search", query_string={"q": "よこはま　はなこ"}).get_data(as_text=True)
    assert f"/cases/{pc.case_id}" in page and ADDRESS not in page and "自死" not in page
    lead = login(users["lead_worker"]).get("/cases/search", query_string={"q": str(pc.case_id)})
    assert ADDRESS in lead.get_data(as_text=True) and "自死リスク" in lead.get_data(as_text=True)
    api = app.test_client()
    found = api.get("/api/v1/cases", query_string={"q": "横浜"}, headers=_bearer(users["caseworker"])).get_json()
    assert [r["case_id"] for r in found["results"]] == [pc.case_id]
    assert found["results"][0]["risk_level"] == "high" and found["results"][0]["address"] == ADDRESS
    for json_key in ("tax", "nhi", "income"):
        assert json_key not in found["results"][0]
    other = api.get("/api/v1/cases", query_string={"q": "横浜"}, headers=_bearer(users["other_ward_caseworker"]))
    assert other.status_code == 200 and other.get_json()["results"] == []
    for name in ("budget_advisor", "referrer", "auditor"):
        refused = api.get("/api/v1/cases", query_string={"q": "横浜"}, headers=_bearer(users[name]))
        assert refused.status_code == 403, name
    empty = api.get("/api/v1/cases", query_string={"q": " "}, headers=_bearer(users["caseworker"]))
    assert empty.status_code == 422 and "q" in empty.get_json()["errors"]
    wildcard = api.get("/api/v1/cases", query_string={"q": "%"}, headers=_bearer(users["caseworker"]))
    assert wildcard.status_code == 200 and wildcard.get_json()["results"] == []


def test_the_auditors_step_through_shows_neither_the_high_flag_nor_its_response(login, privacy_case):
    """Like the export, the step-through says a step happened but not that it was the risk response."""
    pc = privacy_case()
    auditor = login(pc.users["auditor"])
    risk_words = ("flag_risk_high", "risk_acknowledgement", "risk_referral", "risk_follow_up", "risk_response")
    last = auditor.get(f"/audit/cases/{pc.case_id}/steps.json").get_json()
    shown = str({key: last[key] for key in ("event", "ran_in_step", "path", "active", "reached", "steps",
                                           "repeated")})
    assert not [word for word in risk_words if word in shown]
    assert "（非表示の記録）" in [step["label"] for step in last["steps"]]  # it happened; what it was is hidden
    page = auditor.get(f"/audit/cases/{pc.case_id}/steps").get_data(as_text=True)
    assert "high_risk_response.bpmn" not in page and "case_lifecycle.bpmn" in page
    hidden = auditor.get(f"/audit/cases/{pc.case_id}/diagram.bpmn?file=high_risk_response.bpmn")
    assert hidden.status_code == 404
    assert auditor.get(f"/audit/cases/{pc.case_id}/diagram.bpmn?file=support_phase.bpmn").status_code == 200
