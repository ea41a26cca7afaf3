"""Checks run before a diagram reaches caseworkers (`tsunagi processes check`, the modeler).

In order; a failing step stops the ones that need its result:
1. size cap and hardened XML parse (no DOCTYPE, entities, DTDs or network);
2. XSD validation and SpiffWorkflow's own parse;
3. user tasks: a form key that exists, roles that exist; every lane names a role that exists
   (its ``role`` property; lanes of older versions were named by the role code);
4. choice gateways: a default flow, or a condition on every outgoing flow (without a default
   flow: a warning, since no condition may match);
5. every expression and script compiles under the restricted environment (no import, file
   access or dunder walks); timer expressions evaluate;
6. no loop without a cap (heuristic in ``graph``);
7. the form keys other systems rely on still exist and the main process (with the processes
   it calls) still uses those task forms;
8. every flow node has a shape in the diagram.
Problems point at the element id; severity "warning" does not block a deploy.
"""

from __future__ import annotations

from flask import current_app

from app.codes import ROLES
from app.engine import (
    EngineError,
    ProcessProblem,
    expression_problems,
    parse_xml,
    timer_expression_problems,
)
from app.forms import load_form_definitions
from app.lifecycle.runtime import engine
from app.services.processes import graph
from app.services.processes.deploy import read_process_files

# Other systems rely on these forms: every definition must exist; the task forms must stay on user
# tasks of the main process (or the processes it calls).
CONTRACT_FORMS = {
    "referral_slip", "intake", "assessment", "plan", "coordination_meeting", "monitoring", "evaluation",
    "service_record", "pa_handoff", "closure", "progress_note",
}
CONTRACT_TASK_FORMS = CONTRACT_FORMS - {"referral_slip", "progress_note"}


def check_directory() -> list[ProcessProblem]:
    config = current_app.config
    try:
        forms = load_form_definitions(config["FORMS_DIR"])
    except Exception as exc:  # FormDefinitionError names the file and field
        return [ProcessProblem(str(exc), file="forms/")]
    files = read_process_files(config["PROCESSES_DIR"])
    return [p if p.file else _in_file(p, "processes/") for p in check_files(files, config["MAIN_PROCESS_ID"], forms)]


def _in_file(problem: ProcessProblem, file: str) -> ProcessProblem:
    return ProcessProblem(problem.message, problem.element_id, file, problem.severity)


def blocking(problems: list[ProcessProblem]) -> list[ProcessProblem]:
    return [p for p in problems if p.severity == "error"]


def check_files(files: dict[str, str], process_id: str, forms: dict) -> list[ProcessProblem]:
    """Every problem of the set of BPMN ``files`` run as ``process_id``, against the forms that exist.

    The files are checked as one set, as they are deployed: every process a call activity names
    must be in the set, and each process is checked wherever it is defined.
    """
    roots = {}
    for filename, text in sorted(files.items()):
        try:
            roots[filename] = parse_xml(text, filename)
        except EngineError as exc:
            return [ProcessProblem(str(exc), None, filename)]
    problems = _set_problems(roots, process_id)
    if blocking(problems):
        return problems
    try:
        engine().parse(files, process_id)
    except EngineError as exc:
        return _located([ProcessProblem(f"BPMN として読み込めません: {exc}", exc.element_id)], roots)
    problems += _unreached_problems(files, roots, process_id)
    problems += _task_problems(files, process_id, forms)
    for filename, root in roots.items():
        problems += _document_problems(root, filename)
    if process_id == current_app.config["MAIN_PROCESS_ID"]:
        problems += _contract_problems(files, process_id, forms)
    return _located(problems, roots)


def _located(problems: list[ProcessProblem], roots: dict) -> list[ProcessProblem]:
    """Problems that name an element but no file get the file that defines the element."""
    owner = {}
    for filename, root in roots.items():
        for element in root.iter():
            if isinstance(element.tag, str) and element.get("id"):
                owner.setdefault(element.get("id"), filename)
    return [_in_file(p, owner[p.element_id]) if not p.file and p.element_id in owner else p for p in problems]


