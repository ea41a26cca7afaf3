"""お知らせ in the header and on its page; overdue badges on the case page."""

from __future__ import annotations

import re
from datetime import date

from app.extensions import db
from app.models import Notification
from app.services.timers.notifications import notify

from .conftest import jst


def _badge(page: str) -> str | None:
    found = re.search(r'class="notifications-link">お知らせ(?: <span class="badge overdue"[^>]*>(\d+)</span>)?', page)
    assert found, "no notifications link in the header"
    return found.group(1)


def test_notifications_are_listed_and_marked_read_per_person(app, staff, login):
    lead, chief = staff["lead_worker"], staff["section_chief"]
    notify([lead, chief], "task_overdue", "task_overdue:test", None, name="家庭訪問", due_on="2027-05-19")
    notify([lead], "task_overdue", "task_overdue:test", None, name="家庭訪問", due_on="2027-05-19")  # once only
    db.session.commit()
    lead_client, chief_client = login(lead), login(chief)

    assert _badge(lead_client.get("/").get_data(as_text=True)) == "1"
    page = lead_client.get("/notifications").get_data(as_text=True)
    assert "「家庭訪問」の期限（2027年5月19日）を過ぎています" in page
    note_id = db.session.query(Notification.id).filter_by(user_id=lead.id).scalar()
    chief_note = db.session.query(Notification.id).filter_by(user_id=chief.id).scalar()

    assert lead_client.post(f"/notifications/{chief_note}/read").status_code == 303
    assert _badge(chief_client.get("/").get_data(as_text=True)) == "1"  # not someone else's to mark
    assert lead_client.post(f"/notifications/{note_id}/read").status_code == 303
    assert _badge(lead_client.get("/").get_data(as_text=True)) is None
    assert chief_client.post("/notifications/read").status_code == 303
    assert _badge(chief_client.get("/").get_data(as_text=True)) is None

    lead_client.post("/locale/en", data={"next": "/"})
    assert '"家庭訪問" is past its due date (2027-05-19)' in lead_client.get("/notifications").get_data(as_text=True)


def test_notifications_need_a_login(app):
    assert app.test_client().get("/notifications").status_code in (302, 401)


def test_case_page_shows_due_dates_and_overdue_badges(app, staff, login, case_in_support, clock):
    cw = login(staff["caseworker"])
    case_id = case_in_support(date(2027, 4, 1))
    clock.current = jst(date(2027, 5, 1), 12)
    page = cw.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "期限 5月1日（土） <strong class=\"due-hint\">今日</strong>" in page
    assert "超過" not in page
    clock.current = jst(date(2027, 5, 2), 9)
    assert '<span class="badge overdue">1日超過</span>' in cw.get(f"/cases/{case_id}").get_data(as_text=True)


def test_worklist_shows_due_dates_and_overdue_badges(app, staff, login, case_in_support, clock):
    cw = login(staff["caseworker"])
    case_id = case_in_support(date(2027, 4, 1))
    row = re.compile(r'<li class="task-card">\s*<p class="task-title"><a href="/tasks/\d+">モニタリング</a></p>'
                     rf'.*?<a href="/cases/{case_id}">.*?</li>', re.S)

    def monitoring_row() -> tuple[str, str]:
        page = cw.get("/").get_data(as_text=True)
        found = row.search(page)
        assert found, page
        group = page[:found.start()].rsplit('<section class="task-group task-group-', 1)[1].split('"', 1)[0]
        return group, found.group(0)

    clock.current = jst(date(2027, 5, 1), 12)
    group, html = monitoring_row()
    assert group == "today" and "5月1日（土）" in html and "今日" in html and "超過" not in html
    clock.current = jst(date(2027, 5, 2), 9)
    group, html = monitoring_row()
    assert group == "overdue" and '<strong class="due-hint overdue">1日超過</strong>' in html


def test_email_is_off_by_default(app, staff, monkeypatch):
    import smtplib

    from app.services.timers.mail import send_pending_email

    def no_smtp(*args, **kwargs):
        raise AssertionError("SMTP must not be used unless NOTIFY_EMAIL is on")

    monkeypatch.setattr(smtplib, "SMTP", no_smtp)
    notify([staff["lead_worker"]], "task_overdue", "task_overdue:mail", None, name="家庭訪問", due_on="2027-05-19")
    db.session.commit()
    assert app.config["NOTIFY_EMAIL"] is False
    assert send_pending_email() == 0
    app.config["SMTP_HOST"] = "mail.example"  # a host alone does not switch mail on
    assert send_pending_email() == 0
    assert db.session.query(Notification).one().emailed_at is None
