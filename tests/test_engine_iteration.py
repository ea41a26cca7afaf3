"""The engine's faster task-tree walks (app/engine/iteration.py) give the library's results.

Replay of a long case walks SpiffWorkflow's task tree tens of thousands of times; the engine
swaps in a walk without per-task depth bookkeeping and finds ready user tasks through the task
dictionaries.  These tests hold both to the library's own walk, task for task and in order.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.engine import iteration
from app.extensions import db
from app.lifecycle.runtime import engine
from app.models import Case

from .helpers import complete, walk_in


def test_every_walk_matches_the_library_while_the_demo_cases_run_and_after(app):
    from app.services.demo.seed import load_demo

    with iteration.checked_walks() as differences:
        load_demo()
    assert differences == []
    blobs = [blob for (blob,) in db.session.query(Case.workflow_blob).order_by(Case.id)]
    assert len(blobs) >= 14
    for blob in blobs:
        assert iteration.differences_from_library(engine().load(blob)) == []


def test_walks_match_on_a_case_with_many_monitoring_rounds_and_a_handoff(app, staff, login):
    cw, lead = login(staff["caseworker"]), login(staff["lead_worker"])
    case_id = walk_in(cw)
    with iteration.checked_walks() as differences:
        complete(cw, case_id, "intake")
        complete(cw, case_id, "assessment")
        complete(cw, case_id, "plan", statutory_services=["household_budget"])
        complete(lead, case_id, "coordination_meeting")
        for _ in range(12):
            complete(cw, case_id, "monitoring")
        handoff = cw.post(f"/cases/{case_id}/actions/request_pa_handoff", data={"note": "保護申請を希望"})
        assert handoff.status_code == 303
    assert differences == []
    case = db.session.get(Case, case_id)
    assert iteration.differences_from_library(engine().load(case.workflow_blob)) == []


def test_the_fast_walks_are_installed():
    assert iteration.installed()


def test_an_injected_time_reaches_the_timers_only_for_that_call(app):
    from app.engine.clock import _EngineDatetime, engine_time

    at = datetime(2031, 5, 6, 7, 8, tzinfo=UTC)
    with engine_time(at):
        assert _EngineDatetime.now(UTC) == at
        assert abs(datetime.now(UTC) - at) > timedelta(days=1)  # the process clock is untouched
    assert abs(_EngineDatetime.now(UTC) - datetime.now(UTC)) < timedelta(minutes=1)
