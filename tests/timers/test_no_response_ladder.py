"""The non-response ladder, moving the clock through each step (ゴールデンウィーク included)."""

from __future__ import annotations

from datetime import UTC, date

from app.extensions import db
from app.models import AuditEvent, Notification
from tests.helpers import case_of, complete, open_task

from .conftest import jst

PLAN_DAY = date(2027, 4, 1)
MISSED = date(2027, 4, 19)  # D0; D+14 = 5/3 (holiday) → 5/6


def _miss_contact(cw, case_id):
    complete(cw, case_id, "monitoring", MISSED, contact_made=False, progress="電話・訪問とも不在")


def _notified(user, kind):
    db.session.expire_all()
    return db.session.query(Notification).filter_by(user_id=user.id, kind=kind).all()


def test_ladder_from_missed_contact_to_supervisor_closure(app, staff, login, case_in_support, run_due):
    cw, chief = login(staff["caseworker"]), login(staff["section_chief"])
    case_id = case_in_support(PLAN_DAY)
    _miss_contact(cw, case_id)

    recontact = open_task(case_id, "contact_attempt")
    assert (recontact.bpmn_id, recontact.due_on, case_of(case_id).state) == ("recontact", MISSED, "in_support")
    complete(cw, case_id, "contact_attempt", MISSED)  # no answer: the step stays open
    assert open_task(case_id, "contact_attempt").bpmn_id == "recontact"

    # D+14 falls on 憲法記念日: the letter is due on 5/6 at the start of office hours, not before.
    assert run_due(jst(date(2027, 5, 3), 10)) == 0
    assert run_due(jst(date(2027, 5, 6), 8, 59)) == 0
    assert run_due(jst(date(2027, 5, 6), 9, 1)) == 1
    letter = open_task(case_id, "contact_attempt")
    assert (letter.bpmn_id, letter.due_on) == ("contact_letter", date(2027, 5, 6))
    assert not _notified(staff["lead_worker"], "task_alert")

    # D+30: home visit, and the lead worker and the section chief are alerted (once).
    assert run_due(jst(date(2027, 5, 19), 9, 1)) == 1
    visit = open_task(case_id, "contact_attempt")
    assert (visit.bpmn_id, visit.due_on) == ("home_visit", date(2027, 5, 19))
    assert len(_notified(staff["lead_worker"], "task_alert")) == 1
    assert len(_notified(staff["section_chief"], "task_alert")) == 1
    assert run_due(jst(date(2027, 5, 19), 9, 2)) == 0

    # D+60: the section chief decides on the suspension; the case is 中断.
    assert run_due(jst(date(2027, 6, 18), 9, 1)) == 1
    decision = open_task(case_id, "suspension_decision")
    assert (decision.role, decision.due_on, case_of(case_id).state) == ("section_chief", date(2027, 6, 18),
                                                                       "suspended")
    complete(chief, case_id, "suspension_decision", date(2027, 6, 18))
    assert open_task(case_id, "contact_attempt").bpmn_id == "suspended_contact"
    assert case_of(case_id).state == "suspended"

    # D+90 (7/18 Sun, 7/19 海の日 → 7/20): evaluation by a supervisor; nothing closes by itself.
    assert run_due(jst(date(2027, 7, 19), 12)) == 0
    assert run_due(jst(date(2027, 7, 20), 9, 1)) == 1
    evaluation = open_task(case_id, "evaluation")
    assert (evaluation.bpmn_id, evaluation.role) == ("evaluation_no_response", "section_chief lead_worker")
    assert case_of(case_id).state == "evaluation" and case_of(case_id).next_timer_at is None
    complete(cw, case_id, "evaluation", expect=403)  # a caseworker may not close for lost contact
    complete(chief, case_id, "evaluation", date(2027, 7, 20), goals_result="not_assessable",
             closure_reason="lost_contact")
    # The evaluation proposes; the supervisors' meeting decides, the person absent for lost contact.
    assert case_of(case_id).state == "evaluation"
    meeting = open_task(case_id, "coordination_meeting")
    assert meeting.bpmn_id == "closure_meeting"
    assert (meeting.prefill or {}).get("person_absent") is True
    complete(chief, case_id, "coordination_meeting", date(2027, 7, 20), decision="close",
             closure_reason="lost_contact", attendees=["caseworker", "section_chief"], person_absent=True,
             person_absence_reason="連絡途絶")
    case = case_of(case_id)
    assert (case.state, case.closure_reason) == ("closed", "lost_contact")
    fired = db.session.query(AuditEvent).filter_by(case_id=case_id, event_type="timer_fired").count()
    assert fired == 4


