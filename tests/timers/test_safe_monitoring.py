"""Monitoring asks whether contact was made (no default), never takes a future date, and a task the
no-contact ladder withdraws tells its holder why."""

from __future__ import annotations

from datetime import date

from app.extensions import db
from app.models import HumanTask, Notification
from app.services.demo.samples import sample
from tests.helpers import form_post, open_task

from .conftest import jst

PLAN_DAY = date(2027, 4, 1)
MISSED = date(2027, 4, 19)


def _post_monitoring(client, case_id, **overrides):
    data = sample("monitoring", MISSED, **overrides)
    posted = form_post(data)
    task = open_task(case_id, "monitoring")
    return client.post(f"/tasks/{task.id}", data=posted)


def test_the_contact_question_must_be_answered(staff, login, case_in_support, clock):
    cw = login(staff["caseworker"])
    case_id = case_in_support(PLAN_DAY)
    clock.current = jst(MISSED, 10)
    page = cw.get(f"/tasks/{open_task(case_id, 'monitoring').id}").get_data(as_text=True)
    assert 'name="contact_made" value="y"' in page and 'name="contact_made" value="n"' in page
    assert "checked" not in page.split('name="contact_made"')[1].split(">")[0]  # no answer chosen for them

    response = _post_monitoring(cw, case_id, contact_made=None)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "本人と連絡がとれたかを選択してください" in body
    assert 'href="#contact_made-0"' in body  # the error summary links to the question
    assert open_task(case_id, "monitoring").status == "open"


def test_the_contact_question_is_required_through_the_api_too(app, staff, case_in_support, clock):
    from app.forms import validate_data
    from app.lifecycle.versions import current_version, form_definition

    case_in_support(PLAN_DAY)
    clock.current = jst(MISSED, 10)
    definition = form_definition(current_version(), "monitoring")
    data = sample("monitoring", MISSED)
    del data["contact_made"]
    assert "contact_made" in validate_data(definition, data).errors
    assert validate_data(definition, {**data, "contact_made": False}).ok


def test_the_date_of_contact_cannot_be_in_the_future(staff, login, case_in_support, clock):
    cw = login(staff["caseworker"])
    case_id = case_in_support(PLAN_DAY)
    clock.current = jst(MISSED, 10)
    response = _post_monitoring(cw, case_id, contact_on="2027-04-20")
    assert response.status_code == 422
    assert "確認日は今日以前の日付を入力してください" in response.get_data(as_text=True)
    # The planned date (in the future when the task opened) is not put in for them.
    assert "contact_on" not in (open_task(case_id, "monitoring").prefill or {})


def test_a_task_withdrawn_by_no_contact_tells_its_holder_why(staff, login, case_in_support, clock):
    cw, budget = login(staff["caseworker"]), login(staff["budget_advisor"])
    case_id = case_in_support(PLAN_DAY)
    service = open_task(case_id, "service_record", "household_budget")
    clock.current = jst(MISSED, 10)
    assert _post_monitoring(cw, case_id, contact_made=False, progress="電話・訪問とも不在").status_code == 303

    db.session.expire_all()
    assert db.session.get(HumanTask, service.id).status == "cancelled"
    notes = db.session.query(Notification).filter_by(user_id=staff["budget_advisor"].id, kind="task_cancelled").all()
    assert len(notes) == 1 and notes[0].case_id == case_id
    assert "連絡がとれず" in notes[0].params["reason"]
    # The caseworker whose own monitoring withdrew it is not told about it.
    assert not db.session.query(Notification).filter_by(user_id=staff["caseworker"].id, kind="task_cancelled").all()

    listing = budget.get("/notifications").get_data(as_text=True)
    assert "は取り消されました" in listing and "連絡途絶への対応に移ったため" in listing
    page = budget.get(f"/tasks/{service.id}").get_data(as_text=True)
    assert "このタスクは取り消されました" in page and "連絡途絶への対応に移ったため" in page
    assert "既に完了しています" not in page


def test_due_tomorrow_and_a_task_given_to_you_are_notified(app, staff, login, case_in_support, clock,
                                                             make_user):
    from .conftest import notification_kinds, scheduler_tick

    case_id = case_in_support(PLAN_DAY)
    monitoring = open_task(case_id, "monitoring")
    scheduler_tick(app, clock, jst(date(2027, 4, 30), 9))  # the day before 5/1 (due date of the first monitoring)
    assert monitoring.due_on == date(2027, 5, 1)
    assert "task_due_tomorrow" in notification_kinds(staff["caseworker"])

    lead = login(staff["lead_worker"])
    second = make_user("cw2", "caseworker")
    response = lead.post(f"/cases/{case_id}/reassign", data={"assignee": str(second.id), "reason": "担当の調整"})
    assert response.status_code == 303
    kinds = notification_kinds(second)  # each open task of the case that moved to her
    assert kinds and set(kinds) == {"task_given"}
