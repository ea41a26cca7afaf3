"""Who may see which personal data item of a case (the privacy matrix), and through which doors.

Two questions are answered here, once, for pages, the API, exports and search:

- ``access_basis(user, case)``: on which ground the user sees the case at all (recorded with every
  ``case_viewed`` event): ``own_case`` (the assigned worker), ``ward_desk`` (a caseworker of the
  ward on a case nobody is assigned to yet: the desk owns it), ``supervisor`` (主任・係長 of the
  ward), ``cover`` (代理 of the assigned worker), ``ward_staff`` (another caseworker of the ward),
  ``task_role`` (a delivering role with an open task on the case), ``auditor``.
- ``can_see(user, case, item)``: whether one data item (``ITEMS``) is shown to the user or masked.

The default matrix:

================  ========  ==========  ======  ==========  ==========  ========  ===========  ===============
item              owner¹    ward_staff  budget  employment  provider    pa_worker mental_health  auditor
================  ========  ==========  ======  ==========  ==========  ========  ===========  ===============
tax_arrears       ✓         ✗           consent ✗           ✗           consent   ✗            ✗
nhi_arrears²      ✓         ✗           consent ✗           ✗           consent   ✗            ✗
suicide_risk      ✓         ✗           ✗       ✗           ✗           ✓ (ntk)   ✓ (referral) ✗ (events only)
income            ✓         ✓ (logged)  ✓       ✗           ✗           ✓         ✗            ✓
address           ✓         ✗           scope   scope       scope       ✓         ✓            ✓
other_arrears³    ✓         ✓           ✓       ✗           ✗           ✓         ✗            ✓
================  ========  ==========  ======  ==========  ==========  ========  ===========  ===============

¹ own_case, ward_desk, supervisor and cover.  ² while the audited setting ``mask_nhi_as_tax`` is
on (the default), NHI premium arrears follow the tax rule; off, they follow ``other_arrears``.
³ water, municipal-housing rent, school lunch: not tax information.  Data items of any other
category (e.g. the public-assistance summary of a discontinuation slip) are ``assessment``: the
owner, other workers of the ward, pa_worker and auditors, not the delivering roles.  "consent" = the person's
active consent shares tax information with that role (``consents.tax_sharing_allows``); "scope"
= the active consent has the role's scope (budget → ``budget``, employment → ``employment``,
provider → ``providers``).  ``referrer``, ``stats_viewer``, ``process_owner`` and ``admin`` never
see a case.  Meeting packs (個別支援調整会議・支援会議) never carry tax items without consent
(``meeting_may_show``) and never the risk flag.
"""

from __future__ import annotations

from app.models import Case, User

from . import policy
from .consents import scope_allowed, tax_sharing_allows
from .covers import covered_user_ids
from .flags import address_allowed, is_protected
from .switches import mask_nhi_as_tax

ITEMS = ("tax_arrears", "nhi_arrears", "suicide_risk", "income", "address", "other_arrears", "assessment")
OWNER_BASES = {"own_case", "ward_desk", "supervisor", "cover"}
BASES = (*sorted(OWNER_BASES), "ward_staff", "task_role", "auditor")
MASK = "＊＊＊（非表示）"

# category of a DataItem → the privacy item it is
CATEGORY_ITEMS = {
    "tax_arrears": "tax_arrears",
    "nhi_arrears": "nhi_arrears",
    "water_arrears": "other_arrears",
    "housing_arrears": "other_arrears",
    "school_lunch_arrears": "other_arrears",
    "income": "income",
    "address": "address",
}
# The role's consent scope that lets it see identity and contact details.
CONTACT_SCOPES = {"budget_advisor": "budget", "employment_navigator": "employment", "provider": "providers"}
# What each delivering role sees of a case it has a task on (beyond the consent-bound items).
ROLE_ITEMS = {
    "budget_advisor": {"income", "other_arrears"},
    "employment_navigator": set(),
    "provider": set(),
    "pa_worker": {"income", "other_arrears", "address", "suicide_risk", "assessment"},
    "mental_health": {"address", "suicide_risk"},
}
TAX_CONSENT_ROLES = {"budget_advisor", "pa_worker"}
AUDITOR_ITEMS = {"income", "address", "other_arrears", "assessment"}
WARD_STAFF_ITEMS = {"income", "other_arrears", "assessment"}


