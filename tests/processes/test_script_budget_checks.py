"""The checks refuse a process script that would run out of its budget, when it can be seen
without running it (and never run one to find out)."""

from __future__ import annotations

import time
from html import escape

import pytest

from app.extensions import db
from app.models import ProcessVersion

from .conftest import deployed_xml
from .test_safety_and_checks import _problems


def _with_script(xml: str, script: str) -> str:
    return xml.replace("<bpmn:script>plan_round = plan_round + 1</bpmn:script>",
                       f"<bpmn:script>plan_round = plan_round + 1\n{escape(script)}</bpmn:script>")


STATICALLY_VISIBLE = {
    "endless_loop": ("while True:\n    pass", "never ends"),
    "condition_never_changes": ("n = 3\nwhile n > 0:\n    m = n - 1", "never ends"),
    "huge_power": ("x = 10**10**10", "too large"),
    "huge_repetition": ("x = 'a' * 10**10", "too large"),
    "huge_power_of_a_variable": ("x = plan_round ** 10**10", "too large"),
}


@pytest.mark.parametrize("name", sorted(STATICALLY_VISIBLE))
def test_the_draft_check_refuses_what_can_be_seen_without_running_it(owner_client, monkeypatch, name):
    from app.engine import scripting

    def never(*args, **kwargs):
        raise AssertionError("the check evaluated the script")

    monkeypatch.setattr(scripting.RestrictedEnvironment, "execute", never)
    script, reason = STATICALLY_VISIBLE[name]
    saved = owner_client.post("/processes/drafts", json={"xml": _with_script(deployed_xml(1), script)})
    assert saved.status_code == 200
    started = time.monotonic()
    response = owner_client.post(saved.json["deployUrl"], json={"note": "hostile"})
    assert time.monotonic() - started < 10
    assert response.status_code == 422
    errors = [p for p in response.json["problems"] if p["severity"] == "error"]
    assert any(p["element_id"] == "count_plan_round" and reason in p["message"] for p in errors), errors
    assert db.session.query(ProcessVersion).count() == 1


def test_a_huge_timer_expression_is_refused_without_evaluating_it(app, monkeypatch):
    from app.engine import scripting
    def never(*args, **kwargs):
        raise AssertionError("the check evaluated the expression")

    monkeypatch.setattr(scripting.RestrictedEnvironment, "evaluate", never)
    body = ('<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="a" sourceRef="s" targetRef="wait"/>'
            '<bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition><bpmn:timeDuration>10**10**7'
            '</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>'
            '<bpmn:sequenceFlow id="b" sourceRef="wait" targetRef="e"/><bpmn:endEvent id="e"/>')
    problems = [p for p in _problems(app, body) if p.element_id == "wait"]
    assert problems and all("too large" in p.message for p in problems), problems


@pytest.mark.parametrize("script", [
    "i = 0\nwhile i &lt; 5:\n    i = i + 1",
    "items = [1, 2]\nwhile items:\n    items.pop()",
    "while True:\n    break",
    "x = 2**64 * 3",
])
def test_bounded_scripts_still_pass_the_check(app, script):
    body = ('<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="a" sourceRef="s" targetRef="work"/>'
            f'<bpmn:scriptTask id="work"><bpmn:script>{script}</bpmn:script></bpmn:scriptTask>'
            '<bpmn:sequenceFlow id="b" sourceRef="work" targetRef="e"/><bpmn:endEvent id="e"/>')
    assert [p for p in _problems(app, body) if p.element_id == "work"] == []
