"""A case that holds every kind of sensitive item, and a user for every row of the privacy matrix."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pytest

from app.extensions import db
from app.models import Consent, DataItem, HumanTask
from app.services.staff.tokens import issue_token
from tests.helpers import case_of, complete, form_post, walk_in

DAY = date(2026, 11, 26)
# Values that appear nowhere else, so that finding them in a response proves the item was shown.
TAX = 918273
NHI = 564738
INCOME = 246813
WATER = 135791
ADDRESS = "横浜市中区港南台九丁目8番7号"
RISK_NOTE = "RISKNOTE4711 夜眠れず死にたいと話す"
CONSENT_SCOPES = ["support_agencies", "budget", "employment"]


def add_consent(case_id: int, scopes: list[str], tax_roles: list[str] | None = None) -> None:
    """The person's 申込 consent (the newest one governs sharing)."""
    case = case_of(case_id)
    db.session.add(Consent(person_id=case.person_id, case_id=case.id, kind="intake", given_by="person",
                           given_on=DAY, form="intake", scopes=list(scopes),
                           tax_sharing={"allowed": bool(tax_roles), "with_roles": list(tax_roles or [])},
                           exclusions=[]))
    db.session.commit()


def add_items(case_id: int) -> None:
    """Arrears as the referring sections sent them (data items carry their source)."""
    case = case_of(case_id)
    for category, source, amount in (("tax_arrears", "tax", TAX), ("nhi_arrears", "nhi", NHI),
                                     ("water_arrears", "water", WATER)):
        db.session.add(DataItem(person_id=case.person_id, case_id=case.id, category=category, source=source,
                                value={"amount": amount}, note=None))
    db.session.commit()


@dataclass
class PrivacyCase:
    case_id: int
    users: dict
    tasks: dict = field(default_factory=dict)  # viewer name -> a task id they may open


@pytest.fixture
def privacy_users(staff, make_user):
    users = dict(staff)
    users.update({
        "caseworker2": make_user("cw2", "caseworker"),
        "mental_health": make_user("mh", "mental_health"),
        "pa_worker": make_user("paw", "pa_worker"),
        "referrer": make_user("ref", "referrer"),
        "auditor": make_user("aud", "auditor", ward=None),
        "stats_viewer": make_user("stats", "stats_viewer", ward=None),
        "process_owner": make_user("po", "process_owner", ward=None),
        "cover": make_user("cw_cover", "caseworker", ward="minami"),
    })
    return users


@pytest.fixture
def privacy_case(privacy_users, login, clock):
    """make(tax_roles=None) -> a decided case with a high risk flag, tax/NHI/water arrears, income and
    address, with open tasks for the budget advisor, employment navigator, provider and mental health."""

    def make(tax_roles: list[str] | None = None) -> PrivacyCase:
        users = privacy_users
        cw, lead = login(users["caseworker"]), login(users["lead_worker"])
        case_id = walk_in(cw)
        complete(cw, case_id, "intake", DAY, address=ADDRESS, new_person=True)
        add_consent(case_id, CONSENT_SCOPES, tax_roles)
        add_items(case_id)
        # Sheltered the same day, before any plan (the income as the admission recorded it).
        raw, _ = issue_token(users["caseworker"].username)

        def action(name, data):
            response = cw.post(f"/api/v1/cases/{case_id}/actions/{name}", json={"data": data},
                               headers={"Authorization": f"Bearer {raw}"})
            assert response.status_code == 200, response.get_json()

        action("admit_shelter", {"admitted_at": "2026-11-26T09:30:00+09:00", "facility": "はまかぜ",
                                 "income": INCOME, "assets": 0, "urgent": True, "certified_by": "chief",
                                 "deemed_reason": "住居がなく緊急", "pa_right_told_on": DAY.isoformat(),
                                 "pa_choice": "not_now"})
        # The budget table and the 家計再生プラン's arrears, as the worker recorded them.
        action("record_budget", {"month": "2026-11", "income_wages": INCOME, "spend_rent": 52000})
        action("record_arrears", {"kind": "tax", "amount": TAX, "handling": "installment",
                                  "monthly_installment": 5000, "agreed_on": DAY.isoformat()})
        action("record_arrears", {"kind": "nhi", "amount": NHI, "handling": "reduction"})
        complete(cw, case_id, "assessment", DAY, monthly_income=INCOME, tax_arrears=TAX, suicide_risk="high",
                 risk_indicators=["ideation", "isolation"], risk_note=RISK_NOTE)
        complete(cw, case_id, "plan", DAY, statutory_services=["household_budget", "work_readiness",
                                                               "temporary_shelter"])
        # The income is over the standard test: both services on the 準ずる者 route, approved by the lead worker.
        for service in ("work_readiness",):
            response = cw.post(f"/cases/{case_id}/actions/record_eligibility", data=form_post({
                "service": service, "basis": "deemed", "reason": "本人の状況から支援が必要", "approved_by": "lead"}))
            assert response.status_code == 303, response.get_data(as_text=True)[:2000]
        complete(lead, case_id, "coordination_meeting", DAY)
        from app.services.staff.assignment import set_cover

        set_cover(users["caseworker"], users["cover"], DAY, DAY, "研修", users["section_chief"])
        db.session.expire_all()
        tasks = {t.bpmn_id + ":" + (t.instance_item or ""): t.id
                 for t in db.session.query(HumanTask).filter_by(case_id=case_id, status="open")}
        return PrivacyCase(case_id, users, tasks)

    return make
