"""The lifecycle's step registry: one owner per form, and every variable a step hands the diagrams written down."""

from __future__ import annotations

from pathlib import Path

from app.forms import load_form_definitions
from app.lifecycle import registry
from app.programs.housing_benefit import PROGRAMME_FORMS

ROOT = Path(__file__).resolve().parent.parent


def test_every_declared_form_exists_and_every_task_form_has_its_step():
    forms = load_form_definitions(ROOT / "forms")
    declared = set(registry.kinds())
    assert declared <= set(forms), declared - set(forms)
    # The two slips are received by the intake services before any case step exists; a programme's
    # forms (住居確保給付金) are recorded by the programme on its own workflow.
    assert set(forms) - declared == {"referral_slip", "pa_discontinuation_slip"} | PROGRAMME_FORMS


def test_processes_readme_names_every_variable_a_step_hands_the_diagrams():
    readme = (ROOT / "processes" / "README.md").read_text(encoding="utf-8")
    handed = {name for kind in registry.kinds().values() for name in kind.variables}
    assert handed and not [name for name in sorted(handed) if f"`{name}`" not in readme]
