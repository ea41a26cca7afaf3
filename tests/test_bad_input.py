"""Bad input and failures: nothing stored, clear messages, whole steps rolled back."""

from __future__ import annotations

from pathlib import Path

from app.extensions import db
from app.models import AuditEvent, FormSubmission, HumanTask, PlanVersion, ProcessVersion

from .helpers import case_of, complete, form_post, open_task, walk_in

DATA = Path(__file__).parent / "data"


def test_form_errors_store_nothing_and_keep_what_was_typed(staff, login):
    cw = login(staff["caseworker"])
    case_id = walk_in(cw)
    task = open_task(case_id, "intake")
    response = cw.post(f"/tasks/{task.id}", data=form_post({
        "person_name": "横浜 太郎", "person_kana": "abc", "screening_result": "continue_support",
        "method": "visit", "route": "self", "urgency": "high", "received_on": "2026-11-26",
    }))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'role="alert"' in page  # the error summary
    assert "横浜 太郎" in page  # typed values are kept
    assert db.session.query(FormSubmission).filter_by(case_id=case_id).count() == 0
    assert case_of(case_id).state == "intake"
    assert open_task(case_id, "intake").status == "open"


def test_katakana_field_converts_hiragana(staff, login):
    cw = login(staff["caseworker"])
    case_id = walk_in(cw)
    complete(cw, case_id, "intake", person_kana="よこはま はなこ")
    assert case_of(case_id).person.kana == "ヨコハマ ハナコ"


def test_double_submission_completes_once(staff, login):
    cw = login(staff["caseworker"])
    case_id = walk_in(cw)
    task = open_task(case_id, "intake")
    complete(cw, case_id, "intake")
    from datetime import date

    from app.services.demo.samples import sample

    again = cw.post(f"/tasks/{task.id}", data=form_post(sample("intake", date(2026, 11, 26))))
    assert again.status_code == 303
    page = cw.get(again.headers["Location"]).get_data(as_text=True)
    assert "既に完了しています" in page
    assert db.session.query(FormSubmission).filter_by(case_id=case_id, form_key="intake").count() == 1
    assert db.session.query(HumanTask).filter_by(case_id=case_id, form_key="assessment").count() == 1


def test_plan_revisions_are_capped_with_a_clear_message(app, staff, login):
    app.config["MAX_PLAN_ROUNDS"] = 2
    cw, lead = login(staff["caseworker"]), login(staff["lead_worker"])
    case_id = walk_in(cw)
    complete(cw, case_id, "intake")
    complete(cw, case_id, "assessment")
    complete(cw, case_id, "plan")
    complete(lead, case_id, "coordination_meeting", decision="revise", requested_changes="修正1")
    complete(cw, case_id, "plan")
    response = complete(lead, case_id, "coordination_meeting", expect=422, decision="revise",
                        requested_changes="修正2")
    assert "修正依頼の上限" in response.get_data(as_text=True)
    assert db.session.query(PlanVersion).filter_by(case_id=case_id).count() == 2
    assert case_of(case_id).state == "meeting"


def test_meeting_without_supervisor_is_invalid(staff, login):
    cw, lead = login(staff["caseworker"]), login(staff["lead_worker"])
    case_id = walk_in(cw)
    complete(cw, case_id, "intake")
    complete(cw, case_id, "assessment")
    complete(cw, case_id, "plan")
    complete(lead, case_id, "coordination_meeting", expect=422, attendees=["person", "caseworker"])
    assert case_of(case_id).state == "meeting"


def test_gateway_dead_end_rolls_back_and_is_recorded(app, staff, login):
    base = db.session.query(ProcessVersion).one()
    db.session.add(ProcessVersion(
        process_id="dead_end", version=1, content_hash="t" * 64,
        bpmn_files={"dead_end.bpmn": (DATA / "dead_end_gateway.bpmn").read_text()},
        form_definitions=base.form_definitions,
    ))
    db.session.commit()
    app.config["MAIN_PROCESS_ID"] = "dead_end"
    cw = login(staff["caseworker"])
    case_id = walk_in(cw)
    response = complete(cw, case_id, "intake")
    assert "相談受付・申込" in cw.get(response.headers["Location"]).get_data(as_text=True)
    assert db.session.query(FormSubmission).filter_by(case_id=case_id).count() == 0
    assert open_task(case_id, "intake").status == "open"
    failure = db.session.query(AuditEvent).filter_by(case_id=case_id, event_type="step_failed").one()
    assert failure.data["element_id"] == "gw"


def test_closed_case_refuses_tasks_and_actions(staff, login):
    cw = login(staff["caseworker"])
    case_id = walk_in(cw)
    complete(cw, case_id, "intake", screening_result="info_only", applied=False, consent_scopes=[])
    response = cw.post(f"/cases/{case_id}/actions/record_progress", data=form_post({
        "recorded_on": "2026-11-27", "kind": "phone", "content": "x"}))
    assert response.status_code == 303
    assert "現在行えません" in cw.get(response.headers["Location"]).get_data(as_text=True)
    from app.errors import CaseClosed
    from app.services.cases.actions import run_action

    try:
        run_action(case_id, "record_progress", {"recorded_on": "2026-11-27", "kind": "phone", "content": "x"},
                   staff["caseworker"])
    except CaseClosed as exc:
        assert "終結" in exc.message
    else:
        raise AssertionError("a closed case accepted an action")


def test_other_ward_cannot_see_the_case(staff, login):
    cw = login(staff["caseworker"])
    case_id = walk_in(cw)
    other = login(staff["other_ward_caseworker"])
    assert other.get(f"/cases/{case_id}").status_code == 404
    task = open_task(case_id, "intake")
    assert other.get(f"/tasks/{task.id}").status_code == 404


def test_progress_note_action_in_open_state(staff, login):
    cw = login(staff["caseworker"])
    case_id = walk_in(cw)
    response = cw.post(f"/cases/{case_id}/actions/record_progress", data=form_post({
        "recorded_on": "2026-11-26", "kind": "phone", "content": "電話で予約を確認"}))
    assert response.status_code == 303
    assert db.session.query(FormSubmission).filter_by(case_id=case_id, form_key="progress_note").count() == 1


def test_irreversible_steps_ask_for_confirmation_first(staff, login):
    cw = login(staff["caseworker"])
    case_id = walk_in(cw)
    task = open_task(case_id, "intake")
    complete(cw, case_id, "intake", screening_result="public_assistance", applied=False, consent_scopes=[])
    task = open_task(case_id, "pa_handoff")
    from datetime import date

    from app.services.demo.samples import sample

    posted = form_post(sample("pa_handoff", date(2026, 11, 26)))
    first = cw.post(f"/tasks/{task.id}", data=posted)
    assert first.status_code == 200
    page = first.get_data(as_text=True)
    assert "取り消せません" in page and 'name="confirmed" value="1"' in page
    assert case_of(case_id).state == "handoff_pa"
    assert db.session.query(FormSubmission).filter_by(case_id=case_id, form_key="pa_handoff").count() == 0
    back = cw.post(f"/tasks/{task.id}", data={**posted.to_dict(flat=True), "back_to_form": "1"})
    assert back.status_code == 200 and "同日、生活保護担当へ同行" in back.get_data(as_text=True)
    posted["confirmed"] = "1"
    assert cw.post(f"/tasks/{task.id}", data=posted).status_code == 303
    assert case_of(case_id).state == "closed"
