"""Consent as a record: given by the person, scopes and tax sharing, exclusions, withdrawal."""

from __future__ import annotations

import pytest

from app.access.consents import active_consent, tax_sharing_allows
from app.extensions import db
from app.models import AuditEvent, Consent, FormSubmission, HumanTask, Person

from ..api.helpers import complete as api_complete
from ..api.helpers import open_task_id
from ..helpers import case_of, complete, open_task, walk_in
from .helpers import counts, slip

TAX_CONSENT = dict(consent_scopes=["support_agencies", "budget", "tax_info"], tax_sharing_with=["budget_advisor"],
                   consent_exclusions="勤務先\n民生委員")


@pytest.mark.parametrize("door", ["page", "api"])
def test_the_intake_consent_becomes_a_consent_record(door, api, login, staff):
    if door == "page":
        case_id = walk_in(login(staff["caseworker"]))
        complete(login(staff["caseworker"]), case_id, "intake", **TAX_CONSENT)
    else:
        cw = api(staff["caseworker"])
        case_id = cw.post("/cases", json={"ward": "naka"}).get_json()["case_id"]
        api_complete(cw, case_id, "intake", **TAX_CONSENT)
    case = case_of(case_id)
    consent = active_consent(case)
    assert (consent.kind, consent.given_by, consent.form, str(consent.given_on)) == (
        "intake", "person", "相談受付・申込票", "2026-11-26")
    assert consent.person_id == case.person_id and consent.case_id == case.id
    assert consent.scopes == ["support_agencies", "budget", "tax_info"]
    assert consent.tax_sharing == {"allowed": True, "with_roles": ["budget_advisor"]}
    assert consent.exclusions == ["勤務先", "民生委員"]
    assert tax_sharing_allows(case, "budget_advisor") and not tax_sharing_allows(case, "provider")
    listed = api(staff["caseworker"]).get(f"/cases/{case_id}/consents").get_json()
    assert [(c["kind"], c["active"], c["tax_sharing"]["allowed"]) for c in listed] == [("intake", True, True)]
    # Delivering roles with a task on the case do not read the consents (nor the household).
    for path in (f"/cases/{case_id}/consents", f"/cases/{case_id}/household"):
        assert api(staff["budget_advisor"]).get(path).status_code in (403, 404)


@pytest.mark.parametrize("door", ["page", "api"])
def test_a_family_member_cannot_consent_for_an_adult(door, api, login, staff):
    cw_page, cw_api = login(staff["caseworker"]), api(staff["caseworker"])
    case_id = walk_in(cw_page)
    before = counts()
    overrides = dict(consent_given_by="family", visitor_name="横浜 母", visitor_relationship="母")
    if door == "page":
        response = complete(cw_page, case_id, "intake", expect=422, **overrides)
        assert "本人の署名" in response.get_data(as_text=True)
    else:
        response = api_complete(cw_api, case_id, "intake", expect=422, **overrides)
        assert "consent_given_by" in response["errors"]
    assert counts() == before
    assert open_task(case_id, "intake").status == "open"
    assert db.session.query(Person).count() == 0 and db.session.query(Consent).count() == 0


def test_tax_sharing_needs_the_tax_scope(api, staff):
    cw = api(staff["caseworker"])
    case_id = cw.post("/cases", json={"ward": "naka"}).get_json()["case_id"]
    response = api_complete(cw, case_id, "intake", expect=422, tax_sharing_with=["budget_advisor"])
    assert "tax_sharing_with" in response["errors"]


