"""At plan_to the process moves the case to evaluation, fired by `tsunagi timers run-due`."""

from __future__ import annotations

from datetime import UTC, datetime

from freezegun import freeze_time

from .helpers import case_of, case_with_plan_ending, complete, open_task, statements_sent


def test_plan_end_timer_moves_the_case_to_evaluation(app, staff, login, clock):
    cw, lead = login(staff["caseworker"]), login(staff["lead_worker"])
    case_id = case_with_plan_ending(cw, lead)
    due = datetime(2026, 12, 11, 0, 0, tzinfo=UTC)  # 09:00 JST the day after plan_to
    assert case_of(case_id).next_timer_at.replace(tzinfo=UTC) == due

    runner = app.test_cli_runner()
    clock.current = datetime(2026, 12, 10, 23, 59, tzinfo=UTC)
    with freeze_time(clock.current):
        assert "fired 0 timer(s)" in runner.invoke(args=["timers", "run-due"]).output
    assert case_of(case_id).state == "decided"

    clock.current = datetime(2026, 12, 11, 0, 1, tzinfo=UTC)
    with freeze_time(clock.current):
        assert "fired 1 timer(s)" in runner.invoke(args=["timers", "run-due"]).output
    case = case_of(case_id)
    assert case.state == "evaluation" and case.next_timer_at is None
    open_task(case_id, "evaluation")
    complete(cw, case_id, "evaluation", outcome="replan", closure_reason="")
    complete(lead, case_id, "coordination_meeting", decision="continue")
    assert case_of(case_id).state == "plan_draft"


def test_a_fired_timer_reads_the_chain_head_with_the_open_tasks(app, staff, login, clock):
    """The firing continues the case's audit chain without a statement of its own for the head."""
    from app.services.audit.chain import verify
    from app.services.timers.firing import run_pass

    cw, lead = login(staff["caseworker"]), login(staff["lead_worker"])
    case_id = case_with_plan_ending(cw, lead)
    clock.current = datetime(2026, 12, 11, 0, 1, tzinfo=UTC)
    with statements_sent() as statements, freeze_time(clock.current):
        assert run_pass().fired == 1
    assert not [s for s in statements if s.lstrip().startswith("SELECT audit_events.sequence")]
    report = verify(case_id)
    assert report.ok, report
    assert case_of(case_id).state == "evaluation"
