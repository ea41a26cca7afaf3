"""生活保護廃止時 情報提供票 (F12): consent or a special reason with the section chief's approval."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.models import AuditEvent, Case, Consent, DataItem, FormSubmission, HumanTask, ReferralReceipt

from ..helpers import form_post
from .helpers import counts, pa_slip


def _page(client, data: dict):
    posted = form_post(data)
    posted["ward"] = "naka"
    return client.post("/referrals/pa/new", data=posted)


def _send(door, api, login, user, data):
    if door == "api":
        return api(user).post("/pa-slips", json={"data": data})
    return _page(login(user), data)


NO_CONSENT = dict(consent_given=False, consent_given_on=..., consent_scopes=..., assessment_summary=...,
                  support_points=...)


@pytest.mark.parametrize("door", ["page", "api"])
def test_with_consent_opens_an_identified_episode_with_only_the_consented_summary(door, api, login, pa_cw, staff):
    data = pa_slip(consent_scopes=["identity", "support_points"], assessment_summary=...)
    response = _send(door, api, login, pa_cw, data)
    assert response.status_code in (201, 303), response.get_data(as_text=True)[:2000]
    case = db.session.query(Case).one()
    assert (case.state, case.route, case.ward) == ("identified", "pa_discontinuation", "naka")
    assert case.person.receiving_public_assistance is False
    consent = db.session.query(Consent).one()
    assert (consent.kind, consent.scopes) == ("pa_discontinuation", ["identity", "support_points"])
    items = db.session.query(DataItem).all()
    assert [(i.category, i.source, i.value["kind"]) for i in items] == [
        ("pa_summary", "public_assistance", "support_points")]
    stored = db.session.query(FormSubmission).one()
    assert stored.form_key == "pa_discontinuation_slip" and stored.data["assessment_summary"] is None
    task = db.session.query(HumanTask).filter_by(case_id=case.id, status="open").one()
    assert task.form_key == "intake" and task.prefill["route"] == "pa_discontinuation"


@pytest.mark.parametrize("door", ["page", "api"])
def test_without_consent_it_is_refused_unless_a_reason_and_the_chief_approval_are_recorded(door, api, login,
                                                                                          pa_cw, staff):
    refused = _send(door, api, login, pa_cw, pa_slip(**NO_CONSENT))
    assert refused.status_code == 422
    if door == "api":
        assert set(refused.get_json()["errors"]) == {"special_reason", "approved_by"}
    assert counts()["Case"] == 0 and counts()["ReferralReceipt"] == 0

    not_a_chief = _send(door, api, login, pa_cw, pa_slip(**NO_CONSENT, special_reason="生命の危険がある",
                                                        approved_by="lead"))
    assert not_a_chief.status_code == 422
    assert "区担当係長" in not_a_chief.get_data(as_text=True)
    assert counts()["Case"] == 0

    summary_without_consent = _send(door, api, login, pa_cw, pa_slip(
        **{**NO_CONSENT, "assessment_summary": "ケース記録の全部"}, special_reason="生命の危険", approved_by="chief"))
    assert summary_without_consent.status_code == 422 and counts()["Case"] == 0

    allowed = _send(door, api, login, pa_cw, pa_slip(**NO_CONSENT, special_reason="退院直後で生命・身体の危険がある",
                                                    approved_by="chief"))
    assert allowed.status_code in (201, 303)
    receipt = db.session.query(ReferralReceipt).one()
    assert (receipt.kind, receipt.consent_to_refer, receipt.approved_by_id) == (
        "pa_discontinuation", False, staff["section_chief"].id)
    assert receipt.special_reason.startswith("退院直後")
    assert db.session.query(Consent).count() == 0 and db.session.query(DataItem).count() == 0
    event = db.session.query(AuditEvent).filter_by(event_type="referral_received").one()
    assert event.data["approved_by_id"] == staff["section_chief"].id and event.data["special_reason"] is True


def test_only_pa_workers_send_it(api, login, staff, referrer):
    for user in (staff["caseworker"], referrer):
        assert api(user).post("/pa-slips", json={"data": pa_slip()}).status_code == 403
        assert login(user).get("/referrals/pa/new").status_code == 403
    assert counts()["Case"] == 0


def test_a_retried_pa_slip_creates_one_episode(api, pa_cw):
    client = api(pa_cw)
    headers = {"Idempotency-Key": "pa-0001"}
    first = client.post("/pa-slips", json={"data": pa_slip()}, headers=headers)
    again = client.post("/pa-slips", json={"data": pa_slip()}, headers=headers)
    assert first.status_code == again.status_code == 201 and first.get_json() == again.get_json()
    assert counts()["Case"] == 1


@pytest.mark.parametrize("door", ["page", "api"])
def test_the_consent_question_comes_first_and_alone(door, api, login, pa_cw):
    """Unanswered, the consent question is the one error: the no-consent fields are not demanded."""
    response = _send(door, api, login, pa_cw, pa_slip(consent_given=None if door == "page" else ...,
                                                          consent_given_on=..., consent_scopes=...,
                                                          assessment_summary=..., support_points=...))
    assert response.status_code == 422
    if door == "api":
        assert set(response.get_json()["errors"]) == {"consent_given"}
        return
    summary = response.get_data(as_text=True).split('id="error-summary"')[1].split("</div>")[0]
    assert "本人が情報提供に同意したかを選択してください" in summary
    assert summary.count("<li>") == 1


def test_the_approving_chief_is_picked_not_typed(login, pa_cw, staff):
    page = login(pa_cw).get("/referrals/pa/new").get_data(as_text=True)
    chief = staff["section_chief"]
    assert '<select id="approved_by" name="approved_by"' in page
    assert f'<option value="{chief.username}">{chief.display_name}</option>' in page
