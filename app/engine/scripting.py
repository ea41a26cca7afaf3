"""Restricted script environment for BPMN expressions and script tasks.

SpiffWorkflow's default environment is plain ``exec``; diagrams are data written
by process owners, so everything they contain runs under RestrictedPython with a
whitelist of helpers.  The engine is not serialised with a workflow, so it must
be re-attached after every load (see ``serializer.py``).
"""

from __future__ import annotations

import ast
import contextlib
import datetime as _dt
import functools
import math
import operator
import threading
import time
import types
from dataclasses import dataclass

from RestrictedPython import (
    RestrictingNodeTransformer,
    compile_restricted_eval,
    compile_restricted_exec,
    limited_builtins,
    utility_builtins,
)
from RestrictedPython.Eval import default_guarded_getitem, default_guarded_getiter
from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safe_builtins,
    safer_getattr,
)
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment

_INPLACE_OPS = {
    "+=": operator.iadd,
    "-=": operator.isub,
    "*=": operator.imul,
    "/=": operator.itruediv,
    "//=": operator.ifloordiv,
    "%=": operator.imod,
}


class ScriptRejected(ValueError):
    """A script or expression uses something the restricted environment forbids."""


def _inplace(op, x, y):
    check_operands(op[:-1], x, y)
    return _INPLACE_OPS[op](x, y)


# --- the budget every evaluation runs on -------------------------------------------------------
#
# A diagram is data a process owner deploys; one script that loops forever or builds a number of a
# billion digits would hold a web worker and the case row lock for good.  No tracing hook (it
# would slow every step): the restricted compiler itself inserts a budget check where code can
# repeat (loop bodies, comprehension clauses, function entry) and turns the operators that can
# blow up a value's size (`**`, `*`, `<<`, `+`) into guarded calls that refuse an oversized result
# before computing it.  The helpers that could do the same from C (pow, math.factorial, str.ljust,
# str.join ...) are guarded likewise.


class ScriptBudgetExceeded(ScriptRejected):
    """A script or expression ran out of its CPU time, size or depth budget."""


@dataclass(frozen=True)
class ScriptBudget:
    cpu_seconds: float = 1.0  # CPU time of the whole engine step, all its scripts together
    # ...and its wall-clock time: on a busy machine a thread gets a fraction of a CPU, and the
    # case row lock is held in wall-clock time.
    wall_seconds: float = 3.0
    max_int_bits: int = 100_000  # about 30,000 decimal digits
    max_items: int = 1_000_000  # characters of a text, items of a list
    max_depth: int = 100  # nested calls of functions a script defines


DEFAULT_BUDGET = ScriptBudget()
_CHECK_EVERY = 256  # ticks between two looks at the clock (a look costs more than a tick)


class _Meter(threading.local):
    budget: ScriptBudget = DEFAULT_BUDGET
    deadline: float | None = None
    wall_deadline: float = 0.0
    ticks: int = 0
    depth: int = 0


_meter = _Meter()


@contextlib.contextmanager
def budget_scope(budget: ScriptBudget | None = None):
    """Run what is inside on one budget; an inner scope shares the outer one's (one step, one budget)."""
    if _meter.deadline is not None:
        yield
        return
    _meter.budget = budget or DEFAULT_BUDGET
    _meter.deadline = time.thread_time() + _meter.budget.cpu_seconds
    _meter.wall_deadline = time.monotonic() + _meter.budget.wall_seconds
    _meter.ticks = 0
    _meter.depth = 0
    try:
        yield
    finally:
        _meter.deadline = None
        _meter.budget = DEFAULT_BUDGET


def _tick():
    meter = _meter
    meter.ticks += 1
    if meter.ticks % _CHECK_EVERY == 0 and meter.deadline is not None and (
            time.thread_time() > meter.deadline or time.monotonic() > meter.wall_deadline):
        raise ScriptBudgetExceeded(
            f"the script ran out of its time budget ({meter.budget.cpu_seconds:g} s of CPU time, "
            f"{meter.budget.wall_seconds:g} s in all)")
    return True


def _enter():
    meter = _meter
    meter.depth += 1
    if meter.depth > meter.budget.max_depth:
        meter.depth -= 1
        raise ScriptBudgetExceeded(f"the script nests function calls deeper than {meter.budget.max_depth}")
    _tick()


def _leave():
    _meter.depth -= 1


def _sized(value):
    return len(value) if isinstance(value, (str, bytes, bytearray, list, tuple)) else None


