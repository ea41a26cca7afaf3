"""Workflows started from one cached spec must not affect each other."""

from __future__ import annotations

from pathlib import Path

from app.engine import ProcessEngine

PROCESSES = Path(__file__).parent.parent / "processes"


def test_an_event_subprocess_in_one_workflow_leaves_the_next_workflow_alone():
    # SpiffWorkflow rewires the spec the first time an event subprocess triggers; on a shared
    # spec that made every later case wait for the event subprocess and stop after intake.
    engine = ProcessEngine()
    files = {path.name: path.read_text() for path in PROCESSES.glob("*.bpmn")}
    spec = engine.parse(files, "case_lifecycle")
    first = engine.start(spec, {"plan_round": 0, "max_plan_rounds": 6})
    first.send_message("request_pa_handoff", {"note": "本人が保護申請を希望"})
    assert "pa_handoff_on_request" in [task.bpmn_id for task in first.ready_user_tasks()]

    second = engine.start(engine.parse(files, "case_lifecycle"), {"plan_round": 0, "max_plan_rounds": 6})
    intake = second.ready_user_tasks()[0]
    outcome = second.complete_task(intake.task_id, {"screening_result": "info_only", "applied": False})
    assert outcome.completed, outcome
