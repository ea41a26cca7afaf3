"""The month-start duty check from the scheduler's tick, the period's end, and the payment run by two
processes at once on PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from freezegun import freeze_time

from app.extensions import db
from app.models import AuditEvent, HbPayment, HumanTask
from app.programs.housing_benefit.payments import pay_month
from app.services.timers.scheduler import tick
from tests.conftest import DB_KIND
from tests.helpers import run_together

from .conftest import application, jst

APPLIED = date(2027, 6, 10)


def grant(benefit) -> int:
    benefit.on(APPLIED)
    case_id = benefit.open_case()
    benefit.action("apply_housing_benefit", application(APPLIED))
    benefit.screen("grant")
    return case_id


def test_the_scheduler_tick_raises_the_duty_task_on_day_one_of_the_next_month(app, benefit, clock):
    case_id = grant(benefit)
    for when in (jst(date(2027, 6, 30), 23), jst(date(2027, 7, 1), 0), jst(date(2027, 7, 1), 9)):
        clock.current = when
        with freeze_time(when):
            tick(app)
    db.session.expire_all()
    tasks = db.session.query(HumanTask).filter_by(case_id=case_id, form_key="hb_duty_check").all()
    assert [(t.status, t.role, t.assignee.username) for t in tasks] == [("open", "caseworker", "cw")]
    assert db.session.query(AuditEvent).filter_by(event_type="hb_duties_checked").count() == 1


def test_a_compliant_month_raises_no_task_and_the_benefit_ends_after_its_last_month(benefit):
    case_id = grant(benefit)
    for month in ("2027-06", "2027-07", "2027-08"):
        benefit.report_duties(month)
    for day in (date(2027, 7, 1), date(2027, 8, 1)):
        assert "raised 0 task(s), 0 benefit(s) ended" in benefit.check_duties(day)
    assert benefit.current()["status"] == "paying"
    assert "raised 0 task(s), 1 benefit(s) ended" in benefit.check_duties(date(2027, 9, 1))
    assert benefit.current()["status"] == "ended"
    assert db.session.query(HumanTask).filter_by(case_id=case_id, status="open",
                                                 form_key="hb_duty_check").count() == 0
    benefit.on(date(2027, 9, 2))
    benefit.action("apply_housing_benefit", application(date(2027, 9, 2)))  # a new application may follow


@pytest.mark.skipif(DB_KIND != "postgresql", reason="real concurrency needs PostgreSQL")
def test_two_payment_runs_at_once_pay_each_payment_once(app, benefit):
    case_ids = [grant(benefit) for _ in range(6)]
    db.session.remove()

    def run():
        with app.app_context():
            try:
                return pay_month("2027-07")
            finally:
                db.session.remove()

    results = run_together([run, run])
    assert sum(results) == 6
    db.session.expire_all()
    paid = db.session.query(AuditEvent).filter_by(event_type="hb_payment_paid").all()
    assert sorted(e.case_id for e in paid) == sorted(case_ids)
    assert db.session.query(HbPayment).filter_by(month="2027-07", status="paid").count() == 6


def test_the_case_chain_verifies_and_the_lifecycle_replays_beside_the_benefit(benefit):
    case_id = grant(benefit)
    benefit.pay("2027-06")
    benefit.check_duties(date(2027, 7, 1))  # an open duty-check task of the benefit's own workflow
    runner = benefit.app.test_cli_runner()
    verified = runner.invoke(args=["audit", "verify", "--case", str(case_id)])
    assert verified.exit_code == 0, verified.output
    replayed = runner.invoke(args=["audit", "replay", str(case_id), "--verify"])
    assert replayed.exit_code == 0, replayed.output
    assert "replay matches the stored state" in replayed.output
    db.session.expire_all()
    types = [e.event_type for e in db.session.query(AuditEvent).filter_by(case_id=case_id).order_by(AuditEvent.id)]
    for expected in ("hb_application_received", "hb_process_started", "hb_task_completed", "hb_decision_recorded",
                     "notice_issued", "hb_payment_paid", "hb_duties_checked", "hb_message_sent"):
        assert expected in types, expected


@pytest.mark.skipif(DB_KIND != "postgresql", reason="two hosts need PostgreSQL")
def test_two_pay_commands_in_separate_processes_pay_each_payment_once(app, benefit, database_url):
    import os
    import secrets
    import subprocess
    import sys

    case_ids = [grant(benefit) for _ in range(4)]
    db.session.remove()
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    env = {**os.environ, "DATABASE_URL": database_url, "TSUNAGI_SECRET_KEY": secrets.token_urlsafe(48)}
    # `python -m app` from this checkout: the `tsunagi` script may belong to another one.
    processes = [subprocess.Popen([sys.executable, "-m", "app", "benefits", "pay", "--month", "2027-08"], env=env,
                                  cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
    outputs = [process.communicate(timeout=120) for process in processes]
    assert all(process.returncode == 0 for process in processes), [err.decode()[-2000:] for _, err in outputs]
    paid = sorted(int(out.decode().split()[1]) for out, _ in outputs)
    assert sum(paid) == 4, outputs
    db.session.expire_all()
    events = db.session.query(AuditEvent).filter_by(event_type="hb_payment_paid").all()
    assert sorted(e.case_id for e in events) == sorted(case_ids)
