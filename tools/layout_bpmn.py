"""Generate the diagram part (bpmndi) of a BPMN file from its process part.

    python tools/layout_bpmn.py processes/case_lifecycle.bpmn [processes/…] [--check]

Re-runnable: the process part of the file is kept byte for byte; only an existing
``<bpmndi:BPMNDiagram>`` block is removed and a freshly computed one is inserted before
``</bpmn:definitions>`` (its namespaces are declared on the block itself, so the root
element is not touched either).  ``--check`` only reports flow nodes without a shape.

Layout, the way a person draws a process left to right:

* a pool per participant, lanes as horizontal bands, in document order;
* columns by flow order (longest path over the flows; loop-back flows, found by a depth-first
  walk from the start, are left out; a boundary event's flow counts from its host);
* rows inside each lane: a node continues the row of the predecessor whose main successor it
  is (the successor with the most work ahead in its lane, then the longest way to the end); other
  branches, and what a boundary event leads to, go one row lower, so the main path is one straight
  line.  The branches of a parallel or inclusive gateway keep the order of their flows in the file,
  top to bottom: SpiffWorkflow orders outgoing flows by their targets' height on the diagram, and
  that is the order in which a case's parallel tasks open;
* flows are orthogonal: a branch leaves a gateway downwards, a merge enters it from below, a
  loop back runs above the row and enters its target from the top; a boundary event sits on the
  lower edge of its host (on the upper edge when its flow loops back);
* expanded subprocesses are laid out the same way inside; event subprocesses sit side by side
  in a band at the bottom of their lane.

Pure Python over lxml; bpmn-auto-layout (npm) was not used because it drops lanes and
collapses subprocesses.
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

COLUMN_GAP = 30  # between columns (flows bend in the middle of it)
ROW_GAP = 50  # between rows: a boundary event and its label below, a loop's channel above
ROW_HEIGHT = 80  # a task's height; events and gateways sit on the same centre line
TOP_PAD = 36  # above the first row of a lane (loops run there)
BOTTOM_PAD = 36  # below the last row (boundary events and their labels)
BOUNDARY_STEP = 80  # between boundary events on one edge of a host (their labels side by side)
PADDING = 30  # inside an expanded subprocess, around its content
POOL_HEADER = 30
LANE_HEADER = 30
ORIGIN = (160, 80)  # where the diagram starts on the canvas
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

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2


@dataclass
class Layout:
    """Positions relative to the container's top-left corner."""

    w: float
    h: float
    boxes: dict[str, Box] = field(default_factory=dict)
    expanded: set[str] = field(default_factory=set)
    lanes: dict[str, Box] = field(default_factory=dict)
    columns: dict[str, int] = field(default_factory=dict)  # flow node -> column (per container)
    back: set[str] = field(default_factory=set)  # flows that loop back
    on_top: set[str] = field(default_factory=set)  # boundary events on their host's upper edge
    lane_of: dict[str, str | None] = field(default_factory=dict)  # flow node -> lane (top-level nodes)

    def merge(self, inner: Layout, dx: float, dy: float) -> None:
        for key, box in inner.boxes.items():
            self.boxes[key] = box.moved(dx, dy)
        self.expanded |= inner.expanded
        self.back |= inner.back
        self.on_top |= inner.on_top
        self.lane_of.update({k: v for k, v in inner.lane_of.items() if k not in self.lane_of})
        self.columns.update({k: v for k, v in inner.columns.items() if k not in self.columns})
        for key, box in inner.lanes.items():
            self.lanes[key] = box.moved(dx, dy)


def base_size(el) -> tuple[float, float]:
    name = local(el)
    if name in EVENTS:
        return 36, 36
    if name in GATEWAYS:
        return 50, 50
    return 100, 80


