"""A timer that reaches an end event closes the case like any other step: state, Closure record, events."""

from __future__ import annotations

from datetime import date

from freezegun import freeze_time

from app.extensions import db
from app.models import AuditEvent, Closure
from app.services.processes import current_version, store_version
from tests.helpers import case_of, walk_in

from .conftest import jst

# A whole process that only waits: opened, the timer ends it (e.g. an episode closing itself).
TIMER_TO_END = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="defs" targetNamespace="tsunagi">
  <bpmn:process id="case_lifecycle" name="待つだけ" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait" />
    <bpmn:intermediateCatchEvent id="wait" name="期限">
      <bpmn:timerEventDefinition id="wait_timer">
        <bpmn:timeDate>"2026-12-01T09:00:00+09:00"</bpmn:timeDate>
      </bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>
"""


def test_a_timer_reaching_the_end_event_closes_the_case_with_its_closure_record(app, staff, login, run_due, clock):
    shipped = current_version()
    store_version("case_lifecycle", {"case_lifecycle.bpmn": TIMER_TO_END}, shipped.form_definitions, None,
                  "a timer that ends the process", source="test")
    db.session.commit()
    with freeze_time(clock.current):  # SpiffWorkflow's clock at the app clock's 26 November
        case_id = walk_in(login(staff["caseworker"]))
    assert case_of(case_id).next_timer_at is not None and not case_of(case_id).is_closed

    assert run_due(jst(date(2026, 11, 30))) == 0  # not due yet
    assert run_due(jst(date(2026, 12, 1), 9, 1)) == 1

    case = case_of(case_id)
    assert case.state == "closed" and case.closed_on == date(2026, 12, 1) and case.closure_reason == "other"
    closure = db.session.query(Closure).filter_by(case_id=case_id).one()
    assert (closure.closed_on, closure.reason, closure.closed_by_id) == (date(2026, 12, 1), "other", None)
    chain = db.session.query(AuditEvent).filter_by(case_id=case_id).order_by(AuditEvent.sequence)
    events = [event.event_type for event in chain]
    assert events[-3:] == ["timer_fired", "case_state_changed", "case_closed"]
    assert case.next_timer_at is None
    assert run_due(jst(date(2026, 12, 2))) == 0  # a closed case never fires again
