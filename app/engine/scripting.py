"""Restricted script environment for BPMN expressions and script tasks.

SpiffWorkflow's default environment is plain ``exec``; diagrams are data written
by process owners, so everything they contain runs under RestrictedPython with a
whitelist of helpers.  The engine is not serialised with a workflow, so it must
be re-attached after every load (see ``serializer.py``).
"""

from __future__ import annotations

import datetime as _dt
import functools
import operator

from RestrictedPython import (
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
    return _INPLACE_OPS[op](x, y)


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
        result = compiler(source)
    except SyntaxError as exc:  # RestrictedPython re-raises some syntax errors
        return [str(exc)]
    return list(result.errors)


# A diagram's expressions and scripts are few and run again and again (a loop condition at every
# iteration); compiling them under RestrictedPython costs more than running them.  The result
# (code object and errors) depends on the source text only.
@functools.lru_cache(maxsize=1024)
def _compiled_eval(source: str):
    return compile_restricted_eval(source)


@functools.lru_cache(maxsize=1024)
def _compiled_exec(source: str):
    return compile_restricted_exec(source)


class RestrictedEnvironment(TaskDataEnvironment):
    def __init__(self, helpers: dict | None = None):
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
        }
        super().__init__(
            {
                "__builtins__": builtins,
                "_getattr_": safer_getattr,
                "_getitem_": default_guarded_getitem,
                "_getiter_": default_guarded_getiter,
                "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
                "_unpack_sequence_": guarded_unpack_sequence,
                "_write_": full_write_guard,
                "_inplacevar_": _inplace,
                **base_helpers(),
                **(helpers or {}),
            }
        )

    def evaluate(self, expression, context, external_context=None):
        result = _compiled_eval(expression)
        if result.errors:
            raise ScriptRejected("expression rejected: " + "; ".join(result.errors))
        return eval(result.code, {**self.globals, **(external_context or {}), **context})  # noqa: S307

    def execute(self, script, context, external_context=None):
        result = _compiled_exec(script)
        if result.errors:
            raise ScriptRejected("script rejected: " + "; ".join(result.errors))
        self.check_for_overwrite(context, external_context or {})
        context.update({**self.globals, **(external_context or {})})
        try:
            exec(result.code, context)  # noqa: S102
        finally:
            self._remove_globals_and_functions_from_context(context, external_context)
        return True


def make_script_engine(helpers: dict | None = None) -> PythonScriptEngine:
    return PythonScriptEngine(environment=RestrictedEnvironment(helpers))