def _too_big(what: str):
    return ScriptBudgetExceeded(f"the script would build {what} over its size budget")


def check_operands(op: str, a, b, budget: ScriptBudget | None = None) -> None:
    """Refuse ``a op b`` when its result would be over the budget, before computing it."""
    budget = budget or _meter.budget
    a_int = isinstance(a, int)
    b_int = isinstance(b, int)
    if op == "**":
        if a_int and b_int and b > 0 and max(abs(a).bit_length() - 1, 0) * b > budget.max_int_bits:
            raise _too_big("a number")
    elif op == "*":
        if a_int and b_int:
            if a.bit_length() + b.bit_length() > budget.max_int_bits:
                raise _too_big("a number")
        elif (a_int and (size := _sized(b)) is not None and a * size > budget.max_items) or (
                b_int and (size := _sized(a)) is not None and b * size > budget.max_items):
            raise _too_big("a text or list")
    elif op == "<<":
        if a_int and b_int and a and a.bit_length() + b > budget.max_int_bits:
            raise _too_big("a number")
    elif op == "+":
        size_a, size_b = _sized(a), _sized(b)
        if size_a is not None and size_b is not None and size_a + size_b > budget.max_items:
            raise _too_big("a text or list")


_BINOPS = {"**": operator.pow, "*": operator.mul, "<<": operator.lshift, "+": operator.add}
_GUARDED_AST_OPS = {ast.Pow: "**", ast.Mult: "*", ast.LShift: "<<", ast.Add: "+"}


def _binop(op, a, b):
    check_operands(op, a, b)
    return _BINOPS[op](a, b)


def _guarded_pow(base, exp, mod=None):
    if mod is None:
        check_operands("**", base, exp)
    return pow(base, exp, mod)


def _small_arg(name, fn, limit=10_000):
    def guarded(*args):
        if any(isinstance(arg, int) and arg > limit for arg in args):
            raise _too_big(f"a number ({name} of more than {limit})")
        return fn(*args)
    return guarded


def _safe_math():
    names = {name: getattr(math, name) for name in dir(math) if not name.startswith("_")}
    for name in ("factorial", "comb", "perm"):
        names[name] = _small_arg(name, names[name])
    return types.SimpleNamespace(**names)


def _width_guard(method, index=0):
    def guarded(*args, **kwargs):
        width = args[index] if len(args) > index else 0
        if isinstance(width, int) and width > _meter.budget.max_items:
            raise _too_big("a text")
        return method(*args, **kwargs)
    return guarded


def _join_guard(method, separator):
    def guarded(items):
        items = list(items)
        total = sum(len(item) for item in items if isinstance(item, (str, bytes))) + len(separator) * len(items)
        if total > _meter.budget.max_items:
            raise _too_big("a text")
        return method(items)
    return guarded


def _replace_guard(method, text):
    def guarded(old, new, *args):
        if len(new) > len(old) and len(text) + (len(new) - len(old)) * text.count(old) > _meter.budget.max_items:
            raise _too_big("a text")
        return method(old, new, *args)
    return guarded


def _guarded_getattr(obj, name, default=None):
    value = safer_getattr(obj, name, default)
    if isinstance(obj, (str, bytes)):
        if name in ("ljust", "rjust", "center", "zfill"):
            return _width_guard(value)
        if name == "expandtabs":
            return _refused("expandtabs")
        if name in ("format", "format_map"):
            return _refused(name)
        if name == "join":
            return _join_guard(value, obj)
        if name == "replace":
            return _replace_guard(value, obj)
    return value


def _refused(name):
    def refused(*args, **kwargs):
        raise ScriptRejected(f"{name}() is not available in process scripts (use an f-string)")
    return refused


def _call(name: str, *args) -> ast.Call:
    return ast.Call(func=ast.Name(id=name, ctx=ast.Load()), args=list(args), keywords=[])


