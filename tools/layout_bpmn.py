"""Generate the diagram part (bpmndi) of a BPMN file from its process part.

    python tools/layout_bpmn.py processes/case_lifecycle.bpmn [--check]

Re-runnable: the process part of the file is kept byte for byte; only an existing
``<bpmndi:BPMNDiagram>`` block is removed and a freshly computed one is inserted before
``</bpmn:definitions>`` (its namespaces are declared on the block itself, so the root
element is not touched either).  ``--check`` only reports flow nodes without a shape.

Layout: a pool per participant, lanes as horizontal bands, flow nodes left to right by
flow order (longest path over the flows, loop-back flows ignored), several nodes of one
lane in one column stacked, subprocesses expanded and laid out the same way inside,
event subprocesses in a band at the bottom of their lane, boundary events on the lower
edge of their host.  Pure Python over lxml; bpmn-auto-layout (npm) was not used because
it drops lanes and collapses subprocesses.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"

EVENTS = {"startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent"}
GATEWAYS = {"exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway", "complexGateway"}
ACTIVITIES = {"task", "userTask", "manualTask", "scriptTask", "serviceTask", "sendTask", "receiveTask",
              "businessRuleTask", "callActivity"}
CONTAINERS = {"subProcess", "transaction", "adHocSubProcess"}
FLOW_NODES = EVENTS | GATEWAYS | ACTIVITIES | CONTAINERS

COLUMN_GAP = 50
ROW_GAP = 40
PADDING = 40  # inside an expanded subprocess, around its content
POOL_HEADER = 30
LANE_HEADER = 30
DIAGRAM_BLOCK = re.compile(r"[ \t]*<(\w+:)?BPMNDiagram\b.*?</(\w+:)?BPMNDiagram>\s*", re.DOTALL)


def local(el) -> str:
    return etree.QName(el).localname


@dataclass
class Box:
    x: float = 0
    y: float = 0
    w: float = 0
    h: float = 0

    def moved(self, dx: float, dy: float) -> Box:
        return Box(self.x + dx, self.y + dy, self.w, self.h)


@dataclass
class Layout:
    """Positions relative to the container's top-left corner."""

    w: float
    h: float
    boxes: dict[str, Box] = field(default_factory=dict)
    expanded: set[str] = field(default_factory=set)
    lanes: dict[str, Box] = field(default_factory=dict)

    def merge(self, inner: Layout, dx: float, dy: float) -> None:
        for key, box in inner.boxes.items():
            self.boxes[key] = box.moved(dx, dy)
        self.expanded |= inner.expanded
        for key, box in inner.lanes.items():
            self.lanes[key] = box.moved(dx, dy)


def base_size(el) -> tuple[float, float]:
    name = local(el)
    if name in EVENTS:
        return 36, 36
    if name in GATEWAYS:
        return 50, 50
    return 100, 80


def order_columns(nodes: list, flows: list, hosts: dict[str, str]) -> dict[str, int]:
    """Column per node: longest path from the start, loop-back flows (found by DFS) ignored."""
    ids = [n.get("id") for n in nodes]
    succ: dict[str, list[str]] = {i: [] for i in ids}
    incoming = {i: 0 for i in ids}
    for flow in flows:
        src = hosts.get(flow.get("sourceRef"), flow.get("sourceRef"))
        dst = flow.get("targetRef")
        if src in succ and dst in succ:
            succ[src].append(dst)
            incoming[dst] += 1
    roots = [i for i in ids if incoming[i] == 0] + ids  # unreachable leftovers last
    back, state = set(), {}

    def visit(start: str) -> None:
        stack = [(start, iter(succ[start]))]
        state[start] = "open"
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[node] = "done"
                stack.pop()
            elif state.get(child) == "open":
                back.add((node, child))
            elif child not in state:
                state[child] = "open"
                stack.append((child, iter(succ[child])))

    for root in roots:
        if root not in state:
            visit(root)
    column = {i: 0 for i in ids}
    for _ in ids:  # relax until stable (a DAG once back edges are gone)
        changed = False
        for src in ids:
            for dst in succ[src]:
                if (src, dst) not in back and column[dst] < column[src] + 1:
                    column[dst] = column[src] + 1
                    changed = True
        if not changed:
            break
    return column


