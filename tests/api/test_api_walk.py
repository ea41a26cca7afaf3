"""A whole case through the JSON API: referral → intake → … → closure, with the pages' services."""

from __future__ import annotations

from app.extensions import db
from app.models import AuditEvent, Case, FormSubmission, HumanTask, Person, ReferralReceipt
from app.services.demo.samples import sample

from .helpers import DAY, complete, open_task_id


def _slip(**overrides) -> dict:
    slip = {
        "slip_date": DAY.isoformat(), "from_section": "tax", "from_staff": "税務課 山田",
        "person_name": "横浜 一郎", "person_kana": "ヨコハマ イチロウ", "phone": "045-000-0000",
        "consent_to_refer": True, "consent_scopes": ["identity", "reason", "reply"],
    }
    slip.update(overrides)
    return slip


def test_referral_to_closure_through_the_api(api, make_user, staff):
    referrer = api(make_user("tax_clerk", "referrer"))
    cw, lead = api(staff["caseworker"]), api(staff["lead_worker"])
    budget, navi = api(staff["budget_advisor"]), api(staff["employment_navigator"])

    created = referrer.post("/referrals", json={"data": _slip()})
    assert created.status_code == 201, created.get_json()
    referral = created.get_json()
    case_id = referral["case_id"]
    assert case_id is not None
    assert referrer.get(f"/cases/{case_id}").status_code == 404  # referrers never see cases
    assert referrer.get(f"/referrals/{referral['referral_id']}").get_json()["status"] == "not_yet_contacted"

    case = cw.get(f"/cases/{case_id}").get_json()
    assert (case["state"], case["assigned_to"], case["ward"]) == ("identified", None, "naka")
    intake_id = open_task_id(cw, case_id, "intake")
    detail = cw.get(f"/tasks/{intake_id}").get_json()
    assert detail["prefill"]["person_name"] == "横浜 一郎" and detail["prefill"]["via_slip"] is True
    urgency = next(f for f in detail["fields"] if f["name"] == "urgency")
    assert (urgency["type"], urgency["required"]) == ("code", True)
    assert {c["code"] for c in urgency["choices"]} == {"high", "medium", "low"}
    claimed = cw.post(f"/tasks/{intake_id}/claim")
    assert claimed.status_code == 200 and claimed.get_json()["assignee"] == "cw"

    step = complete(cw, case_id, "intake", route="city_section", route_section="tax", via_slip=True)
    assert step["state"] == "assessment" and step["open_tasks"][0]["assignee"] == "cw"
    assert referrer.get(f"/referrals/{referral['referral_id']}").get_json()["status"] == "connected"
    complete(cw, case_id, "assessment")
    complete(cw, case_id, "plan")
    assert complete(lead, case_id, "coordination_meeting")["state"] == "decided"
    complete(budget, case_id, "service_record", instance_item="household_budget")
    complete(cw, case_id, "monitoring")
    complete(budget, case_id, "service_record", instance_item="household_budget", status="completed",
             ended_on="2026-12-20", outcome="家計を整理した")
    complete(navi, case_id, "service_record", instance_item="work_readiness", status="completed",
             ended_on="2026-12-24", outcome="就職した")
    action = cw.post(f"/cases/{case_id}/actions/record_progress", json={"data": sample("progress_note", DAY)})
    assert action.status_code == 200, action.get_json()
    complete(cw, case_id, "monitoring", contact_on="2026-12-26", next_monitoring_on="2027-01-26")
    assert complete(cw, case_id, "evaluation")["state"] == "evaluation"  # the meeting decides
    final = complete(lead, case_id, "coordination_meeting", decision="close", closure_reason="goal_achieved")
    assert final["state"] == "closed" and final["open_tasks"] == []

    case = cw.get(f"/cases/{case_id}").get_json()
    assert (case["closure_reason"], case["closed_on"], case["actions"]) == ("goal_achieved", "2026-11-26", [])
    events = cw.get(f"/cases/{case_id}/events").get_json()
    types = [e["event_type"] for e in events if e["event_type"] != "case_viewed"]  # reads are audited too
    assert types[0] == "case_opened" and types[-1] == "case_closed" and "task_claimed" in types
    assert [e["event_id"] for e in events] == sorted(e["event_id"] for e in events)
    assert events[0]["at"].endswith("+09:00")


