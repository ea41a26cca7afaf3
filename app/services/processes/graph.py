"""Reading a BPMN document as a graph: gateways, expressions, loops and diagram shapes.

Pure lxml over the already hardened-parsed tree (see ``app.engine.parse_xml``); what needs
SpiffWorkflow (parsing, the restricted compiler, timer formats) is asked of the engine.

Loop heuristic ("no loop without a cap"), per process or subprocess:

1. Build the graph of sequence flows; an activity also leads to each of its boundary
   events (an escalation or timer that leaves a subprocess can loop back that way).
2. A *counter* is a variable that a script in the loop increments (``n = n + 1`` or
   ``n += 1``, in a script task or a pre/post script).
3. A *capped gateway* is an exclusive/inclusive gateway of the loop one of whose outgoing
   conditions reads a counter of that loop (``plan_round < max_plan_rounds``).
4. Every cycle must pass through a capped gateway: remove the capped gateways from each
   strongly connected component; if a cycle remains, it is reported at its first element.

Repetition without a cycle, a standard loop (``standardLoopCharacteristics``) or a
multi-instance, is allowed: it repeats at constant depth in the task tree.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from lxml import etree

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"

FLOW_NODES = {
    "startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent",
    "exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway", "complexGateway",
    "task", "userTask", "manualTask", "scriptTask", "serviceTask", "sendTask", "receiveTask",
    "businessRuleTask", "callActivity", "subProcess", "transaction", "adHocSubProcess",
}
CONTAINERS = {"process", "subProcess", "transaction", "adHocSubProcess"}
CHOICE_GATEWAYS = {"exclusiveGateway", "inclusiveGateway"}


@dataclass(frozen=True)
class Source:
    """One expression or script found in the diagram."""

    element_id: str
    kind: str  # condition, loopCondition, script, preScript, timeDuration, ...
    mode: str  # "eval" or "exec"
    text: str


def local(el) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _owner_id(el) -> str | None:
    while el is not None and (not isinstance(el.tag, str) or local(el) not in FLOW_NODES | {"sequenceFlow"}):
        el = el.getparent()
    return el.get("id") if el is not None else None


def sources(root) -> list[Source]:
    found = []
    for el in root.iter():
        if not isinstance(el.tag, str) or not (el.text or "").strip():
            continue
        ns, name = etree.QName(el).namespace, local(el)
        text = el.text.strip()
        if ns == BPMN and name in ("conditionExpression", "loopCondition", "completionCondition"):
            found.append(Source(_owner_id(el), "condition" if name == "conditionExpression" else name, "eval", text))
        elif ns == BPMN and name == "script":
            found.append(Source(_owner_id(el), "script", "exec", el.text))
        elif ns == SPIFF and name in ("preScript", "postScript"):
            found.append(Source(_owner_id(el), name, "exec", el.text))
        elif ns == BPMN and name in ("timeDuration", "timeDate", "timeCycle"):
            found.append(Source(_owner_id(el), name, "eval", text))
    return found


def gateway_problems(root) -> list[tuple[str, str, str]]:
    """(gateway id, severity, message) for choices that can leave the case stuck or ambiguous.

    Error: no default flow and an outgoing flow without a condition.  Warning: no default
    flow at all, so a case that matches none of the conditions stops with an error (whether
    the conditions cover every case cannot be decided from the diagram alone).
    """
    problems = []
    for gateway in root.iter(*(f"{{{BPMN}}}{name}" for name in CHOICE_GATEWAYS)):
        outgoing = [f for f in root.iter(f"{{{BPMN}}}sequenceFlow") if f.get("sourceRef") == gateway.get("id")]
        if len(outgoing) < 2 or gateway.get("default"):
            continue
        bare = [f.get("id") for f in outgoing if f.find(f"{{{BPMN}}}conditionExpression") is None]
        if bare:
            problems.append((gateway.get("id"), "error", "分岐に既定フロー（default）がなく、条件のない出口があります: "
                             + ", ".join(bare)))
        else:
            problems.append((gateway.get("id"), "warning", "分岐に既定フロー（default）がありません。どの条件にも"
                             "当てはまらないケースはここでエラーになります。条件がすべての場合を尽くしているか確認してください"))
    return problems


def lane_names(root) -> list[tuple[str, str]]:
    return [(lane.get("id"), (lane.get("name") or "").strip()) for lane in root.iter(f"{{{BPMN}}}lane")]


def lane_roles(root) -> list[tuple[str, str, str | None]]:
    """(lane id, name, role code or None) per lane; the role is the lane's ``role`` property."""
    found = []
    for lane in root.iter(f"{{{BPMN}}}lane"):
        role = None
        for prop in lane.iterfind(f"{{{BPMN}}}extensionElements/{{{SPIFF}}}properties/{{{SPIFF}}}property"):
            if prop.get("name") == "role":
                role = (prop.get("value") or "").strip()
        found.append((lane.get("id"), (lane.get("name") or "").strip(), role))
    return found


