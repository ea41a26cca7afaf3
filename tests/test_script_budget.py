"""Process scripts run on a budget: a hostile or careless script fails its step quickly, the case
stays usable, and other cases keep answering; the checks refuse what can be seen before it runs."""

from __future__ import annotations

import time
from html import escape

import pytest

from app.extensions import db
from app.models import AuditEvent, FormSubmission, ProcessVersion

from .helpers import complete, open_task, walk_in

HOSTILE = {
    "endless_loop": "while True:\n    pass",
    "huge_power": "x = 10**10**10",
    "huge_repetition": "x = 'a' * 10**10",
    "unbounded_recursion": "def f(n):\n    return f(n + 1)\nf(0)",
    "doubling_text": "x = 'ab'\nwhile True:\n    x = x + x",
    "huge_pow_call": "x = pow(10, 10**10)",
}

# intake (a user task) → a script task the process owner wrote → end.
SCRIPTED = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" \
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="defs" targetNamespace="https://tsunagi.invalid/test">
  <bpmn:process id="scripted" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="intake" />
    <bpmn:userTask id="intake" name="相談受付・申込">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="formKey" value="intake" />
        <spiffworkflow:property name="role" value="caseworker" />
        <spiffworkflow:property name="caseState" value="intake" />
      </spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="intake" targetRef="owner_script" />
    <bpmn:scriptTask id="owner_script" name="計算"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:script>SCRIPT</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="f3" sourceRef="owner_script" targetRef="end" />
    <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
"""


def _deploy(app, script: str) -> None:
    """Stored as is, past the deploy checks: what a version deployed before the checks carries."""
    base = db.session.query(ProcessVersion).filter_by(process_id=app.config["MAIN_PROCESS_ID"]).first()
    db.session.add(ProcessVersion(
        process_id="scripted", version=1, content_hash="s" * 64,
        bpmn_files={"scripted.bpmn": SCRIPTED.replace("SCRIPT", escape(script))},
        form_definitions=base.form_definitions,
    ))
    db.session.commit()
    app.config["MAIN_PROCESS_ID"] = "scripted"


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_script_fails_its_step_quickly_and_the_case_stays_usable(app, staff, login, name):
    cw = login(staff["caseworker"])
    other_case = walk_in(cw)  # opened on the shipped process: its page must keep answering
    _deploy(app, HOSTILE[name])
    case_id = walk_in(cw)
    task_before = open_task(case_id, "intake").id

    started = time.monotonic()
    response = complete(cw, case_id, "intake")
    elapsed = time.monotonic() - started
    assert elapsed < 10, f"the step took {elapsed:.1f} s"  # a safety bound, not a speed figure

    page = cw.get(response.headers["Location"]).get_data(as_text=True)
    assert "処理に失敗しました" in page
    failure = db.session.query(AuditEvent).filter_by(case_id=case_id, event_type="step_failed").one()
    assert failure.data["element_id"] == "owner_script"
    assert "budget" in failure.data["error"].lower()
    # Rolled back whole: nothing stored, the same task still open, the case page answers.
    assert db.session.query(FormSubmission).filter_by(case_id=case_id).count() == 0
    assert open_task(case_id, "intake").id == task_before
    assert cw.get(f"/cases/{case_id}").status_code == 200
    assert cw.get(f"/cases/{other_case}").status_code == 200