@dataclass
class Graph:
    """The flows of one container between its flow nodes (a boundary event's flow starts at its host)."""

    ids: list[str]
    edges: list[tuple[str, str, str, bool]]  # (flow id, source node, target node, from a boundary event)
    back: set[str] = field(default_factory=set)

    def forward(self, node: str) -> list[tuple[str, str, bool]]:
        return [(f, t, b) for f, s, t, b in self.edges if s == node and f not in self.back]

    def incoming(self, node: str) -> list[tuple[str, str, bool]]:
        return [(f, s, b) for f, s, t, b in self.edges if t == node and f not in self.back]


def build_graph(nodes: list, flows: list, hosts: dict[str, str]) -> Graph:
    ids = [n.get("id") for n in nodes]
    known = set(ids)
    edges = []
    for flow in flows:
        src, dst = flow.get("sourceRef"), flow.get("targetRef")
        host = hosts.get(src)
        if (host or src) in known and dst in known:
            edges.append((flow.get("id"), host or src, dst, host is not None))
    graph = Graph(ids, edges)
    position = {i: k for k, i in enumerate(ids)}
    succ = {i: [t for _f, s, t, _b in edges if s == i] for i in ids}

    def reaches(start: str, goal: str) -> bool:
        seen, todo = {start}, [start]
        while todo:
            for nxt in succ[todo.pop()]:
                if nxt == goal:
                    return True
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return False

    # A flow back to a node written earlier in the file, on a cycle, is a loop back (people write
    # a process in flow order); any cycle left is broken where a depth-first walk from the start
    # closes it.
    for flow_id, src, dst, _b in edges:
        if position[dst] <= position[src] and (dst == src or reaches(dst, src)):
            graph.back.add(flow_id)
    forward = {i: [(f, t) for f, s, t, b in sorted(edges, key=lambda e: e[3]) if s == i and f not in graph.back]
               for i in ids}
    incoming = {t for f, _s, t, _b in edges if f not in graph.back}
    roots = [i for i in ids if i not in incoming] + ids
    state: dict[str, str] = {}
    for root in roots:
        if root in state:
            continue
        state[root] = "open"
        stack = [(root, iter(forward[root]))]
        while stack:
            node, children = stack[-1]
            step = next(children, None)
            if step is None:
                state[node] = "done"
                stack.pop()
                continue
            flow_id, child = step
            if state.get(child) == "open":
                graph.back.add(flow_id)
            elif child not in state:
                state[child] = "open"
                stack.append((child, iter(forward[child])))
    return graph


def order_columns(graph: Graph) -> dict[str, int]:
    """Column per node: longest path from a start over the forward flows."""
    column = {i: 0 for i in graph.ids}
    for _ in graph.ids:  # relax until stable (a DAG once the loop-backs are left out)
        changed = False
        for flow_id, src, dst, _b in graph.edges:
            if flow_id not in graph.back and column[dst] < column[src] + 1:
                column[dst] = column[src] + 1
                changed = True
        if not changed:
            break
    return column


def _heights(graph: Graph) -> dict[str, int]:
    """Longest way (in flows) from each node to an end, over the forward flows."""
    height: dict[str, int] = {}

    def visit(node: str, seen: frozenset) -> int:
        if node in height:
            return height[node]
        best = 0
        for _f, target, _b in graph.forward(node):
            if target not in seen:
                best = max(best, 1 + visit(target, seen | {node}))
        height[node] = best
        return best

    for node in graph.ids:
        visit(node, frozenset())
    return height


def _work_ahead(graph: Graph, lane_of: dict, work: set[str]) -> dict[str, int]:
    """Most tasks (people's work, calls, subprocesses) on a way forward from each node, in its lane."""
    score: dict[str, int] = {}

    def visit(node: str, seen: frozenset) -> int:
        if node in score:
            return score[node]
        ahead = [visit(t, seen | {node}) for _f, t, _b in graph.forward(node)
                 if t not in seen and lane_of[t] == lane_of[node]]
        score[node] = (node in work) + max(ahead, default=0)
        return score[node]

    for node in graph.ids:
        visit(node, frozenset())
    return score


