"""DV and address secrecy: the flags, the banner, the address kept from every door but the owner's,
safe-address notices, inquiries alerting the chief, meetings and the household record."""

from __future__ import annotations

import io

from pypdf import PdfReader

from app.access.flags import is_protected
from app.extensions import db
from app.models import AuditEvent, Inquiry, Notification, PersonFlags
from tests.helpers import case_of, complete

from .conftest import DAY, open_task

HOME = "横浜市中区寿町七丁目6番5号"
SAFE = "横浜市西区みなとみらい一丁目（支援団体気付）"
FLAGS = {"dv": True, "address_secrecy": True, "safe_address": SAFE, "abuser_name": "加害 太郎",
         "abuser_kana": "カガイ タロウ"}
BANNER = "非開示（DV・住所秘匿）"


def test_flags_put_a_banner_on_every_page_and_keep_the_address_from_all_but_the_owner(
        app, staff, login, api, intake_case):
    case_id = intake_case(address=HOME, consent_scopes=["support_agencies", "providers", "employment", "budget"])
    worker = api(staff["caseworker"])
    worker.action(case_id, "set_person_flags", FLAGS)
    flags = db.session.query(PersonFlags).one()
    assert (flags.dv, flags.address_secrecy, flags.set_by.username) == (True, True, "cw")
    assert is_protected(case_of(case_id))
    # The event says what was set, never the safe address.
    event = db.session.query(AuditEvent).filter_by(case_id=case_id, event_type="person_flags_set").one()
    assert SAFE not in str(event.data) and event.data["dv"] is True
    cw = login(staff["caseworker"])
    page = cw.get(f"/cases/{case_id}").get_data(as_text=True)
    assert BANNER in page and HOME in page and SAFE in page and "住所秘匿" in page
    protection = api(staff["caseworker"]).get(f"/cases/{case_id}").get_json()["protection"]
    assert protection["set_by"] == "cw" and protection["set_at"].startswith("2026-11-26T12:00")
    task = open_task(case_id, "assessment")
    assert BANNER in cw.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert api(staff["section_chief"]).get(f"/cases/{case_id}").get_json()["person"]["address"] == HOME
    # Delivering roles need a task on the case to see it at all: the plan's services give them one.
    complete(cw, case_id, "assessment", DAY)
    complete(cw, case_id, "plan", DAY, statutory_services=["household_budget", "work_readiness",
                                                           "temporary_shelter"])
    lead_page = login(staff["lead_worker"]).get(f"/tasks/{open_task(case_id, 'meeting').id}").get_data(as_text=True)
    assert HOME not in lead_page and SAFE not in lead_page and BANNER in lead_page
    complete(login(staff["lead_worker"]), case_id, "coordination_meeting", DAY)
    # The provider works its own task only: the case is absent from its views, its task has no address.
    provider = api(staff["provider"])
    assert provider.get(f"/cases/{case_id}").status_code == 404
    assert provider.get(f"/cases/{case_id}/services").status_code == 404
    assert login(staff["provider"]).get(f"/cases/{case_id}").status_code == 404
    task = open_task(case_id, "record_provider_service")
    page = login(staff["provider"]).get(f"/tasks/{task.id}")
    assert page.status_code == 200 and BANNER in page.get_data(as_text=True)
    assert HOME not in page.get_data(as_text=True) and SAFE not in page.get_data(as_text=True)
    for name in ("employment_navigator", "budget_advisor"):
        answer = api(staff[name]).get(f"/cases/{case_id}")
        assert answer.status_code == 200, (name, answer.get_json())
        body = answer.get_json()
        assert body["protected"] is True and HOME not in str(body) and SAFE not in str(body), name
        page = login(staff[name]).get(f"/cases/{case_id}").get_data(as_text=True)
        assert BANNER in page and HOME not in page, name