def access_basis(user: User, case: Case) -> str | None:
    """Why the user may see this case (None: they may not)."""
    if not policy.can_view_case(user, case):
        return None
    if case.assigned_to_id is not None and case.assigned_to_id == user.id:
        return "own_case"
    if policy.is_supervisor_of(user, case.ward):
        return "supervisor"
    if case.assigned_to_id is not None and case.assigned_to_id in covered_user_ids(user):
        return "cover"
    if user.ward == case.ward and user.has_role("caseworker"):
        return "ward_desk" if case.assigned_to_id is None else "ward_staff"
    if user.ward == case.ward and user.roles & policy.WARD_STAFF_ROLES:
        return "task_role"
    return "auditor" if policy.is_auditor_for(user, case.ward) else "task_role"


def nhi_follows_tax() -> bool:
    return mask_nhi_as_tax()


def visible_items(user: User, case: Case, basis: str | None = None) -> frozenset[str]:
    """The data items the user sees on this case; everything else is masked."""
    basis = basis or access_basis(user, case)
    if basis is None:
        return frozenset()
    if basis in OWNER_BASES:
        return frozenset(ITEMS)
    if basis == "ward_staff":
        seen = set(WARD_STAFF_ITEMS)
    elif basis == "auditor":
        seen = set(AUDITOR_ITEMS)
    else:
        seen = _task_role_items(user, case)
    if not nhi_follows_tax() and "other_arrears" in seen:
        seen.add("nhi_arrears")
    if "address" in seen and is_protected(case) and not address_allowed(basis, user.roles):
        seen.discard("address")  # DV / 住所秘匿: the address stays with the worker and public assistance
    return frozenset(seen)


def _task_role_items(user: User, case: Case) -> set[str]:
    seen: set[str] = set()
    for role in user.roles & set(ROLE_ITEMS):
        seen |= ROLE_ITEMS[role]
        scope = CONTACT_SCOPES.get(role)
        if scope and scope_allowed(case, scope):
            seen.add("address")
        if role in TAX_CONSENT_ROLES and tax_sharing_allows(case, role):
            seen |= {"tax_arrears", "nhi_arrears"}
    return seen


def can_see(user: User, case: Case, item: str) -> bool:
    if item not in ITEMS:
        raise ValueError(f"unknown data item {item!r}")
    return item in visible_items(user, case)


def meeting_may_show(case: Case, item: str) -> bool:
    """What a coordination-meeting / 支援会議 pack may carry: never the risk flag, tax only by consent,
    never a protected (DV / 住所秘匿) person's address."""
    if item == "suicide_risk":
        return False
    if item == "address" and is_protected(case):
        return False
    if item == "tax_arrears" or (item == "nhi_arrears" and nhi_follows_tax()):
        return scope_allowed(case, "tax_info") and scope_allowed(case, "support_meeting")
    return True


def item_of_source(source: str | None, category: str | None = None) -> str | None:
    """The privacy item a value belongs to, from its data source (and category)."""
    if source == "tax":
        return "tax_arrears"
    if source == "nhi":
        return "nhi_arrears"
    return CATEGORY_ITEMS.get(category or "")