def _main_successor(graph: Graph, node: str, height: dict[str, int], lane_of: dict | None = None,
                    work_ahead: dict | None = None) -> str | None:
    """The successor that continues a node's row: the plain flow with the most work ahead in this lane
    (then the longest), else its first boundary flow."""
    plain = [t for _f, t, b in graph.forward(node) if not b]
    if plain:
        def weight(t: str) -> tuple:
            own = work_ahead[t] if work_ahead and lane_of and lane_of[t] == lane_of[node] else 0
            return (own, height[t], -plain.index(t))
        return max(plain, key=weight)
    boundary = [t for _f, t, b in graph.forward(node) if b]
    return boundary[0] if boundary else None


def assign_rows(graph: Graph, column: dict[str, int], lane_of: dict[str, str | None],
                lane_order: list[str | None], work: set[str] = frozenset(),
                in_order: set[str] = frozenset()) -> dict[str, int]:
    """Row per node (within its lane).  ``in_order``: parallel and inclusive gateways, whose branches
    are drawn top to bottom in the order of their flows in the file (SpiffWorkflow orders a node's
    outgoing flows by the height of their targets on the diagram, and opens parallel branches in
    that order: the order of a case's tasks must not change with the drawing)."""
    height = _heights(graph)
    ahead = _work_ahead(graph, lane_of, set(work))
    main = {n: _main_successor(graph, n, height, lane_of, ahead) for n in graph.ids}
    for node in in_order:
        plain = [t for _f, t, b in graph.forward(node) if not b]
        main[node] = plain[0] if plain else main[node]
    order = {n: k for k, n in enumerate(graph.ids)}
    rows: dict[str, int] = {}
    taken: set[tuple[str | None, int, int]] = set()  # (lane, column, row) of a node or of a flow through it

    def place(node: str, desired: int, start: int) -> None:
        """The first row from ``desired`` free from column ``start`` to the node's (the flow runs there)."""
        lane, row = lane_of[node], desired

        def blocked(r: int) -> bool:
            if any((lane, c, r) in taken for c in range(start + 1, column[node] + 1)):
                return True
            return False

        while blocked(row):
            row += 1
        rows[node] = row
        taken.update((lane, c, row) for c in range(start + 1, column[node] + 1))

    for node in sorted(graph.ids, key=lambda n: (column[n], order[n])):
        lane = lane_of[node]
        if node not in rows:
            preds = [s for _f, s, _b in graph.incoming(node) if s in rows]
            same = [s for s in preds if lane_of[s] == lane]
            if any(main[s] == node for s in same):
                desired = min(rows[s] for s in same if main[s] == node)
            elif same:
                desired = min(rows[s] for s in same) + 1
            else:  # coming from another lane: back on the row the path left this lane from
                desired = _row_before(node, graph, main, rows, lane_of)
            start = min((column[s] for s in same if rows[s] <= desired), default=column[node] - 1)
            place(node, desired, start)
        # Branches leaving this node claim their rows now, the longest first, so that a short
        # branch (an end event) does not sit on the way of a long one.
        branches = [t for _f, t, _b in graph.forward(node)
                    if t != main[node] and t not in rows and lane_of[t] == lane]
        for target in (branches if node in in_order else sorted(branches, key=lambda t: -height[t])):
            froms = [s for _f, s, _b in graph.incoming(target)
                     if lane_of[s] == lane and s in rows and rows[s] <= rows[node]]
            place(target, rows[node] + 1, min(column[s] for s in froms) if froms else column[node])
    return rows


def _loops(boundary: str, flows: list, nodes: list, hosts: dict) -> bool:
    """Whether a boundary event's flow goes back to a node written before its host (drawn on top)."""
    position = {n.get("id"): k for k, n in enumerate(nodes)}
    host = position.get(hosts[boundary], -1)
    return any(f.get("sourceRef") == boundary and position.get(f.get("targetRef"), 10**6) <= host for f in flows)


