"""The 8050 household: the mother consults and consents for herself; her son stays 未同意・未申込
and nothing is created in his name until he comes and signs himself."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.models import Case, Consent, DataItem, HouseholdMember, Person

from ..api.helpers import complete as api_complete
from ..helpers import case_of, complete, walk_in

MOTHER = dict(person_name="本郷 ふみ", person_kana="ホンゴウ フミ", birth_date="1946-03-10",
              worries=["income", "hikikomori", "care"], visitor_name=None)
SON = dict(person_name="本郷 一", person_kana="ホンゴウ ハジメ", birth_date="1975-09-01", worries=["job_search"])


def _nothing_in_his_name():
    db.session.expire_all()
    assert [p.kana for p in db.session.query(Person)] == ["ホンゴウ フミ"]
    assert db.session.query(Case).count() == 1
    assert {c.person_id for c in db.session.query(Consent)} == {db.session.query(Person).one().id}
    assert db.session.query(DataItem).count() == 0


def test_8050_through_the_pages(login, staff):
    cw = login(staff["caseworker"])
    mother_case = walk_in(cw)
    complete(cw, mother_case, "intake", **{k: v for k, v in MOTHER.items() if v is not None})
    mother = case_of(mother_case).person
    assert db.session.query(Consent).filter_by(person_id=mother.id, kind="intake").count() == 1

    response = cw.post(f"/cases/{mother_case}/household/members",
                       data={"relation": "child", "description": "長男 50代 ひきこもり 本人は来所していない"})
    assert response.status_code == 303
    page = cw.get(f"/cases/{mother_case}").get_data(as_text=True)
    assert "未同意・未申込" in page and "長男 50代" in page
    _nothing_in_his_name()
    son_member = db.session.query(HouseholdMember).filter_by(relation="child").one()
    assert (son_member.person_id, son_member.status) == (None, "not_consented")
    # A family member cannot sign for him: an intake "by the mother" for the son is refused.
    bad = cw.post(f"/cases/{mother_case}/household/members", data={"relation": "self"})
    assert bad.status_code == 303 and db.session.query(HouseholdMember).count() == 2

    # He comes himself: his own episode, his own intake, his own signature.
    started = cw.post(f"/cases/{mother_case}/household/members/{son_member.id}/episode")
    assert started.status_code == 303
    son_case = db.session.query(Case).order_by(Case.id.desc()).first().id
    assert case_of(son_case).person_id is None  # nothing in his name until his intake
    complete(cw, son_case, "intake", expect=422, consent_given_by="family", visitor_name="本郷 ふみ",
             visitor_relationship="母", **SON)
    assert db.session.query(Person).count() == 1
    complete(cw, son_case, "intake", **SON)
    db.session.expire_all()
    son = case_of(son_case).person
    member = db.session.get(HouseholdMember, son_member.id)
    assert (member.person_id, member.status) == (son.id, "applied")
    assert db.session.query(Consent).filter_by(person_id=son.id, kind="intake", given_by="person").count() == 1
    assert "申込済" in cw.get(f"/cases/{mother_case}").get_data(as_text=True)


def test_8050_through_the_api(api, staff):
    cw = api(staff["caseworker"])
    mother_case = cw.post("/cases", json={"ward": "naka"}).get_json()["case_id"]
    api_complete(cw, mother_case, "intake", **{k: v for k, v in MOTHER.items() if v is not None})
    added = cw.post(f"/cases/{mother_case}/household/members", json={"relation": "child", "description": "長男"})
    assert added.status_code == 201, added.get_json()
    assert (added.get_json()["status"], added.get_json()["status_label"]) == ("not_consented", "未同意・未申込")
    household = cw.get(f"/cases/{mother_case}/household").get_json()
    assert [(m["relation"], m["status_label"], m["registered"]) for m in household] == [
        ("self", "申込済", True), ("child", "未同意・未申込", False)]
    _nothing_in_his_name()
    bad = cw.post(f"/cases/{mother_case}/household/members", json={"relation": "cousin"})
    assert bad.status_code == 422 and "relation" in bad.get_json()["errors"]
    unknown = cw.post(f"/cases/{mother_case}/household/members", json={"relation": "child", "name": "本郷 一"})
    assert unknown.status_code == 422 and "name" in unknown.get_json()["errors"]
    _nothing_in_his_name()

    son_member = added.get_json()["member_id"]
    son_case = cw.post(f"/cases/{mother_case}/household/members/{son_member}/episode").get_json()["case_id"]
    again = cw.post(f"/cases/{mother_case}/household/members/{son_member}/episode")
    assert again.status_code == 409
    api_complete(cw, son_case, "intake", **SON)
    household = cw.get(f"/cases/{mother_case}/household").get_json()
    assert household[1]["status"] == "applied" and household[1]["registered"] is True
    assert cw.get(f"/cases/{son_case}/household").get_json()[1]["status_label"] == "申込済"


@pytest.mark.parametrize("who", ["provider", "other_ward_caseworker"])
def test_only_the_case_workers_record_the_household(who, api, staff):
    cw = api(staff["caseworker"])
    case_id = cw.post("/cases", json={"ward": "naka"}).get_json()["case_id"]
    api_complete(cw, case_id, "intake")
    response = api(staff[who]).post(f"/cases/{case_id}/household/members", json={"relation": "child"})
    assert response.status_code in (403, 404)
    assert db.session.query(HouseholdMember).count() == 0
