"""Scripts in diagrams run restricted: no imports, no files, no dunder walks."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.engine import EngineError, ProcessEngine

DATA = Path(__file__).parent / "data"


@pytest.mark.parametrize(
    "payload",
    [
        "__import__('os').system('touch {marker}')",
        "open('{marker}', 'w').write('x')",
        "x = ().__class__.__base__.__subclasses__()",
        "import os\nos.system('touch {marker}')",
    ],
)
def test_script_task_cannot_escape(tmp_path, payload):
    marker = tmp_path / "escaped"
    xml = (DATA / "script_escape.bpmn").read_text().replace("PAYLOAD", payload.format(marker=marker))
    engine = ProcessEngine()
    spec = engine.parse({"escape.bpmn": xml}, "script_escape")
    with pytest.raises(EngineError):
        engine.start(spec, {})
    assert not marker.exists()


def test_benign_script_runs():
    xml = (DATA / "script_escape.bpmn").read_text().replace("PAYLOAD", "total = sum([1, 2, 3])")
    engine = ProcessEngine()
    workflow = engine.start(engine.parse({"ok.bpmn": xml}, "script_escape"), {})
    assert workflow.completed


def test_restricted_engine_is_reattached_after_load(tmp_path):
    marker = tmp_path / "escaped"
    xml = (DATA / "dead_end_gateway.bpmn").read_text().replace(
        'screening_result == "never"', f"__import__('os').system('touch {marker}') == 0"
    )
    engine = ProcessEngine()
    workflow = engine.load(engine.start(engine.parse({"x.bpmn": xml}, "dead_end"), {}).dump())
    task = workflow.ready_user_tasks()[0]
    with pytest.raises(EngineError):
        workflow.complete_task(task.task_id, {"screening_result": "x"})
    assert not marker.exists()


def test_doctype_and_entities_are_refused():
    xxe = '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><d>&x;</d>'
    with pytest.raises(EngineError, match="DOCTYPE"):
        ProcessEngine().parse({"evil.bpmn": xxe}, "evil")
