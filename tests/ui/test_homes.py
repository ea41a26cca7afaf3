"""Each role lands on the page of its work; the caseload list filters, sorts and exports within the
ward; the worklist puts tasks without a due date last and says how far each due date is."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from app.extensions import db
from app.models import AuditEvent, Case
from tests.helpers import complete, open_task, walk_in


@pytest.mark.parametrize(("role", "ward", "home"), [
    ("auditor", None, "/audit/"), ("stats_viewer", None, "/stats/"), ("process_owner", None, "/processes/"),
    ("referrer", None, "/referrals/"), ("pa_worker", "naka", "/referrals/"),
])
def test_roles_without_tasks_land_on_their_own_page(make_user, login, role, ward, home):
    client = login(make_user(f"u_{role}", role, ward=ward))
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].endswith(home)
    assert client.get(home).status_code == 200


def test_a_supervisor_home_shows_the_ward_and_the_meeting_queue(staff, login):
    cw, lead = login(staff["caseworker"]), login(staff["lead_worker"])
    case_id = walk_in(cw)
    complete(cw, case_id, "intake")
    complete(cw, case_id, "assessment")
    complete(cw, case_id, "plan")
    page = lead.get("/").get_data(as_text=True)
    assert "区の状況" in page and "会議待ちのプラン" in page
    assert f'/tasks/{open_task(case_id, "coordination_meeting").id}' in page
    assert "横浜 花子" in page
    assert "caseload/?worker=" in page.replace("&amp;", "&") or "/caseload/" in page
    # The header names the ward, never its code.
    assert "中区" in page and "（naka）" not in page


def _three_cases(staff, login, make_user):
    cw = login(staff["caseworker"])
    other = make_user("cw_b", "caseworker")
    first = walk_in(cw)  # intake, due today
    second = walk_in(cw)
    complete(cw, second, "intake", person_name="港 一郎", person_kana="ミナト イチロウ", birth_date="1960-03-01")
    third = walk_in(login(other))
    return cw, other, (first, second, third)


def test_caseload_filters_sorting_and_csv(staff, login, make_user, clock):
    cw, other, (first, second, third) = _three_cases(staff, login, make_user)
    mine = cw.get("/caseload/").get_data(as_text=True)  # a caseworker starts with her own cases
    assert f"#{first}<" in mine and f"#{second}<" in mine and f"#{third}<" not in mine
    assert "66歳" in mine  # born 1960-03-01, on 2026-11-26

    lead = login(staff["lead_worker"])
    everyone = lead.get("/caseload/").get_data(as_text=True)
    assert all(f"#{n}<" in everyone for n in (first, second, third))
    by_state = lead.get("/caseload/?state=assessment&worker=").get_data(as_text=True)
    assert f"#{second}<" in by_state and f"#{first}<" not in by_state
    by_worker = lead.get(f"/caseload/?worker={other.id}").get_data(as_text=True)
    assert f"#{third}<" in by_worker and f"#{first}<" not in by_worker

    assert open_task(first, "intake").due_on is None  # a walk-in is seen at once: its intake has no due date
    clock.advance(days=30)  # the assessment is now overdue
    overdue = lead.get("/caseload/?worker=&overdue=1").get_data(as_text=True)
    assert f"#{second}<" in overdue and f"#{first}<" not in overdue and "期限超過" in overdue

    response = lead.get("/caseload/export.csv?worker=&sort=case")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:5] == ["ケース番号", "相談者", "フリガナ", "年齢", "状態"]
    assert [int(r[0]) for r in rows[1:]] == sorted((first, second, third), reverse=True)
    assert any(r[1] == "港 一郎" and r[4] == "アセスメント" for r in rows[1:])
    assert all("年" in r[6] for r in rows[1:])  # dates in Japanese form
    db.session.expire_all()
    assert db.session.query(AuditEvent).filter_by(event_type="caseload_exported").count() == 1


def test_caseload_is_for_ward_case_staff_only(staff, login, make_user):
    assert login(staff["budget_advisor"]).get("/caseload/").status_code == 403
    assert login(make_user("aud", "auditor", ward=None)).get("/caseload/export.csv").status_code == 403
    cw, other, (first, _second, _third) = _three_cases(staff, login, make_user)
    minami = login(staff["other_ward_caseworker"]).get("/caseload/?worker=").get_data(as_text=True)
    assert f"#{first}<" not in minami


def test_worklist_puts_tasks_without_due_date_last_and_says_how_far(staff, login, clock):
    cw = login(staff["caseworker"])
    case_id = walk_in(cw)
    complete(cw, case_id, "intake")
    page = cw.get("/").get_data(as_text=True)
    assessment = open_task(case_id, "assessment")
    assert assessment.due_on is not None
    days = (assessment.due_on - date(2026, 11, 26)).days
    assert f"あと{days}日" in page
    assert "（" + "月火水木金土日"[assessment.due_on.weekday()] + "）" in page
    filtered = cw.get("/?holder=unassigned").get_data(as_text=True)
    assert f"/tasks/{assessment.id}" not in filtered  # it is hers, not unassigned
    db.session.expire_all()
    assert db.session.get(Case, case_id).state == "assessment"
