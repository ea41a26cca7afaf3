"""tools/layout_bpmn.py: re-runnable, never touches the process part, shapes every flow node."""

from __future__ import annotations

from pathlib import Path

from .conftest import layout_bpmn

LIFECYCLE = Path(__file__).resolve().parents[2] / "processes" / "case_lifecycle.bpmn"


def _process_part(text: str) -> str:
    return layout_bpmn.DIAGRAM_BLOCK.sub("", text)


def test_layout_is_idempotent_and_keeps_the_process_part():
    original = LIFECYCLE.read_text(encoding="utf-8")
    once = layout_bpmn.relayout(original)
    assert layout_bpmn.relayout(once) == once
    assert _process_part(once) == _process_part(original)
    assert layout_bpmn.missing_shapes(once) == []


def test_layout_gives_lanes_pools_subprocesses_and_edges():
    text = layout_bpmn.relayout(_process_part(LIFECYCLE.read_text(encoding="utf-8")))
    for element in ("participant_case", "lane_caseworker", "lane_lead_worker", "support_phase", "budget_tracks",
                    "pa_request", "on_plan_end"):
        assert f'bpmnElement="{element}"' in text
    assert 'bpmnElement="support_phase" isExpanded="true"' in text
    assert text.count("<bpmndi:BPMNEdge") == text.count("<bpmn:sequenceFlow")


def test_the_shape_check_notices_a_missing_shape():
    text = layout_bpmn.relayout(LIFECYCLE.read_text(encoding="utf-8"))
    broken = text.replace('bpmnElement="intake">', 'bpmnElement="somewhere_else">')
    assert layout_bpmn.missing_shapes(broken) == ["intake"]
