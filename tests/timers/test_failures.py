"""A failing timer is retried with backoff, then becomes an incident; it never blocks other cases.
A pass that dies mid-step loses nothing.  A timer expression that does not parse is caught early."""

from __future__ import annotations

import shutil
from datetime import date, timedelta

import pytest
from freezegun import freeze_time

from app.audit_chain import CaseChain
from app.engine import EngineError
from app.extensions import db
from app.lifecycle import runtime, steps
from app.models import AuditEvent, Notification, TimerIncident
from app.services.timers import firing as timers
from tests.helpers import case_of, open_task

from .conftest import jst

PLAN_DAY, PLAN_TO = date(2026, 11, 1), date(2026, 11, 30)  # due 12/1 09:00 JST


@pytest.fixture
def poison(monkeypatch):
    """poison(case_id): that case's timer step fails like a broken script would."""
    real_engine = steps.engine
    poisoned = set()

    class FailingEngine:
        def __getattr__(self, name):  # starting cases works as ever
            return getattr(real_engine(), name)

        def load_for_step(self, blob, keep_warm=True):  # what a step loads its workflow with
            running = real_engine().load(blob)
            if blob in poisoned:
                def fail():
                    raise EngineError("NameError: name 'undefined_variable' is not defined", "on_plan_end")
                running.fire_due_timers = fail
            return running

    monkeypatch.setattr(steps, "engine", lambda: FailingEngine())

    def add(case_id):
        poisoned.add(case_of(case_id).workflow_blob)

    return add


def _incident(case_id):
    db.session.expire_all()
    return db.session.query(TimerIncident).filter_by(case_id=case_id).one()


def test_failing_timer_retries_with_backoff_then_opens_an_incident(app, staff, case_in_support, run_due,
                                                                   clock, poison, monkeypatch):
    broken, healthy = case_in_support(PLAN_DAY, PLAN_TO), case_in_support(PLAN_DAY, PLAN_TO)
    poison(broken)
    start = jst(date(2026, 12, 1), 9, 1)
    assert run_due(start) == 1  # the healthy case fires although the other one fails
    assert case_of(healthy).state == "evaluation"
    assert (_incident(broken).status, _incident(broken).attempts) == ("retrying", 1)

    assert run_due(start + timedelta(seconds=59)) == 0
    assert _incident(broken).attempts == 1  # not retried before its backoff
    for seconds, attempts in ((61, 2), (61 + 301, 3), (61 + 301 + 1801, 4)):
        assert run_due(start + timedelta(seconds=seconds)) == 0
        assert _incident(broken).attempts == attempts
    incident = _incident(broken)
    assert incident.status == "open" and incident.element_id == "on_plan_end"
    assert case_of(broken).next_timer_at is None and case_of(broken).state == "decided"
    assert run_due(start + timedelta(days=1)) == 0  # left alone until an operator acts
    for user in (staff["lead_worker"], staff["section_chief"]):
        kinds = [n.kind for n in db.session.query(Notification).filter_by(user_id=user.id)]
        assert kinds == ["timer_incident"]
    events = db.session.query(AuditEvent).filter_by(case_id=broken, event_type="timer_failed").count()
    assert events == 4

    runner = app.test_cli_runner()
    listed = runner.invoke(args=["timers", "incidents"]).output
    assert f"case {broken}: 4 attempt(s) [on_plan_end]" in listed
    monkeypatch.setattr(steps, "engine", runtime.engine)  # the operator fixed the cause
    assert "timers will fire on the next pass" in runner.invoke(args=["timers", "retry", str(broken)]).output
    assert run_due(start + timedelta(days=1, seconds=1)) == 1
    assert case_of(broken).state == "evaluation" and _incident(broken).status == "resolved"


def test_a_pass_killed_mid_step_loses_nothing(app, case_in_support, run_due, clock, monkeypatch):
    first, second = case_in_support(PLAN_DAY, PLAN_TO), case_in_support(PLAN_DAY, PLAN_TO)
    real_record = CaseChain.record

    def die_on_second_case(chain, event_type, *args, **kwargs):
        if event_type == "timer_fired" and chain.case_id == second:
            raise KeyboardInterrupt  # the process is killed after the engine step, before the commit
        return real_record(chain, event_type, *args, **kwargs)

    monkeypatch.setattr(CaseChain, "record", die_on_second_case)
    due = jst(date(2026, 12, 1), 9, 1)
    clock.current = due
    with freeze_time(due), pytest.raises(KeyboardInterrupt):
        timers.run_pass()
    db.session.rollback()  # what the database does with a dead connection's transaction
    assert case_of(first).state == "evaluation"
    assert case_of(second).state == "decided" and case_of(second).next_timer_at is not None

    monkeypatch.setattr(CaseChain, "record", real_record)
    assert run_due(due) == 1
    assert case_of(second).state == "evaluation"
    open_task(second, "evaluation")
    for case_id in (first, second):
        fired = db.session.query(AuditEvent).filter_by(case_id=case_id, event_type="timer_fired").count()
        assert fired == 1


def test_processes_check_catches_a_timer_expression_that_does_not_parse(app, tmp_path):
    broken = tmp_path / "processes"
    shutil.copytree(app.config["PROCESSES_DIR"], broken)
    path = broken / "no_response.bpmn"  # the no-response ladder, called by case_lifecycle
    text = path.read_text(encoding="utf-8")
    assert 'no_response_ladder["letter_at"]' in text
    path.write_text(text.replace('no_response_ladder["letter_at"]', 'no_response_ladder["letter_at"'),
                    encoding="utf-8")
    app.config["PROCESSES_DIR"] = str(broken)
    result = app.test_cli_runner().invoke(args=["processes", "check"])
    assert result.exit_code == 1
    assert "on_letter_due" in result.output
