"""連絡票 (F1) through the page and the API: consent, first contact, data sources, reply, retries."""

from __future__ import annotations

from datetime import date

import pytest

from app.extensions import db
from app.models import AuditEvent, Case, Consent, DataItem, HumanTask, Person, ReferralReceipt

from ..helpers import complete, form_post
from .helpers import DAY, counts, slip


def _page_slip(client, data: dict, ward: str = "naka", key: str | None = None):
    posted = form_post(data)
    posted["ward"] = ward
    if key:
        posted["idempotency_key"] = key
    return client.post("/referrals/new", data=posted)


# --- without consent: only the anonymous tally --------------------------------------------------


@pytest.mark.parametrize("door", ["page", "api"])
def test_without_consent_only_the_anonymous_tally_is_kept(door, api, login, referrer, staff):
    data = slip(consent_to_refer=False, consent_scopes=[], person_name=..., person_kana=..., phone=...,
                arrears_kind=..., arrears_amount=..., person_request=...)
    if door == "api":
        response = api(referrer).post("/referrals", json={"ward": "naka", "data": data})
        assert response.status_code == 201, response.get_json()
        assert response.get_json()["case_id"] is None
    else:
        response = _page_slip(login(referrer), data)
        assert response.status_code == 303, response.get_data(as_text=True)
    assert counts() | {"ReferralReceipt": 1} == {"Case": 0, "Person": 0, "Consent": 0, "DataItem": 0,
                                                 "FormSubmission": 0, "HumanTask": 0, "ReferralReceipt": 1}
    receipt = db.session.query(ReferralReceipt).one()
    assert (receipt.ward, receipt.from_section, receipt.slip_date, receipt.case_id) == ("naka", "tax", DAY, None)
    event = db.session.query(AuditEvent).filter_by(event_type="referral_received").one()
    assert "横浜" not in str(event.data) and "ヨコハマ" not in str(event.data)


# --- with consent: an identified episode, a first-contact task, sourced data items --------------


@pytest.mark.parametrize("door", ["page", "api"])
def test_with_consent_opens_an_identified_episode_with_a_first_contact_task(door, api, login, referrer, staff):
    if door == "api":
        response = api(referrer).post("/referrals", json={"ward": "naka", "data": slip()})
        assert response.status_code == 201, response.get_json()
        case_id = response.get_json()["case_id"]
    else:
        response = _page_slip(login(referrer), slip())
        assert response.status_code == 303, response.get_data(as_text=True)
        db.session.expire_all()
        case_id = db.session.query(Case).one().id
    case = db.session.get(Case, case_id)
    assert (case.state, case.ward, case.route, case.assigned_to_id) == ("identified", "naka", "city_section", None)
    assert case.person.name == "横浜 一郎" and case.person.phone == "045-000-0000"
    task = db.session.query(HumanTask).filter_by(case_id=case_id, status="open").one()
    # Thursday 26 Nov 2026 + 3 business days = Tuesday 1 Dec, stored now (not computed when shown).
    assert (task.form_key, task.role, task.assignee_id, task.due_on) == ("intake", "caseworker", None,
                                                                         date(2026, 12, 1))
    item = db.session.query(DataItem).one()
    assert (item.category, item.source, item.value["amount"], item.person_id) == ("tax_arrears", "tax", 120000,
                                                                                  case.person_id)
    consent = db.session.query(Consent).one()
    assert (consent.kind, consent.given_by, consent.form, consent.case_id) == ("referral", "person", "連絡票", case_id)
    assert consent.tax_sharing == {"allowed": False, "with_roles": []}
    # The ward's caseworkers find it on their worklist; another ward does not.
    assert f"/tasks/{task.id}" in login(staff["caseworker"]).get("/").get_data(as_text=True)
    assert f"/tasks/{task.id}" not in login(staff["other_ward_caseworker"]).get("/").get_data(as_text=True)


@pytest.mark.parametrize(("section", "source", "category"), [
    ("tax", "tax", "tax_arrears"), ("nhi", "nhi", "nhi_arrears"), ("water", "water", "water_arrears"),
    ("municipal_housing", "municipal_housing", "housing_arrears"),
    ("school_lunch", "school_lunch", "school_lunch_arrears"),
])
def test_arrears_carry_the_source_of_their_section(section, source, category, api, referrer):
    response = api(referrer).post("/referrals", json={"ward": "naka", "data": slip(arrears_kind=section,
                                                                                   from_section=section)})
    assert response.status_code == 201, response.get_json()
    item = db.session.query(DataItem).one()
    assert (item.source, item.category) == (source, category)


def test_the_intake_is_prefilled_from_the_slip(api, login, referrer, staff):
    case_id = api(referrer).post("/referrals", json={"ward": "naka", "data": slip(birth_date="1980-02-03")}
                                 ).get_json()["case_id"]
    task = db.session.query(HumanTask).filter_by(case_id=case_id, status="open").one()
    page = login(staff["caseworker"]).get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "横浜 一郎" in page and "045-000-0000" in page


# --- the reply: 接続済 / 未来所, nothing else ----------------------------------------------------