def layout_container(container, lane_of: dict[str, str] | None = None, lane_order: list[str] | None = None) -> Layout:
    """Lay out the direct flow nodes of a process or subprocess."""
    children = [c for c in container if isinstance(c.tag, str) and etree.QName(c).namespace == BPMN]
    nodes = [c for c in children if local(c) in FLOW_NODES and local(c) != "boundaryEvent"
             and c.get("triggeredByEvent") != "true"]
    event_subs = [c for c in children if local(c) in CONTAINERS and c.get("triggeredByEvent") == "true"]
    boundaries = [c for c in children if local(c) == "boundaryEvent"]
    flows = [c for c in children if local(c) == "sequenceFlow"]
    hosts = {b.get("id"): b.get("attachedToRef") for b in boundaries}
    lane_of = lane_of or {}
    lane_order = lane_order or [None]
    default_lane = lane_order[0]

    inner: dict[str, Layout] = {}
    size: dict[str, tuple[float, float]] = {}
    for node in nodes + event_subs:
        if local(node) in CONTAINERS:
            inner[node.get("id")] = layout_container(node)
            size[node.get("id")] = (inner[node.get("id")].w + 2 * PADDING, inner[node.get("id")].h + 2 * PADDING)
        else:
            size[node.get("id")] = base_size(node)
    column = order_columns(nodes, flows, hosts)
    order = {n.get("id"): k for k, n in enumerate(nodes)}
    ends = {n.get("id") for n in nodes if local(n) == "endEvent"}
    n_cols = max(column.values(), default=-1) + 1
    col_w = [0.0] * n_cols
    cells: dict[tuple[str | None, int], list[str]] = {}
    for node in nodes:
        nid = node.get("id")
        col_w[column[nid]] = max(col_w[column[nid]], size[nid][0])
        cells.setdefault((lane_of.get(nid, default_lane), column[nid]), []).append(nid)
    col_x, x = [], PADDING if lane_order == [None] else LANE_HEADER + COLUMN_GAP
    for width in col_w:
        col_x.append(x)
        x += width + COLUMN_GAP
    content_w = x

    layout = Layout(0, 0)
    y = 0.0
    for lane in lane_order:
        top = y
        bottom = top + ROW_GAP
        for (ln, col), ids in cells.items():
            if ln != lane:
                continue
            # The first node of each column sits on the lane's main line; the rest stack below.
            cell_y = top + ROW_GAP
            for nid in sorted(ids, key=lambda i: (i in ends, order[i])):
                w, h = size[nid]
                box = Box(col_x[col] + (col_w[col] - w) / 2, cell_y + max(0.0, (80 - h) / 2), w, h)
                layout.boxes[nid] = box
                cell_y = box.y + h + ROW_GAP
            bottom = max(bottom, cell_y)
        y = bottom
        for sub in event_subs:
            if lane_of.get(sub.get("id"), default_lane) == lane:
                w, h = size[sub.get("id")]
                layout.boxes[sub.get("id")] = Box(col_x[0] if col_x else PADDING, y, w, h)
                content_w = max(content_w, (col_x[0] if col_x else PADDING) + w + COLUMN_GAP)
                y += h + ROW_GAP
        y = max(y, top + 120)
        if lane is not None:
            layout.lanes[lane] = Box(0, top, 0, y - top)
    layout.w, layout.h = content_w, y + (PADDING if lane_order == [None] else 0)
    for lane_box in layout.lanes.values():
        lane_box.w = layout.w
    for nid, sub_layout in inner.items():
        box = layout.boxes[nid]
        layout.merge(sub_layout, box.x + PADDING, box.y + PADDING)
        layout.expanded.add(nid)
    per_host: dict[str, int] = {}
    for boundary in boundaries:
        host = layout.boxes.get(boundary.get("attachedToRef"))
        if host is None:
            continue
        k = per_host.setdefault(boundary.get("attachedToRef"), 0)
        per_host[boundary.get("attachedToRef")] = k + 1
        layout.boxes[boundary.get("id")] = Box(host.x + host.w - 60 - 60 * k, host.y + host.h - 18, 36, 36)
    return layout


def route(src: Box, dst: Box, from_boundary: bool) -> list[tuple[float, float]]:
    """Orthogonal waypoints from src to dst."""
    sx, sy = src.x + src.w, src.y + src.h / 2
    tx, ty = dst.x, dst.y + dst.h / 2
    if from_boundary:
        bx, by = src.x + src.w / 2, src.y + src.h
        if tx > bx:
            return [(bx, by), (bx, ty), (tx, ty)] if ty > by else [(bx, by), (bx, by + 20), (tx - 20, by + 20),
                                                                  (tx - 20, ty), (tx, ty)]
        return [(bx, by), (bx, by + 20), (dst.x + dst.w / 2, by + 20), (dst.x + dst.w / 2, dst.y + dst.h)]
    if tx > sx:
        if abs(sy - ty) < 1:
            return [(sx, sy), (tx, ty)]
        mx = sx + min(COLUMN_GAP / 2, (tx - sx) / 2)
        return [(sx, sy), (mx, sy), (mx, ty), (tx, ty)]
    # A loop back: leave from the top, run above both, enter from the top.
    top = min(src.y, dst.y) - 25
    return [(src.x + src.w / 2, src.y), (src.x + src.w / 2, top), (dst.x + dst.w / 2, top),
            (dst.x + dst.w / 2, dst.y)]


def lanes_of(process) -> tuple[dict[str, str], list[str]]:
    lane_of, order = {}, []
    for lane in process.iter(f"{{{BPMN}}}lane"):
        if lane.find(f"{{{BPMN}}}childLaneSet") is not None:
            continue  # only the innermost lanes are bands
        order.append(lane.get("id"))
        for ref in lane.findall(f"{{{BPMN}}}flowNodeRef"):
            lane_of[(ref.text or "").strip()] = lane.get("id")
    return lane_of, order