def missing_shapes(root) -> list[str]:
    shaped = {s.get("bpmnElement") for s in root.iter(f"{{{BPMNDI}}}BPMNShape")}
    return [el.get("id") for el in root.iter(f"{{{BPMN}}}*") if local(el) in FLOW_NODES and el.get("id") not in shaped]


# -- loops -----------------------------------------------------------------

def _incremented(script: str) -> set[str]:
    try:
        tree = ast.parse(script)
    except SyntaxError:
        return set()
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.AugAssign) and isinstance(node.op, ast.Add) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.Assign) and isinstance(node.value, ast.BinOp) and isinstance(node.value.op, ast.Add):
            operands = {n.id for n in (node.value.left, node.value.right) if isinstance(n, ast.Name)}
            names |= {t.id for t in node.targets if isinstance(t, ast.Name) and t.id in operands}
    return names


def _names(expression: str) -> set[str]:
    try:
        return {n.id for n in ast.walk(ast.parse(expression, mode="eval")) if isinstance(n, ast.Name)}
    except SyntaxError:
        return set()


def _strong_components(nodes: list[str], succ: dict[str, list[str]]) -> list[list[str]]:
    index, low, stack, on_stack, result, counter = {}, {}, [], set(), [], [0]

    def connect(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in succ.get(v, []):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            result.append(component)

    for v in nodes:
        if v not in index:
            connect(v)
    return result


def _cyclic(component: list[str], succ: dict[str, list[str]]) -> bool:
    return len(component) > 1 or component[0] in succ.get(component[0], [])


WAITING = {"userTask", "manualTask", "receiveTask", "callActivity", "intermediateCatchEvent"}


def _waits(node) -> bool:
    """Whether a pass through this node waits for a person, a message or a timer."""
    if local(node) in WAITING:
        return True
    return local(node) in CONTAINERS and any(local(d) in WAITING for d in node.iter())


def _loop_message(members: list[str], waits: bool) -> str:
    loop = ", ".join(members)
    if waits:
        return (f"上限のないループがあります（{loop}）。人の作業を待つため空回りはしませんが、同じケースで"
                "約330回を超えると処理が止まります。分岐条件でカウンタ（例: n = n + 1 と n < max_n）を"
                "読むか、標準ループにしてください")
    return (f"上限のないループがあります（{loop}）。待ちのない自動処理だけの繰り返しは無限に回ります。"
            "ループ内の分岐条件が、ループ内のスクリプトで増やすカウンタ（例: n = n + 1 と n < max_n）を読むように"
            "してください")


def _container_loops(container) -> list[tuple[str, str, str]]:
    children = [c for c in container if local(c)]
    nodes = {c.get("id"): c for c in children if local(c) in FLOW_NODES}
    order = list(nodes)
    succ: dict[str, list[str]] = {n: [] for n in order}
    conditions: dict[str, list[str]] = {n: [] for n in order}
    for flow in (c for c in children if local(c) == "sequenceFlow"):
        src, dst = flow.get("sourceRef"), flow.get("targetRef")
        if src in succ and dst in nodes:
            succ[src].append(dst)
            condition = flow.find(f"{{{BPMN}}}conditionExpression")
            if condition is not None and condition.text:
                conditions[src].append(condition.text)
    for node in nodes.values():
        if local(node) == "boundaryEvent" and node.get("attachedToRef") in succ:
            succ[node.get("attachedToRef")].append(node.get("id"))
    problems = []
    for component in _strong_components(order, succ):
        if not _cyclic(component, succ):
            continue
        members = set(component)
        counters = set()
        for node_id in component:
            for script in nodes[node_id].iter(f"{{{BPMN}}}script", f"{{{SPIFF}}}preScript", f"{{{SPIFF}}}postScript"):
                counters |= _incremented(script.text or "")
        capped = {n for n in component if local(nodes[n]) in CHOICE_GATEWAYS
                  and any(_names(c) & counters for c in conditions[n])}
        rest = [n for n in order if n in members - capped]
        rest_succ = {n: [m for m in succ[n] if m in rest] for n in rest}
        for remaining in _strong_components(rest, rest_succ):
            if _cyclic(remaining, rest_succ):
                remaining.sort(key=order.index)
                waits = any(_waits(nodes[n]) for n in remaining)
                problems.append((remaining[0], "warning" if waits else "error", _loop_message(remaining, waits)))
    return problems


def loop_problems(root) -> list[tuple[str, str, str]]:
    """(element id, severity, message) per uncapped loop; see the module docstring."""
    problems = []
    for container in root.iter(*(f"{{{BPMN}}}{name}" for name in CONTAINERS)):
        problems.extend(_container_loops(container))
    return problems


def processes_in(root) -> list[tuple[str, str]]:
    """(id, name) of every process the document defines, in document order."""
    return [(p.get("id"), p.get("name") or p.get("id")) for p in root.iter(f"{{{BPMN}}}process")]


def called_elements(root) -> list[tuple[str, str]]:
    """(call activity id, calledElement) of every call activity of the document."""
    return [(el.get("id"), (el.get("calledElement") or "").strip()) for el in root.iter(f"{{{BPMN}}}callActivity")]
