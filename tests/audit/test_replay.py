"""`tsunagi audit replay CASE --verify`: re-running the recorded inputs gives the stored state."""

from __future__ import annotations

from datetime import UTC, datetime

from freezegun import freeze_time

from app.extensions import db
from app.models import AuditEvent, Case

from ..helpers import case_of, case_with_plan_ending, complete, open_task, walk_in
from .conftest import tamper


def _replay(app, case_id: int):
    return app.test_cli_runner().invoke(args=["audit", "replay", str(case_id), "--verify"])


def test_every_demo_case_replays_to_its_stored_state(app):
    from app.services.demo.seed import load_demo

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
    case_id = case_with_plan_ending(cw, lead)
    clock.current = datetime(2026, 12, 11, 0, 1, tzinfo=UTC)
    with freeze_time(clock.current):
        assert "fired 1 timer(s)" in app.test_cli_runner().invoke(args=["timers", "run-due"]).output
    complete(cw, case_id, "evaluation", outcome="replan", closure_reason="")
    complete(lead, case_id, "coordination_meeting", decision="continue")
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


def test_events_that_do_not_move_the_engine_are_skipped(app, revised_case, staff, login, auditor):
    """Reads, consents, risk notes, progress records, types added later: replay passes them by."""
    from app import audit_chain as audit
    from app.services.audit.replay import replay_case

    login(auditor).get(f"/audit/cases/{revised_case}")  # case_history_viewed
    audit.record("case_viewed", revised_case, None, view="summary")
    audit.record("consent_changed", revised_case, None, consent="third_party", granted=False)
    audit.record("an_event_type_from_next_year", revised_case, None, anything={"nested": [1, 2]})
    audit.record("action_run", revised_case, None, action="record_progress", note="電話で近況確認")
    audit.record("action_run", revised_case, None, action="an_action_from_next_year")
    db.session.commit()
    cw = login(staff["caseworker"])
    complete(cw, revised_case, "monitoring")  # the engine moves after them, and replay follows
    result = replay_case(db.session.get(Case, revised_case))
    assert result.ok, result.divergences
    assert [step.event_type for step in result.steps].count("task_completed") == 7
    assert not {"case_viewed", "consent_changed", "an_event_type_from_next_year"} & {
        step.event_type for step in result.steps}
    assert _replay(app, revised_case).exit_code == 0


def test_replay_leaves_the_process_clock_alone(app, revised_case, monkeypatch):
    """Steps run at their recorded times through the engine, not by freezing the process:
    another thread (another request) reads the real time while a replay runs."""
    import threading

    from app.engine import RunningWorkflow
    from app.services.audit.replay import replay_case

    seen = []
    complete_task = RunningWorkflow.complete_task

    def watched(self, *args, **kwargs):
        reader = threading.Thread(target=lambda: seen.append(datetime.now(UTC)))
        reader.start()
        reader.join()
        return complete_task(self, *args, **kwargs)

    monkeypatch.setattr(RunningWorkflow, "complete_task", watched)
    result = replay_case(db.session.get(Case, revised_case))
    assert result.ok, result.divergences
    assert len(seen) == 6
    assert all(abs((t - datetime.now(UTC)).total_seconds()) < 600 for t in seen), seen


def test_a_migrated_case_replays_on_the_version_it_opened_on_then_the_one_it_moved_to(app, staff, login,
                                                                                      make_user):
    """Version 2 adds a step after intake.  A case past intake moves to v2: replaying it all on v2
    would wait at the new step; replay runs intake on v1, migrates where the case did, goes on."""
    from ..processes.conftest import deploy, deployed_xml, with_new_step

    cw = login(staff["caseworker"])
    case_id = walk_in(cw)
    complete(cw, case_id, "intake")
    owner = login(make_user("owner_city", "process_owner", ward=None))
    deploy(owner, with_new_step(deployed_xml(1)), note="確認面談を追加")
    assert owner.post("/processes/versions/2/migration").status_code == 200
    assert case_of(case_id).process_version.version == 2
    complete(cw, case_id, "assessment")
    complete(cw, case_id, "plan")

    result = _replay(app, case_id)
    assert result.exit_code == 0, result.output
    assert "case_migrated" in result.output and "v1 → v2" in result.output
    new_case = walk_in(cw)  # opened on v2: its intake leads to the new step, and it replays too
    complete(cw, new_case, "intake", new_person=True)
    assert open_task(new_case, "progress_note").bpmn_id == "consent_check"
    assert _replay(app, new_case).exit_code == 0