def diagram_layout(root) -> tuple[str, Layout, dict[str, Box]]:
    """Everything positioned on one plane; returns (plane element id, layout, pool boxes)."""
    processes = {p.get("id"): p for p in root.findall(f"{{{BPMN}}}process")}
    collaboration = root.find(f"{{{BPMN}}}collaboration")
    participants = collaboration.findall(f"{{{BPMN}}}participant") if collaboration is not None else []
    total, pools, y = Layout(0, 0), {}, 0.0
    parts = [(p.get("id"), processes.get(p.get("processRef"))) for p in participants] or [
        (None, p) for p in processes.values()]
    for participant_id, process in parts:
        if process is None:
            continue
        lane_of, order = lanes_of(process)
        inner = layout_container(process, lane_of, order or None)
        dx = POOL_HEADER if participant_id else 0
        total.merge(inner, dx, y)
        if participant_id:
            pools[participant_id] = Box(0, y, inner.w + POOL_HEADER, inner.h)
        for lane_id in order:
            total.lanes[lane_id].x = dx
        total.w = max(total.w, inner.w + dx)
        y += inner.h + 60
    plane = collaboration.get("id") if participants else next(iter(processes), "process")
    return plane, total, pools


def _bounds(box: Box) -> str:
    return f'<dc:Bounds x="{box.x + 160:.0f}" y="{box.y + 80:.0f}" width="{box.w:.0f}" height="{box.h:.0f}" />'


def render_diagram(root) -> str:
    plane, layout, pools = diagram_layout(root)
    lines = [f'  <bpmndi:BPMNDiagram id="diagram_{plane}" xmlns:bpmndi="{BPMNDI}" xmlns:dc="{DC}" xmlns:di="{DI}">',
             f'    <bpmndi:BPMNPlane id="plane_{plane}" bpmnElement="{plane}">']

    def shape(element_id: str, box: Box, extra: str = "") -> None:
        lines.append(f'      <bpmndi:BPMNShape id="{element_id}_di" bpmnElement="{element_id}"{extra}>')
        lines.append(f"        {_bounds(box)}")
        lines.append("      </bpmndi:BPMNShape>")

    for pid, box in pools.items():
        shape(pid, box, ' isHorizontal="true"')
    for lid, box in layout.lanes.items():
        shape(lid, box, ' isHorizontal="true"')
    for el in root.iter(f"{{{BPMN}}}*"):
        nid = el.get("id")
        if local(el) in FLOW_NODES and nid in layout.boxes:
            shape(nid, layout.boxes[nid], ' isExpanded="true"' if nid in layout.expanded else "")
    for flow in root.iter(f"{{{BPMN}}}sequenceFlow"):
        src, dst = layout.boxes.get(flow.get("sourceRef")), layout.boxes.get(flow.get("targetRef"))
        if src is None or dst is None:
            continue
        source_el = root.find(f".//*[@id='{flow.get('sourceRef')}']")
        points = route(src, dst, source_el is not None and local(source_el) == "boundaryEvent")
        lines.append(f'      <bpmndi:BPMNEdge id="{flow.get("id")}_di" bpmnElement="{flow.get("id")}">')
        lines.extend(f'        <di:waypoint x="{px + 160:.0f}" y="{py + 80:.0f}" />' for px, py in points)
        lines.append("      </bpmndi:BPMNEdge>")
    lines += ["    </bpmndi:BPMNPlane>", "  </bpmndi:BPMNDiagram>"]
    return "\n".join(lines) + "\n"


def missing_shapes(text: str) -> list[str]:
    """Flow nodes (and subprocess contents) of the file that have no BPMNShape."""
    root = etree.fromstring(text.encode("utf-8"), etree.XMLParser(resolve_entities=False, no_network=True))
    shaped = {s.get("bpmnElement") for s in root.iter(f"{{{BPMNDI}}}BPMNShape")}
    return [el.get("id") for el in root.iter(f"{{{BPMN}}}*") if local(el) in FLOW_NODES and el.get("id") not in shaped]


def relayout(text: str) -> str:
    without = DIAGRAM_BLOCK.sub("", text)
    root = etree.fromstring(without.encode("utf-8"), etree.XMLParser(resolve_entities=False, no_network=True))
    closing = without.rindex("</")
    return without[:closing] + render_diagram(root) + without[closing:]


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv if not a.startswith("--")]
    if not paths:
        print(__doc__)
        return 2
    for path in paths:
        text = path.read_text(encoding="utf-8")
        if "--check" in argv:
            missing = missing_shapes(text)
            print(f"{path}: {'missing shapes: ' + ', '.join(missing) if missing else 'every flow node has a shape'}")
            if missing:
                return 1
            continue
        path.write_text(relayout(text), encoding="utf-8")
        print(f"{path}: laid out ({len(missing_shapes(path.read_text(encoding='utf-8')))} flow nodes without shape)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
