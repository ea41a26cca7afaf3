"""Who may see and do what, decided here once for pages, the API, exports and search.

``policy`` holds the rules (role × ward × assignment × cover), ``covers`` the 代理 lookups,
``registry`` the access rule every view declares.
"""

from __future__ import annotations

from .covers import covered_user_ids
from .policy import (
    ADVISER_ACTIONS,
    CASE_OPENING_ROLES,
    SUPERVISOR_ROLES,
    WARD_STAFF_ROLES,
    actable_task_filter,
    acting_for,
    can_act_on_task,
    can_claim_task,
    can_open_case,
    can_read_history,
    can_reassign,
    can_release_task,
    can_run_action,
    can_set_cover,
    can_submit_pa_slip,
    can_submit_referral,
    can_take_over_task,
    can_view_case,
    can_view_referral,
    can_view_stats,
    is_covering,
    is_supervisor_of,
    readable_task_filter,
    visible_task_filter,
)
from .registry import RULES, access_rule, rule_for, undeclared_endpoints

__all__ = [
    "ADVISER_ACTIONS",
    "CASE_OPENING_ROLES",
    "RULES",
    "SUPERVISOR_ROLES",
    "WARD_STAFF_ROLES",
    "access_rule",
    "acting_for",
    "can_act_on_task",
    "can_claim_task",
    "can_open_case",
    "can_read_history",
    "can_reassign",
    "can_release_task",
    "can_run_action",
    "can_set_cover",
    "can_submit_pa_slip",
    "can_submit_referral",
    "can_take_over_task",
    "can_view_case",
    "can_view_referral",
    "can_view_stats",
    "covered_user_ids",
    "is_covering",
    "is_supervisor_of",
    "actable_task_filter",
    "readable_task_filter",
    "visible_task_filter",
    "rule_for",
    "undeclared_endpoints",
]