def test_notices_go_to_the_safe_address_and_the_providers_copy_has_none(app, staff, login, api, intake_case):
    case_id = intake_case(address=HOME)
    worker = api(staff["caseworker"])
    worker.action(case_id, "set_person_flags", FLAGS)
    worker.action(case_id, "admit_shelter", {
        "admitted_at": "2026-11-26T11:00:00+09:00", "facility": "はまかぜ（女性フロア）", "income": 0, "assets": 0,
        "urgent": True, "certified_by": "chief", "pa_right_told_on": DAY.isoformat(), "pa_choice": "undecided"})
    notices = worker.get(f"/cases/{case_id}/notices").get_json()
    cw = login(staff["caseworker"])
    to_person, to_facility = (n["notice_id"] for n in notices)
    page = cw.get(f"/notices/{to_person}").get_data(as_text=True)
    assert SAFE in page and HOME not in page
    pdf = cw.get(f"/notices/{to_facility}?format=pdf")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "はまかぜ" in text and "寿町" not in text and "みなとみらい" not in text


def test_without_a_confirmed_safe_address_a_notice_to_the_person_names_no_address(app, staff, login, api,
                                                                                  intake_case):
    case_id = intake_case(address=HOME)
    worker = api(staff["caseworker"])
    worker.action(case_id, "set_person_flags", {"dv": True})
    worker.action(case_id, "admit_shelter", {
        "admitted_at": "2026-11-26T11:00:00+09:00", "facility": "はまかぜ", "income": 0, "assets": 0,
        "urgent": True, "certified_by": "lead", "pa_right_told_on": DAY.isoformat(), "pa_choice": "undecided"})
    to_person = worker.get(f"/cases/{case_id}/notices").get_json()[0]["notice_id"]
    page = login(staff["caseworker"]).get(f"/notices/{to_person}").get_data(as_text=True)
    assert HOME not in page and "窓口で交付" in page


def test_an_inquiry_is_answered_with_nothing_and_alerts_the_section_chief(app, staff, login, api, intake_case):
    case_id = intake_case(address=HOME)
    worker = api(staff["caseworker"])
    worker.action(case_id, "set_person_flags", FLAGS)
    worker.action(case_id, "log_inquiry", {"received_at": "2026-11-26T11:50:00+09:00",
                                           "caller_claims": "本人の兄と名乗る男性", "asked": "今どこに住んでいるか"})
    inquiry = db.session.query(Inquiry).one()
    assert inquiry.answer == "お答えできません" and inquiry.caller_claims == "本人の兄と名乗る男性"
    alerts = db.session.query(Notification).filter_by(kind="dv_inquiry").all()
    assert [a.user.username for a in alerts] == ["chief"]
    page = login(staff["section_chief"]).get("/notifications").get_data(as_text=True)
    assert "問い合わせ" in page and f"/cases/{case_id}" in page
    answer = worker.action(case_id, "log_inquiry", {"received_at": "2026-11-26T11:50:00+09:00",
                                                    "caller_claims": "", "asked": "x"}, 422)
    assert "caller_claims" in answer["errors"]
    assert db.session.query(Inquiry).count() == 1


def test_the_household_record_refuses_to_link_the_named_abuser(app, staff, login, api, intake_case):
    case_id = intake_case(address=HOME)
    worker = api(staff["caseworker"])
    worker.post(f"/cases/{case_id}/household/members", {"relation": "child", "description": "長女（小学3年）"})
    worker.action(case_id, "set_person_flags", FLAGS)
    refused = worker.post(f"/cases/{case_id}/household/members", {"relation": "spouse",
                                                                   "description": "夫 加害 太郎"})
    assert refused.status_code == 422 and "description" in refused.get_json()["errors"]
    household = worker.get(f"/cases/{case_id}/household").get_json()
    assert [m["relation"] for m in household] == ["self", "child"]


def test_the_action_pages_work_and_carry_the_banner_and_search_marks_the_case(app, staff, login, intake_case):
    from tests.helpers import form_post

    case_id = intake_case(address=HOME)
    cw = login(staff["caseworker"])
    response = cw.post(f"/cases/{case_id}/actions/set_person_flags",
                       data=form_post({"dv": True, "address_secrecy": True, "safe_address": SAFE}))
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    assert db.session.query(PersonFlags).one().protected
    for action in ("record_eligibility", "admit_shelter", "record_pa_start", "set_person_flags", "log_inquiry",
                   "record_budget", "record_arrears", "refer_child"):
        page = cw.get(f"/cases/{case_id}/actions/{action}")
        assert page.status_code == 200, action
        assert BANNER in page.get_data(as_text=True), action
    results = cw.get("/cases/search", query_string={"q": "よこはま"}).get_data(as_text=True)
    assert f"#{case_id}" in results and BANNER in results
