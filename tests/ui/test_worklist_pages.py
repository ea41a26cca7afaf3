"""The worklist pages long lists: each group and the meeting queue show one page of rows, counted
and paged by the database, with next / previous links that keep the filters."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta

import pytest

from app import access
from app.extensions import db
from app.models import CoverAssignment, HumanTask
from app.services.cases.paging import PAGE_SIZE
from tests.helpers import statements_sent, walk_in

EXTRA = 20  # rows past the first page


def _task(case_id: int, form_key: str, role: str, due_on: date | None, assignee_id: int | None = None,
          ward: str = "naka", name: str | None = None) -> HumanTask:
    task = HumanTask(case_id=case_id, engine_task_id=str(uuid.uuid4()), bpmn_id=form_key, name=name or form_key,
                     form_key=form_key, role=role, ward=ward, status="open", due_on=due_on, assignee_id=assignee_id)
    db.session.add(task)
    return task


@pytest.fixture
def long_list(staff, login, clock):
    """PAGE_SIZE + EXTRA overdue caseworker tasks of the caseworker, due one a day, plus three
    unassigned budget tasks."""
    cw = login(staff["caseworker"])
    case_id = walk_in(cw)
    ids = [_task(case_id, "followup", "caseworker", date(2026, 1, 1) + timedelta(days=i), staff["caseworker"].id)
           for i in range(PAGE_SIZE + EXTRA)]
    for i in range(3):
        _task(case_id, "budget_check", "caseworker budget_advisor", date(2026, 2, 1) + timedelta(days=i))
    db.session.commit()
    return cw, case_id, [t.id for t in ids]


def _overdue_ids(page: str) -> list[int]:
    section = page.split('<section class="task-group task-group-overdue"', 1)[1].split("</section>", 1)[0]
    return [int(n) for n in re.findall(r'<p class="task-title"><a href="/tasks/(\d+)"', section)]


def _count(page: str, group: str) -> int:
    section = page.split(f'<section class="task-group task-group-{group}"', 1)[1]
    return int(re.search(r'<span class="count">(\d+)</span>', section).group(1))


def test_a_group_shows_one_page_its_total_and_a_link_to_the_rest(long_list):
    cw, _case_id, ids = long_list
    first = cw.get("/?holder=mine&kind=followup").get_data(as_text=True)
    assert _overdue_ids(first) == ids[:PAGE_SIZE]  # due date order, oldest first
    assert _count(first, "overdue") == PAGE_SIZE + EXTRA
    assert f"次の{EXTRA}件" in first and f"{PAGE_SIZE + EXTRA}件中 1〜{PAGE_SIZE}件目" in first
    link = re.search(r'<a class="pager-next" rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    assert "holder=mine" in link and "kind=followup" in link and "page_overdue=2" in link
    second = cw.get(link).get_data(as_text=True)
    assert _overdue_ids(second) == ids[PAGE_SIZE:]
    assert f"前の{PAGE_SIZE}件" in second and "pager-next" not in second
    # The filter still holds on the second page: the budget tasks stay out.
    assert "budget_check" not in second.split('id="group-overdue"', 1)[1]


def test_filters_narrow_the_count_and_the_rows(long_list):
    cw, _case_id, _ids = long_list
    page = cw.get("/?holder=unassigned").get_data(as_text=True)
    assert _count(page, "overdue") == 3 and len(_overdue_ids(page)) == 3 and "pager" not in page


@pytest.mark.parametrize("number", ["0", "-3", "abc", "999", "99999999999999999999"])
def test_a_page_number_out_of_range_or_invalid_shows_a_page_not_an_error(long_list, number):
    cw, _case_id, ids = long_list
    response = cw.get(f"/?holder=mine&kind=followup&page_overdue={number}")
    assert response.status_code == 200
    shown = _overdue_ids(response.get_data(as_text=True))
    # A page past the end shows the last one; anything that is not a page number, the first.
    assert shown == (ids[PAGE_SIZE:] if number.isdigit() and int(number) > 1 else ids[:PAGE_SIZE])


def test_the_sort_survives_paging(long_list):
    cw, _case_id, ids = long_list
    first = cw.get("/?holder=mine&kind=followup&sort=case").get_data(as_text=True)
    link = re.search(r'<a class="pager-next" rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    assert "sort=case" in link and "kind=followup" in link
    # One case: by case, then due date, then id — every row once over the two pages.
    assert _overdue_ids(first) + _overdue_ids(cw.get(link).get_data(as_text=True)) == ids


def _ids(page: str, group: str) -> list[int]:
    section = page.split(f'<section class="task-group task-group-{group}"', 1)[1].split("</section>", 1)[0]
    return [int(n) for n in re.findall(r'<p class="task-title"><a href="/tasks/(\d+)"', section)]


def test_each_group_is_paged_on_its_own_in_one_statement(long_list, staff):
    """Every group's page and total come from one statement, whichever page each group is on."""
    cw, case_id, ids = long_list
    later = [_task(case_id, "followup", "caseworker", date(2026, 12, 20) + timedelta(days=i), staff["caseworker"].id)
             for i in range(PAGE_SIZE + 2)]
    db.session.commit()
    later_ids = [t.id for t in later]
    with statements_sent(lambda s: "FROM human_tasks" in s and "min(human_tasks.name)" not in s) as task_queries:
        page = cw.get("/?holder=mine&kind=followup&page_overdue=2").get_data(as_text=True)
    assert len(task_queries) == 1  # the kinds of task for the filter aside
    assert _ids(page, "overdue") == ids[PAGE_SIZE:] and _ids(page, "later") == later_ids[:PAGE_SIZE]
    assert _count(page, "overdue") == PAGE_SIZE + EXTRA and _count(page, "later") == PAGE_SIZE + 2
    assert "次の2件" in page and "page_overdue=2" in re.search(r'href="([^"]*page_later=2[^"]*)"', page).group(1)
    other = cw.get("/?holder=mine&kind=followup&page_later=2&page_overdue=9").get_data(as_text=True)
    assert _ids(other, "overdue") == ids[PAGE_SIZE:] and _ids(other, "later") == later_ids[PAGE_SIZE:]


