"""Persons and episodes: re-consultation (再相談), read-only closed episodes, duplicates, 生活保護受給中."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.models import AuditEvent, Case, Person

from ..api.helpers import complete as api_complete
from ..api.helpers import open_task_id
from ..helpers import case_of, complete, walk_in
from .helpers import counts

INFO_ONLY = dict(screening_result="info_only", applied=False, consent_scopes=[])


def _closed_case(cw_page) -> int:
    case_id = walk_in(cw_page)
    complete(cw_page, case_id, "intake", **INFO_ONLY)
    assert case_of(case_id).is_closed
    return case_id


@pytest.mark.parametrize("door", ["page", "api"])
def test_a_reconsultation_after_closure_opens_a_new_linked_episode(door, api, login, staff):
    cw = login(staff["caseworker"])
    first = _closed_case(cw)
    page = cw.get(f"/cases/{first}").get_data(as_text=True)
    assert "この相談ケースは終結しています（読み取り専用）" in page and "再相談を受け付ける" in page
    if door == "page":
        response = cw.post(f"/cases/{first}/reconsultation")
        assert response.status_code == 303 and "/tasks/" in response.headers["Location"]
        second = db.session.query(Case).order_by(Case.id.desc()).first().id
    else:
        response = api(staff["caseworker"]).post(f"/cases/{first}/reconsultation")
        assert response.status_code == 201, response.get_json()
        assert response.get_json()["previous_case_id"] == first
        second = response.get_json()["case_id"]
    new = case_of(second)
    assert (new.previous_case_id, new.reconsultation, new.person_id, new.state) == (
        first, True, case_of(first).person_id, "intake")
    detail = api(staff["caseworker"]).get(f"/cases/{second}").get_json()
    assert (detail["reconsultation"], detail["previous_case_id"]) == (True, first)
    page = cw.get(f"/cases/{second}").get_data(as_text=True)
    assert "再相談" in page and f'href="/cases/{first}"' in page
    assert f'href="/cases/{second}"' in cw.get(f"/cases/{first}").get_data(as_text=True)
    # The person's own intake goes through without a duplicate question; still one person.
    complete(cw, second, "intake")
    assert db.session.query(Person).count() == 1 and case_of(first).is_closed
    assert db.session.query(AuditEvent).filter_by(event_type="reconsultation_opened", case_id=second).count() == 1


def test_reconsultation_needs_a_closed_episode(api, staff):
    cw = api(staff["caseworker"])
    case_id = cw.post("/cases", json={"ward": "naka"}).get_json()["case_id"]
    api_complete(cw, case_id, "intake")
    assert cw.post(f"/cases/{case_id}/reconsultation").status_code == 409
    assert api(staff["other_ward_caseworker"]).post(f"/cases/{case_id}/reconsultation").status_code == 404


def test_a_closed_episode_is_read_only(api, login, staff):
    cw = login(staff["caseworker"])
    first = _closed_case(cw)
    assert cw.get(f"/cases/{first}").get_data(as_text=True).count("世帯員を記録") == 0
    assert api(staff["caseworker"]).get(f"/cases/{first}").get_json()["actions"] == []
    response = api(staff["caseworker"]).post(f"/cases/{first}/actions/record_progress", json={"data": {
        "recorded_on": "2026-11-26", "kind": "phone", "content": "追記"}})
    assert response.status_code in (404, 409)
    member = api(staff["caseworker"]).post(f"/cases/{first}/household/members", json={"relation": "child"})
    assert member.status_code == 409


# --- probable duplicates: kana + date of birth --------------------------------------------------


def test_intake_offers_to_link_a_probable_duplicate_on_the_page(login, staff):
    cw = login(staff["caseworker"])
    first = _closed_case(cw)
    person_id = case_of(first).person_id
    second = walk_in(cw)
    before = counts()
    offer = complete(cw, second, "intake", expect=422)
    html = offer.get_data(as_text=True)
    assert "フリガナと生年月日が同じ相談者が登録されています" in html and f"相談者ID {person_id}" in html
    assert counts() == before
    complete(cw, second, "intake", existing_person_id=person_id)
    case = case_of(second)
    assert (case.person_id, case.previous_case_id, case.reconsultation) == (person_id, first, True)
    assert db.session.query(Person).count() == 1
    assert "再相談" in cw.get(f"/cases/{second}").get_data(as_text=True)


def test_intake_offers_the_link_through_the_api_and_a_different_person_can_be_confirmed(api, staff):
    cw = api(staff["caseworker"])
    first = cw.post("/cases", json={"ward": "naka"}).get_json()["case_id"]
    api_complete(cw, first, "intake", **INFO_ONLY)
    second = cw.post("/cases", json={"ward": "naka"}).get_json()["case_id"]
    offer = api_complete(cw, second, "intake", expect=422)
    assert list(offer["errors"]) == ["existing_person_id"]
    assert f"相談者ID {case_of(first).person_id}" in offer["errors"]["existing_person_id"][0]
    wrong = api_complete(cw, second, "intake", expect=422, existing_person_id=999999)
    assert "existing_person_id" in wrong["errors"]
    api_complete(cw, second, "intake", new_person=True)
    assert db.session.query(Person).count() == 2 and case_of(second).reconsultation is False


def test_a_person_of_another_ward_is_not_offered(api, staff):
    minami = api(staff["other_ward_caseworker"])
    other = minami.post("/cases", json={"ward": "minami"}).get_json()["case_id"]
    api_complete(minami, other, "intake", **INFO_ONLY)
    cw = api(staff["caseworker"])
    mine = cw.post("/cases", json={"ward": "naka"}).get_json()["case_id"]
    api_complete(cw, mine, "intake")  # no offer: cases stay inside their ward
    assert db.session.query(Person).count() == 2


def test_a_person_with_a_running_episode_is_not_linked_twice(api, staff):
    cw = api(staff["caseworker"])
    first = cw.post("/cases", json={"ward": "naka"}).get_json()["case_id"]
    api_complete(cw, first, "intake")
    second = cw.post("/cases", json={"ward": "naka"}).get_json()["case_id"]
    refused = api_complete(cw, second, "intake", expect=422, existing_person_id=case_of(first).person_id)
    assert f"#{first}" in refused["errors"]["existing_person_id"][0]


def test_a_slip_person_is_merged_into_the_existing_person(api, make_user, staff):
    from .helpers import slip

    cw = api(staff["caseworker"])
    first = cw.post("/cases", json={"ward": "naka"}).get_json()["case_id"]
    api_complete(cw, first, "intake", **INFO_ONLY)
    person_id = case_of(first).person_id
    referrer = api(make_user("tax_clerk", "referrer", ward=None))
    sent = referrer.post("/referrals", json={"ward": "naka", "data": slip(
        person_name="横浜 花子", person_kana="ヨコハマ ハナコ", birth_date="1978-06-15")}).get_json()
    assert db.session.query(Person).count() == 2
    api_complete(cw, sent["case_id"], "intake", existing_person_id=person_id, route="city_section",
                 route_section="tax", via_slip=True)
    db.session.expire_all()
    assert db.session.query(Person).count() == 1
    case = case_of(sent["case_id"])
    assert (case.person_id, case.reconsultation, case.previous_case_id) == (person_id, True, first)
    from app.models import Consent, DataItem

    assert {c.person_id for c in db.session.query(Consent)} | {i.person_id for i in db.session.query(DataItem)} == {
        person_id}


# --- 生活保護受給中: no Act-based plan -------------------------------------------------------------


@pytest.mark.parametrize("door", ["page", "api"])
def test_no_act_based_plan_while_receiving_public_assistance(door, api, login, staff):
    if door == "page":
        cw = login(staff["caseworker"])
        case_id = walk_in(cw)
        complete(cw, case_id, "intake", receiving_public_assistance=True)
        complete(cw, case_id, "assessment")
        response = complete(cw, case_id, "plan", expect=422)
        assert "生活保護受給中" in response.get_data(as_text=True)
    else:
        cw = api(staff["caseworker"])
        case_id = cw.post("/cases", json={"ward": "naka"}).get_json()["case_id"]
        api_complete(cw, case_id, "intake", receiving_public_assistance=True)
        api_complete(cw, case_id, "assessment")
        response = api_complete(cw, case_id, "plan", expect=422)
        assert "生活保護受給中" in response["errors"]["overall_goal"][0]
        assert "生活保護受給中" in response["detail"]
    case = case_of(case_id)
    assert case.state == "plan_draft" and case.person.receiving_public_assistance
    from app.models import PlanVersion

    assert db.session.query(PlanVersion).count() == 0


def test_closing_to_public_assistance_records_the_person_as_receiving_it(api, staff):
    cw = api(staff["caseworker"])
    case_id = cw.post("/cases", json={"ward": "naka"}).get_json()["case_id"]
    api_complete(cw, case_id, "intake")
    api_complete(cw, case_id, "assessment", likely_public_assistance=True)
    api_complete(cw, case_id, "pa_handoff")
    assert case_of(case_id).is_closed and case_of(case_id).person.receiving_public_assistance
    second = cw.post(f"/cases/{case_id}/reconsultation").get_json()["case_id"]
    task = cw.get(f"/tasks/{open_task_id(cw, second, 'intake')}").get_json()
    assert task["prefill"]["receiving_public_assistance"] is True  # carried over for the worker to confirm


def test_a_probable_duplicate_is_offered_as_a_choice_not_an_id_to_type(staff, login):
    from datetime import date

    from app.services.demo.samples import sample
    from tests.helpers import form_post, open_task

    cw = login(staff["caseworker"])
    first = walk_in(cw)
    complete(cw, first, "intake", screening_result="info_only", applied=False, consent_scopes=[])  # closed at once
    second = walk_in(cw)
    task = open_task(second, "intake")
    response = cw.post(f"/tasks/{task.id}", data=form_post(sample("intake", date(2026, 11, 26))))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    person_id = case_of(first).person_id
    assert '<select id="existing_person_id" name="existing_person_id"' in page
    assert f'<option value="{person_id}">横浜 花子（ヨコハマ ハナコ・相談ケース #{first}（' in page
    posted = form_post(sample("intake", date(2026, 11, 26)))
    posted["existing_person_id"] = str(person_id)
    assert cw.post(f"/tasks/{task.id}", data=posted).status_code == 303
    assert case_of(second).person_id == person_id