def test_referral_without_consent_stores_nothing_identifying(api, make_user, staff):
    referrer = api(make_user("water_clerk", "referrer", ward=None))
    response = referrer.post("/referrals", json={"ward": "naka", "data": _slip(
        consent_to_refer=False, consent_scopes=[], person_name="", person_kana="", phone="")})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["case_id"] is None
    db.session.expire_all()
    assert db.session.query(Case).count() == 0 and db.session.query(Person).count() == 0
    receipt = db.session.query(ReferralReceipt).one()
    assert (receipt.from_section, receipt.consent_to_refer, receipt.case_id) == ("tax", False, None)
    assert db.session.query(FormSubmission).count() == 0


def test_walk_in_case_and_task_list_filters(api, staff):
    cw = api(staff["caseworker"])
    created = cw.post("/cases", json={"ward": "naka"})
    assert created.status_code == 201
    case_id = created.get_json()["case_id"]
    tasks = cw.get(f"/tasks?case_id={case_id}&mine=true").get_json()
    assert [(t["form_key"], t["assignee"]) for t in tasks] == [("intake", "cw")]
    assert cw.get("/tasks?form_key=plan").get_json() == []
    assert set(tasks[0]) >= {"task_id", "case_id", "form_key", "name", "role", "assignee", "due_at"}


def test_bad_input_gives_problems_and_stores_nothing(api, staff):
    cw = api(staff["caseworker"])
    case_id = cw.post("/cases", json={"ward": "naka"}).get_json()["case_id"]
    task_id = open_task_id(cw, case_id, "intake")
    before = db.session.query(AuditEvent).filter(AuditEvent.event_type != "api_token_used").count()

    malformed = cw.post(f"/tasks/{task_id}/complete", data="{not json", headers={"Content-Type": "application/json"})
    assert malformed.status_code == 400 and malformed.mimetype == "application/problem+json"

    unknown = cw.post(f"/tasks/{task_id}/complete", json={"data": {**sample("intake", DAY), "shoe_size": 27}})
    assert unknown.status_code == 422 and "shoe_size" in unknown.get_json()["errors"]

    wrong_type = cw.post(f"/tasks/{task_id}/complete", json={"data": {**sample("intake", DAY), "applied": "maybe"}})
    assert wrong_type.status_code == 422 and list(wrong_type.get_json()["errors"]) == ["applied"]
    assert all(isinstance(m, str) for m in wrong_type.get_json()["errors"]["applied"])

    nul = cw.post(f"/tasks/{task_id}/complete", json={"data": {**sample("intake", DAY), "address": "港町\u0000"}})
    assert nul.status_code == 400 and nul.mimetype == "application/problem+json"
    assert cw.get("/tasks?form_key=%00").status_code == 400
    deep = cw.post(f"/tasks/{task_id}/complete", data="[" * 100_000, headers={"Content-Type": "application/json"})
    assert deep.status_code == 400

    not_object = cw.post(f"/tasks/{task_id}/complete", json={"data": [1, 2]})
    assert not_object.status_code == 422 and "data" in not_object.get_json()["errors"]

    assert cw.get("/tasks/999999").status_code == 404
    assert cw.get("/cases/999999").status_code == 404
    assert cw.get("/no-such-thing").status_code == 404
    assert cw.get("/no-such-thing").mimetype == "application/problem+json"
    assert cw.post(f"/cases/{case_id}/actions/fly_to_the_moon", json={"data": {}}).status_code == 404

    db.session.expire_all()
    assert db.session.query(FormSubmission).count() == 0
    after = db.session.query(AuditEvent).filter(AuditEvent.event_type != "api_token_used").count()
    assert after == before
    assert db.session.query(HumanTask).filter_by(case_id=case_id, status="open").count() == 1


def test_completing_twice_gives_409(api, staff):
    cw = api(staff["caseworker"])
    case_id = cw.post("/cases", json={"ward": "naka"}).get_json()["case_id"]
    task_id = open_task_id(cw, case_id, "intake")
    body = {"data": sample("intake", DAY)}
    assert cw.post(f"/tasks/{task_id}/complete", json=body).status_code == 200
    again = cw.post(f"/tasks/{task_id}/complete", json=body)
    assert again.status_code == 409 and again.mimetype == "application/problem+json"


