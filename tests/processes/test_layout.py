"""tools/layout_bpmn.py and the diagrams in processes/: each one a person can read on one screen.

Every file: re-running the tool changes nothing and keeps the process part byte for byte; every
flow node has a shape and every sequence flow an edge; the diagram fits about 1920×1080 at
100 %; shapes do not overlap; the main path of each process runs left to right.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from .conftest import layout_bpmn

PROCESSES = Path(__file__).resolve().parents[2] / "processes"
FILES = sorted(PROCESSES.glob("*.bpmn"))
BPMN, DC = layout_bpmn.BPMN, layout_bpmn.DC
BPMNDI = layout_bpmn.BPMNDI

# The way through each diagram a caseworker follows most often, in the order it is drawn.
MAIN_PATHS = {
    "case_lifecycle.bpmn": ["start_case", "intake", "gw_screening", "assessment", "plan", "meeting", "support_phase",
                            "evaluation", "closure_meeting"],
    "support_phase.bpmn": ["support_start", "support_fork", "monitoring", "gw_monitoring", "throw_evaluate"],
    "no_response.bpmn": ["nr_start", "recontact", "contact_letter", "home_visit", "suspension_decision",
                         "suspended_contact", "nr_end_evaluate"],
    "high_risk_response.bpmn": ["high_risk_start", "gw_risk_split", "risk_acknowledgement", "gw_risk_join",
                                "end_risk_response"],
}


def _process_part(text: str) -> str:
    return layout_bpmn.DIAGRAM_BLOCK.sub("", text)


def _shapes(root) -> dict[str, tuple[float, float, float, float]]:
    found = {}
    for shape in root.iter(f"{{{BPMNDI}}}BPMNShape"):
        bounds = shape.find(f"{{{DC}}}Bounds")
        found[shape.get("bpmnElement")] = tuple(float(bounds.get(k)) for k in ("x", "y", "width", "height"))
    return found


def _root(path: Path):
    return etree.fromstring(path.read_bytes())


def test_every_process_file_is_covered():
    assert {p.name for p in FILES} == set(MAIN_PATHS)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_layout_is_idempotent_and_keeps_the_process_part(path):
    original = path.read_text(encoding="utf-8")
    once = layout_bpmn.relayout(original)
    assert once == original, "run tools/layout_bpmn.py on the file"  # the committed diagram is the tool's
    assert layout_bpmn.relayout(once) == once
    assert _process_part(once) == _process_part(original)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_flow_node_has_a_shape_and_every_flow_an_edge(path):
    root = _root(path)
    assert layout_bpmn.missing_shapes(path.read_text(encoding="utf-8")) == []
    flows = {f.get("id") for f in root.iter(f"{{{BPMN}}}sequenceFlow")}
    edges = {e.get("bpmnElement"): e for e in root.iter(f"{{{BPMNDI}}}BPMNEdge")}
    assert set(edges) == flows
    for edge in edges.values():
        points = [(float(w.get("x")), float(w.get("y"))) for w in edge]
        assert len(points) >= 2
        # orthogonal: each segment is horizontal or vertical
        assert all(a[0] == b[0] or a[1] == b[1] for a, b in zip(points, points[1:], strict=False)), edge.get("id")
    for lane in root.iter(f"{{{BPMN}}}lane"):
        assert lane.get("id") in _shapes(root)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_the_diagram_fits_a_screen_and_shapes_do_not_overlap(path):
    root = _root(path)
    shapes = _shapes(root)
    left = min(x for x, _y, _w, _h in shapes.values())
    top = min(y for _x, y, _w, _h in shapes.values())
    right = max(x + w for x, _y, w, _h in shapes.values())
    bottom = max(y + h for _x, y, _w, h in shapes.values())
    assert right - left <= 2100 and bottom - top <= 1150, (right - left, bottom - top)
    elements = {el.get("id"): el for el in root.iter(f"{{{BPMN}}}*") if el.get("id")}
    solid = {k: v for k, v in shapes.items() if k in elements
             and layout_bpmn.local(elements[k]) in layout_bpmn.FLOW_NODES - {"boundaryEvent"}}

    def inside(a: str, b: str) -> bool:  # a is drawn within the expanded subprocess b
        return any(ancestor.get("id") == b for ancestor in elements[a].iterancestors())

    items = sorted(solid.items())
    for i, (a, (ax, ay, aw, ah)) in enumerate(items):
        for b, (bx, by, bw, bh) in items[i + 1:]:
            overlap = ax < bx + bw and bx < ax + aw and ay < by + bh and by < ay + ah
            assert not overlap or inside(a, b) or inside(b, a), (a, b)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_the_main_path_reads_left_to_right(path):
    shapes = _shapes(_root(path))
    centres = [shapes[element][0] + shapes[element][2] / 2 for element in MAIN_PATHS[path.name]]
    assert centres == sorted(centres) and len(set(centres)) == len(centres), dict(zip(MAIN_PATHS[path.name],
                                                                                       centres, strict=True))


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_parallel_branches_are_drawn_in_the_order_of_their_flows(path):
    """SpiffWorkflow orders a node's outgoing flows by their targets' height on the diagram and opens
    parallel branches in that order: the drawing must keep the file's order (the task order of a case,
    and the task ids the API walk in docs/api.md shows, depend on it)."""
    root = _root(path)
    shapes = _shapes(root)
    flows = list(root.iter(f"{{{BPMN}}}sequenceFlow"))
    for gateway in root.iter(f"{{{BPMN}}}parallelGateway", f"{{{BPMN}}}inclusiveGateway"):
        targets = [f.get("targetRef") for f in flows if f.get("sourceRef") == gateway.get("id")]
        if len(targets) > 1:
            heights = [shapes[t][1] for t in targets]  # the top edge, as the parser reads it
            assert heights == sorted(heights), (gateway.get("id"), dict(zip(targets, heights, strict=True)))


def test_lanes_are_bands_with_japanese_names_and_the_lifecycle_calls_the_other_processes():
    root = _root(PROCESSES / "case_lifecycle.bpmn")
    shapes = _shapes(root)
    lanes = list(root.iter(f"{{{BPMN}}}lane"))
    assert [lane.get("name") for lane in lanes] == ["相談支援員", "主任相談支援員", "係長"]
    ys = [shapes[lane.get("id")][1] for lane in lanes]
    assert ys == sorted(ys)
    calls = {c.get("id"): c.get("calledElement") for c in root.iter(f"{{{BPMN}}}callActivity")}
    assert calls == {"support_phase": "support_phase", "no_response": "no_response",
                     "risk_response_tasks": "high_risk_response"}
    for called in calls.values():
        assert (PROCESSES / f"{called}.bpmn").exists()


def test_the_shape_check_notices_a_missing_shape():
    text = (PROCESSES / "case_lifecycle.bpmn").read_text(encoding="utf-8")
    broken = text.replace('bpmnElement="intake">', 'bpmnElement="somewhere_else">')
    assert layout_bpmn.missing_shapes(broken) == ["intake"]


def test_a_process_without_diagram_gets_one_from_the_tool():
    text = _process_part((PROCESSES / "no_response.bpmn").read_text(encoding="utf-8"))
    assert "BPMNShape" not in text
    laid_out = layout_bpmn.relayout(text)
    assert layout_bpmn.missing_shapes(laid_out) == []
    assert laid_out == (PROCESSES / "no_response.bpmn").read_text(encoding="utf-8")