class BudgetTransformer(RestrictingNodeTransformer):
    """RestrictedPython's policy plus the budget checks (inserted after the policy has checked the
    author's own code, so the helpers' underscore names pass)."""

    def visit_BinOp(self, node):
        node = super().visit_BinOp(node)
        op = _GUARDED_AST_OPS.get(type(node.op))
        if op is None:
            return node
        return ast.copy_location(_call("_binop_", ast.Constant(op), node.left, node.right), node)

    def visit(self, node):
        node = super().visit(node)
        if isinstance(node, (ast.Module, ast.Expression)):
            ast.fix_missing_locations(node)
        return node

    def _loop(self, node):
        node.body.insert(0, ast.copy_location(ast.Expr(_call("_tick_")), node.body[0]))
        return node

    def visit_While(self, node):
        return self._loop(super().visit_While(node))

    def visit_For(self, node):
        return self._loop(super().visit_For(node))

    def visit_comprehension(self, node):
        node = super().visit_comprehension(node)
        node.ifs.insert(0, ast.copy_location(_call("_tick_"), node.iter))
        return node

    def visit_FunctionDef(self, node):
        node = super().visit_FunctionDef(node)
        first = node.body[0]
        guarded = ast.Try(body=node.body, handlers=[], orelse=[],
                          finalbody=[ast.Expr(_call("_leave_"))])
        node.body = [ast.Expr(_call("_enter_")), guarded]
        for stmt in node.body:
            ast.copy_location(stmt, first)
        ast.fix_missing_locations(node)
        return node


def _days_between(start: str, end: str) -> int:
    return (_dt.date.fromisoformat(str(end)[:10]) - _dt.date.fromisoformat(str(start)[:10])).days


def _add_days(day: str, days: int) -> str:
    return (_dt.date.fromisoformat(str(day)[:10]) + _dt.timedelta(days=int(days))).isoformat()


def base_helpers() -> dict:
    """Functions every diagram may call."""
    return {"days_between": _days_between, "add_days": _add_days}


def compile_problems(source: str, mode: str) -> list[str]:
    """Return the reasons ``source`` is refused (empty when it compiles)."""
    compiler = compile_restricted_eval if mode == "eval" else compile_restricted_exec
    try:
        result = compiler(source, policy=BudgetTransformer)
    except SyntaxError as exc:  # RestrictedPython re-raises some syntax errors
        return [str(exc)]
    return list(result.errors)


# A diagram's expressions and scripts are few and run again and again (a loop condition at every
# iteration); compiling them under RestrictedPython costs more than running them.  The result
# (code object and errors) depends on the source text only.
@functools.lru_cache(maxsize=1024)
def _compiled_eval(source: str):
    return compile_restricted_eval(source, policy=BudgetTransformer)


@functools.lru_cache(maxsize=1024)
def _compiled_exec(source: str):
    return compile_restricted_exec(source, policy=BudgetTransformer)


class RestrictedEnvironment(TaskDataEnvironment):
    def __init__(self, helpers: dict | None = None, budget: ScriptBudget | None = None):
        self.budget = budget or DEFAULT_BUDGET
        builtins = {
            **safe_builtins,
            **limited_builtins,
            **utility_builtins,
            "sum": sum,
            "min": min,
            "max": max,
            "any": any,
            "all": all,
            "enumerate": enumerate,
            "sorted": sorted,
            "len": len,
            "pow": _guarded_pow,
            "math": _safe_math(),
        }
        super().__init__(
            {
                "__builtins__": builtins,
                "_getattr_": _guarded_getattr,
                "_getitem_": default_guarded_getitem,
                "_getiter_": default_guarded_getiter,
                "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
                "_unpack_sequence_": guarded_unpack_sequence,
                "_write_": full_write_guard,
                "_inplacevar_": _inplace,
                "_binop_": _binop,
                "_tick_": _tick,
                "_enter_": _enter,
                "_leave_": _leave,
                **base_helpers(),
                **(helpers or {}),
            }
        )

    def evaluate(self, expression, context, external_context=None):
        result = _compiled_eval(expression)
        if result.errors:
            raise ScriptRejected("expression rejected: " + "; ".join(result.errors))
        with budget_scope(self.budget):
            return eval(result.code, {**self.globals, **(external_context or {}), **context})  # noqa: S307

    def execute(self, script, context, external_context=None):
        result = _compiled_exec(script)
        if result.errors:
            raise ScriptRejected("script rejected: " + "; ".join(result.errors))
        self.check_for_overwrite(context, external_context or {})
        context.update({**self.globals, **(external_context or {})})
        try:
            with budget_scope(self.budget):
                exec(result.code, context)  # noqa: S102
        finally:
            self._remove_globals_and_functions_from_context(context, external_context)
        return True


def make_script_engine(helpers: dict | None = None, budget: ScriptBudget | None = None) -> PythonScriptEngine:
    return PythonScriptEngine(environment=RestrictedEnvironment(helpers, budget))
