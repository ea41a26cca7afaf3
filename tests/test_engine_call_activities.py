"""Call activities as the split lifecycle uses them, on a tiny pair of diagrams in tests/data.

The engine sees the user tasks of a called process, arms and fires its timers, copies the
caller's data in and the called process's data out, keeps it all through a dump and load, and a
terminate end event marked terminateScope=case inside the called process ends the whole case.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from app.engine import ProcessEngine

DATA = Path(__file__).resolve().parent / "data"
T0 = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)


def _start():
    files = {name: (DATA / name).read_text(encoding="utf-8") for name in ("call_main.bpmn", "call_child_process.bpmn")}
    engine = ProcessEngine()
    spec = engine.parse(files, "call_main")
    assert set(spec.subprocess_specs) == {"call_child_process"}
    return engine, engine.start(spec, {"case_id": 7}, at=T0)


def _ready(running) -> dict:
    return {t.bpmn_id: t for t in running.ready_user_tasks()}


def test_tasks_of_the_called_process_are_ready_with_the_callers_data_and_their_lane_role():
    engine, running = _start()
    ready = _ready(running)
    assert set(ready) == {"main_task", "child_task"}
    assert ready["child_task"].data["case_id"] == 7  # copied into the call
    assert (ready["child_task"].lane, ready["child_task"].role) == ("相談支援員", "caseworker")
    running = engine.load(running.dump())  # the called process and its spec survive a round trip
    outcome = running.complete_task(_ready(running)["child_task"].task_id, {"stop": False, "found": "x"}, at=T0)
    after = {t.bpmn_id: t for t in outcome.ready_tasks}
    assert set(after) == {"main_task", "after_call"}
    assert after["after_call"].data["found"] == "x"  # copied out when the call ends


def test_a_timer_inside_the_called_process_is_armed_and_fires():
    engine, running = _start()
    assert running.next_timer_at() == T0 + timedelta(days=2)
    running = engine.load(running.dump())
    outcome = running.fire_due_timers(at=T0 + timedelta(days=2, minutes=1))
    assert {t.bpmn_id for t in outcome.ready_tasks} == {"main_task", "child_overdue"}
    assert outcome.next_timer_at is None


def test_terminate_scope_case_inside_the_called_process_ends_the_whole_case():
    _engine, running = _start()
    outcome = running.complete_task(_ready(running)["child_task"].task_id, {"stop": True}, at=T0)
    assert outcome.completed and outcome.ready_tasks == []  # main_task is gone too
