"""一時生活支援: admission before any assessment (urgent provisional certification), extension to at most
6 months from admission, discharge, and 生活保護 starting ends the stay that day."""

from __future__ import annotations

from datetime import UTC, datetime

from pypdf import PdfReader

from app.extensions import db
from app.models import Notice, ShelterStay
from tests.helpers import complete, walk_in

from .conftest import DAY

# Saturday 28 November 2026, 22:10 in Japan.
SATURDAY_NIGHT = "2026-11-28T22:10:00+09:00"
ADMISSION = {"admitted_at": SATURDAY_NIGHT, "facility": "はまかぜ", "income": 0, "assets": 3000, "urgent": True,
             "certified_by": "chief", "pa_right_told_on": "2026-11-28", "pa_choice": "not_now"}


def _admitted(staff, login, api, clock, **overrides):
    clock.current = datetime(2026, 11, 28, 13, 30, tzinfo=UTC)  # 22:30 in Japan
    cw = login(staff["caseworker"])
    case_id = walk_in(cw)
    complete(cw, case_id, "intake", DAY, new_person=True)
    worker = api(staff["caseworker"])
    worker.action(case_id, "admit_shelter", {**ADMISSION, **overrides})
    return case_id, worker


def test_admitted_on_a_saturday_night_before_any_assessment_extended_and_discharged(app, staff, login, api, clock):
    case_id, worker = _admitted(staff, login, api, clock)
    (stay,) = worker.get(f"/cases/{case_id}/shelter").get_json()
    assert stay["admitted_at"] == SATURDAY_NIGHT and stay["status"] == "staying"
    assert stay["planned_end"] == "2027-02-28" and stay["latest_end"] == "2027-05-28"
    assert stay["certified_by"] == "chief" and stay["urgent"] is True
    assert stay["eligibility"]["passed"] is True and stay["eligibility"]["asset_limit"] == 504000
    assert stay["pa_right_told_on"] == "2026-11-28" and stay["pa_choice"] == "not_now"
    # To 4 months with a reason.
    worker.action(case_id, "extend_shelter", {"new_end": "2027-03-28", "reason": "転居先の確保に時間を要する"})
    # 6 months and one day: refused, naming 最長6か月; nothing stored.
    refused = worker.action(case_id, "extend_shelter", {"new_end": "2027-05-29", "reason": "更に延長"}, 422)
    assert "最長6か月" in refused["errors"]["new_end"][0]
    (stay,) = worker.get(f"/cases/{case_id}/shelter").get_json()
    assert stay["planned_end"] == "2027-03-28" and len(stay["extensions"]) == 1
    worker.action(case_id, "extend_shelter", {"new_end": "2027-05-28", "reason": "就労先の決定待ち"})
    clock.advance(days=60)
    worker = api(staff["caseworker"])
    worker.action(case_id, "discharge_shelter", {"discharged_on": "2027-01-27", "destination": "民間アパート（中区）",
                                                 "regional_visits": True})
    (stay,) = worker.get(f"/cases/{case_id}/shelter").get_json()
    assert stay["status"] == "discharged" and stay["discharged_on"] == "2027-01-27" and stay["regional_visits"]
    assert "admit_shelter" in api(staff["caseworker"]).get(f"/cases/{case_id}").get_json()["actions"]
    page = login(staff["caseworker"]).get(f"/cases/{case_id}").get_data(as_text=True)
    assert "はまかぜ" in page and "延長2回" in page and "1月27日" in page


def test_the_admission_notice_and_the_facilitys_copy_without_the_address(app, staff, login, api, clock):
    case_id, worker = _admitted(staff, login, api, clock)
    notices = worker.get(f"/cases/{case_id}/notices").get_json()
    assert [n["kind"] for n in notices] == ["shelter_admission", "shelter_admission"]
    cw = login(staff["caseworker"])
    to_person = cw.get(f"/notices/{notices[0]['notice_id']}").get_data(as_text=True)
    assert "横浜市中区港町1-1" in to_person and "はまかぜ" in to_person and "令和8年11月28日" in to_person
    facility = db.session.query(Notice).filter_by(case_id=case_id, recipient="provider").one()
    pdf = cw.get(f"/notices/{facility.id}?format=pdf")
    text = "".join(page.extract_text() for page in PdfReader(__import__("io").BytesIO(pdf.data)).pages)
    assert "はまかぜ" in text and "港町" not in text


