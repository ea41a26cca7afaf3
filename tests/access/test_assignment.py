"""Claim, release, take-over, reassignment and cover (代理): live, with reasons, audited."""

from __future__ import annotations

from app.extensions import db
from app.models import AuditEvent, Case, HumanTask
from app.services.demo.samples import sample

from ..api.helpers import DAY, complete, open_task_id


def _events(case_id, event_type):
    db.session.expire_all()
    return db.session.query(AuditEvent).filter_by(case_id=case_id, event_type=event_type).all()


def _unassigned_case(api_client) -> int:
    """A case opened by a lead worker: its intake task waits for any caseworker of the ward."""
    return api_client.post("/cases", json={"ward": "naka"}).get_json()["case_id"]


def test_claim_shows_the_holder_and_refuses_others(api, staff, make_user):
    lead, cw = api(staff["lead_worker"]), api(staff["caseworker"])
    cw2 = api(make_user("cw2", "caseworker"))
    case_id = _unassigned_case(lead)
    task_id = open_task_id(cw, case_id, "intake")
    first = cw.post(f"/tasks/{task_id}/claim")
    assert first.status_code == 200 and first.get_json()["assignee"] == "cw"
    assert cw.post(f"/tasks/{task_id}/claim").status_code == 200  # claiming again is harmless
    taken = cw2.post(f"/tasks/{task_id}/claim")
    assert taken.status_code == 409 and "cw" in taken.get_json()["detail"]
    assert cw2.post(f"/tasks/{task_id}/complete", json={"data": sample("intake", DAY)}).status_code == 403
    assert lead.get(f"/cases/{case_id}").get_json()["assigned_to"] == "cw"
    assert [e.data["task_id"] for e in _events(case_id, "task_claimed")] == [task_id]


def test_release_and_supervisor_take_over(api, staff, make_user):
    lead, cw = api(staff["lead_worker"]), api(staff["caseworker"])
    cw2_user = make_user("cw2", "caseworker")
    cw2 = api(cw2_user)
    case_id = _unassigned_case(lead)
    task_id = open_task_id(cw, case_id, "intake")
    cw.post(f"/tasks/{task_id}/claim")
    assert cw2.post(f"/tasks/{task_id}/release").status_code == 403
    released = cw.post(f"/tasks/{task_id}/release")
    assert released.status_code == 200 and released.get_json()["assignee"] is None
    cw2.post(f"/tasks/{task_id}/claim")
    assert cw.post(f"/tasks/{task_id}/take-over", json={"reason": "x"}).status_code == 403
    taken = lead.post(f"/tasks/{task_id}/take-over", json={"reason": "本人の希望で主任が対応"})
    assert taken.status_code == 200 and taken.get_json()["assignee"] == "lead"
    step = lead.post(f"/tasks/{task_id}/complete", json={"data": sample("intake", DAY)})
    assert step.status_code == 200, step.get_json()
    (event,) = _events(case_id, "task_taken_over")
    assert event.data["previous_assignee_id"] == cw2_user.id and event.data["reason"] == "本人の希望で主任が対応"


def test_reassign_case_live_with_reason(api, staff, make_user):
    cw, lead = api(staff["caseworker"]), api(staff["lead_worker"])
    cw2_user = make_user("cw2", "caseworker")
    cw2 = api(cw2_user)
    case_id = cw.post("/cases", json={"ward": "naka"}).get_json()["case_id"]
    complete(cw, case_id, "intake")
    assert cw.post(f"/cases/{case_id}/reassign", json={"assignee": "cw2", "reason": "x"}).status_code == 403
    no_reason = lead.post(f"/cases/{case_id}/reassign", json={"assignee": "cw2", "reason": " "})
    assert no_reason.status_code == 422 and "reason" in no_reason.get_json()["errors"]
    other = lead.post(f"/cases/{case_id}/reassign", json={"assignee": "cw_minami", "reason": "異動"})
    assert other.status_code == 422 and "assignee" in other.get_json()["errors"]
    moved = lead.post(f"/cases/{case_id}/reassign", json={"assignee": "cw2", "reason": "担当件数の調整"})
    assert moved.status_code == 200, moved.get_json()
    assert moved.get_json()["assigned_to"] == "cw2" and moved.get_json()["state"] == "assessment"
    task_id = open_task_id(cw2, case_id, "assessment")
    assert cw.post(f"/tasks/{task_id}/complete", json={"data": sample("assessment", DAY)}).status_code == 403
    complete(cw2, case_id, "assessment")  # the case kept running: no suspension
    db.session.expire_all()
    assert db.session.get(Case, case_id).assigned_to_id == cw2_user.id
    (event,) = _events(case_id, "case_reassigned")
    assert event.data["reason"] == "担当件数の調整" and event.actor_id == staff["lead_worker"].id
    next_task = db.session.query(HumanTask).filter_by(case_id=case_id, form_key="plan", status="open").one()
    assert next_task.assignee_id == cw2_user.id  # new tasks follow the case


