"""支援会議 through the API and the pages: members with acknowledgements, items refused when they are
tax information, access for members and the ward's supervisors only, nothing in search or case pages."""

from __future__ import annotations

import io

import pypdf

from app.extensions import db
from app.models import AuditEvent, StaffTask
from app.services.meetings.support_meetings import TAX_REFUSAL
from tests.helpers import case_of, complete, walk_in

SECRET_CONTENT = "水道料金を8か月滞納・停水予告あり"


def _events(event_type: str) -> list[AuditEvent]:
    db.session.expire_all()
    return db.session.query(AuditEvent).filter_by(event_type=event_type).order_by(AuditEvent.id).all()


def _convene(client, members=None, acknowledgements=None):
    members = members if members is not None else [
        {"name": "主任 一郎", "agency": "中区生活支援課", "user": "lead"},
        {"name": "就労 花子", "agency": "ジョブスポット", "user": "navi"},
        {"name": "水道 次郎", "agency": "水道局"},
    ]
    if acknowledgements is None:
        acknowledgements = [{"name": m["name"], "acknowledged_at": "2027-05-10T10:00:00+09:00"} for m in members]
    return client.post("/support-meetings", json={"ward": "naka", "held_on": "2027-05-10", "members": members,
                                                  "acknowledgements": acknowledgements})


def _item(client, meeting_id, source, content="滞納の状況", category="arrears"):
    return client.post(f"/support-meetings/{meeting_id}/items", json={
        "source_agency": source, "category": category, "content": content, "household_label": "A世帯"})


def test_items_from_water_housing_and_school_lunch_are_accepted_tax_and_nhi_refused(app, api, staff, make_user):
    lead = api(staff["lead_worker"])
    created = _convene(lead)
    assert created.status_code == 201, created.get_json()
    meeting = created.get_json()
    assert meeting["confidential"] is True and len(meeting["members"]) == 3
    meeting_id = meeting["support_meeting_id"]
    assert len(_events("support_meeting_member_acknowledged")) == 3

    for source in ("water", "municipal_housing", "school_lunch"):
        assert _item(lead, meeting_id, source).status_code == 201

    refused = _item(lead, meeting_id, "tax", "市県民税の滞納")
    assert refused.status_code == 422
    assert refused.get_json()["errors"] == {"source_agency": [TAX_REFUSAL]}
    assert refused.get_json()["detail"] == "税務情報は本人同意なく支援会議で共有できません（地方税法第22条）"
    nhi = _item(lead, meeting_id, "nhi", "国保料の滞納")
    assert nhi.status_code == 422 and nhi.get_json()["errors"] == {"source_agency": [TAX_REFUSAL]}
    assert [e.data["source_agency"] for e in _events("support_meeting_item_refused")] == ["tax", "nhi"]

    # Switching the NHI rule off is an admin's audited action; then NHI items may be tabled.
    make_user("admin1", "admin", ward=None)
    result = app.test_cli_runner().invoke(args=["privacy", "set", "mask_nhi_as_tax", "off", "--by", "admin1",
                                                "--reason", "法務担当の判断により"])
    assert result.exit_code == 0, result.output
    assert _events("privacy_setting_changed")[-1].data["after"] is False
    assert _item(lead, meeting_id, "nhi", "国保料の滞納").status_code == 201
    assert _item(lead, meeting_id, "tax", "市県民税の滞納").status_code == 422  # tax stays refused

    shown = lead.get(f"/support-meetings/{meeting_id}").get_json()
    assert sorted(i["source_agency"] for i in shown["items"]) == ["municipal_housing", "nhi", "school_lunch",
                                                                 "water"]
    assert "市県民税" not in str(shown)
    assert len(_events("support_meeting_item_added")) == 4
    assert _events("support_meeting_viewed")[-1].actor_id == staff["lead_worker"].id


