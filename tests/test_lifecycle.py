"""End-to-end lifecycles through HTTP (Flask test client), on SQLite and PostgreSQL."""

from __future__ import annotations

from app.extensions import db
from app.models import (
    AuditEvent,
    Closure,
    CoordinationMeeting,
    FormSubmission,
    HumanTask,
    PlanVersion,
    ServiceRecord,
    SupportDecision,
)

from .helpers import case_of, complete, open_task, walk_in


def test_full_lifecycle_with_revision_delivery_monitoring_and_evaluation(staff, login):
    cw = login(staff["caseworker"])
    lead = login(staff["lead_worker"])
    case_id = walk_in(cw)
    assert case_of(case_id).state == "intake"

    complete(cw, case_id, "intake")
    assert case_of(case_id).state == "assessment"
    complete(cw, case_id, "assessment")
    assert case_of(case_id).state == "plan_draft"
    complete(cw, case_id, "plan", overall_goal="第1版の目標")
    assert case_of(case_id).state == "meeting"
    complete(lead, case_id, "coordination_meeting", decision="revise", requested_changes="就労目標を具体的に")
    assert case_of(case_id).state == "plan_draft"
    complete(cw, case_id, "plan", overall_goal="第2版の目標")
    complete(lead, case_id, "coordination_meeting", decision="approve")
    case = case_of(case_id)
    assert case.state == "decided"

    plans = db.session.query(PlanVersion).filter_by(case_id=case_id).order_by(PlanVersion.number).all()
    assert [(p.number, p.status) for p in plans] == [(1, "revised"), (2, "approved")]
    assert all(p.frozen_at is not None for p in plans)
    decisions = db.session.query(SupportDecision).filter_by(case_id=case_id).all()
    assert sorted(d.service for d in decisions) == ["household_budget", "work_readiness"]
    assert {d.plan_version_id for d in decisions} == {plans[1].id}

    # Each service track is offered to the role that delivers it.
    budget_task = open_task(case_id, "service_record", "household_budget")
    work_task = open_task(case_id, "service_record", "work_readiness")
    assert budget_task.role == "budget_advisor" and work_task.role == "employment_navigator"
    budget = login(staff["budget_advisor"])
    navi = login(staff["employment_navigator"])
    # The wrong role cannot complete another role's track.
    assert navi.post(f"/tasks/{budget_task.id}", data={}).status_code == 403

    complete(budget, case_id, "service_record", instance_item="household_budget")
    assert case_of(case_id).state == "in_support"
    complete(cw, case_id, "monitoring")
    complete(budget, case_id, "service_record", instance_item="household_budget", status="completed",
             ended_on="2026-12-20", outcome="家計表を作成し滞納を整理した")
    complete(navi, case_id, "service_record", instance_item="work_readiness", status="completed",
             ended_on="2026-12-24", outcome="就職が決まった")
    complete(cw, case_id, "monitoring", contact_on="2026-12-26", next_monitoring_on="2027-01-26")
    assert case_of(case_id).state == "evaluation"
    complete(cw, case_id, "evaluation")
    assert case_of(case_id).state == "evaluation"  # the evaluation proposes; the meeting decides
    complete(lead, case_id, "coordination_meeting", decision="close", closure_reason="goal_achieved")

    case = case_of(case_id)
    assert (case.state, case.closure_reason) == ("closed", "goal_achieved")
    assert db.session.query(Closure).filter_by(case_id=case_id).one().reason == "goal_achieved"
    assert db.session.query(ServiceRecord).filter_by(case_id=case_id).count() == 3
    assert db.session.query(CoordinationMeeting).filter_by(case_id=case_id).count() == 3
    assert db.session.query(HumanTask).filter_by(case_id=case_id, status="open").count() == 0
    events = [e.event_type for e in db.session.query(AuditEvent).filter_by(case_id=case_id).order_by(AuditEvent.id)]
    assert events[0] == "case_opened" and events[-1] == "case_closed"
    assert events.count("task_completed") == 13

    page = cw.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "終結しています" in page and "第2版の目標" in page and "第1版の目標" in page
    decision = db.session.query(SupportDecision).filter_by(case_id=case_id, service="work_readiness").one()
    notice = cw.get(f"/cases/{case_id}/decisions/{decision.id}/notice", follow_redirects=True).get_data(as_text=True)
    assert "支援決定通知書" in notice and "就労準備支援" in notice and "第2版" in notice