def test_reassign_a_single_task(api, staff, make_user):
    cw, chief = api(staff["caseworker"]), api(staff["section_chief"])
    make_user("cw2", "caseworker")
    case_id = cw.post("/cases", json={"ward": "naka"}).get_json()["case_id"]
    task_id = open_task_id(cw, case_id, "intake")
    assert chief.post(f"/tasks/{task_id}/reassign", json={"assignee": "budget", "reason": "x"}).status_code == 422
    response = chief.post(f"/tasks/{task_id}/reassign", json={"assignee": "cw2", "reason": "急ぎのため"})
    assert response.status_code == 200 and response.get_json()["assignee"] == "cw2"
    assert _events(case_id, "task_reassigned")[0].data["reason"] == "急ぎのため"


def test_cover_acts_for_the_absent_worker_and_is_audited(app, api, staff, make_user, login):
    cw, chief, lead = api(staff["caseworker"]), api(staff["section_chief"]), api(staff["lead_worker"])
    cover_user = make_user("cw2", "caseworker")
    cover = api(cover_user)
    case_id = cw.post("/cases", json={"ward": "naka"}).get_json()["case_id"]
    task_id = open_task_id(cw, case_id, "intake")
    assert cover.post(f"/tasks/{task_id}/complete", json={"data": sample("intake", DAY)}).status_code == 403
    body = {"absent_user": "cw", "cover_user": "cw2", "starts_on": "2026-11-25", "ends_on": "2026-11-30",
            "reason": "研修のため不在"}
    assert lead.post("/covers", json=body).status_code == 403  # section chiefs set covers
    bad = chief.post("/covers", json={**body, "ends_on": "2026-11-01"})
    assert bad.status_code == 422 and "ends_on" in bad.get_json()["errors"]
    created = chief.post("/covers", json=body)
    assert created.status_code == 201, created.get_json()
    mine = cover.get("/tasks?mine=true").get_json()
    assert [t["task_id"] for t in mine] == [task_id]
    assert "相談受付" in login(cover_user).get("/").get_data(as_text=True)  # on the cover's worklist page
    step = cover.post(f"/tasks/{task_id}/complete", json={"data": sample("intake", DAY)})
    assert step.status_code == 200, step.get_json()
    (completed,) = _events(case_id, "task_completed")
    assert completed.actor_id == cover_user.id and completed.data["on_behalf_of"] == staff["caseworker"].id
    cover_id = created.get_json()["cover_id"]
    assert chief.post(f"/covers/{cover_id}/end").status_code == 200
    assert cover.get(f"/cases/{case_id}").status_code == 200  # same ward: caseworkers read ward cases
    next_id = open_task_id(cw, case_id, "assessment")
    assert cover.post(f"/tasks/{next_id}/complete", json={"data": sample("assessment", DAY)}).status_code == 403


def test_reassign_form_on_the_case_page(staff, login, make_user):
    from ..helpers import walk_in

    cw_user2 = make_user("cw2", "caseworker")
    cw, lead = login(staff["caseworker"]), login(staff["lead_worker"])
    case_id = walk_in(cw)
    assert 'name="reason"' not in cw.get(f"/cases/{case_id}").get_data(as_text=True)
    page = lead.get(f"/cases/{case_id}").get_data(as_text=True)
    assert 'name="reason"' in page and "cw2" in page
    response = lead.post(f"/cases/{case_id}/reassign", data={"assignee": str(cw_user2.id), "reason": "調整"})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Case, case_id).assigned_to_id == cw_user2.id


def test_claim_release_and_take_over_on_the_case_page(app, staff, login, make_user):
    from ..helpers import walk_in

    make_user("cw2", "caseworker")
    lead_page, cw_page = login(staff["lead_worker"]), login(staff["caseworker"])
    case_id = walk_in(lead_page)  # opened by a lead worker: nobody holds the intake yet
    task = db.session.query(HumanTask).filter_by(case_id=case_id, status="open").one()
    base = f"/cases/{case_id}/tasks/{task.id}"
    assert f"{base}/claim" in cw_page.get(f"/cases/{case_id}").get_data(as_text=True)
    assert cw_page.post(f"{base}/claim").status_code == 303
    db.session.expire_all()
    assert db.session.get(HumanTask, task.id).assignee_id == staff["caseworker"].id
    cw2_page = login(db.session.query(type(staff["caseworker"])).filter_by(username="cw2").one())
    refused = cw2_page.post(f"{base}/claim")
    assert "cw さんが担当しています" in cw2_page.get(refused.headers["Location"]).get_data(as_text=True)
    assert f"{base}/take-over" in lead_page.get(f"/cases/{case_id}").get_data(as_text=True)
    assert lead_page.post(f"{base}/take-over").status_code == 303
    db.session.expire_all()
    assert db.session.get(HumanTask, task.id).assignee_id == staff["lead_worker"].id
    assert login(staff["other_ward_caseworker"]).post(f"{base}/release").status_code == 404