def test_public_assistance_starting_ends_the_stay_that_day(app, staff, login, api, clock):
    case_id, worker = _admitted(staff, login, api, clock)
    worker.action(case_id, "record_pa_start", {"started_on": "2026-12-10"})
    (stay,) = worker.get(f"/cases/{case_id}/shelter").get_json()
    assert stay["status"] == "discharged" and stay["discharged_on"] == "2026-12-10"
    assert stay["end_reason"] == "public_assistance"


def test_bad_shelter_input_is_refused_naming_the_field_and_nothing_is_stored(app, staff, login, api, clock,
                                                                            make_user):
    clock.current = datetime(2026, 11, 28, 13, 30, tzinfo=UTC)
    cw = login(staff["caseworker"])
    case_id = walk_in(cw)
    complete(cw, case_id, "intake", DAY, new_person=True)
    worker = api(staff["caseworker"])
    make_user("chief_minami", "section_chief", ward="minami")
    cases = (({"certified_by": "cw"}, "certified_by"), ({"certified_by": "chief_minami"}, "certified_by"),
             ({"planned_end": "2026-11-27"}, "planned_end"), ({"planned_end": "2027-05-29"}, "planned_end"),
             ({"income": 500000}, "deemed_reason"), ({"admitted_at": "2026-11-29T10:00:00+09:00"}, "admitted_at"),
             ({"pa_choice": None}, "pa_choice"))
    for overrides, field in cases:
        answer = worker.action(case_id, "admit_shelter", {**ADMISSION, **overrides}, 422)
        assert field in answer["errors"], (overrides, answer)
    assert db.session.query(ShelterStay).count() == 0
    worker.action(case_id, "admit_shelter", ADMISSION)
    answer = worker.action(case_id, "extend_shelter", {"new_end": "2026-11-01", "reason": "x"}, 422)
    assert "new_end" in answer["errors"]
    answer = worker.action(case_id, "discharge_shelter", {"discharged_on": "2026-11-27", "destination": "x"}, 422)
    assert "discharged_on" in answer["errors"]


def test_the_plan_and_decision_made_afterwards_confirm_the_stay(app, staff, login, api, clock):
    case_id, worker = _admitted(staff, login, api, clock)
    cw, lead = login(staff["caseworker"]), login(staff["lead_worker"])
    complete(cw, case_id, "assessment", DAY)
    complete(cw, case_id, "plan", DAY, statutory_services=["temporary_shelter"])
    complete(lead, case_id, "coordination_meeting", DAY)
    (decision,) = worker.get(f"/cases/{case_id}/services").get_json()
    assert decision["service"] == "temporary_shelter" and decision["plan_version"] == 1
    assert decision["from"] == "2026-11-28" and decision["to"] == "2027-02-28"
    assert decision["eligibility"]["basis"] == "standard" and decision["eligibility"]["approved_by"] == "chief"
    assert decision["notice_id"] is not None
    notice = cw.get(f"/notices/{decision['notice_id']}").get_data(as_text=True)
    assert "一時生活支援" in notice and "第1版" in notice


def test_handing_the_episode_over_to_public_assistance_ends_the_stay_that_day(app, staff, login, api, clock):
    case_id, worker = _admitted(staff, login, api, clock)
    clock.advance(days=3)
    worker = api(staff["caseworker"])
    worker.action(case_id, "request_pa_handoff", {"note": "本人が保護申請を希望"})
    complete(login(staff["caseworker"]), case_id, "pa_handoff", DAY)
    db.session.expire_all()
    stay = db.session.query(ShelterStay).one()
    assert (stay.status, stay.end_reason, stay.discharged_on.isoformat()) == ("discharged", "public_assistance",
                                                                               "2026-12-01")


def test_an_admission_with_only_the_contract_fields_is_recorded(app, staff, login, api, clock):
    clock.current = datetime(2026, 11, 28, 13, 30, tzinfo=UTC)
    cw = login(staff["caseworker"])
    case_id = walk_in(cw)
    complete(cw, case_id, "intake", DAY, new_person=True)
    worker = api(staff["caseworker"])
    worker.action(case_id, "admit_shelter", {key: ADMISSION[key] for key in (
        "admitted_at", "facility", "income", "assets", "urgent", "certified_by")})
    (stay,) = worker.get(f"/cases/{case_id}/shelter").get_json()
    assert stay["pa_right_told_on"] is None and stay["status"] == "staying"