def test_the_meeting_queue_is_paged_with_its_total(staff, login, clock):
    cw, lead = login(staff["caseworker"]), login(staff["lead_worker"])
    case_id = walk_in(cw)
    queue = [_task(case_id, "coordination_meeting", "lead_worker section_chief", None) for _ in range(PAGE_SIZE + 3)]
    db.session.commit()
    page = lead.get("/").get_data(as_text=True)
    overview = page.split('<section class="ward-overview"', 1)[1].split("</section>", 1)[0]
    assert re.search(r'会議待ちのプラン <span class="count">(\d+)</span>', overview).group(1) == str(PAGE_SIZE + 3)
    shown = overview.split('<ul class="meeting-queue">', 1)[1].split("</ul>", 1)[0]
    assert shown.count("<li>") == PAGE_SIZE and "次の3件" in overview
    rest = lead.get("/?page_meetings=2").get_data(as_text=True).split('<ul class="meeting-queue">', 1)[1]
    assert rest.split("</ul>", 1)[0].count("<li>") == 3 and f"/tasks/{queue[-1].id}" in rest
    # Past the end: the last page, with its total and the way back.
    past = lead.get("/?page_meetings=99").get_data(as_text=True).split('<section class="ward-overview"', 1)[1]
    past = past.split("</section>", 1)[0]
    assert f'会議待ちのプラン <span class="count">{PAGE_SIZE + 3}</span>' in past
    assert past.split('<ul class="meeting-queue">', 1)[1].split("</ul>", 1)[0].count("<li>") == 3
    assert f"前の{PAGE_SIZE}件" in past and "pager-next" not in past


def test_an_empty_meeting_queue_on_any_page(staff, login, clock):
    walk_in(login(staff["caseworker"]))  # a case in the ward: its overview is shown
    lead = login(staff["lead_worker"])
    for page in ("", "?page_meetings=3"):
        html = lead.get(f"/{page}").get_data(as_text=True)
        assert '会議待ちのプラン <span class="count">0</span>' in html and "会議待ちのプランはありません" in html


def test_the_database_filter_allows_exactly_the_tasks_the_rule_allows(app, staff, make_user, login, clock):
    """`actable_task_filter` (counted and paged in SQL) and `can_act_on_task` (per task) agree."""
    cw, lead, budget = staff["caseworker"], staff["lead_worker"], staff["budget_advisor"]
    covering = make_user("cover_cw", "caseworker")
    db.session.add(CoverAssignment(ward="naka", absent_user_id=cw.id, cover_user_id=covering.id,
                                   starts_on=date(2026, 11, 1), ends_on=date(2026, 12, 31), reason="休暇",
                                   created_by_id=staff["section_chief"].id))
    case_id = walk_in(login(cw))
    roles = ["caseworker", "budget_advisor", "caseworker budget_advisor", "lead_worker section_chief",
             "mental_health", "pa_worker", "budget-advisor"]  # the last no role's code: `_` is not a wildcard
    for ward in ("naka", "minami"):
        for role in roles:
            for assignee in (None, cw.id, lead.id, budget.id, covering.id):
                _task(case_id, "k", role, None, assignee, ward=ward)
    db.session.commit()
    every = db.session.query(HumanTask).filter(HumanTask.status == "open").all()
    for user in (cw, lead, budget, covering, staff["section_chief"], staff["provider"],
                 staff["other_ward_caseworker"]):
        with app.test_request_context():
            allowed = {t.id for t in access.actable_task_filter(user, db.session.query(HumanTask)).all()}
            assert allowed == {t.id for t in every if access.can_act_on_task(user, t)}, user.username