def test_other_ward_sees_404_for_cases_tasks_and_events(api, staff):
    cw, other = api(staff["caseworker"]), api(staff["other_ward_caseworker"])
    case_id = cw.post("/cases", json={"ward": "naka"}).get_json()["case_id"]
    task_id = open_task_id(cw, case_id, "intake")
    for path in (f"/cases/{case_id}", f"/cases/{case_id}/events", f"/tasks/{task_id}"):
        assert other.get(path).status_code == 404, path
    assert other.post(f"/tasks/{task_id}/complete", json={"data": sample("intake", DAY)}).status_code == 404
    assert other.post(f"/tasks/{task_id}/claim").status_code == 404
    assert other.post("/cases", json={"ward": "naka"}).status_code == 403
    assert other.get("/tasks").get_json() == []


def test_every_body_refuses_unknown_members_and_wrong_types_naming_the_field(api, staff, make_user):
    cw, chief = api(staff["caseworker"]), api(staff["section_chief"])
    referrer = api(make_user("tax_clerk", "referrer"))
    case_id = cw.post("/cases", json={"ward": "naka"}).get_json()["case_id"]
    task_id = open_task_id(cw, case_id, "intake")
    progress = sample("progress_note", DAY)
    slip = {"slip_date": "2026-11-26", "from_section": "water", "from_staff": "水道局 佐藤", "consent_to_refer": False}
    cover = {"absent_user": "cw", "cover_user": "lead", "starts_on": "2026-11-26", "ends_on": "2026-11-27",
             "reason": "研修"}
    before = db.session.query(AuditEvent).filter(AuditEvent.event_type != "api_token_used").count()
    refused = [
        # unknown members, at the top and inside data
        (cw, "/cases", {"ward": "naka", "priority": "high"}, "priority"),
        (cw, f"/cases/{case_id}/actions/record_progress", {"data": progress, "urgent": True}, "urgent"),
        (cw, f"/cases/{case_id}/actions/record_progress", {"data": {**progress, "mood": "good"}}, "mood"),
        (cw, f"/tasks/{task_id}/complete", {"data": sample("intake", DAY), "force": True}, "force"),
        (referrer, "/referrals", {"data": slip, "sender": "x"}, "sender"),
        (referrer, "/referrals", {"data": {**slip, "shoe_size": 27}}, "shoe_size"),
        (chief, f"/tasks/{task_id}/take-over", {"reason": "急ぎ", "notify": True}, "notify"),
        (chief, f"/tasks/{task_id}/reassign", {"assignee": "lead", "reason": "x", "when": "now"}, "when"),
        (chief, f"/cases/{case_id}/reassign", {"assignee": "lead", "reason": "x", "when": "now"}, "when"),
        (chief, "/covers", {**cover, "note": "x"}, "note"),
        # wrong types
        (cw, "/cases", {"ward": 5}, "ward"),
        (cw, f"/cases/{case_id}/actions/record_progress", {"data": {**progress, "recorded_on": 20261126}},
         "recorded_on"),
        (referrer, "/referrals", {"ward": ["naka"], "data": slip}, "ward"),
        (referrer, "/referrals", {"data": {**slip, "slip_date": True}}, "slip_date"),
        (chief, f"/tasks/{task_id}/take-over", {"reason": 5}, "reason"),
        (chief, f"/tasks/{task_id}/reassign", {"assignee": 5, "reason": "x"}, "assignee"),
        (chief, f"/cases/{case_id}/reassign", {"assignee": "cw", "reason": ["x"]}, "reason"),
        (chief, "/covers", {**cover, "starts_on": 20261126}, "starts_on"),
        (chief, "/covers", {**cover, "ends_on": "next week"}, "ends_on"),
    ]
    for client, path, body, field in refused:
        response = client.post(path, json=body)
        assert response.status_code == 422, (path, body, response.get_json())
        assert response.mimetype == "application/problem+json"
        errors = response.get_json()["errors"]
        assert field in errors and all(isinstance(m, str) and m for m in errors[field]), (path, errors)
    db.session.expire_all()
    assert db.session.query(AuditEvent).filter(AuditEvent.event_type != "api_token_used").count() == before
    assert db.session.query(Case).count() == 1 and db.session.query(ReferralReceipt).count() == 0
    task = db.session.get(HumanTask, task_id)
    assert (task.status, task.assignee_id) == ("open", staff["caseworker"].id)


def test_a_body_beyond_the_size_limit_is_refused_unread(api, staff, app):
    cw = api(staff["caseworker"])
    huge = '{"ward": "naka", "note": "' + "x" * (app.config["MAX_CONTENT_LENGTH"] + 1) + '"}'
    answer = cw.post("/cases", data=huge, headers={"Content-Type": "application/json"})
    assert answer.status_code == 413 and answer.mimetype == "application/problem+json"
    assert db.session.query(Case).count() == 0
