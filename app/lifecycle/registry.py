"""Every step of the lifecycle, looked up by the form its tasks (or actions) use.

A step module declares one `StepKind` per form key it owns; this registry lists the modules.
A new step is a new module with its kinds, added to `_MODULES`: the pipeline never changes.
"""

from __future__ import annotations

from functools import cache

from . import (
    assessment,
    closure,
    delivery,
    evaluation,
    intake,
    meeting,
    monitoring,
    no_response,
    outcome,
    person_correction,
    plan,
    programs,
    progress,
    public_assistance,
    risk,
)
from .kinds import HandlerResult, StepKind

__all__ = ["HandlerResult", "StepKind", "for_form", "kinds"]

_MODULES = (intake, assessment, plan, meeting, delivery, monitoring, evaluation, closure, public_assistance,
            no_response, risk, progress, person_correction, programs)
_MODULES += (outcome,)  # 就労・増収 (record_outcome)


@cache
def kinds() -> dict[str, StepKind]:
    found: dict[str, StepKind] = {}
    for module in _MODULES:
        for kind in module.KINDS:
            if kind.form_key in found:
                raise RuntimeError(f"form {kind.form_key} is declared by two steps")
            found[kind.form_key] = kind
    return found


_PLAIN: dict[str, StepKind] = {}


def for_form(form_key: str | None) -> StepKind:
    """The step kind of a form; a form no step declares records nothing beyond its submission."""
    kind = kinds().get(form_key or "")
    if kind is None:
        kind = _PLAIN.setdefault(form_key or "", StepKind(form_key or ""))
    return kind


@cache
def delivery_forms() -> tuple[str, ...]:
    return tuple(key for key, kind in kinds().items() if kind.starts_delivery)


def confirmation_reason(form_key: str, data: dict) -> str | None:
    """Why a step needs a confirm page before it is recorded (None: it can go straight through)."""
    confirm = for_form(form_key).confirm
    return confirm(data) if confirm else None


@cache
def sensitive_forms() -> frozenset[str]:
    return frozenset(key for key, kind in kinds().items() if kind.sensitive)


@cache
def sensitive_fields() -> frozenset[str]:
    return frozenset(name for kind in kinds().values() for name in kind.sensitive_fields)
