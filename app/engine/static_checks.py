"""Static checks of the expressions and scripts a diagram carries, before anything runs.

RestrictedPython already refuses names starting with ``_`` at compile time; on top of that a
process owner's script may not import, touch files or reach for the interpreter, even where
the restricted runtime would only fail later (``open`` is a NameError at run time, ``import``
an ImportError): those are refused here, at check time, with a message naming the problem.
"""

from __future__ import annotations

import ast

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from .scripting import (
    DEFAULT_BUDGET,
    ScriptBudgetExceeded,
    base_helpers,
    check_operands,
    compile_problems,
    make_script_engine,
)

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


# What the run-time budget would stop anyway, refused before deploy where it can be seen: a loop
# nothing ends, a value folded from literals that is over the size budget.  Neither is evaluated.

_NOT_CONSTANT = object()
_FOLDED_OPS = {ast.Pow: "**", ast.Mult: "*", ast.LShift: "<<", ast.Add: "+"}


def _fold(node: ast.AST, found: list[str]):
    """The value of a literal-only expression, never computing one over the size budget."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        value = _fold(node.operand, found)
        return -value if isinstance(node.op, ast.USub) and isinstance(value, (int, float)) else value
    is_pow_call = (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "pow"
                   and len(node.args) == 2 and not node.keywords)
    if isinstance(node, ast.BinOp) and type(node.op) in _FOLDED_OPS or is_pow_call:
        op = "**" if is_pow_call else _FOLDED_OPS[type(node.op)]
        left, right = (node.args if is_pow_call else (node.left, node.right))
        a, b = _fold(left, found), _fold(right, found)
        if op == "**" and isinstance(b, int) and b > DEFAULT_BUDGET.max_int_bits:
            a = 2 if a is _NOT_CONSTANT else a  # any base but -1, 0 and 1 makes it too large
        if a is _NOT_CONSTANT or b is _NOT_CONSTANT:
            return _NOT_CONSTANT
        try:
            check_operands(op, a, b, DEFAULT_BUDGET)
            return {"**": pow, "*": lambda x, y: x * y, "<<": lambda x, y: x << y, "+": lambda x, y: x + y}[op](a, b)
        except ScriptBudgetExceeded:
            found.append(f"line {node.lineno}: this value is too large for a process script "
                         f"({ast.unparse(node)[:60]})")
        except Exception:  # TypeError and the like: left to the run time, as before
            pass
    return _NOT_CONSTANT


def _size_problems(tree: ast.AST) -> list[str]:
    found: list[str] = []
    folded: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.BinOp, ast.Call)) and id(node) not in folded:
            _fold(node, found)
            folded.update(id(inner) for inner in ast.walk(node))
    return found


def _own_nodes(body: list[ast.stmt]):
    """The nodes of a loop body, not entering nested loops or functions (their break is theirs)."""
    stack = list(body)
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, (ast.While, ast.For, ast.FunctionDef, ast.Lambda, ast.AsyncFunctionDef)):
            stack.extend(node.orelse if isinstance(node, (ast.While, ast.For)) else [])
            continue
        stack.extend(ast.iter_child_nodes(node))


def _loop_problems(tree: ast.AST) -> list[str]:
    found = []
    for loop in ast.walk(tree):
        if not isinstance(loop, ast.While):
            continue
        own = list(_own_nodes(loop.body))
        if any(isinstance(node, (ast.Break, ast.Return, ast.Raise)) for node in own):
            continue
        test_names = {n.id for n in ast.walk(loop.test) if isinstance(n, ast.Name)}
        # Changed in the body: assigned, or an object the body works on (`items.pop()`, `d[k] = v`).
        assigned = {n.id for node in own for n in ast.walk(node)
                    if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
        assigned |= {n.value.id for node in own for n in ast.walk(node)
                     if isinstance(n, (ast.Attribute, ast.Subscript)) and isinstance(n.value, ast.Name)}
        always = isinstance(loop.test, ast.Constant) and bool(loop.test.value)
        if always or not test_names & assigned:
            found.append(f"line {loop.lineno}: this while loop never ends (nothing in it changes "
                         "its condition or breaks out)")
    return found


def expression_problems(source: str, mode: str) -> list[str]:
    """Why ``source`` (``mode`` "eval" for an expression, "exec" for a script) is refused."""
    try:
        tree = ast.parse(source, mode=mode)
    except SyntaxError as exc:
        return [f"syntax error: {exc.msg} (line {exc.lineno})"]
    return (_forbidden(tree) or compile_problems(source, mode)) + _loop_problems(tree) + _size_problems(tree)


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
