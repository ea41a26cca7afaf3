"""Visible deadlines: due dates from the rules, overdue alerts (年末年始 included), the scheduler tick."""

from __future__ import annotations

from datetime import date

from freezegun import freeze_time

from app.extensions import db
from app.models import HumanTask
from tests.helpers import case_of, complete, open_task, walk_in

from .conftest import jst, notification_kinds, scheduler_tick


def test_assessment_due_skips_the_year_end_break(app, staff, login):
    cw = login(staff["caseworker"])
    case_id = walk_in(cw)
    complete(cw, case_id, "intake", date(2026, 12, 20))
    assert open_task(case_id, "assessment").due_on == date(2027, 1, 4)  # 12/20 + 14 = 1/3 (closed)


def test_evaluation_overdue_alert_after_the_year_end_break(app, staff, login, case_in_support, clock):
    case_id = case_in_support(date(2026, 11, 1), plan_to=date(2026, 12, 18))
    lead, chief, cw = staff["lead_worker"], staff["section_chief"], staff["caseworker"]

    scheduler_tick(app, clock, jst(date(2026, 12, 19), 9, 1))  # plan-end timer: the evaluation opens
    evaluation = open_task(case_id, "evaluation")
    assert case_of(case_id).state == "evaluation"
    assert evaluation.due_on == date(2027, 1, 4)  # plan_to + 14 = 1/1, office closed until 1/4

    scheduler_tick(app, clock, jst(date(2026, 12, 31), 12))
    assert notification_kinds(lead) == [] and notification_kinds(chief) == []
    scheduler_tick(app, clock, jst(date(2027, 1, 4), 8, 30))
    assert notification_kinds(lead) == ["evaluation_overdue"] and notification_kinds(chief) == ["evaluation_overdue"]
    # the assigned caseworker too (and she was told the plan end withdrew her monitoring)
    assert notification_kinds(cw) == ["evaluation_overdue", "task_cancelled"]
    scheduler_tick(app, clock, jst(date(2027, 1, 5), 9))  # each alert once; now the task itself is overdue
    assert notification_kinds(lead) == ["evaluation_overdue"]
    assert notification_kinds(cw) == ["evaluation_overdue", "task_cancelled", "task_overdue"]


def test_overdue_monitoring_alerts_its_owner_once(app, staff, login, case_in_support, clock):
    case_id = case_in_support(date(2027, 4, 1))
    monitoring = open_task(case_id, "monitoring")
    assert monitoring.due_on == date(2027, 5, 1)
    scheduler_tick(app, clock, jst(date(2027, 5, 1), 18))
    assert notification_kinds(staff["caseworker"]) == []
    scheduler_tick(app, clock, jst(date(2027, 5, 2), 9))
    scheduler_tick(app, clock, jst(date(2027, 5, 3), 9))
    assert notification_kinds(staff["caseworker"]) == ["task_overdue"]


def test_scheduler_command_runs_a_pass_perscheduler_tick(app, case_in_support, clock, monkeypatch):
    from apscheduler.schedulers.blocking import BlockingScheduler

    case_id = case_in_support(date(2026, 11, 1), plan_to=date(2026, 11, 30))
    seen = {}

    def start_once(scheduler):  # stands in for the blocking loop: run the job as a tick would
        (job,) = scheduler.get_jobs()
        seen.update(interval=job.trigger.interval.total_seconds(), max_instances=job.max_instances)
        job.func(*job.args)

    monkeypatch.setattr(BlockingScheduler, "start", start_once)
    clock.current = jst(date(2026, 12, 1), 9, 1)
    with freeze_time(clock.current):
        result = app.test_cli_runner().invoke(args=["scheduler", "--interval", "15"])
    assert result.exit_code == 0, result.output
    assert seen == {"interval": 15.0, "max_instances": 1}
    assert case_of(case_id).state == "evaluation"


def test_first_contact_after_a_referral_is_due_after_golden_week(app, staff, login, make_user, clock):
    # Received Wed 4/28/2027: 4/29 昭和の日, 4/30 (1), 5/1–5/5 closed, 5/6 (2), 5/7 (3).
    from tests.helpers import form_post
    from tests.intake.helpers import slip

    referrer = make_user("tax_clerk", "referrer", ward=None)
    clock.current = jst(date(2027, 4, 28), 10)
    posted = form_post(slip(slip_date="2027-04-28"))
    posted["ward"] = "naka"
    response = login(referrer).post("/referrals/new", data=posted)
    assert response.status_code == 303, response.get_data(as_text=True)
    db.session.expire_all()
    task = db.session.query(HumanTask).filter_by(form_key="intake", status="open").one()
    assert (task.due_on, task.assignee_id) == (date(2027, 5, 7), None)

    cw, other = staff["caseworker"], staff["other_ward_caseworker"]
    # Nobody holds it yet: the ward's caseworkers hear of the new referral at once.
    assert notification_kinds(cw) == ["intake_waiting"] and notification_kinds(other) == []
    scheduler_tick(app, clock, jst(date(2027, 5, 7), 18))
    assert notification_kinds(cw) == ["intake_waiting"]
    scheduler_tick(app, clock, jst(date(2027, 5, 8), 9))  # unassigned: the ward's caseworkers hear of it
    assert notification_kinds(cw) == ["intake_waiting", "task_overdue"] and notification_kinds(other) == []


def test_assessment_overdue_alert_moves_past_the_year_end_break(app, staff, login, clock):
    cw = login(staff["caseworker"])
    case_id = walk_in(cw)
    complete(cw, case_id, "intake", date(2026, 12, 20))
    assert open_task(case_id, "assessment").due_on == date(2027, 1, 4)
    scheduler_tick(app, clock, jst(date(2027, 1, 3), 12))
    scheduler_tick(app, clock, jst(date(2027, 1, 4), 17))
    assert "task_overdue" not in notification_kinds(staff["caseworker"])
    scheduler_tick(app, clock, jst(date(2027, 1, 5), 9))
    assert notification_kinds(staff["caseworker"]).count("task_overdue") == 1
