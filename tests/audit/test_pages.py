"""Auditor pages through HTTP: timeline, forms as submitted, diff, exports, step-through data, 403s."""

from __future__ import annotations

from app.extensions import db
from app.models import AuditEvent, FormSubmission, ProcessVersion

from ..helpers import open_task


def _events(case_id, event_type):
    db.session.expire_all()
    return db.session.query(AuditEvent).filter_by(case_id=case_id, event_type=event_type).all()


def test_the_timeline_lists_every_event_and_its_reading_is_audited(revised_case, auditor, login):
    page = login(auditor).get(f"/audit/cases/{revised_case}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "ケース開始" in html and "タスク完了" in html and "プラン案" in html
    assert f"/audit/cases/{revised_case}/submissions/" in html
    assert [e.data["view"] for e in _events(revised_case, "case_history_viewed")] == ["timeline"]


def test_only_auditors_of_the_ward_or_the_city_read_the_trail(revised_case, staff, login, make_user):
    assert login(staff["caseworker"]).get(f"/audit/cases/{revised_case}").status_code == 404
    minami_auditor = make_user("auditor_minami", "auditor", ward="minami")
    assert login(minami_auditor).get(f"/audit/cases/{revised_case}").status_code == 404
    naka_auditor = make_user("auditor_naka", "auditor", ward="naka")
    assert login(naka_auditor).get(f"/audit/cases/{revised_case}").status_code == 200
    assert f"#{revised_case}" not in login(minami_auditor).get("/audit/").get_data(as_text=True)


def test_a_completed_task_shows_the_form_as_submitted_read_only(revised_case, auditor, login):
    plans = db.session.query(FormSubmission).filter_by(case_id=revised_case, form_key="plan").order_by(
        FormSubmission.id).all()
    html = login(auditor).get(f"/audit/cases/{revised_case}/submissions/{plans[0].id}").get_data(as_text=True)
    assert "<fieldset disabled" in html and "第1版の目標" in html and "第2版の目標" not in html
    assert 'value="household_budget" checked' in html  # the codes the caseworker ticked
    assert 'name="submit_task"' not in html


def test_the_difference_between_two_steps(revised_case, auditor, login):
    plan_events = [e for e in _events(revised_case, "task_completed") if e.data["form_key"] == "plan"]
    first, second = plan_events[0].sequence, plan_events[1].sequence
    html = login(auditor).get(f"/audit/cases/{revised_case}/diff?from={first}&to={second}").get_data(as_text=True)
    assert "第1版の目標" in html and "第2版の目標" in html
    unchanged = login(auditor).get(f"/audit/cases/{revised_case}/diff?from={second}&to={second}")
    assert "違いはありません" in unchanged.get_data(as_text=True)


def test_exports_carry_the_chain_and_are_audited(revised_case, auditor, login):
    from app.services.audit.export import check_exported_chain

    client = login(auditor)
    exported = client.get(f"/audit/cases/{revised_case}/export.json").get_json()
    assert exported["chain"]["verified"] is True and check_exported_chain(exported)
    assert [s["form_key"] for s in exported["submissions"]].count("plan") == 2
    exported["events"][2]["data"]["forged"] = True
    assert not check_exported_chain(exported)
    html = client.get(f"/audit/cases/{revised_case}/export.html").get_data(as_text=True)
    assert "記録の連鎖は検証済みです" in html and "第2版の目標" in html
    assert sorted(e.data["format"] for e in _events(revised_case, "case_history_exported")) == ["html", "json"]


def test_step_through_data_follows_the_path_taken(revised_case, auditor, login):
    client = login(auditor)
    last = client.get(f"/audit/cases/{revised_case}/steps.json").get_json()
    assert last["process_version"] == 1 and last["next"] is None and last["previous"] == last["step"] - 1
    assert last["repeated"]["plan"] == 2 and last["repeated"]["meeting"] == 2
    assert "record_budget_service" in last["active"] and "monitoring" in last["active"]
    first = client.get(f"/audit/cases/{revised_case}/steps.json?step=0").get_json()
    assert first["path"] == ["start_case"] and first["active"] == ["intake"] and first["previous"] is None
    second = client.get(f"/audit/cases/{revised_case}/steps.json?step=1").get_json()
    assert second["ran_in_step"][0] == "intake" and second["active"] == ["assessment"]
    assert client.get(f"/audit/cases/{revised_case}/steps.json?step=99").status_code == 404


def test_the_diagram_is_the_version_the_case_ran_on(revised_case, auditor, login):
    version = db.session.query(ProcessVersion).one()
    newer = ProcessVersion(process_id=version.process_id, version=2, content_hash="f" * 64,
                           bpmn_files={"case_lifecycle.bpmn": '<definitions id="case_lifecycle">changed</definitions>'},
                           form_definitions=version.form_definitions)
    db.session.add(newer)
    db.session.commit()
    client = login(auditor)
    xml = client.get(f"/audit/cases/{revised_case}/diagram.bpmn").get_data(as_text=True)
    assert xml == version.bpmn_files["case_lifecycle.bpmn"]
    page = client.get(f"/audit/cases/{revised_case}/steps").get_data(as_text=True)
    assert "bpmn-navigated-viewer.production.min.js" in page and "audit/steps.js" in page
    assert "<script>" not in page  # CSP: script-src 'self', no inline scripts


def test_an_auditor_changing_anything_gets_403_and_an_event(revised_case, auditor, login, app):
    client = login(auditor)
    task = open_task(revised_case, "monitoring")
    for path, data in ((f"/tasks/{task.id}", {"progress": "x"}),
                       (f"/cases/{revised_case}/actions/record_progress", {"content": "x"}),
                       ("/cases/new", {"ward": "naka"})):
        response = client.post(path, data=data)
        assert response.status_code == 403, path
    refused = _events(revised_case, "change_refused")
    assert sorted(e.data["path"] for e in refused) == sorted(
        [f"/tasks/{task.id}", f"/cases/{revised_case}/actions/record_progress"])
    assert db.session.query(AuditEvent).filter_by(case_id=None, event_type="change_refused").count() == 1
    assert open_task(revised_case, "monitoring").status == "open"


def test_an_auditor_changing_anything_through_the_api_gets_403(revised_case, auditor, app):
    from app.services.staff.tokens import issue_token

    raw, _ = issue_token(auditor.username)
    db.session.commit()
    task = open_task(revised_case, "monitoring")
    response = app.test_client().post(f"/api/v1/tasks/{task.id}/complete", json={"data": {}},
                                      headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 403 and response.mimetype == "application/problem+json"
    assert [e.data["path"] for e in _events(revised_case, "change_refused")] == [f"/api/v1/tasks/{task.id}/complete"]


def test_a_form_is_shown_in_its_own_version_after_the_case_moved_to_a_newer_one(revised_case, auditor, login,
                                                                                  make_user, app):
    """A process owner migrates the case to version 2, whose plan form renamed a field: the plan
    submitted on version 1 still shows version 1's form, and the case still replays."""
    import copy

    from app.models import Case
    from app.services.processes import store_version
    from app.services.processes.migration import migrate_cases

    v1 = db.session.query(ProcessVersion).one()
    forms = copy.deepcopy(v1.form_definitions)
    forms["plan"]["version"] = 2
    goal = next(f for s in forms["plan"]["sections"] for f in s["fields"] if f["name"] == "overall_goal")
    goal["label"]["ja"] = "本人の目標（新しい様式）"
    store_version(v1.process_id, v1.bpmn_files, forms, None, "plan form v2", source="test")
    db.session.commit()
    owner = make_user("owner_city", "process_owner", ward=None)
    report = migrate_cases(owner, v1.process_id, 2)
    assert [c.result for c in report.cases] == ["migrated"]
    assert db.session.get(Case, revised_case).process_version.version == 2

    first_plan = db.session.query(FormSubmission).filter_by(case_id=revised_case, form_key="plan").order_by(
        FormSubmission.id).first()
    html = login(auditor).get(f"/audit/cases/{revised_case}/submissions/{first_plan.id}").get_data(as_text=True)
    assert "目指す姿（本人の目標）" in html and "新しい様式" not in html
    assert "帳票の版が、ケースのプロセス版の帳票と一致しません" not in html
    result = app.test_cli_runner().invoke(args=["audit", "replay", str(revised_case), "--verify"])
    assert result.exit_code == 0, result.output
