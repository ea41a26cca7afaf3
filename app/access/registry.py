"""Every view declares its access rule; a test fails for an endpoint without one.

Declare with the decorator on new views::

    @bp.get("/things/<int:case_id>")
    @access_rule("case_view")
    def show(case_id): ...

Endpoints of blueprints written before the registry are listed in ``DECLARED_ENDPOINTS``.  The
rule names what is checked (the check itself is the policy function the service calls), so
reviewers can see at a glance which door uses which rule.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask

RULES = {
    "public": "no login (login page, locale switch, static files, the API description)",
    "signed_in": "any signed-in user; the content is filtered by policy (e.g. the worklist)",
    "case_open": "can_open_case: caseworker / lead_worker / section_chief of the ward",
    "case_view": "can_view_case: ward staff, the cover of the assigned worker, auditors (read only)",
    "case_search": "case_search.can_search: caseworker / lead_worker / section_chief of a ward; results masked",
    "case_history": "can_read_history (as case_view) / history.can_read_audit_trail (auditors' trail)",
    "case_action": "can_run_action: assigned caseworker, supervisors of the ward, the cover",
    "task_view": "can_act_on_task or can_view_case",
    "task_act": "can_act_on_task: the task's role in the case's ward, its assignee, or the cover",
    "task_claim": "can_claim_task / can_release_task / can_take_over_task",
    "case_reassign": "can_reassign: lead_worker or section_chief of the ward",
    "cover_set": "can_set_cover: section_chief of the ward",
    "referral_submit": "can_submit_referral: referrer, caseworker, lead_worker, section_chief",
    "referral_view": "can_view_referral: its sender, or ward staff",
    "pa_slip_submit": "can_submit_pa_slip: pa_worker of the ward (生活保護廃止時 情報提供票)",
    "stats": "can_view_stats: aggregates only",
    "process_admin": "processes.can_manage_processes: process_owner only",
    "support_meeting": "support_meetings.can_convene / can_view: lead_worker or section_chief of the ward, "
                       "or a named member; anyone else gets 404",
    "meeting_session": "sessions.can_hold: lead_worker or section_chief of the ward; a session's members read it",
    "regular_meeting": "regular_meetings.can_hold: lead_worker or section_chief of the ward",
}

# Endpoints of the spine's blueprints (declared here so their modules stay untouched).
DECLARED_ENDPOINTS = {
    "static": "public",
    "auth.login": "public",
    "auth.logout": "signed_in",
    "auth.set_locale": "public",
    "worklist.index": "signed_in",
    "cases.new": "case_open",
    "cases.show": "case_view",
    "cases.notice": "case_view",
    "cases.action": "case_action",
    "tasks.show": "task_act",
    "tasks.submit": "task_act",
}


def access_rule(rule: str) -> Callable:
    if rule not in RULES:
        raise ValueError(f"unknown access rule {rule!r}; known: {sorted(RULES)}")

    def mark(view: Callable) -> Callable:
        view.access_rule = rule
        return view

    return mark


def rule_for(app: Flask, endpoint: str) -> str | None:
    view = app.view_functions.get(endpoint)
    return getattr(view, "access_rule", None) or DECLARED_ENDPOINTS.get(endpoint)


def undeclared_endpoints(app: Flask) -> list[str]:
    """Endpoints with no access rule, or with a rule name the registry does not know."""
    return sorted(
        endpoint for endpoint in app.view_functions
        if rule_for(app, endpoint) not in RULES
    )