def test_person_returning_during_suspension_resumes_the_same_episode(app, staff, login, case_in_support,
                                                                      run_due):
    cw, chief = login(staff["caseworker"]), login(staff["section_chief"])
    case_id = case_in_support(PLAN_DAY)
    _miss_contact(cw, case_id)
    for when in (date(2027, 5, 6), date(2027, 5, 19), date(2027, 6, 18)):
        assert run_due(jst(when, 9, 1)) == 1
    complete(chief, case_id, "suspension_decision", date(2027, 6, 18))
    assert case_of(case_id).state == "suspended"

    complete(cw, case_id, "contact_attempt", date(2027, 7, 1), contact_made=True, kind="interview",
             note="本人から来所", next_monitoring_on="2027-07-15")
    case = case_of(case_id)
    assert (case.id, case.state) == (case_id, "in_support")
    monitoring = open_task(case_id, "monitoring")
    assert monitoring.due_on == date(2027, 7, 15)
    # the ladder's timers are gone; only the plan-end timer waits
    assert case.next_timer_at.replace(tzinfo=UTC) == jst(date(2027, 9, 29))  # plan_to 9/28 → next morning


def test_contact_made_at_the_first_recontact_returns_to_support(app, staff, login, case_in_support, run_due):
    cw = login(staff["caseworker"])
    case_id = case_in_support(PLAN_DAY)
    _miss_contact(cw, case_id)
    complete(cw, case_id, "contact_attempt", MISSED, contact_made=True, next_monitoring_on="2027-05-10")
    assert case_of(case_id).state == "in_support"
    assert open_task(case_id, "monitoring").due_on == date(2027, 5, 10)
    assert run_due(jst(date(2027, 5, 6), 9, 1)) == 0  # the letter step never comes


def test_a_caseworker_cannot_close_for_lost_contact(app, staff, login, case_in_support, run_due):
    cw = login(staff["caseworker"])
    case_id = case_in_support(date(2026, 11, 1), plan_to=date(2026, 11, 30))
    assert run_due(jst(date(2026, 12, 1), 9, 1)) == 1  # plan end: the caseworker's evaluation
    response = complete(cw, case_id, "evaluation", expect=422, closure_reason="lost_contact")
    assert "連絡途絶による終結は" in response.get_data(as_text=True)
    complete(cw, case_id, "evaluation", closure_reason="goal_achieved")
    assert case_of(case_id).state == "evaluation"
    complete(login(staff["lead_worker"]), case_id, "coordination_meeting", decision="close",
             closure_reason="goal_achieved")
    assert case_of(case_id).state == "closed"


def test_ladder_through_the_year_end_break(app, staff, login, case_in_support, run_due):
    # D0 12/17: D+14 = 12/31 falls in 年末年始 (12/29–1/3) → the letter comes on Monday 1/4;
    # D+30 = 1/16 (Sat) → 1/18; D+60 = 2/15 (Mon).
    cw = login(staff["caseworker"])
    case_id = case_in_support(date(2026, 11, 1))
    complete(cw, case_id, "monitoring", date(2026, 12, 17), contact_made=False, progress="不在")
    assert open_task(case_id, "contact_attempt").bpmn_id == "recontact"

    for when in (jst(date(2026, 12, 29), 9, 1), jst(date(2026, 12, 31), 9, 1), jst(date(2027, 1, 3), 12),
                 jst(date(2027, 1, 4), 8, 59)):
        assert run_due(when) == 0, when
    assert run_due(jst(date(2027, 1, 4), 9, 1)) == 1
    letter = open_task(case_id, "contact_attempt")
    assert (letter.bpmn_id, letter.due_on) == ("contact_letter", date(2027, 1, 4))
    assert run_due(jst(date(2027, 1, 17), 9, 1)) == 0
    assert run_due(jst(date(2027, 1, 18), 9, 1)) == 1
    assert open_task(case_id, "contact_attempt").bpmn_id == "home_visit"
    assert run_due(jst(date(2027, 2, 15), 9, 1)) == 1
    assert (open_task(case_id, "suspension_decision").due_on, case_of(case_id).state) == (date(2027, 2, 15),
                                                                                          "suspended")
