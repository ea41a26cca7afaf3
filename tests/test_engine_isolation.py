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


def _engine_and_spec():
    engine = ProcessEngine()
    files = {path.name: path.read_text() for path in PROCESSES.glob("*.bpmn")}
    return engine, engine.parse(files, "case_lifecycle")


def test_workflows_loaded_from_one_blob_do_not_affect_each_other():
    # Loaded workflows share the restored specs that cannot change; the one that can is copied.
    engine, spec = _engine_and_spec()
    blob = engine.start(spec, {"plan_round": 0, "max_plan_rounds": 6}).dump()
    first = engine.load(blob)
    first.send_message("request_pa_handoff", {"note": "本人が保護申請を希望"})
    assert "pa_handoff_on_request" in [task.bpmn_id for task in first.ready_user_tasks()]
    triggered = first.dump()

    second = engine.load(blob)
    intake = second.ready_user_tasks()[0]
    outcome = second.complete_task(intake.task_id, {"screening_result": "info_only", "applied": False})
    assert outcome.completed, outcome
    # ... and the triggered one, loaded again, still has its event subprocess wired in.
    again = engine.load(triggered)
    assert "pa_handoff_on_request" in [task.bpmn_id for task in again.ready_user_tasks()]


def test_dump_writes_exactly_what_the_stock_serializer_writes():
    # `dump` reuses the text of unchanged specs; the result must be the library's own JSON.
    import gzip
    import json

    from app.engine.serializer import AppSerializer

    engine, spec = _engine_and_spec()

    def stock(running):
        return json.loads(super(AppSerializer, engine.serializer).serialize_json(running._wf))

    running = engine.start(spec, {"plan_round": 0, "max_plan_rounds": 6})
    for step in range(3):
        assert json.loads(gzip.decompress(running.dump())) == stock(running)
        if step == 0:
            running = engine.load(running.dump())
            running.send_message("request_pa_handoff", {"note": "本人が保護申請を希望"})  # rewires the spec
        elif step == 1:
            running = engine.load(running.dump())
            intake = next(t for t in running.ready_user_tasks() if t.form_key == "intake")
            running.complete_task(intake.task_id, {"screening_result": "info_only", "applied": False})


def test_a_blob_loads_the_same_whether_its_specs_are_parsed_or_recognised():
    import gzip
    import json

    engine, spec = _engine_and_spec()
    running = engine.start(spec, {"plan_round": 0, "max_plan_rounds": 6})
    running.send_message("request_pa_handoff", {"note": "本人が保護申請を希望"})
    for blob in (engine.start(spec, {"plan_round": 0, "max_plan_rounds": 6}).dump(), running.dump()):
        first = engine.load(blob)  # parses the specs
        text = gzip.decompress(blob).decode()
        known, _ = engine.serializer._parse_with_known_specs(text)
        assert known is first._wf._tsunagi_specs[0]  # ... and recognises them from now on
        second = engine.load(blob)
        assert second._wf._tsunagi_specs[0] is known
        assert json.loads(gzip.decompress(second.dump())) == json.loads(text)
        assert [t.bpmn_id for t in second.ready_user_tasks()] == [t.bpmn_id for t in first.ready_user_tasks()]
