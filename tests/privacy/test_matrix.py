"""Roles × data items × doors: each item is shown only where the privacy matrix and consent allow.

One case holds tax arrears (source tax), NHI arrears (source nhi), a high suicide-risk flag, income
and an address, each with a value found nowhere else.  Every viewer opens every door; a value
found in a response means the item was shown there.  A new endpoint must name its door kind (or
why it renders no case data), and every door kind must have a fetcher here, or this file fails.
"""

from __future__ import annotations

import json

import pytest

from app.access.privacy import CASE_DATA_DOORS, DOOR_KINDS, NO_CASE_DATA, undeclared_doors
from app.services.staff.tokens import issue_token

from .conftest import ADDRESS, INCOME, NHI, RISK_NOTE, TAX

ITEMS = ("tax_arrears", "nhi_arrears", "suicide_risk", "income", "address")
SENTINELS = {
    "tax_arrears": (str(TAX), f"{TAX:,}"),
    "nhi_arrears": (str(NHI), f"{NHI:,}"),
    "suicide_risk": (RISK_NOTE.split()[0],),
    "income": (str(INCOME), f"{INCOME:,}"),
    "address": (ADDRESS,),
}
# Search results carry the person's name, the address and a risk badge only.
SEARCH_SENTINELS = {"address": (ADDRESS,), "suicide_risk": ("自死リスク", '"risk_level": "high"')}
# What each door can carry at all (events hold only what went through forms; arrears slips are data items).
DOOR_CARRIES = {
    "case_page": set(ITEMS), "api_case": set(ITEMS), "task_form": set(ITEMS), "export": set(ITEMS),
    "events": {"tax_arrears", "suicide_risk", "income", "address"}, "search": {"address", "suicide_risk"},
    "api_services": {"income"},  # the eligibility test's figures
    "api_budget": {"income", "tax_arrears", "nhi_arrears"},  # the budget table and the arrears
}
OWNER = set(ITEMS)
# viewer -> items the matrix lets them see on this case (consent: support_agencies, budget, employment;
# no tax sharing).  Viewers not listed cannot open the case at all.
EXPECTED = {
    "caseworker": OWNER,                      # the assigned worker
    "lead_worker": OWNER, "section_chief": OWNER,  # supervisors of the ward
    "cover": OWNER,                           # 代理 of the assigned worker (another ward)
    "caseworker2": {"income"},                # another worker of the ward
    "budget_advisor": {"income", "address"},  # consent scope "budget"; tax only with tax sharing
    "employment_navigator": {"address"},      # consent scope "employment"
    "provider": set(),                        # no "providers" scope
    "mental_health": {"address", "suicide_risk"},  # the warm hand-off
    "auditor": {"income", "address"},
}
NO_ACCESS = ("pa_worker", "referrer", "stats_viewer", "process_owner", "other_ward_caseworker")
VIEWERS = (*EXPECTED, *NO_ACCESS)
# Which door each viewer can open at all (others get 403/404 and are checked to show nothing).
SEARCHERS = {"caseworker", "lead_worker", "section_chief", "cover", "caseworker2"}
TASK_OF = {
    "caseworker": "risk_follow_up:", "cover": "risk_follow_up:", "lead_worker": "risk_acknowledgement:",
    "section_chief": "risk_acknowledgement:", "mental_health": "risk_referral:",
    "budget_advisor": "record_budget_service:household_budget",
    "employment_navigator": "record_employment_service:work_readiness",
    "provider": "record_provider_service:temporary_shelter",
}


def _text(response) -> str:
    if response.is_json:
        return json.dumps(response.get_json(), ensure_ascii=False)
    return response.get_data(as_text=True)


class Doors:
    """Fetch a door as one viewer: returns (status, text)."""

    def __init__(self, app, login, pc, name):
        self.pc, self.name = pc, name
        self.user = pc.users[name]
        self.page = login(self.user)
        raw, _ = issue_token(self.user.username)
        self.api = app.test_client()
        self.headers = {"Authorization": f"Bearer {raw}"}

    def _api(self, path):
        return self.api.get(f"/api/v1{path}", headers=self.headers)

    def case_page(self):
        return [self.page.get(f"/cases/{self.pc.case_id}")]

    def api_case(self):
        return [self._api(f"/cases/{self.pc.case_id}")]

    def task_form(self):
        key = TASK_OF.get(self.name, "monitoring:")
        task_id = self.pc.tasks[key]
        return [self.page.get(f"/tasks/{task_id}"), self._api(f"/tasks/{task_id}")]

    def export(self):
        return [self.page.get(f"/audit/cases/{self.pc.case_id}/export.json"),
                self.page.get(f"/audit/cases/{self.pc.case_id}/export.html")]

    def events(self):
        return [self._api(f"/cases/{self.pc.case_id}/events")]

    def api_services(self):
        return [self._api(f"/cases/{self.pc.case_id}/services"), self._api(f"/cases/{self.pc.case_id}/shelter")]

    def api_budget(self):
        return [self._api(f"/cases/{self.pc.case_id}/budget")]

    def search(self):
        return [self.page.get("/cases/search", query_string={"q": "よこはま"}),
                self._api("/cases?q=ヨコハマ")]


DOOR_NAMES = ("case_page", "api_case", "task_form", "export", "events", "search", "api_services", "api_budget")