def test_the_referrer_sees_only_the_reply_the_consent_allows(api, login, referrer, staff):
    sender = api(referrer)
    with_reply = sender.post("/referrals", json={"ward": "naka", "data": slip()}).get_json()
    without_reply = sender.post("/referrals", json={"ward": "naka", "data": slip(
        person_name="港 次郎", person_kana="ミナト ジロウ", consent_scopes=["identity", "reason"],
        arrears_amount=...)}).get_json()
    status = sender.get(f"/referrals/{with_reply['referral_id']}").get_json()
    assert (status["status"], status["status_label"]) == ("not_yet_contacted", "未来所")
    assert set(status) == {"referral_id", "kind", "slip_date", "from_section", "consent_to_refer", "status",
                           "status_label"}
    assert sender.get(f"/referrals/{without_reply['referral_id']}").get_json()["status"] == "received"
    page = login(referrer).get("/referrals/").get_data(as_text=True)
    assert "未来所" in page and "横浜" not in page and "120,000" not in page and "120000" not in page

    cw = login(staff["caseworker"])
    complete(cw, with_reply["case_id"], "intake", route="city_section", route_section="tax", via_slip=True,
             person_name="横浜 一郎", person_kana="ヨコハマ イチロウ")
    status = sender.get(f"/referrals/{with_reply['referral_id']}").get_json()
    assert (status["status"], status["status_label"]) == ("connected", "接続済")
    assert "接続済" in login(referrer).get("/referrals/").get_data(as_text=True)
    # Referrers never see cases, by page or API.
    assert sender.get(f"/cases/{with_reply['case_id']}").status_code == 404
    assert login(referrer).get(f"/cases/{with_reply['case_id']}").status_code == 404


def test_another_sender_cannot_read_a_slip(api, make_user, referrer):
    receipt = api(referrer).post("/referrals", json={"ward": "naka", "data": slip()}).get_json()
    stranger = api(make_user("water_clerk", "referrer", ward=None))
    assert stranger.get(f"/referrals/{receipt['referral_id']}").status_code == 404
    assert stranger.get("/referrals").get_json() == []


# --- retries: one episode ---------------------------------------------------------------------


def test_a_retried_slip_creates_one_episode(api, referrer):
    sender = api(referrer)
    headers = {"Idempotency-Key": "slip-2026-11-26-0001"}
    first = sender.post("/referrals", json={"ward": "naka", "data": slip()}, headers=headers)
    again = sender.post("/referrals", json={"ward": "naka", "data": slip()}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.get_json() == again.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert counts()["Case"] == 1 and counts()["ReferralReceipt"] == 1
    changed = sender.post("/referrals", json={"ward": "naka", "data": slip(arrears_amount=1)}, headers=headers)
    assert changed.status_code == 422 and "Idempotency-Key" in changed.get_json()["errors"]
    assert counts()["Case"] == 1


def test_a_double_submitted_page_creates_one_episode(login, referrer):
    client = login(referrer)
    form = client.get("/referrals/new").get_data(as_text=True)
    key = form.split('name="idempotency_key" value="')[1].split('"')[0]
    assert _page_slip(client, slip(), key=key).status_code == 303
    assert _page_slip(client, slip(), key=key).status_code == 303
    assert counts()["Case"] == 1 and counts()["ReferralReceipt"] == 1


# --- bad input: field errors, nothing stored --------------------------------------------------

BAD = {
    "no_contact_route": (dict(phone=...), "phone", "電話番号か住所"),
    "future_birth_date": (dict(birth_date="2030-01-01"), "birth_date", "生年月日"),
    "kanji_in_kana": (dict(person_kana="横浜イチロウ"), "person_kana", "カタカナ"),
    "negative_arrears": (dict(arrears_amount=-5000), "arrears_amount", "滞納額"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_slips_give_field_errors_and_store_nothing(case, api, login, referrer, staff):
    overrides, field, words = BAD[case]
    before = counts()
    response = api(referrer).post("/referrals", json={"ward": "naka", "data": slip(**overrides)})
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    errors = response.get_json()["errors"]
    assert list(errors) == [field] and words in errors[field][0], errors
    page = _page_slip(login(referrer), slip(**overrides))
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    assert 'class="error-summary"' in html and words in html
    assert counts() == before
    assert db.session.query(AuditEvent).filter_by(event_type="referral_received").count() == 0


def test_only_referring_roles_send_slips(api, login, staff):
    for user in (staff["budget_advisor"], staff["provider"]):
        assert api(user).post("/referrals", json={"ward": "naka", "data": slip()}).status_code == 403
        assert login(user).get("/referrals/new").status_code == 403
    assert db.session.query(Person).count() == 0


def test_a_wards_referrer_sends_only_to_its_own_wards_desk(make_user, api):
    naka_clerk = api(make_user("naka_water", "referrer", ward="naka"))
    refused = naka_clerk.post("/referrals", json={"ward": "minami", "data": slip()})
    assert refused.status_code == 403 and "自分の区" in refused.get_json()["detail"]
    assert db.session.query(ReferralReceipt).count() == 0 and db.session.query(Case).count() == 0
    assert naka_clerk.post("/referrals", json={"ward": "naka", "data": slip()}).status_code == 201
    assert naka_clerk.post("/referrals", json={"data": slip()}).status_code == 201  # its own ward by default