def test_holder_and_reassign_forms_need_the_csrf_token(app, staff, login):
    from ..helpers import walk_in

    lead = login(staff["lead_worker"])
    case_id = walk_in(lead)
    task = db.session.query(HumanTask).filter_by(case_id=case_id, status="open").one()
    app.config["WTF_CSRF_ENABLED"] = True
    assert lead.post(f"/cases/{case_id}/tasks/{task.id}/take-over").status_code == 400
    assert lead.post(f"/cases/{case_id}/reassign", data={"assignee": "1", "reason": "x"}).status_code == 400


def test_cover_runs_exactly_over_its_japanese_date_range(app, api, staff, make_user, clock):
    """Cover from 11/28 to 11/30: not before its first day, not after its last (dates in Japan time)."""
    cw, chief = api(staff["caseworker"]), api(staff["section_chief"])
    cover_user = make_user("cw_kita", "caseworker", ward="minami")
    cover = api(cover_user)
    case_id = cw.post("/cases", json={"ward": "naka"}).get_json()["case_id"]
    task_id = open_task_id(cw, case_id, "intake")
    created = chief.post("/covers", json={"absent_user": "cw", "cover_user": "cw_kita", "starts_on": "2026-11-28",
                                          "ends_on": "2026-11-30", "reason": "年休"})
    assert created.status_code == 201, created.get_json()
    (assigned,) = _events(None, "cover_assigned")
    assert assigned.data["reason"] == "年休" and assigned.actor_id == staff["section_chief"].id

    clock.advance(days=1, hours=13, minutes=59)  # 2026-11-27 23:59 in Japan
    assert cover.get(f"/cases/{case_id}").status_code == 404
    assert cover.get("/tasks?mine=true").get_json() == []
    clock.advance(minutes=1)  # 2026-11-28 00:00 in Japan: the first day
    assert cover.get(f"/cases/{case_id}").status_code == 200
    assert [t["task_id"] for t in cover.get("/tasks?mine=true").get_json()] == [task_id]
    note = cover.post(f"/cases/{case_id}/actions/record_progress", json={"data": sample("progress_note", DAY)})
    assert note.status_code == 200, note.get_json()
    (action,) = _events(case_id, "action_run")
    assert action.actor_id == cover_user.id and action.data["on_behalf_of"] == staff["caseworker"].id

    clock.advance(days=3)  # 2026-12-01 00:00 in Japan: the range is over
    assert cover.get(f"/cases/{case_id}").status_code == 404
    step = cover.post(f"/tasks/{task_id}/complete", json={"data": sample("intake", DAY)})
    assert step.status_code == 404
    assert cw.post(f"/tasks/{task_id}/complete", json={"data": sample("intake", DAY)}).status_code == 200


def test_role_tasks_are_offered_to_that_role_in_the_cases_ward_only(api, staff, make_user):
    cw, lead, chief = api(staff["caseworker"]), api(staff["lead_worker"]), api(staff["section_chief"])
    budget, navi = api(staff["budget_advisor"]), api(staff["employment_navigator"])
    lead_minami = api(make_user("lead_minami", "lead_worker", ward="minami"))
    budget_minami = api(make_user("budget_minami", "budget_advisor", ward="minami"))
    case_id = cw.post("/cases", json={"ward": "naka"}).get_json()["case_id"]
    for form_key in ("intake", "assessment", "plan"):
        complete(cw, case_id, form_key)
    meeting_id = open_task_id(cw, case_id, "coordination_meeting")

    def offered(client) -> set[int]:
        return {t["task_id"] for t in client.get("/tasks?mine=false").get_json()}

    assert meeting_id in offered(lead) and meeting_id in offered(chief)
    assert meeting_id not in offered(lead_minami) and meeting_id not in offered(budget)
    assert cw.post(f"/tasks/{meeting_id}/complete", json={"data": sample("coordination_meeting", DAY)}).status_code \
        == 403  # visible to the case's caseworker, not theirs to do
    assert lead_minami.post(f"/tasks/{meeting_id}/claim").status_code == 404
    complete(chief, case_id, "coordination_meeting")
    budget_task = open_task_id(cw, case_id, "service_record", instance_item="household_budget")
    navi_task = open_task_id(cw, case_id, "service_record", instance_item="work_readiness")
    assert budget_task in offered(budget) and navi_task not in offered(budget)
    assert navi_task in offered(navi) and budget_task not in offered(navi)
    assert offered(budget_minami) == set()
    assert budget_minami.get(f"/tasks/{budget_task}").status_code == 404
    assert navi.post(f"/tasks/{budget_task}/claim").status_code == 403  # sees the case (own track), not this task
    assert budget.post(f"/tasks/{budget_task}/claim").status_code == 200
