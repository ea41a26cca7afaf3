"""The 自死企図 risk flag: structured on the assessment and as the action flag_risk; a high flag
opens the process's response at once (acknowledgement within 1 hour, same-day referral to mental
health, follow-up the next business day); sharing without consent needs the life-and-health
exception with its legal basis and a section chief's approval."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.extensions import db
from app.models import AuditEvent, FormSubmission, HumanTask, RiskFlag, RiskReferral
from app.services.audit.replay import replay_case
from app.services.staff.tokens import issue_token
from tests.helpers import case_of, complete, form_post, walk_in

from .conftest import DAY, add_consent

JST_NOON = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)  # Thursday 12:00 in Japan


@pytest.fixture
def at_assessment(staff, login, clock):
    """make(scopes) -> a case of the caseworker, waiting for its assessment, with a consent of `scopes`."""

    def make(scopes=("support_agencies",)) -> int:
        clock.current = JST_NOON
        cw = login(staff["caseworker"])
        case_id = walk_in(cw)
        # scopes=None: the intake consent covers employment support only (nothing for mental health).
        complete(cw, case_id, "intake", DAY, new_person=True, consent_scopes=list(scopes or ["employment"]))
        if scopes is not None:
            add_consent(case_id, list(scopes))
        return case_id

    return make


def _api(app, user):
    raw, _ = issue_token(user.username)
    client = app.test_client()

    def post(path, body):
        return client.post(f"/api/v1{path}", json=body, headers={"Authorization": f"Bearer {raw}"})

    def get(path):
        return client.get(f"/api/v1{path}", headers={"Authorization": f"Bearer {raw}"})

    return post, get


def _risk_tasks(case_id: int) -> dict[str, HumanTask]:
    db.session.expire_all()
    rows = db.session.query(HumanTask).filter(HumanTask.case_id == case_id, HumanTask.status == "open",
                                              HumanTask.bpmn_id.like("risk_%")).all()
    return {row.bpmn_id: row for row in rows}


HIGH = {"level": "high", "indicators": ["ideation", "plan"], "observed_at": "2026-11-26T11:40:00+09:00",
        "note": "昨夜、死にたいと電話があった"}


def test_high_flag_by_action_opens_the_three_tasks_with_their_deadlines(app, staff, at_assessment):
    case_id = at_assessment()
    post, get = _api(app, staff["caseworker"])
    response = post(f"/cases/{case_id}/actions/flag_risk", {"data": HIGH})
    assert response.status_code == 200, response.get_json()
    tasks = _risk_tasks(case_id)
    assert set(tasks) == {"risk_acknowledgement", "risk_referral", "risk_follow_up"}
    ack, referral, follow_up = tasks["risk_acknowledgement"], tasks["risk_referral"], tasks["risk_follow_up"]
    assert ack.roles == {"lead_worker", "section_chief"} and referral.roles == {"mental_health"}
    assert follow_up.assignee_id == staff["caseworker"].id
    due = ack.due_at if ack.due_at.tzinfo else ack.due_at.replace(tzinfo=UTC)
    assert due == JST_NOON + timedelta(hours=1)
    assert referral.due_on == DAY  # the same day
    assert follow_up.due_on.isoformat() == "2026-11-27"  # Friday: the next business day
    case = get(f"/cases/{case_id}").get_json()
    by_form = {t["form_key"]: t for t in case["open_tasks"]}
    assert by_form["risk_acknowledgement"]["due_at"] == "2026-11-26T13:00:00+09:00"
    assert case["risk"]["level"] == "high" and case["risk"]["indicators"] == ["ideation", "plan"]
    assert case["risk"]["sharing_basis"] == "consent" and case["state"] == "assessment"
    flag = db.session.query(RiskFlag).one()
    assert (flag.assessor_id, flag.via, flag.observed_at.replace(tzinfo=UTC).hour) == (
        staff["caseworker"].id, "action", 2)


def test_next_business_day_skips_the_weekend(app, staff, at_assessment, clock):
    case_id = at_assessment()
    clock.current = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)  # Friday 17:00 in Japan
    post, _get = _api(app, staff["caseworker"])
    assert post(f"/cases/{case_id}/actions/flag_risk", {"data": {**HIGH, "observed_at": "2026-11-27T16:30:00+09:00"}}
                ).status_code == 200
    assert _risk_tasks(case_id)["risk_follow_up"].due_on.isoformat() == "2026-11-30"


def test_without_consent_sharing_needs_the_exception_basis_and_a_chiefs_approval(app, staff, at_assessment):
    case_id = at_assessment(scopes=None)
    post, _get = _api(app, staff["caseworker"])
    refused = post(f"/cases/{case_id}/actions/flag_risk", {"data": HIGH})
    assert refused.status_code == 422 and "sharing_basis" in refused.get_json()["errors"]
    no_basis = post(f"/cases/{case_id}/actions/flag_risk", {"data": {**HIGH, "sharing_basis": "life_and_health"}})
    assert no_basis.status_code == 422 and "legal_basis" in no_basis.get_json()["errors"]
    no_chief = post(f"/cases/{case_id}/actions/flag_risk", {"data": {
        **HIGH, "sharing_basis": "life_and_health", "legal_basis": "個人情報保護法第69条第2項第4号（生命・身体の保護）",
        "approving_chief": staff["lead_worker"].username}})
    assert no_chief.status_code == 422 and "approving_chief" in no_chief.get_json()["errors"]
    assert db.session.query(RiskFlag).count() == 0 and _risk_tasks(case_id) == {}  # nothing half-written
    assert db.session.query(FormSubmission).filter_by(form_key="flag_risk").count() == 0
    ok = post(f"/cases/{case_id}/actions/flag_risk", {"data": {
        **HIGH, "sharing_basis": "life_and_health", "legal_basis": "個人情報保護法第69条第2項第4号（生命・身体の保護）",
        "approving_chief": staff["section_chief"].username}})
    assert ok.status_code == 200, ok.get_json()
    flag = db.session.query(RiskFlag).one()
    assert (flag.sharing_basis, flag.approved_by_id) == ("life_and_health", staff["section_chief"].id)
    assert "第69条" in flag.legal_basis and len(_risk_tasks(case_id)) == 3


def test_assessment_form_records_the_flag_and_high_starts_the_response(staff, login, at_assessment):
    case_id = at_assessment()
    cw = login(staff["caseworker"])
    complete(cw, case_id, "assessment", DAY, suicide_risk="high", risk_indicators=["past_attempt"],
             risk_note="半年前に企図歴")
    flag = db.session.query(RiskFlag).one()
    assert (flag.level, flag.indicators, flag.via, flag.note) == (
        "high", ["past_attempt"], "assessment", "半年前に企図歴")
    assert set(_risk_tasks(case_id)) == {"risk_acknowledgement", "risk_referral", "risk_follow_up"}
    assert case_of(case_id).state == "plan_draft"


def test_assessment_high_without_consent_is_refused_on_the_page_with_field_errors(staff, login, at_assessment):
    case_id = at_assessment(scopes=None)
    cw = login(staff["caseworker"])
    response = complete(cw, case_id, "assessment", DAY, expect=422, suicide_risk="high")
    assert "生命・身体の保護のための例外" in response.get_data(as_text=True)
    assert db.session.query(RiskFlag).count() == 0 and case_of(case_id).state == "assessment"


def test_a_second_high_flag_while_the_response_runs_is_recorded_without_new_tasks(app, staff, at_assessment):
    case_id = at_assessment()
    post, _get = _api(app, staff["caseworker"])
    assert post(f"/cases/{case_id}/actions/flag_risk", {"data": HIGH}).status_code == 200
    assert post(f"/cases/{case_id}/actions/flag_risk", {"data": HIGH}).status_code == 200
    assert db.session.query(RiskFlag).count() == 2
    assert db.session.query(HumanTask).filter(HumanTask.bpmn_id.like("risk_%")).count() == 3


def test_low_flag_opens_no_tasks_and_bad_input_is_refused(app, staff, at_assessment):
    case_id = at_assessment()
    post, _get = _api(app, staff["caseworker"])
    low = post(f"/cases/{case_id}/actions/flag_risk",
               {"data": {"level": "low", "observed_at": "2026-11-26T10:00:00+09:00"}})
    assert low.status_code == 200 and _risk_tasks(case_id) == {}
    missing = post(f"/cases/{case_id}/actions/flag_risk", {"data": {"level": "medium",
                                                                    "observed_at": "2026-11-26T10:00:00+09:00"}})
    assert missing.status_code == 422 and "indicators" in missing.get_json()["errors"]
    future = post(f"/cases/{case_id}/actions/flag_risk", {"data": {**HIGH, "observed_at": "2026-11-27T10:00:00+09:00"}})
    assert future.status_code == 422 and "observed_at" in future.get_json()["errors"]
    bad_level = post(f"/cases/{case_id}/actions/flag_risk", {"data": {**HIGH, "level": "extreme"}})
    assert bad_level.status_code == 422 and "level" in bad_level.get_json()["errors"]
    assert db.session.query(RiskFlag).count() == 1


def test_the_response_tasks_record_acknowledgement_and_warm_handoff_and_replay_still_matches(
        app, staff, make_user, login, at_assessment):
    mental = make_user("mh", "mental_health")
    case_id = at_assessment()
    post, _get = _api(app, staff["caseworker"])
    assert post(f"/cases/{case_id}/actions/flag_risk", {"data": HIGH}).status_code == 200
    tasks = _risk_tasks(case_id)
    lead = login(staff["lead_worker"])
    response = lead.post(f"/tasks/{tasks['risk_acknowledgement'].id}", data=form_post({
        "acknowledged_at": "2026-11-26T12:20:00+09:00", "safety_checked": True, "instructions": "本日中に面談"}))
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    mh_post, mh_get = _api(app, mental)
    shown = mh_get(f"/tasks/{tasks['risk_referral'].id}").get_json()
    assert shown["case_data"]["risk"]["level"] == "high"
    done = mh_post(f"/tasks/{tasks['risk_referral'].id}/complete", {"data": {
        "reached_at": "2026-11-26T14:00:00+09:00", "person_reached": "精神保健福祉相談員 山田",
        "next_step": "明日午前に同行受診", "safety_contact": "姉 045-000-0000"}})
    assert done.status_code == 200, done.get_json()
    flag = db.session.query(RiskFlag).one()
    assert flag.acknowledged_by_id == staff["lead_worker"].id and flag.acknowledged_at is not None
    referral = db.session.query(RiskReferral).one()
    assert (referral.person_reached, referral.safety_contact) == ("精神保健福祉相談員 山田", "姉 045-000-0000")
    types = [e.event_type for e in db.session.query(AuditEvent).filter_by(case_id=case_id)]
    assert {"risk_flagged", "risk_acknowledged", "risk_referred"} <= set(types)
    result = replay_case(case_of(case_id))
    assert result.ok, result.divergences
    cli = app.test_cli_runner().invoke(args=["audit", "replay", str(case_id), "--verify"])
    assert cli.exit_code == 0, cli.output


def test_flag_risk_is_offered_as_a_case_action_and_its_page_works(staff, login, at_assessment):
    case_id = at_assessment()
    cw = login(staff["caseworker"])
    page = cw.get(f"/cases/{case_id}").get_data(as_text=True)
    assert f"/cases/{case_id}/actions/flag_risk" in page
    form = cw.get(f"/cases/{case_id}/actions/flag_risk")
    assert form.status_code == 200 and "自死リスクを記録" in form.get_data(as_text=True)
    bad = cw.post(f"/cases/{case_id}/actions/flag_risk", data=form_post({"level": "high"}))
    assert bad.status_code == 422
    navi = login(staff["employment_navigator"])
    assert navi.get(f"/cases/{case_id}/actions/flag_risk").status_code == 404


def test_a_case_on_a_version_without_the_response_refuses_a_high_flag_instead_of_losing_it(
        app, staff, make_user, login, at_assessment):
    import re

    from tests.processes.conftest import deploy, deployed_xml

    owner = login(make_user("owner", "process_owner", ward=None))
    xml = re.sub(r'\s*<bpmn:subProcess id="risk_response".*?</bpmn:subProcess>', "", deployed_xml(1),
                 flags=re.DOTALL)
    xml = xml.replace("        <bpmn:flowNodeRef>risk_response</bpmn:flowNodeRef>\n", "")
    from tests.processes.conftest import layout_bpmn

    deploy(owner, layout_bpmn.relayout(xml), note="自死リスク対応なし（旧版の再現）")
    case_id = at_assessment()
    assert case_of(case_id).process_version.version == 2
    post, _get = _api(app, staff["caseworker"])
    refused = post(f"/cases/{case_id}/actions/flag_risk", {"data": HIGH})
    assert refused.status_code == 409 and "移行" in refused.get_json()["detail"]
    assert db.session.query(RiskFlag).count() == 0 and _risk_tasks(case_id) == {}


def test_a_supervisor_cannot_take_over_the_mental_health_hand_off_nobody_could_then_work(app, staff, at_assessment):
    case_id = at_assessment()
    post, _ = _api(app, staff["caseworker"])
    assert post(f"/cases/{case_id}/actions/flag_risk", {"data": HIGH}).status_code == 200
    tasks = _risk_tasks(case_id)
    lead_post, _ = _api(app, staff["lead_worker"])
    refused = lead_post(f"/tasks/{tasks['risk_referral'].id}/take-over", {"reason": "急ぎのため"})
    assert refused.status_code == 403
    assert _risk_tasks(case_id)["risk_referral"].assignee_id is None
    # The acknowledgement is the lead worker's own role's task: taking it over works.
    taken = lead_post(f"/tasks/{tasks['risk_acknowledgement'].id}/take-over", {"reason": "主任が確認"})
    assert taken.status_code == 200
