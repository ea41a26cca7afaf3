"""The case page shows where the case stands, the person's age, a 「次へ」 to the user's next task,
and links only the tasks the reader may open; a refusal is explained in plain Japanese."""

from __future__ import annotations

import re

from tests.helpers import complete, open_task, walk_in


def _steps(page: str) -> list[tuple[str, str]]:
    return re.findall(r'<li class="step step-(\w+)"[^>]*><span class="step-label">([^<]+)</span>', page)


def test_progress_age_and_next(staff, login):
    cw = login(staff["caseworker"])
    case_id = walk_in(cw)
    response = complete(cw, case_id, "intake", birth_date="1978-06-15")
    assert response.headers["Location"].endswith(f"/cases/{case_id}")
    page = cw.get(f"/cases/{case_id}").get_data(as_text=True)
    assert _steps(page) == [("done", "受付"), ("current", "アセスメント"), ("todo", "プラン"), ("todo", "会議"),
                            ("todo", "支援"), ("todo", "評価"), ("todo", "終結")]
    assert 'aria-current="step"' in page
    assert "（48歳）" in page  # born 1978-06-15, on 2026-11-26
    assessment = open_task(case_id, "assessment")
    assert re.search(rf'<a class="button primary" href="/tasks/{assessment.id}">次へ：アセスメント', page)


def test_a_hand_off_is_shown_on_the_way_to_closure(staff, login):
    cw = login(staff["caseworker"])
    case_id = walk_in(cw)
    complete(cw, case_id, "intake")
    complete(cw, case_id, "assessment", likely_public_assistance=True)
    page = cw.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "生活保護へつないでいます" in page


def test_tasks_the_reader_cannot_open_are_not_links(staff, login):
    cw, lead = login(staff["caseworker"]), login(staff["lead_worker"])
    case_id = walk_in(cw)
    complete(cw, case_id, "intake")
    complete(cw, case_id, "assessment")
    complete(cw, case_id, "plan")
    meeting = open_task(case_id, "coordination_meeting")  # the lead worker's task
    page = cw.get(f"/cases/{case_id}").get_data(as_text=True)
    assert f"/tasks/{meeting.id}" not in page and "個別支援調整会議" in page
    assert f"/tasks/{meeting.id}" in lead.get(f"/cases/{case_id}").get_data(as_text=True)

    refused = cw.get(f"/tasks/{meeting.id}", headers={"Referer": f"http://localhost/cases/{case_id}"})
    assert refused.status_code == 403
    body = refused.get_data(as_text=True)
    assert "<title>この操作を行う権限がありません | つなぎ</title>" in body
    assert "<h1>この操作を行う権限がありません</h1>" in body
    assert "ロール" not in body
    assert f'href="http://localhost/cases/{case_id}">前のページに戻る' in body and "ホームへ戻る" in body


def test_intake_starts_with_today_and_the_confirm_page_speaks_japanese(staff, login):
    cw = login(staff["caseworker"])
    case_id = walk_in(cw)
    page = cw.get(f"/tasks/{open_task(case_id, 'intake').id}").get_data(as_text=True)
    for part, value in (("year", "2026"), ("month", "11"), ("day", "26")):
        assert f'name="received_on-{part}" value="{value}"' in page
    complete(cw, case_id, "intake")
    complete(cw, case_id, "assessment")
    complete(cw, case_id, "plan")
    from datetime import date

    from app.services.demo.samples import sample
    from tests.helpers import form_post

    task = open_task(case_id, "coordination_meeting")
    lead = login(staff["lead_worker"])
    confirm = lead.post(f"/tasks/{task.id}", data=form_post(sample("coordination_meeting", date(2026, 11, 26))))
    body = confirm.get_data(as_text=True)
    assert "内容の確認" in body and "2026年（令和8年）11月26日" in body and "2026-11-26</dd>" not in body


def test_a_service_record_states_its_service_instead_of_asking(staff, login):
    cw, lead, budget = login(staff["caseworker"]), login(staff["lead_worker"]), login(staff["budget_advisor"])
    case_id = walk_in(cw)
    for form_key in ("intake", "assessment", "plan"):
        complete(cw, case_id, form_key)
    complete(lead, case_id, "coordination_meeting")
    task = open_task(case_id, "service_record", "household_budget")
    page = budget.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert '<input type="hidden" name="service" value="household_budget">' in page
    assert 'type="radio" id="service-0"' not in page and '<select id="service"' not in page
    from datetime import date

    from app.services.demo.samples import sample
    from tests.helpers import form_post

    posted = form_post(sample("service_record", date(2026, 11, 26), service="work_readiness"))
    wrong = budget.post(f"/tasks/{task.id}", data=posted)  # an old page or a crafted post
    assert wrong.status_code == 422
    assert "このタスクは「家計改善支援」の記録です" in wrong.get_data(as_text=True)


def test_a_page_with_errors_says_so_in_its_title_and_the_title_is_the_heading(staff, login):
    cw = login(staff["caseworker"])
    case_id = walk_in(cw)
    task = open_task(case_id, "intake")
    page = cw.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "<title>相談受付・申込票 | つなぎ</title>" in page and "<h1>相談受付・申込票</h1>" in page
    refused = cw.post(f"/tasks/{task.id}", data={"received_on-year": "2026"})
    assert refused.status_code == 422
    assert "<title>エラー：相談受付・申込票 | つなぎ</title>" in refused.get_data(as_text=True)
