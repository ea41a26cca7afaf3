"""Static checks of the expressions and scripts a diagram carries, before anything runs.

RestrictedPython already refuses names starting with ``_`` at compile time; on top of that a
process owner's script may not import, touch files or reach for the interpreter, even where
the restricted runtime would only fail later (``open`` is a NameError at run time, ``import``
an ImportError): those are refused here, at check time, with a message naming the problem.
"""

from __future__ import annotations

import ast

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from .scripting import base_helpers, compile_problems, make_script_engine

FORBIDDEN_CALLS = {
    "open": "file access (open)",
    "exec": "exec", "eval": "eval", "compile": "compile", "__import__": "__import__",
    "getattr": "getattr", "setattr": "setattr", "delattr": "delattr", "globals": "globals",
    "locals": "locals", "vars": "vars", "input": "input", "breakpoint": "breakpoint", "help": "help",
    "memoryview": "memoryview", "type": "type",
}


def _forbidden(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append("import is not allowed")
        elif isinstance(node, ast.Name) and node.id in FORBIDDEN_CALLS:
            found.append(f"{FORBIDDEN_CALLS[node.id]} is not allowed")
        elif isinstance(node, ast.Name) and node.id.startswith("_"):
            found.append(f"names starting with an underscore are not allowed ({node.id})")
        elif isinstance(node, ast.Attribute) and node.attr.startswith("_"):
            found.append(f"dunder/private attribute access is not allowed (.{node.attr})")
    return list(dict.fromkeys(found))


def expression_problems(source: str, mode: str) -> list[str]:
    """Why ``source`` (``mode`` "eval" for an expression, "exec" for a script) is refused."""
    try:
        tree = ast.parse(source, mode=mode)
    except SyntaxError as exc:
        return [f"syntax error: {exc.msg} (line {exc.lineno})"]
    return _forbidden(tree) or compile_problems(source, mode)


def free_names(source: str) -> set[str]:
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError:
        return set()
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}


def timer_expression_problems(kind: str, expression: str) -> list[str]:
    """A timer expression must compile; when it uses no variables it must also evaluate to
    an ISO 8601 duration (timeDuration), date-time (timeDate) or repeating interval (timeCycle).
    Expressions over case variables are checked when the timer is armed."""
    problems = expression_problems(expression, "eval")
    if problems or free_names(expression) - set(base_helpers()):
        return problems
    try:
        value = make_script_engine().environment.evaluate(expression, {})
    except Exception as exc:
        return [f"the timer expression does not evaluate: {exc}"]
    parse = {
        "timeDuration": TimerEventDefinition.parse_iso_duration,
        "timeDate": TimerEventDefinition.get_datetime,
        "timeCycle": TimerEventDefinition.parse_iso_recurring_interval,
    }.get(kind, TimerEventDefinition.parse_time_or_duration)
    try:
        parse(str(value))
    except Exception:
        hint = ' (write a quoted string, e.g. "P14D")' if kind == "timeDuration" else ""
        return [f"{value!r} is not a valid ISO 8601 value for {kind}{hint}"]
    return []