def _set_problems(roots: dict, process_id: str) -> list[ProcessProblem]:
    """The files as a set: each process defined once, the main one present, every called process there."""
    problems, defined = [], {}
    for filename, root in roots.items():
        for pid, _name in graph.processes_in(root):
            if pid in defined:
                problems.append(ProcessProblem(f"プロセス {pid} が {defined[pid]} と {filename} の両方にあります",
                                               pid, filename))
            defined.setdefault(pid, filename)
    if process_id not in defined:
        problems.append(ProcessProblem(f"主プロセス {process_id} がどのファイルにもありません"))
    for filename, root in roots.items():
        for element_id, called in graph.called_elements(root):
            if not called:
                problems.append(ProcessProblem("呼び出しアクティビティに呼び出すプロセス（calledElement）がありません",
                                               element_id, filename))
            elif called not in defined:
                problems.append(ProcessProblem(f"呼び出すプロセス {called} がこの版のファイルにありません"
                                               f"（processes/{called}.bpmn を加えてください）", element_id, filename))
    return problems


def _unreached_problems(files: dict, roots: dict, process_id: str) -> list[ProcessProblem]:
    """A process no call activity reaches from the main one is deployed but never runs: a warning.

    It is still parsed on its own, so that a broken file in the set is found.
    """
    reached = {process_id, *engine().parse(files, process_id).subprocess_specs}
    problems = []
    for filename, root in roots.items():
        for pid, name in graph.processes_in(root):
            if pid in reached:
                continue
            try:
                engine().parse(files, pid)
            except EngineError as exc:
                problems.append(ProcessProblem(f"BPMN として読み込めません: {exc}", exc.element_id or pid, filename))
                continue
            problems.append(ProcessProblem(f"プロセス「{name}」（{pid}）は {process_id} から呼び出されていません。"
                                           "デプロイはされますが実行されません", pid, filename, "warning"))
    return problems


def _task_problems(files, process_id, forms) -> list[ProcessProblem]:
    problems = []
    for info in engine().user_task_specs(files, process_id):
        if not info.form_key:
            problems.append(ProcessProblem("ユーザータスクに formKey がありません", info.bpmn_id))
        elif info.form_key not in forms:
            problems.append(ProcessProblem(f"フォーム {info.form_key} は存在しません", info.bpmn_id))
        for role in (info.role or "").split() or [None]:
            if role not in ROLES:
                problems.append(ProcessProblem(f"ロール {role} は存在しません", info.bpmn_id))
    return problems


def _document_problems(root, filename: str) -> list[ProcessProblem]:
    problems = []
    for lane_id, name, role in graph.lane_roles(root):
        if role is None and name not in ROLES:  # lanes of older versions are named by their role code
            problems.append(ProcessProblem(f"レーン「{name}」にロール（role プロパティ）がなく、"
                                           "レーン名もロールコードではありません", lane_id, filename))
        for code in (role or "").split() if role is not None else []:
            if code not in ROLES:
                problems.append(ProcessProblem(f"レーン「{name}」のロール {code} は存在しません", lane_id, filename))
        if role is not None and not role.split():
            problems.append(ProcessProblem(f"レーン「{name}」のロールが空です", lane_id, filename))
    for gateway_id, severity, message in graph.gateway_problems(root):
        problems.append(ProcessProblem(message, gateway_id, filename, severity))
    problems += _source_problems(root, filename)
    for element_id, severity, message in graph.loop_problems(root):
        problems.append(ProcessProblem(message, element_id, filename, severity))
    for element_id in graph.missing_shapes(root):
        problems.append(ProcessProblem("図（BPMNShape）がありません。tools/layout_bpmn.py で配置してください",
                                       element_id, filename))
    return problems


def _source_problems(root, filename: str) -> list[ProcessProblem]:
    problems = []
    for source in graph.sources(root):
        if source.kind in ("timeDuration", "timeDate", "timeCycle"):
            reasons = timer_expression_problems(source.kind, source.text)
        else:
            reasons = expression_problems(source.text, source.mode)
        for reason in reasons:
            problems.append(ProcessProblem(f"{source.kind}: {reason}", source.element_id, filename))
    return problems


def _contract_problems(files, process_id, forms) -> list[ProcessProblem]:
    problems = [ProcessProblem(f"契約で定めたフォーム {key} の定義がありません", None, "forms/")
                for key in sorted(CONTRACT_FORMS - set(forms))]
    used = {info.form_key for info in engine().user_task_specs(files, process_id)}
    problems += [ProcessProblem(f"契約で定めたフォーム {key} を使うユーザータスクがなくなっています")
                 for key in sorted(CONTRACT_TASK_FORMS - used)]
    return problems
