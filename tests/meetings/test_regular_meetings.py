"""定例支援調整会議: the quarter's pack from the statistics, case reviews identified only with consent,
DV- and risk-flagged cases only in the counts, no tax data anywhere; minutes; PDF."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime

import pypdf

from app.extensions import db
from app.models import AuditEvent
from app.services.statistics.settings import set_population
from tests.helpers import case_of, complete, walk_in
from tests.privacy.conftest import TAX, add_items

APRIL, MAY = date(2027, 4, 12), date(2027, 5, 17)
CONSENTING = {"person_name": "同意 一子", "person_kana": "ドウイ イチコ", "birth_date": "1985-02-03",
              "address": "横浜市中区山下町1-2", "phone": "045-111-2222"}
ANONYMOUS = {"person_name": "鷺沼 次郎", "person_kana": "サギヌマ ジロウ", "birth_date": "1962-09-30",
             "address": "横浜市中区本町3-4-5", "phone": "090-3333-4444"}
DV_PERSON = {"person_name": "柊木 三恵", "person_kana": "ヒイラギ ミエ", "birth_date": "1990-01-01",
             "address": "横浜市中区秘匿町9-9", "phone": "080-5555-6666"}
RISK_PERSON = {"person_name": "榎戸 四郎", "person_kana": "エノキド シロウ", "birth_date": "1970-07-07",
               "address": "横浜市中区翁町7-7", "phone": "070-7777-8888"}


def _planned(cw, lead, day: date, person: dict, scopes: list[str], before_plan=None, **assessment) -> int:
    case_id = walk_in(cw)
    complete(cw, case_id, "intake", day, new_person=True, consent_scopes=scopes, **person)
    add_items(case_id)  # tax, NHI and water arrears as the sections sent them
    complete(cw, case_id, "assessment", day, tax_arrears=TAX, **assessment)
    if before_plan:
        before_plan(case_id)
    complete(cw, case_id, "plan", day, statutory_services=["household_budget"])
    complete(lead, case_id, "coordination_meeting", day, decision="approve")
    assert case_of(case_id).state == "decided"
    return case_id


def _pdf_text(data: bytes) -> str:
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)
    return text.replace("\n", "")  # lines wrap inside table cells


def test_the_quarters_pack(app, api, staff, login, clock):
    clock.current = datetime(2027, 7, 10, 1, 0, tzinfo=UTC)
    set_population("naka", 150_000, date(2027, 4, 1))
    db.session.commit()
    cw, lead = login(staff["caseworker"]), login(staff["lead_worker"])
    _planned(cw, lead, APRIL, CONSENTING, ["support_agencies", "regular_meeting"])
    _planned(cw, lead, MAY, ANONYMOUS, ["support_agencies"])

    def flag_dv(case_id):
        response = cw.post(f"/cases/{case_id}/actions/set_person_flags", data={"dv": "y", "address_secrecy": "y"})
        assert response.status_code in (200, 303), response.get_data(as_text=True)[:2000]

    _planned(cw, lead, MAY, DV_PERSON, ["support_agencies", "regular_meeting"], before_plan=flag_dv)
    _planned(cw, lead, MAY, RISK_PERSON, ["support_agencies", "regular_meeting"], suicide_risk="high",
             risk_indicators=["ideation"], risk_note="RISKNOTE4711 眠れない")

    chief = api(staff["section_chief"])
    bad = chief.post("/regular-meetings", json={"ward": "naka", "quarter": "2027Q5", "held_on": "2027-07-20"})
    assert bad.status_code == 422 and list(bad.get_json()["errors"]) == ["quarter"]
    created = chief.post("/regular-meetings", json={"ward": "naka", "quarter": "2027Q1", "held_on": "2027-07-20"})
    assert created.status_code == 201, created.get_json()
    meeting_id = created.get_json()["regular_meeting_id"]

    pack = chief.get(f"/regular-meetings/{meeting_id}/pack").get_json()
    assert [row["month"] for row in pack["monthly"]] == ["2027-04", "2027-05", "2027-06"]
    # All four cases are counted, the flagged ones too (aggregates only).
    assert [row["new_consultations"] for row in pack["monthly"]] == [1, 3, 0]
    assert [row["plans"] for row in pack["monthly"]] == [1, 3, 0]
    assert pack["monthly"][1]["per_100k"]["new_consultations"] == 2.0
    assert "targets" in pack["monthly"][0] and pack["closures_by_reason"] == {}
    reviews = pack["case_reviews"]
    assert [(r["review_id"], r["identified"]) for r in reviews] == [("R1", True), ("R2", False)]
    assert reviews[0]["name"] == "同意 一子" and reviews[0]["age_band"] == "40代"
    assert "name" not in reviews[1] and reviews[1]["age_band"] == "60代"
    assert reviews[1]["household_type"] == "単身世帯" and "家計改善支援" in reviews[1]["summary"]
    assert pack["resource_issues"] == []

    page = login(staff["section_chief"])
    html = page.get(f"/regular-meetings/{meeting_id}").get_data(as_text=True)
    pdf = page.get(f"/regular-meetings/{meeting_id}?format=pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = _pdf_text(pdf.data)
    assert "定例支援調整会議" in text and "同意 一子" in html, text[text.find("R1"):text.find("R1") + 40]
    assert "同意" in text and "一子" in text  # the consenting person, identified
    for shown in (json.dumps(pack, ensure_ascii=False), html, text):
        for person in (ANONYMOUS, DV_PERSON, RISK_PERSON):
            for value in person.values():
                assert value not in shown, value
            for part in person["person_name"].split():  # however the PDF spaces the name
                assert part not in shown, part
        for secret in (str(TAX), f"{TAX:,}", "RISKNOTE4711", "tax_arrears", "市県民税"):
            assert secret not in shown, secret

    # Minutes: attending agencies, 確認・了承 or comments per review, resource issues.
    bad_minutes = chief.post(f"/regular-meetings/{meeting_id}/minutes", json={
        "attending_agencies": [], "reviews": [{"review_id": "R9", "verdict": "confirmed"}], "resource_issues": []})
    assert bad_minutes.status_code == 422 and set(bad_minutes.get_json()["errors"]) == {"attending_agencies",
                                                                                      "reviews"}
    done = chief.post(f"/regular-meetings/{meeting_id}/minutes", json={
        "attending_agencies": ["中区社会福祉協議会", "ハローワーク横浜"],
        "reviews": [{"review_id": "R1", "verdict": "confirmed"},
                    {"review_id": "R2", "verdict": "comment", "comment": "就労準備支援の併用も検討を"}],
        "resource_issues": ["中区に夜間の相談先が少ない"]})
    assert done.status_code == 200, done.get_json()
    pack = chief.get(f"/regular-meetings/{meeting_id}/pack").get_json()
    assert pack["resource_issues"] == ["中区に夜間の相談先が少ない"]
    assert pack["case_reviews"][1]["verdict"] == {"verdict": "comment", "comment": "就労準備支援の併用も検討を"}
    assert "中区社会福祉協議会" in page.get(f"/regular-meetings/{meeting_id}").get_data(as_text=True)

    db.session.expire_all()
    events = [e.event_type for e in db.session.query(AuditEvent).filter(AuditEvent.case_id.is_(None))]
    assert events.count("regular_meeting_pack_generated") == 1
    assert events.count("regular_meeting_minutes_recorded") == 1
    assert events.count("regular_meeting_pack_viewed") >= 4
    # Only the ward's lead workers and section chiefs.
    assert api(staff["caseworker"]).get(f"/regular-meetings/{meeting_id}/pack").status_code == 404
    assert api(staff["caseworker"]).post("/regular-meetings", json={
        "ward": "naka", "quarter": "2027Q1", "held_on": "2027-07-20"}).status_code == 403
