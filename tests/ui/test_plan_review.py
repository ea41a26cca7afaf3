"""A re-plan after 修正依頼 starts from the previous version and shows what the meeting asked for;
the meeting form shows the version it reviews and offers only people as attendees."""

from __future__ import annotations

import re

from tests.helpers import complete, open_task, walk_in


def _to_meeting(cw, case_id, **plan):
    complete(cw, case_id, "intake")
    complete(cw, case_id, "assessment")
    complete(cw, case_id, "plan", overall_goal="第1版の目標", goal_details="履歴書を書く", **plan)


def _checkbox_labels(page: str, name: str) -> list[str]:
    ids = re.findall(rf'<input type="checkbox" id="({name}-\d+)" name="{name}"', page)
    return [re.search(rf'<label for="{i}">([^<]+)</label>', page).group(1) for i in ids]


def test_the_meeting_form_shows_the_plan_under_review_and_people_only(staff, login):
    cw, lead = login(staff["caseworker"]), login(staff["lead_worker"])
    case_id = walk_in(cw)
    _to_meeting(cw, case_id)
    task = open_task(case_id, "coordination_meeting")
    page = lead.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "審議するプラン（第1版）" in page and "第1版の目標" in page
    assert re.search(r'id="plan_version_reviewed" name="plan_version_reviewed" value="1"', page)
    attendees = _checkbox_labels(page, "attendees")
    assert {"本人", "自立相談支援員", "主任相談支援員", "区担当係長"} <= set(attendees)
    for system_role in ("プロセス管理者", "監査担当", "健康福祉局", "システム管理者"):
        assert system_role not in attendees


def test_a_replan_starts_from_the_previous_version_and_shows_the_request(staff, login):
    cw, lead = login(staff["caseworker"]), login(staff["lead_worker"])
    case_id = walk_in(cw)
    _to_meeting(cw, case_id)
    complete(lead, case_id, "coordination_meeting", decision="revise", requested_changes="就労目標を具体的に")

    replan = open_task(case_id, "plan")
    page = cw.get(f"/tasks/{replan.id}").get_data(as_text=True)
    assert "会議からの修正依頼（第1版）" in page and "就労目標を具体的に" in page
    assert "第1版の目標</textarea>" in page and "履歴書を書く</textarea>" in page
    assert re.search(r'name="statutory_services" value="household_budget" checked', page)
    assert re.search(r'value="replan" checked', page)  # 再プラン
    # The person signs the new version again: the signature is not carried over.
    assert not re.search(r'id="signed_by_person" name="signed_by_person" value="y" checked', page)

    # The second meeting reviews version 2.
    complete(cw, case_id, "plan", overall_goal="第2版の目標")
    page = lead.get(f"/tasks/{open_task(case_id, 'coordination_meeting').id}").get_data(as_text=True)
    assert "審議するプラン（第2版）" in page and "第2版の目標" in page
