"""The one-hour risk acknowledgement is alerted at its due minute (lead worker), then escalated to the
section chief; `tsunagi timers run-due` (cron) raises the same alerts as a scheduler tick."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from freezegun import freeze_time

from app.extensions import db
from app.models import HumanTask, Notification
from app.services.staff.tokens import issue_token
from tests.helpers import complete, walk_in
from tests.privacy.conftest import DAY, add_consent

from .conftest import notification_kinds, scheduler_tick

FLAGGED_AT = datetime(2026, 11, 26, 10, 8, tzinfo=UTC)  # Thursday 19:08 in Japan
HIGH = {"level": "high", "indicators": ["ideation"], "observed_at": "2026-11-26T19:00:00+09:00"}


def _flag_high(app, staff, login, clock) -> HumanTask:
    clock.current = FLAGGED_AT
    cw = login(staff["caseworker"])
    case_id = walk_in(cw)
    complete(cw, case_id, "intake", DAY, new_person=True)
    add_consent(case_id, ["support_agencies"])
    raw, _ = issue_token(staff["caseworker"].username)
    response = app.test_client().post(f"/api/v1/cases/{case_id}/actions/flag_risk", json={"data": HIGH},
                                      headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200, response.get_json()
    ack = db.session.query(HumanTask).filter_by(case_id=case_id, bpmn_id="risk_acknowledgement").one()
    assert ack.due_at.replace(tzinfo=UTC) == FLAGGED_AT + timedelta(hours=1)
    return ack




def test_acknowledgement_alerted_at_due_minute_then_escalated(app, staff, login, clock):
    ack = _flag_high(app, staff, login, clock)
    due = FLAGGED_AT + timedelta(hours=1)  # 20:08 in Japan, the same day
    lead, chief = staff["lead_worker"], staff["section_chief"]

    scheduler_tick(app, clock, due - timedelta(minutes=1))
    assert "task_due_passed" not in notification_kinds(lead) and "task_due_passed" not in notification_kinds(chief)

    scheduler_tick(app, clock, due + timedelta(minutes=1))
    assert notification_kinds(lead).count("task_due_passed") == 1
    assert "task_escalated" not in notification_kinds(chief) and "task_due_passed" not in notification_kinds(chief)
    note = db.session.query(Notification).filter_by(user_id=lead.id, kind="task_due_passed").one()
    assert note.case_id == ack.case_id and note.params["due_at"] == "2026-11-26 20:08"

    scheduler_tick(app, clock, due + timedelta(minutes=29))
    assert "task_escalated" not in notification_kinds(chief)
    scheduler_tick(app, clock, due + timedelta(minutes=31))
    scheduler_tick(app, clock, due + timedelta(minutes=45))
    assert notification_kinds(chief).count("task_escalated") == 1  # once, however many ticks
    assert notification_kinds(lead).count("task_due_passed") == 1 and "task_escalated" not in notification_kinds(lead)

    # The next day the date sweep does not alert the same task a second time.
    scheduler_tick(app, clock, due + timedelta(days=1))
    assert "task_overdue" not in notification_kinds(lead)


def test_escalation_delay_is_configurable(app, staff, login, clock):
    app.config["RISK_ESCALATE_AFTER_MINUTES"] = 5
    _flag_high(app, staff, login, clock)
    scheduler_tick(app, clock, FLAGGED_AT + timedelta(hours=1, minutes=6))
    assert notification_kinds(staff["section_chief"]).count("task_escalated") == 1


def test_acknowledged_in_time_is_not_alerted(app, staff, login, clock):
    ack = _flag_high(app, staff, login, clock)
    ack.status = "completed"  # the lead worker acknowledged within the hour
    db.session.commit()
    scheduler_tick(app, clock, FLAGGED_AT + timedelta(hours=2))
    assert notification_kinds(staff["lead_worker"]) == [] and notification_kinds(staff["section_chief"]) == []


def test_run_due_raises_the_alert_for_cron_users(app, staff, login, clock):
    _flag_high(app, staff, login, clock)
    clock.current = FLAGGED_AT + timedelta(hours=1, minutes=1)
    with freeze_time(clock.current):
        result = app.test_cli_runner().invoke(args=["timers", "run-due"])
    assert result.exit_code == 0, result.output
    assert notification_kinds(staff["lead_worker"]).count("task_due_passed") == 1