def _row_before(node: str, graph: Graph, main: dict, rows: dict, lane_of: dict) -> int:
    """The row of the nearest node of the same lane up the (main) path to ``node``; 0 if none."""
    current, seen = node, {node}
    while True:
        preds = [s for _f, s, _b in graph.incoming(current) if s in rows and s not in seen]
        if not preds:
            return 0
        current = next((s for s in preds if main[s] == current), preds[0])
        seen.add(current)
        if lane_of[current] == lane_of[node]:
            return rows[current]


def layout_container(container, lane_of: dict[str, str] | None = None, lane_order: list[str] | None = None) -> Layout:
    """Lay out the direct flow nodes of a process or subprocess."""
    children = [c for c in container if isinstance(c.tag, str) and etree.QName(c).namespace == BPMN]
    nodes = [c for c in children if local(c) in FLOW_NODES and local(c) != "boundaryEvent"
             and c.get("triggeredByEvent") != "true"]
    event_subs = [c for c in children if local(c) in CONTAINERS and c.get("triggeredByEvent") == "true"]
    boundaries = [c for c in children if local(c) == "boundaryEvent"]
    flows = [c for c in children if local(c) == "sequenceFlow"]
    hosts = {b.get("id"): b.get("attachedToRef") for b in boundaries}
    lane_order = lane_order or [None]
    lanes_known = lane_of or {}
    lane_of = {n.get("id"): lanes_known.get(n.get("id"), lane_order[0]) for n in nodes + event_subs}
    in_lanes = lane_order != [None]

    inner: dict[str, Layout] = {}
    size: dict[str, tuple[float, float]] = {}
    for node in nodes + event_subs:
        nid = node.get("id")
        if local(node) in CONTAINERS:
            inner[nid] = layout_container(node)
            size[nid] = (inner[nid].w, inner[nid].h)
        else:
            size[nid] = base_size(node)
    for host in set(hosts.values()):
        on_one_edge = max(sum(1 for b, h in hosts.items() if h == host and _loops(b, flows, nodes, hosts) == top)
                          for top in (False, True))
        if host in size and on_one_edge > 1 and host not in inner:
            size[host] = (max(size[host][0], 40 + BOUNDARY_STEP * on_one_edge), size[host][1])
    graph = build_graph(nodes, flows, hosts)
    column = order_columns(graph)
    work = {n.get("id") for n in nodes if local(n) in ACTIVITIES | CONTAINERS and local(n) != "scriptTask"}
    in_order = {n.get("id") for n in nodes if local(n) in ("parallelGateway", "inclusiveGateway")}
    rows = assign_rows(graph, column, lane_of, lane_order, work, in_order)

    n_cols = max(column.values(), default=-1) + 1
    col_w = [0.0] * n_cols
    for nid in graph.ids:
        col_w[column[nid]] = max(col_w[column[nid]], size[nid][0])
    col_x, x = [], (LANE_HEADER + COLUMN_GAP) if in_lanes else PADDING
    for width in col_w:
        col_x.append(x)
        x += width + COLUMN_GAP
    content_w = x - COLUMN_GAP + (COLUMN_GAP if in_lanes else PADDING)

    layout = Layout(0, 0, columns=dict(column), back=set(graph.back), lane_of=dict(lane_of))
    y = 0.0 if in_lanes else PADDING - TOP_PAD + 10
    for lane in lane_order:
        top = y
        members = [n for n in graph.ids if lane_of[n] == lane]
        n_rows = max((rows[n] for n in members), default=-1) + 1
        # A row is as tall as its tallest node (the first row at least a task's height, so that a
        # lane's main line is where a person expects it); rows of events only are low.
        row_h = [0.0] * n_rows
        for nid in members:
            row_h[rows[nid]] = max(row_h[rows[nid]], size[nid][1])
        row_h = [h or float(ROW_HEIGHT) for h in row_h]
        if row_h:
            row_h[0] = max(row_h[0], float(ROW_HEIGHT))
        row_y, ry = [], top + TOP_PAD
        for height in row_h:
            row_y.append(ry)
            ry += height + ROW_GAP
        for nid in members:
            w, h = size[nid]
            r, c = rows[nid], column[nid]
            layout.boxes[nid] = Box(col_x[c] + (col_w[c] - w) / 2, row_y[r] + (row_h[r] - h) / 2, w, h)
        y = (ry - ROW_GAP + BOTTOM_PAD) if n_rows else top + TOP_PAD + ROW_HEIGHT + BOTTOM_PAD
        band = [s for s in event_subs if lane_of[s.get("id")] == lane]
        if band:
            # Side by side below the rows, where the rows above end highest (often to the right).
            band_w = sum(size[s.get("id")][0] + COLUMN_GAP for s in band) - COLUMN_GAP
            bottoms = [max((b.y + b.h for n, b in layout.boxes.items() if n in members and column[n] == c),
                           default=top) for c in range(n_cols)]
            for flow_id, src, dst, _b in graph.edges:  # flows to and from other lanes run through the lane
                if (lane_of[src] == lane) != (lane_of[dst] == lane):
                    # a loop back rises at its source; a forward flow bends between its ends
                    span = [column[src]] if flow_id in graph.back else range(column[src], column[dst] + 1)
                    for c in span:
                        bottoms[c] = float("inf")
            best = (y, col_x[0] if col_x else PADDING)
            for c in range(n_cols):
                span = [k for k in range(c, n_cols) if col_x[k] < col_x[c] + band_w] if col_x else []
                if col_x[c] + band_w > content_w:
                    break
                band_y = max(bottoms[k] for k in span) + BOTTOM_PAD
                if band_y < best[0] - 1 and band_y != float("inf"):
                    best = (band_y, col_x[c])
            band_y, bx = best
            band_h = max(size[s.get("id")][1] for s in band)
            for sub in band:
                w, h = size[sub.get("id")]
                layout.boxes[sub.get("id")] = Box(bx, band_y, w, h)
                bx += w + COLUMN_GAP
            content_w = max(content_w, bx)
            y = max(y, band_y + band_h + BOTTOM_PAD)
        if lane is not None:
            layout.lanes[lane] = Box(0, top, 0, y - top)
    layout.w, layout.h = content_w, y + (0 if in_lanes else PADDING - BOTTOM_PAD + 10)
    for lane_box in layout.lanes.values():
        lane_box.w = layout.w
    for nid, sub_layout in inner.items():
        box = layout.boxes[nid]
        layout.merge(sub_layout, box.x, box.y)
        layout.expanded.add(nid)
    per_host: dict[tuple[str, bool], int] = {}
    for boundary in boundaries:
        host = layout.boxes.get(boundary.get("attachedToRef"))
        if host is None:
            continue
        loops = any(f.get("sourceRef") == boundary.get("id") and f.get("id") in graph.back for f in flows)
        key = (boundary.get("attachedToRef"), loops)
        k = per_host.get(key, 0)
        per_host[key] = k + 1
        bx = host.x + host.w - 40 - BOUNDARY_STEP * k if not loops else host.x + 4 + BOUNDARY_STEP * k
        layout.boxes[boundary.get("id")] = Box(bx, (host.y - 18) if loops else (host.y + host.h - 18), 36, 36)
        if loops:
            layout.on_top.add(boundary.get("id"))
    return layout