def _expected(name: str, door: str) -> set[str]:
    if name not in EXPECTED:
        return set()
    if door == "export" and name != "auditor":
        return set()
    if door == "search" and name not in SEARCHERS:
        return set()
    if door == "task_form" and name not in TASK_OF:
        return set()  # the ward's other caseworker and the auditor may not open someone else's task
    return EXPECTED[name] & DOOR_CARRIES[door]


@pytest.fixture
def matrix_case(privacy_case):
    return privacy_case()


def test_each_viewer_sees_exactly_the_allowed_items_at_every_door(app, login, matrix_case):
    # One case for all viewers (building it is the slow part); every problem is reported at once.
    problems = [problem for name in VIEWERS for problem in _problems(app, login, matrix_case, name)]
    assert problems == [], "\n".join(problems)


def _problems(app, login, matrix_case, name, protected: bool = False) -> list[str]:
    doors = Doors(app, login, matrix_case, name)
    problems = []
    for door in DOOR_NAMES:
        responses = getattr(doors, door)()
        texts = [_text(r) for r in responses]
        opened = [r.status_code == 200 for r in responses]
        expected = _expected(name, door)
        if protected and name not in PROTECTED_ADDRESS_VIEWERS:
            expected = expected - {"address"}
        if expected and not all(opened):
            problems.append(f"{name} {door}: could not open ({[r.status_code for r in responses]})")
            continue
        for item in ITEMS:
            sentinels = SEARCH_SENTINELS.get(item, ()) if door == "search" else SENTINELS[item]
            for text, response in zip(texts, responses, strict=True):
                shown = any(s in text for s in sentinels)
                if shown != (item in expected):
                    problems.append(f"{name} {door} {response.request.path}: {item} "
                                    f"{'shown' if shown else 'hidden'} (expected "
                                    f"{'shown' if item in expected else 'hidden'})")
    return problems


# DV / 住所秘匿: only the owner of the case (and public assistance, who has no task here) keeps the address.
PROTECTED_ADDRESS_VIEWERS = {"caseworker", "lead_worker", "section_chief", "cover"}


def test_with_a_dv_flag_the_address_leaves_every_door_but_the_owners(app, login, privacy_case):
    from app.services.staff.tokens import issue_token

    pc = privacy_case()
    raw, _ = issue_token(pc.users["caseworker"].username)
    response = app.test_client().post(f"/api/v1/cases/{pc.case_id}/actions/set_person_flags",
                                      json={"data": {"dv": True, "address_secrecy": True}},
                                      headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200, response.get_json()
    problems = [problem for name in VIEWERS for problem in _problems(app, login, pc, name, protected=True)]
    assert problems == [], "\n".join(problems)


def test_the_risk_flag_its_tasks_and_events_are_invisible_to_delivering_roles(app, login, matrix_case):
    for name in ("budget_advisor", "employment_navigator", "provider"):
        doors = Doors(app, login, matrix_case, name)
        for door in ("case_page", "api_case", "task_form", "events"):
            for response in getattr(doors, door)():
                text = _text(response)
                assert response.status_code == 200, (name, door, response.status_code)
                for leak in ("自死", "risk_", "flag_risk", "精神保健"):
                    assert leak not in text, (name, door, response.request.path, leak)


def test_tax_sharing_consent_opens_tax_items_to_the_budget_advisor_only(app, login, privacy_case):
    pc = privacy_case(tax_roles=["budget_advisor"])
    budget = Doors(app, login, pc, "budget_advisor")
    text = _text(budget.api_case()[0])
    assert str(TAX) in text and str(NHI) in text and RISK_NOTE.split()[0] not in text
    navi = Doors(app, login, pc, "employment_navigator")
    text = _text(navi.api_case()[0])
    assert str(TAX) not in text and str(NHI) not in text


def test_every_endpoint_declares_its_privacy_door(app):
    """A new view that renders case data must be listed with its door kind, or why it renders none."""
    assert undeclared_doors(app) == []
    assert set(CASE_DATA_DOORS.values()) <= set(DOOR_KINDS)
    stale = sorted(e for e in [*CASE_DATA_DOORS, *NO_CASE_DATA] if e not in app.view_functions)
    assert stale == [], "endpoints listed in app/access/privacy.py that no longer exist"


def test_every_door_kind_is_checked_by_the_matrix():
    # case_form (action forms, notices) renders no masked item; audit_trail is checked in test_doors.py;
    # api_child (child referrals) in tests/programs/services/test_child_support.py;
    # meeting_pack (agendas, minutes, regular-meeting packs) in tests/meetings/.
    checked_elsewhere = {"case_form", "audit_trail", "api_child", "meeting_pack"}
    assert set(DOOR_KINDS) - checked_elsewhere == set(DOOR_NAMES)


def test_notices_show_the_address_only_to_viewers_the_matrix_lets_see_it(app, login, matrix_case):
    """The shelter's 利用決定 to the person carries the address it is sent to (masked by role)."""
    from app.extensions import db
    from app.models import Notice

    notice = db.session.query(Notice).filter_by(case_id=matrix_case.case_id, kind="shelter_admission",
                                                recipient="person").one()
    problems = []
    for name in VIEWERS:
        response = login(matrix_case.users[name]).get(f"/notices/{notice.id}")
        if name not in EXPECTED:
            if response.status_code != 404:
                problems.append(f"{name}: {response.status_code}")
            continue
        shown = ADDRESS in response.get_data(as_text=True)
        if response.status_code != 200 or shown != ("address" in EXPECTED[name]):
            problems.append(f"{name}: status {response.status_code}, address {'shown' if shown else 'hidden'}")
    assert problems == [], "\n".join(problems)
