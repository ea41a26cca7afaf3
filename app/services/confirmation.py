"""Steps that cannot be undone get a confirm page first (支援決定, 終結)."""

from __future__ import annotations


def needs_confirmation(form_key: str, data: dict) -> str | None:
    """The reason to confirm, or None when the step can go straight through."""
    if form_key == "coordination_meeting" and data.get("decision") == "approve":
        return "支援決定"
    if form_key == "coordination_meeting" and data.get("decision") == "close":
        return "終結"
    if form_key == "closure" or (form_key == "evaluation" and data.get("outcome") == "close"):
        return "終結"
    if form_key == "pa_handoff" and data.get("application_received"):
        return "終結"
    return None
