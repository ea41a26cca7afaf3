"""Closure is decided at the coordination meeting after the evaluation, never by the evaluation itself."""

from __future__ import annotations

from datetime import date

from app.extensions import db
from app.models import AuditEvent, Closure, CoordinationMeeting, PlanVersion, StaffTask
from tests.helpers import case_of, complete, open_task

from .helpers import to_evaluation, to_meeting


def test_evaluation_then_meeting_close_closes_with_the_reason_and_schedules_a_follow_up(staff, login):
    cw, lead = login(staff["caseworker"]), login(staff["lead_worker"])
    case_id = to_evaluation(cw, lead)
    complete(cw, case_id, "evaluation", outcome="close", closure_reason="goal_achieved")
    assert case_of(case_id).state == "evaluation" and case_of(case_id).closed_on is None
    assert db.session.query(Closure).filter_by(case_id=case_id).count() == 0

    meeting_task = open_task(case_id, "coordination_meeting")
    assert meeting_task.bpmn_id == "closure_meeting"
    assert meeting_task.prefill["decision"] == "close" and meeting_task.prefill["closure_reason"] == "goal_achieved"
    # The caseworker cannot take the meeting's decision.
    assert cw.post(f"/tasks/{meeting_task.id}", data={"decision": "close"}).status_code == 403
    # Closing needs its reason (the field is named).
    response = complete(lead, case_id, "coordination_meeting", expect=422, decision="close", closure_reason="")
    assert "closure_reason" in response.get_data(as_text=True)
    # Approve / revise are for a plan, not after an evaluation.
    complete(lead, case_id, "coordination_meeting", expect=422, decision="approve")

    complete(lead, case_id, "coordination_meeting", date(2027, 5, 20), decision="close", closure_reason="moved",
             follow_up_on="2027-08-20")
    case = case_of(case_id)
    assert (case.state, case.closure_reason) == ("closed", "moved")  # the meeting's reason, not the proposal
    meeting = db.session.query(CoordinationMeeting).filter_by(case_id=case_id, purpose="closure").one()
    assert (meeting.decision, meeting.closure_reason) == ("close", "moved")
    follow_up = db.session.query(StaffTask).filter_by(case_id=case_id).one()
    assert (follow_up.kind, follow_up.due_on, follow_up.assignee_id) == ("follow_up", date(2027, 8, 20),
                                                                         staff["caseworker"].id)
    events = [e.event_type for e in db.session.query(AuditEvent).filter_by(case_id=case_id).order_by(AuditEvent.id)]
    assert events.index("closure_meeting_decided") < events.index("follow_up_scheduled") < events.index(
        "case_closed")
    assert case_of(case_id).state == "closed"  # the follow-up does not reopen the episode


def test_meeting_continue_goes_back_to_a_new_plan_version(staff, login):
    cw, lead = login(staff["caseworker"]), login(staff["lead_worker"])
    case_id = to_evaluation(cw, lead)
    complete(cw, case_id, "evaluation", outcome="replan", closure_reason="")
    assert open_task(case_id, "coordination_meeting").prefill["decision"] == "continue"
    complete(lead, case_id, "coordination_meeting", decision="continue")
    assert case_of(case_id).state == "plan_draft"
    complete(cw, case_id, "plan", overall_goal="第2版")
    plans = db.session.query(PlanVersion).filter_by(case_id=case_id).order_by(PlanVersion.number).all()
    assert [(p.number, p.status) for p in plans] == [(1, "approved"), (2, "draft")]
    assert case_of(case_id).state == "meeting"


def test_person_absent_needs_a_reason_at_closure_and_is_refused_at_a_plan_meeting(staff, login):
    cw, lead = login(staff["caseworker"]), login(staff["lead_worker"])
    case_id = to_evaluation(cw, lead)
    complete(cw, case_id, "evaluation", outcome="close", closure_reason="person_request")
    absent = {"attendees": ["caseworker", "lead_worker"], "person_absent": True}
    response = complete(lead, case_id, "coordination_meeting", expect=422, decision="close",
                        closure_reason="person_request", **absent)
    assert "本人欠席の理由" in response.get_data(as_text=True)
    # Without the person and without saying they are absent: the attendees are named as missing.
    response = complete(lead, case_id, "coordination_meeting", expect=422, decision="close",
                        closure_reason="person_request", attendees=["caseworker", "lead_worker"])
    assert "出席者が足りません" in response.get_data(as_text=True)
    complete(lead, case_id, "coordination_meeting", decision="close", closure_reason="person_request",
             person_absence_reason="入院中のため欠席（意向は電話で確認）", **absent)
    meeting = db.session.query(CoordinationMeeting).filter_by(case_id=case_id, purpose="closure").one()
    assert meeting.person_absence_reason.startswith("入院中")
    assert case_of(case_id).state == "closed"


def test_a_plan_meeting_that_closes_hands_its_reason_to_the_closure_record(staff, login):
    cw, lead = login(staff["caseworker"]), login(staff["lead_worker"])
    case_id = to_meeting(cw)
    complete(lead, case_id, "coordination_meeting", decision="close", closure_reason="person_request")
    closure = open_task(case_id, "closure")
    assert closure.prefill == {"closure_reason": "person_request"}
    complete(lead, case_id, "closure", closure_reason="person_request")
    assert (case_of(case_id).state, case_of(case_id).closure_reason) == ("closed", "person_request")