def test_screening_public_assistance_hands_off_and_closes(staff, login):
    cw = login(staff["caseworker"])
    case_id = walk_in(cw)
    complete(cw, case_id, "intake", screening_result="public_assistance", applied=False, consent_scopes=[])
    assert case_of(case_id).state == "handoff_pa"
    complete(cw, case_id, "pa_handoff")
    case = case_of(case_id)
    assert (case.state, case.closure_reason) == ("closed", "public_assistance")


def test_assessment_likely_public_assistance_goes_straight_to_handoff(staff, login):
    cw = login(staff["caseworker"])
    case_id = walk_in(cw)
    complete(cw, case_id, "intake")
    complete(cw, case_id, "assessment", likely_public_assistance=True)
    case = case_of(case_id)
    assert case.state == "handoff_pa"
    # Same day, with no plan, meeting or decision in between.
    assert db.session.query(PlanVersion).filter_by(case_id=case_id).count() == 0
    assert db.session.query(CoordinationMeeting).filter_by(case_id=case_id).count() == 0
    assert [t.form_key for t in db.session.query(HumanTask).filter_by(case_id=case_id, status="open")] == [
        "pa_handoff"
    ]
    complete(cw, case_id, "pa_handoff")
    assert case_of(case_id).closure_reason == "public_assistance"


def _to_support(cw, lead, case_id):
    complete(cw, case_id, "intake")
    complete(cw, case_id, "assessment")
    complete(cw, case_id, "plan")
    complete(lead, case_id, "coordination_meeting")


def test_request_pa_handoff_mid_support(staff, login):
    cw, lead = login(staff["caseworker"]), login(staff["lead_worker"])
    case_id = walk_in(cw)
    _to_support(cw, lead, case_id)
    response = cw.post(f"/cases/{case_id}/actions/request_pa_handoff", data={"note": "本人から申出"})
    assert response.status_code == 303
    case = case_of(case_id)
    assert case.state == "handoff_pa"
    # Support goes on while the hand-off is prepared (non-interrupting).
    open_keys = sorted(t.form_key for t in db.session.query(HumanTask).filter_by(case_id=case_id, status="open"))
    # (the plan's 就労準備支援 term has its review task open)
    assert open_keys == ["monitoring", "pa_handoff", "service_record", "service_record", "work_readiness_review"]
    complete(cw, case_id, "pa_handoff")
    case = case_of(case_id)
    assert (case.state, case.closure_reason) == ("closed", "public_assistance")
    assert db.session.query(HumanTask).filter_by(case_id=case_id, status="open").count() == 0


def test_info_only_closes(staff, login):
    cw = login(staff["caseworker"])
    case_id = walk_in(cw)
    complete(cw, case_id, "intake", screening_result="info_only", applied=False, consent_scopes=[])
    case = case_of(case_id)
    assert (case.state, case.closure_reason) == ("closed", "info_only")


def test_forty_monitorings_in_one_case(staff, login):
    cw, lead = login(staff["caseworker"]), login(staff["lead_worker"])
    case_id = walk_in(cw)
    complete(cw, case_id, "intake")
    complete(cw, case_id, "assessment")
    complete(cw, case_id, "plan", statutory_services=[], plan_to="2030-11-26")
    complete(lead, case_id, "coordination_meeting")
    for _ in range(40):
        complete(cw, case_id, "monitoring")
    assert db.session.query(FormSubmission).filter_by(case_id=case_id, form_key="monitoring").count() == 40
    assert case_of(case_id).state == "in_support"
    open_task(case_id, "monitoring")  # the 41st is offered
    complete(cw, case_id, "monitoring", replan_needed=True)
    assert case_of(case_id).state == "plan_draft"
