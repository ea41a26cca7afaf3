"""`tsunagi audit replay CASE --verify`: re-running the recorded inputs gives the stored state."""

from __future__ import annotations

from datetime import UTC, datetime

from freezegun import freeze_time

from app.extensions import db
from app.models import AuditEvent, Case

from ..helpers import case_of, complete, open_task, walk_in
from .conftest import tamper


def _replay(app, case_id: int):
    return app.test_cli_runner().invoke(args=["audit", "replay", str(case_id), "--verify"])


def test_every_demo_case_replays_to_its_stored_state(app):
    from app.services.demo import load_demo

    load_demo()
    case_ids = [case_id for (case_id,) in db.session.query(Case.id).order_by(Case.id)]
    assert len(case_ids) >= 14
    for case_id in case_ids:
        result = _replay(app, case_id)
        assert result.exit_code == 0, (case_id, result.output)
        assert "replay matches the stored state" in result.output


def test_a_case_with_plan_revisions_replays(app, revised_case):
    result = _replay(app, revised_case)
    assert result.exit_code == 0, result.output
    assert result.output.count("プラン案作成") == 2 and result.output.count("個別支援調整会議") == 2


def test_a_public_assistance_handoff_during_support_replays(app, revised_case, staff, login):
    cw = login(staff["caseworker"])
    response = cw.post(f"/cases/{revised_case}/actions/request_pa_handoff", data={"note": "本人が保護申請を希望"})
    assert response.status_code == 303
    open_task(revised_case, "pa_handoff")
    complete(cw, revised_case, "pa_handoff")
    assert case_of(revised_case).state == "closed"
    result = _replay(app, revised_case)
    assert result.exit_code == 0, result.output
    assert "request_pa_handoff" in result.output


def test_the_plan_end_timer_is_replayed_at_its_recorded_time(app, staff, login, clock):
    cw, lead = login(staff["caseworker"]), login(staff["lead_worker"])
    case_id = walk_in(cw)
    complete(cw, case_id, "intake")
    complete(cw, case_id, "assessment")
    complete(cw, case_id, "plan", plan_to="2026-12-10", next_monitoring_on="2026-12-01")
    complete(lead, case_id, "coordination_meeting")
    clock.current = datetime(2026, 12, 11, 0, 1, tzinfo=UTC)
    with freeze_time(clock.current):
        assert "fired 1 timer(s)" in app.test_cli_runner().invoke(args=["timers", "run-due"]).output
    complete(cw, case_id, "evaluation", outcome="replan", closure_reason="")
    assert case_of(case_id).state == "plan_draft"
    result = _replay(app, case_id)
    assert result.exit_code == 0, result.output
    assert "timer_fired" in result.output


def test_a_changed_input_is_reported_at_the_first_diverging_step(app, revised_case):
    meeting = (
        db.session.query(AuditEvent)
        .filter_by(case_id=revised_case, event_type="task_completed")
        .order_by(AuditEvent.sequence.desc())
        .first()
    )
    data = dict(meeting.data)
    data["engine_input"] = {**data["engine_input"], "data": {**data["engine_input"]["data"], "decision": "close"}}
    import json

    sequence = meeting.sequence
    tamper("UPDATE audit_events SET data = :data WHERE id = :id", data=json.dumps(data), id=meeting.id)
    result = _replay(app, revised_case)
    assert result.exit_code == 1
    assert f"DIVERGED at step #{sequence}" in result.output


def test_a_changed_stored_state_is_reported(app, revised_case):
    case = db.session.get(Case, revised_case)
    case.state = "meeting"
    db.session.commit()
    result = _replay(app, revised_case)
    assert result.exit_code == 1 and "case state is meeting" in result.output