# -- doors --------------------------------------------------------------------------------
# Every endpoint is either a door that renders case data (with the kind of door, whose masking
# the privacy test checks) or listed with the reason it renders none.  A new endpoint that is in
# neither makes tests/privacy/test_matrix.py fail: decide its rule before it ships.
DOOR_KINDS = {
    "case_page": "the case page (masking.case_data)",
    "api_case": "GET /api/v1/cases/<id> (masking.case_data)",
    "task_form": "task page and GET /api/v1/tasks/<id> (masking.case_data + masked prefill)",
    "export": "auditor exports, JSON and HTML (masking.mask_export)",
    "search": "case search page and GET /api/v1/cases?q= (masking.search_result)",
    "audit_trail": "auditor timeline, forms as submitted, diff, step-through (masking.mask_event_data)",
    "events": "GET /api/v1/cases/<id>/events (masking.mask_event_data)",
    "case_form": "case action forms and notices: no masked item is rendered",
    "meeting_pack": "meeting agendas, minutes and packs: per viewer, never the risk flag, tax only by consent",
    "api_services": "GET /api/v1/cases/<id>/services and /shelter: the test's figures only with income",
    "api_budget": "GET /api/v1/cases/<id>/budget: budget lines with income, arrears by their source",
    "api_child": "GET /api/v1/cases/<id>/child-referrals: only the owner, the provider and auditors; no address",
}
CASE_DATA_DOORS = {
    "cases.show": "case_page",
    "api.show_case": "api_case",
    "tasks.show": "task_form",
    "tasks.submit": "task_form",
    "api.show_task": "task_form",
    "audit.export_json": "export",
    "audit.export_html": "export",
    "cases.search": "search",
    "api.search_cases": "search",
    "audit.timeline": "audit_trail",
    "audit.submission": "audit_trail",
    "audit.diff": "audit_trail",
    "audit.steps": "audit_trail",
    "audit.steps_json": "audit_trail",
    "api.list_case_events": "events",
    "cases.action": "case_form",
    "cases.notice": "case_form",
}
NO_CASE_DATA = {
    "static": "static files",
    "auth.login": "login", "auth.logout": "logout", "auth.set_locale": "locale switch",
    "worklist.index": "task names, case ids and due dates only",
    "cases.new": "empty form to open a case",
    "api.openapi": "API description",
    "api.open_case": "answers the new case id only",
    "api.list_tasks": "task summaries: names, roles, due dates",
    "api.claim_task": "task summary", "api.release_task": "task summary",
    "api.take_over_task": "task summary", "api.reassign_task": "task summary",
    "api.complete_task": "case id, state, task summaries",
    "api.run_case_action": "case id, state, task summaries",
    "api.reassign_case": "case id, state, assignee, task summaries",
    "api.set_cover": "cover record", "api.end_cover": "cover record",
    "audit.index": "case ids, wards and states for auditors",
    "audit.diagram": "the BPMN of the case's process version (no person data)",
    "notifications.index": "notification texts (task names and due dates)",
    "notifications.read_all": "marks notifications read (redirect)",
    "notifications.read_one": "marks a notification read (redirect)",
    "assignment.change_holder": "claim / release / take over (redirect)",
    "assignment.reassign": "reassignment (redirect)",
    "stats.index": "aggregates only",
    # referral slips: the sender's own slip in, status only out (reply scope)
    "referrals.index": "the sender's slips: date, section, consent, 接続済・未来所 only",
    "referrals.new": "the sender's own slip form", "referrals.new_pa": "the sender's own slip form",
    "api.submit_referral": "answers referral and case ids", "api.submit_pa_slip": "answers slip and case ids",
    "api.list_referrals": "the sender's slips: status only", "api.show_referral": "status only",
    "api.list_consents": "consent records (scopes, dates): none of the masked items",
    "api.withdraw_consent": "consent record", "episodes.withdraw_consent": "consent record form",
    "api.show_household": "household members: names and relations, none of the masked items",
    "api.add_household_member": "household member record", "episodes.add_member": "household member (redirect)",
    "api.open_member_episode": "new episode id", "episodes.member_episode": "new episode (redirect)",
    "api.open_reconsultation": "new episode id", "episodes.reconsultation": "new episode (redirect)",
}
# Process administration (process owners): diagrams, versions, migration of running cases by id.
NO_CASE_DATA.update({endpoint: "process administration: BPMN, versions, case ids" for endpoint in (
    "modeler.index", "modeler.check", "modeler.deploy", "modeler.diff", "modeler.draft_xml", "modeler.edit_draft",
    "modeler.edit_version", "modeler.migrate", "modeler.move_case", "modeler.save_draft", "modeler.version_xml",
)})


def door_of(app, endpoint: str) -> str | None:
    view = app.view_functions.get(endpoint)
    return getattr(view, "privacy_door", None) or CASE_DATA_DOORS.get(endpoint)


def privacy_door(kind: str):
    """Declare on a new view which kind of case-data door it is (or use ``no_case_data``)."""
    if kind not in DOOR_KINDS:
        raise ValueError(f"unknown door kind {kind!r}; known: {sorted(DOOR_KINDS)}")

    def mark(view):
        view.privacy_door = kind
        return view

    return mark


def no_case_data(reason: str):
    def mark(view):
        view.no_case_data = reason
        return view

    return mark


def undeclared_doors(app) -> list[str]:
    """Endpoints that neither name their door kind nor say why they render no case data."""
    missing = []
    for endpoint, view in app.view_functions.items():
        if door_of(app, endpoint) or getattr(view, "no_case_data", None) or endpoint in NO_CASE_DATA:
            continue
        missing.append(endpoint)
    return sorted(missing)