def route(src: Box, dst: Box, kind: str, src_gateway: bool, dst_gateway: bool,
          channel: float | None = None, clear=lambda x, y1, y2: True) -> list[tuple[float, float]]:
    """Orthogonal waypoints.  kind: "forward", "back", "back_up", "boundary", "boundary_back"."""
    if kind == "back_up":  # to a row above in the same lane: run above the source's row, enter from below
        top = channel if channel is not None else src.y - 22
        return [(src.cx, src.y), (src.cx, top), (dst.cx, top), (dst.cx, dst.y + dst.h)]
    if kind in ("back", "boundary_back"):
        top = channel if channel is not None else min(src.y, dst.y) - 22
        return [(src.cx, src.y), (src.cx, top), (dst.cx, top), (dst.cx, dst.y)]
    if kind == "boundary":
        bx, by = src.cx, src.y + src.h
        if dst.cy > by:
            return [(bx, by), (bx, dst.cy), (dst.x, dst.cy)]
        mx = dst.x - COLUMN_GAP / 2
        return [(bx, by), (bx, by + 14), (mx, by + 14), (mx, dst.cy), (dst.x, dst.cy)]
    sx, sy, tx, ty = src.x + src.w, src.cy, dst.x, dst.cy
    if abs(sy - ty) < 1:
        return [(sx, sy), (tx, ty)]
    vy = src.y + src.h if ty > sy else src.y
    if src_gateway and clear(src.cx, vy, ty):  # a branch leaves the gateway from its lower (or upper) corner
        return [(src.cx, vy), (src.cx, ty), (tx, ty)]
    vy = dst.y + dst.h if sy > ty else dst.y
    if dst_gateway and clear(dst.cx, sy, vy):  # a merge enters the gateway from below (or above)
        return [(sx, sy), (dst.cx, sy), (dst.cx, vy)]
    mx = tx - COLUMN_GAP / 2
    return [(sx, sy), (mx, sy), (mx, ty), (tx, ty)]


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
    x, y = box.x + ORIGIN[0], box.y + ORIGIN[1]
    return f'<dc:Bounds x="{x:.0f}" y="{y:.0f}" width="{box.w:.0f}" height="{box.h:.0f}" />'


