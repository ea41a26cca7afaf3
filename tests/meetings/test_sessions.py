"""個別支援調整会議 sessions: three cases on one agenda, each decided by its minutes; the printed agenda
shows each attendee only what their role may see (the navigator's PDF: no tax, no risk flag)."""

from __future__ import annotations

import io

import pypdf

from app.extensions import db
from app.models import AuditEvent, CoordinationMeeting, MeetingSessionCase
from tests.helpers import case_of, complete, walk_in
from tests.privacy.conftest import DAY, INCOME, RISK_NOTE, TAX, add_consent, add_items

from .helpers import to_evaluation, to_meeting


def _pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)




def _plain_and_ending(staff, login):
    """A case waiting for its plan meeting, and one whose evaluation proposes closing."""
    cw, lead = login(staff["caseworker"]), login(staff["lead_worker"])
    plain = to_meeting(cw, DAY)
    ending = to_evaluation(cw, lead, DAY)
    complete(cw, ending, "evaluation", DAY, outcome="close", closure_reason="goal_achieved")
    return plain, ending


def _with_tax_and_risk(staff, login) -> int:
    cw = login(staff["caseworker"])
    case_id = walk_in(cw)
    complete(cw, case_id, "intake", DAY, new_person=True)
    add_consent(case_id, ["support_agencies"])
    add_items(case_id)
    complete(cw, case_id, "assessment", DAY, monthly_income=INCOME, tax_arrears=TAX, suicide_risk="high",
             risk_indicators=["ideation"], risk_note=RISK_NOTE)
    complete(cw, case_id, "plan", DAY, statutory_services=["household_budget"])
    return case_id


def test_a_session_decides_three_cases_from_their_minutes(staff, login):
    lead_page = login(staff["lead_worker"])
    risky = _with_tax_and_risk(staff, login)
    plain, ending = _plain_and_ending(staff, login)
    created = lead_page.post("/meeting-sessions", data={"held_on": "2026-12-03", "place": "中区役所 5階会議室",
                                                        "members": "lead navi chief"})
    assert created.status_code == 303, created.get_data(as_text=True)
    session_path = created.headers["Location"]
    session_id = int(session_path.rsplit("/", 1)[1])
    waiting = lead_page.get(session_path).get_data(as_text=True)
    for case_id in (risky, plain, ending):
        assert f'value="{case_id}"' in waiting
        assert lead_page.post(f"{session_path}/cases", data={"case_id": str(case_id)}).status_code == 303
    # A case not waiting for a meeting is refused, naming the field.
    refused = lead_page.post(f"{session_path}/cases", data={"case_id": "999999"})
    assert refused.status_code == 422 and "この区で会議の決定を待っている" in refused.get_data(as_text=True)

    # The navigator's printed agenda (a session member): no tax, no risk flag; the income is not theirs either.
    navi = login(staff["employment_navigator"])
    html = navi.get(f"{session_path}/print").get_data(as_text=True)
    pdf = navi.get(f"{session_path}/print?format=pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = _pdf_text(pdf.data)
    assert "個別支援調整会議" in text and "相談ケース" in text
    for shown in (html, text):
        assert f"{TAX:,}" not in shown and str(TAX) not in shown
        assert "RISKNOTE4711" not in shown and "自死" not in shown
        assert f"{INCOME:,}" not in shown
        assert "横浜 花子" not in shown and "花子" not in shown  # no employment scope in the consent: no name
    # The lead's copy: income may be tabled; tax without consent and the risk flag never.
    lead_text = _pdf_text(lead_page.get(f"{session_path}/print?format=pdf").data)
    assert f"{INCOME:,}" in lead_text and f"{TAX:,}" not in lead_text and "RISKNOTE4711" not in lead_text
    assert "花子" in lead_text
    # Someone outside the session and below supervisor level: not found.
    assert login(staff["caseworker"]).get(session_path).status_code == 404

    # The minutes for each case complete its meeting task.
    minutes = {"attendees": ["person", "caseworker", "lead_worker"]}
    approved = lead_page.post(f"{session_path}/cases/{risky}/minutes", data={**minutes, "decision": "approve"})
    assert approved.status_code == 303, approved.get_data(as_text=True).split("error-summary")[-1][:1500]
    bad = lead_page.post(f"{session_path}/cases/{plain}/minutes", data={**minutes, "decision": "revise"})
    assert bad.status_code == 422 and "修正を求める内容" in bad.get_data(as_text=True)
    assert lead_page.post(f"{session_path}/cases/{plain}/minutes",
                          data={**minutes, "decision": "revise", "requested_changes": "目標を具体的に"}
                          ).status_code == 303
    assert lead_page.post(f"{session_path}/cases/{ending}/minutes",
                          data={**minutes, "decision": "close", "closure_reason": "goal_achieved"}
                          ).status_code == 303
    assert case_of(risky).state == "decided"
    assert case_of(plain).state == "plan_draft"
    assert (case_of(ending).state, case_of(ending).closure_reason) == ("closed", "goal_achieved")
    rows = db.session.query(MeetingSessionCase).filter_by(session_id=session_id).order_by(MeetingSessionCase.id).all()
    decided = [db.session.get(CoordinationMeeting, r.coordination_meeting_id) for r in rows]
    assert [(m.decision, m.held_on.isoformat()) for m in decided] == [
        ("approve", "2026-12-03"), ("revise", "2026-12-03"), ("close", "2026-12-03")]
    events = {e.event_type for e in db.session.query(AuditEvent).filter_by(case_id=ending)}
    assert {"meeting_session_case_added", "meeting_session_minutes_recorded", "case_closed"} <= events
    reads = db.session.query(AuditEvent).filter_by(case_id=risky, event_type="case_viewed").all()
    assert any(e.data.get("what") == "meeting_agenda" and e.actor_id == staff["employment_navigator"].id
               for e in reads)


def test_sessions_through_the_api_and_bad_input(api, staff, login):
    lead = api(staff["lead_worker"])
    cw = login(staff["caseworker"])
    case_id = to_meeting(cw, DAY)
    bad = lead.post("/meeting-sessions", json={"ward": "naka", "held_on": "2026-13-01", "place": "",
                                               "members": ["nobody"]})
    assert bad.status_code == 422 and set(bad.get_json()["errors"]) == {"held_on", "place", "members"}
    created = lead.post("/meeting-sessions", json={"ward": "naka", "held_on": "2026-12-03", "place": "会議室",
                                                   "members": ["lead", "chief"]})
    assert created.status_code == 201, created.get_json()
    session_id = created.get_json()["session_id"]
    assert lead.post(f"/meeting-sessions/{session_id}/cases", json={"case_id": "x"}).status_code == 422
    assert lead.post(f"/meeting-sessions/{session_id}/cases", json={"case_id": case_id}).status_code == 201
    done = lead.post(f"/meeting-sessions/{session_id}/cases/{case_id}/minutes",
                     json={"attendees": ["person", "caseworker", "lead_worker"], "decision": "approve"})
    assert done.status_code == 200 and done.get_json()["state"] == "decided"
    shown = lead.get(f"/meeting-sessions/{session_id}").get_json()
    assert shown["cases"][0]["decision"] == "approve"
    assert api(staff["caseworker"]).post("/meeting-sessions", json={
        "ward": "naka", "held_on": "2026-12-03", "place": "x", "members": ["lead"]}).status_code == 403