def test_withdrawal_on_the_page_stops_future_sharing_and_keeps_the_past(login, staff):
    cw = login(staff["caseworker"])
    case_id = walk_in(cw)
    complete(cw, case_id, "intake", **TAX_CONSENT)
    consent = db.session.query(Consent).one()
    page = cw.get(f"/cases/{case_id}").get_data(as_text=True)
    link = f"/cases/{case_id}/consents/{consent.id}/withdraw"
    assert link in page and "有効" in page
    assert cw.post(link, data={"withdrawn_on": "2030-01-01"}).status_code == 422  # not in the future
    response = cw.post(link, data={"withdrawn_on": "", "note": "本人から電話で申出"})
    assert response.status_code == 303
    db.session.expire_all()
    consent = db.session.get(Consent, consent.id)
    assert str(consent.withdrawn_on) == "2026-11-26" and consent.withdrawn_by_id == staff["caseworker"].id
    case = case_of(case_id)
    assert active_consent(case) is None and not tax_sharing_allows(case, "budget_advisor")
    # The past stays: the consent row and the intake as submitted are untouched.
    assert db.session.query(Consent).count() == 1
    assert db.session.query(FormSubmission).filter_by(form_key="intake").one().data["consent_scopes"] == [
        "support_agencies", "budget", "tax_info"]
    event = db.session.query(AuditEvent).filter_by(event_type="consent_withdrawn").one()
    assert (event.case_id, event.actor_id, event.data["consent_id"]) == (case_id, staff["caseworker"].id, consent.id)
    assert "撤回" in cw.get(f"/cases/{case_id}").get_data(as_text=True)


def test_withdrawal_through_the_api(api, staff):
    cw = api(staff["caseworker"])
    case_id = cw.post("/cases", json={"ward": "naka"}).get_json()["case_id"]
    api_complete(cw, case_id, "intake")
    consent_id = cw.get(f"/cases/{case_id}/consents").get_json()[0]["consent_id"]
    bad = cw.post(f"/cases/{case_id}/consents/{consent_id}/withdraw", json={"withdrawn_on": "2026-13-01"})
    assert bad.status_code == 422 and "withdrawn_on" in bad.get_json()["errors"]
    # Ward staff who may not act on the case cannot withdraw for it.
    assert api(staff["provider"]).post(f"/cases/{case_id}/consents/{consent_id}/withdraw",
                                       json={}).status_code == 404
    done = cw.post(f"/cases/{case_id}/consents/{consent_id}/withdraw", json={"note": "本人の申出"})
    assert done.status_code == 200 and done.get_json()["withdrawn_on"] == "2026-11-26"
    assert done.get_json()["active"] is False
    again = cw.post(f"/cases/{case_id}/consents/{consent_id}/withdraw", json={})
    assert again.status_code == 409
    types = [e["event_type"] for e in cw.get(f"/cases/{case_id}/events").get_json()]
    assert types.count("consent_withdrawn") == 1


def test_withdrawing_the_slip_consent_stops_the_reply(api, make_user, staff):
    referrer = api(make_user("tax_clerk", "referrer", ward=None))
    sent = referrer.post("/referrals", json={"ward": "naka", "data": slip()}).get_json()
    assert referrer.get(f"/referrals/{sent['referral_id']}").get_json()["status"] == "not_yet_contacted"
    cw = api(staff["caseworker"])
    consent_id = cw.get(f"/cases/{sent['case_id']}/consents").get_json()[0]["consent_id"]
    assert cw.post(f"/cases/{sent['case_id']}/consents/{consent_id}/withdraw", json={}).status_code == 200
    assert referrer.get(f"/referrals/{sent['referral_id']}").get_json()["status"] == "received"


def test_a_new_episode_needs_a_new_consent(api, login, staff):
    cw = api(staff["caseworker"])
    first = cw.post("/cases", json={"ward": "naka"}).get_json()["case_id"]
    api_complete(cw, first, "intake", screening_result="info_only", applied=False, consent_scopes=["support_agencies"])
    assert case_of(first).is_closed and active_consent(case_of(first)) is not None
    second = cw.post(f"/cases/{first}/reconsultation").get_json()["case_id"]
    assert active_consent(case_of(second)) is None  # the earlier episode's consent does not carry over
    task_id = open_task_id(cw, second, "intake")
    assert db.session.get(HumanTask, task_id).prefill["person_kana"] == "ヨコハマ ハナコ"
    api_complete(cw, second, "intake")
    consent = active_consent(case_of(second))
    assert consent.case_id == second and db.session.query(Consent).count() == 2