def render_diagram(root) -> str:
    plane, layout, pools = diagram_layout(root)
    kinds = {el.get("id"): local(el) for el in root.iter(f"{{{BPMN}}}*") if el.get("id")}
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
    channels: dict[float, int] = {}
    for flow in root.iter(f"{{{BPMN}}}sequenceFlow"):
        src, dst = layout.boxes.get(flow.get("sourceRef")), layout.boxes.get(flow.get("targetRef"))
        if src is None or dst is None:
            continue
        source_el, target_el = kinds.get(flow.get("sourceRef")), kinds.get(flow.get("targetRef"))
        boundary = source_el == "boundaryEvent"
        back = flow.get("id") in layout.back
        kind = ("boundary_back" if back else "boundary") if boundary else ("back" if back else "forward")
        channel = None
        same_lane = layout.lane_of.get(flow.get("sourceRef")) == layout.lane_of.get(flow.get("targetRef"))
        if kind == "back" and same_lane and dst.y + dst.h < src.y - 1:
            kind = "back_up"
        if back:  # loops over the same row run one above the other
            base = round(src.y if kind == "back_up" else min(src.y, dst.y))
            k = channels.get(base, 0)
            channels[base] = k + 1
            channel = base - 22 - 10 * k
        ends = (flow.get("sourceRef"), flow.get("targetRef"))

        def clear(x: float, y1: float, y2: float, ends=ends, src=src) -> bool:
            low, high = min(y1, y2), max(y1, y2)
            return not any(b.x < x < b.x + b.w and b.y < high and b.y + b.h > low
                           for n, b in layout.boxes.items()
                           if n not in ends and not (b.x <= src.cx <= b.x + b.w and b.y <= src.cy <= b.y + b.h))

        points = route(src, dst, kind, source_el in GATEWAYS, target_el in GATEWAYS, channel, clear)
        lines.append(f'      <bpmndi:BPMNEdge id="{flow.get("id")}_di" bpmnElement="{flow.get("id")}">')
        lines.extend(f'        <di:waypoint x="{px + ORIGIN[0]:.0f}" y="{py + ORIGIN[1]:.0f}" />' for px, py in points)
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