def test_only_members_and_the_wards_supervisors_see_it(api, login, staff, make_user):
    lead = api(staff["lead_worker"])
    meeting_id = _convene(lead).get_json()["support_meeting_id"]
    assert _item(lead, meeting_id, "water", SECRET_CONTENT).status_code == 201

    # A named member (navigator) and the section chief of the ward may read it.
    assert api(staff["employment_navigator"]).get(f"/support-meetings/{meeting_id}").status_code == 200
    assert api(staff["section_chief"]).get(f"/support-meetings/{meeting_id}").status_code == 200
    # A caseworker of the same ward who is not a member, a chief of another ward: not found.
    for outsider in (staff["caseworker"], make_user("chief_minami", "section_chief", ward="minami")):
        response = api(outsider).get(f"/support-meetings/{meeting_id}")
        assert response.status_code == 404 and SECRET_CONTENT not in response.get_data(as_text=True)
        assert _item(api(outsider), meeting_id, "water").status_code == 404
    cw_page = login(staff["caseworker"]).get(f"/support-meetings/{meeting_id}")
    assert cw_page.status_code == 404 and SECRET_CONTENT not in cw_page.get_data(as_text=True)
    assert SECRET_CONTENT in login(staff["lead_worker"]).get(f"/support-meetings/{meeting_id}").get_data(
        as_text=True)
    # The printed record (A4, PDF) is marked 非公開 and has the same door.
    pdf = login(staff["employment_navigator"]).get(f"/support-meetings/{meeting_id}/print?format=pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.data)).pages).replace("\n", "")
    assert "非公開" in text and "停水予告あり" in text
    assert login(staff["caseworker"]).get(f"/support-meetings/{meeting_id}/print?format=pdf").status_code == 404
    # A caseworker may not convene one.
    assert _convene(api(staff["caseworker"])).status_code == 403


def test_nothing_of_the_meeting_appears_in_search_or_case_pages(api, login, staff):
    lead = api(staff["lead_worker"])
    meeting_id = _convene(lead).get_json()["support_meeting_id"]
    _item(lead, meeting_id, "water", SECRET_CONTENT)
    cw = login(staff["caseworker"])
    case_id = walk_in(cw)
    complete(cw, case_id, "intake", route="support_meeting", support_meeting_id=meeting_id)
    for client in (cw, login(staff["lead_worker"])):
        for path in (f"/cases/{case_id}", "/cases/search?q=A世帯", "/cases/search?q=停水予告"):
            text = client.get(path).get_data(as_text=True)
            assert SECRET_CONTENT not in text and "水道局" not in text, path
    search = api(staff["lead_worker"]).get("/cases?q=停水予告")
    assert search.status_code == 200 and "停水予告あり" not in search.get_data(as_text=True)
    case = api(staff["caseworker"]).get(f"/cases/{case_id}").get_json()
    assert SECRET_CONTENT not in str(case)
    # The intake names the meeting: the case is linked to it (by id only).
    linked = [e for e in _events("support_meeting_linked") if e.case_id == case_id]
    assert [e.data["support_meeting_id"] for e in linked] == [meeting_id]


def test_agreed_actions_become_tasks_and_minutes_are_kept(api, login, staff):
    lead = api(staff["lead_worker"])
    meeting_id = _convene(lead).get_json()["support_meeting_id"]
    action = lead.post(f"/support-meetings/{meeting_id}/actions",
                       json={"assignee": "cw", "title": "A世帯へ訪問して相談窓口を案内する", "due_on": "2027-05-20"})
    assert action.status_code == 201, action.get_json()
    task = db.session.get(StaffTask, action.get_json()["task_id"])
    assert (task.assignee_id, task.kind, task.case_id) == (staff["caseworker"].id, "support_meeting_action", None)
    # The assignee finds it on their worklist and marks it done; nobody else can.
    cw_page = login(staff["caseworker"])
    assert "A世帯へ訪問して相談窓口を案内する" in cw_page.get("/").get_data(as_text=True)
    assert login(staff["section_chief"]).post(f"/staff-tasks/{task.id}/done").status_code == 404
    assert cw_page.post(f"/staff-tasks/{task.id}/done").status_code == 303
    assert "A世帯へ訪問して相談窓口を案内する" not in cw_page.get("/").get_data(as_text=True)
    assert len(_events("staff_task_completed")) == 1
    minutes = lead.post(f"/support-meetings/{meeting_id}/minutes", json={"minutes": "訪問の役割分担を確認した"})
    assert minutes.status_code == 200 and minutes.get_json()["minutes"] == "訪問の役割分担を確認した"
    assert len(_events("support_meeting_action_agreed")) == 1
    assert len(_events("support_meeting_minutes_recorded")) == 1
    # Through the pages, with CSRF-protected forms, the same.
    page = login(staff["lead_worker"])
    response = page.post(f"/support-meetings/{meeting_id}/items",
                         data={"source_agency": "tax", "category": "arrears", "content": "x",
                               "household_label": "B世帯"})
    assert response.status_code == 422 and TAX_REFUSAL in response.get_data(as_text=True)


def test_bad_input_names_the_field(api, staff):
    lead = api(staff["lead_worker"])
    no_ack = _convene(lead, acknowledgements=[{"name": "主任 一郎"}])
    assert no_ack.status_code == 422 and "acknowledgements" in no_ack.get_json()["errors"]
    missing = _convene(lead, acknowledgements="yes")
    assert missing.status_code == 422 and "acknowledgements" in missing.get_json()["errors"]
    meeting_id = _convene(lead).get_json()["support_meeting_id"]
    no_source = lead.post(f"/support-meetings/{meeting_id}/items",
                          json={"category": "arrears", "content": "x", "household_label": "A世帯"})
    assert no_source.status_code == 422 and list(no_source.get_json()["errors"]) == ["source_agency"]
    bad_date = lead.post("/support-meetings", json={"ward": "naka", "held_on": "2027-13-01", "members": [],
                                                    "acknowledgements": []})
    assert bad_date.status_code == 422 and {"held_on", "members"} <= set(bad_date.get_json()["errors"])


def test_an_intake_may_name_only_a_meeting_of_its_ward(api, login, staff, make_user):
    minami_chief = make_user("chief_minami", "section_chief", ward="minami")
    response = _convene(api(minami_chief), members=[{"name": "係長 南", "agency": "南区生活支援課"}])
    assert response.status_code == 403  # a ward's meeting is convened by that ward's supervisors only
    meeting_id = _convene(api(staff["lead_worker"])).get_json()["support_meeting_id"]
    cw = login(staff["caseworker"])
    case_id = walk_in(cw)
    refused = complete(cw, case_id, "intake", expect=422, route="support_meeting", support_meeting_id=meeting_id + 99)
    assert "この区の支援会議の番号" in refused.get_data(as_text=True)
    complete(cw, case_id, "intake", route="support_meeting", support_meeting_id=meeting_id)
    assert case_of(case_id).support_meeting_id == meeting_id
