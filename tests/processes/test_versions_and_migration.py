"""Deploying new versions from the modeler's doors, and moving running cases between them."""

from __future__ import annotations

from datetime import UTC, datetime

from app.extensions import db
from app.models import AuditEvent, HumanTask, ProcessVersion
from tests.helpers import case_of, case_with_plan_ending, complete, open_task, walk_in

from .conftest import assessment_moved_before_screening, deploy, deployed_xml, with_new_step


def _open_bpmn_ids(case_id: int) -> list[str]:
    db.session.expire_all()
    return sorted(t.bpmn_id for t in db.session.query(HumanTask).filter_by(case_id=case_id, status="open"))


def test_v2_with_a_new_step_reaches_new_cases_only(staff, login, owner_client, owner):
    caseworker = login(staff["caseworker"])
    old_case = walk_in(caseworker)

    result = deploy(owner_client, with_new_step(deployed_xml(1)), note="確認面談を追加")
    assert result["version"] == 2
    new_case = walk_in(caseworker)

    assert case_of(old_case).process_version.version == 1
    assert case_of(new_case).process_version.version == 2
    complete(caseworker, old_case, "intake")
    complete(caseworker, new_case, "intake", new_person=True)  # the sample person again: not a duplicate
    assert _open_bpmn_ids(old_case) == ["assessment"]
    assert _open_bpmn_ids(new_case) == ["consent_check"]

    version = db.session.query(ProcessVersion).filter_by(version=2).one()
    assert version.note == "確認面談を追加" and version.deployed_by_id == owner.id
    assert version.deployed_at.replace(tzinfo=UTC) == datetime(2026, 11, 26, 1, 0, tzinfo=UTC)  # the clock's now
    assert len(version.content_hash) == 64 and "progress_note" in version.form_definitions
    event = db.session.query(AuditEvent).filter_by(event_type="process_deployed").order_by(AuditEvent.id.desc()).first()
    assert event.actor_id == owner.id and event.data["version"] == 2 and event.data["source"] == "modeler"


def test_versions_are_immutable_and_identical_content_is_not_a_new_version(owner_client):
    deploy(owner_client, with_new_step(deployed_xml(1)))
    saved = owner_client.post("/processes/drafts", json={"xml": deployed_xml(2), "baseVersionId": None})
    again = owner_client.post(saved.json["deployUrl"], json={"note": "no change"})
    assert again.status_code == 422
    assert "同じ内容" in again.json["errors"]["bpmn"][0]
    assert db.session.query(ProcessVersion).count() == 2


def test_deploy_needs_a_change_note(owner_client):
    saved = owner_client.post("/processes/drafts", json={"xml": with_new_step(deployed_xml(1))})
    response = owner_client.post(saved.json["deployUrl"], json={"note": "  "})
    assert response.status_code == 422 and "note" in response.json["errors"]


def test_dry_run_flags_the_case_whose_task_vanishes_and_bulk_migrate_moves_the_rest(staff, login, owner_client):
    caseworker = login(staff["caseworker"])
    at_intake = walk_in(caseworker)
    at_assessment = walk_in(caseworker)
    complete(caseworker, at_assessment, "intake")
    deploy(owner_client, assessment_moved_before_screening(deployed_xml(1)), note="アセスメントを作り直す")

    page = owner_client.get("/processes/versions/2/migration")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f'id="case-{at_intake}" class="result-migratable"' in html
    assert f'id="case-{at_assessment}" class="result-blocked"' in html
    assert "<code>assessment</code>" in html
    assert case_of(at_intake).process_version.version == 1  # a dry run changes nothing

    done = owner_client.post("/processes/versions/2/migration")
    html = done.get_data(as_text=True)
    assert f'id="case-{at_intake}" class="result-migrated"' in html
    assert f'id="case-{at_assessment}" class="result-blocked"' in html
    assert case_of(at_intake).process_version.version == 2
    assert case_of(at_assessment).process_version.version == 1
    assert _open_bpmn_ids(at_assessment) == ["assessment"]
    types = [e.event_type for e in db.session.query(AuditEvent).order_by(AuditEvent.id)]
    assert {"case_migrated", "case_migration_refused", "process_migration_run"} <= set(types)

    # The migrated case now follows v2; the blocked one still follows v1.
    complete(caseworker, at_intake, "intake", new_person=True)  # the sample person again: not a duplicate
    assert _open_bpmn_ids(at_intake) == ["consent_check"]
    complete(caseworker, at_assessment, "assessment")
    assert _open_bpmn_ids(at_assessment) == ["plan"]


def test_a_migrated_case_can_be_moved_back(staff, login, owner_client):
    caseworker = login(staff["caseworker"])
    case_id = walk_in(caseworker)
    deploy(owner_client, with_new_step(deployed_xml(1)))
    owner_client.post("/processes/versions/2/migration")
    assert case_of(case_id).process_version.version == 2

    response = owner_client.post(f"/processes/cases/{case_id}/move", data={"version": "1"})
    assert response.status_code == 303
    assert case_of(case_id).process_version.version == 1
    complete(caseworker, case_id, "intake")
    assert _open_bpmn_ids(case_id) == ["assessment"]
    assert open_task(case_id, "assessment").case_id == case_id


def test_diff_view_lists_added_removed_and_changed_elements(owner_client):
    xml = assessment_moved_before_screening(deployed_xml(1)).replace('name="プラン案作成"', 'name="プラン作成"')
    deploy(owner_client, xml)
    html = owner_client.get("/processes/diff?old=1&new=2").get_data(as_text=True)
    added = html.split('class="diff-added"')[1].split("</section>")[0]
    removed = html.split('class="diff-removed"')[1].split("</section>")[0]
    changed = html.split('class="diff-changed"')[1].split("</section>")[0]
    assert "<code>consent_check</code>" in added
    assert "<code>assessment</code>" in removed
    assert "<code>plan</code>" in changed and "bpmn_name" in changed


def test_only_process_owners_reach_the_modeler(staff, login, make_user):
    admin = make_user("sysadmin", "admin", ward=None)
    for user in (staff["caseworker"], staff["section_chief"], admin):
        client = login(user)
        assert client.get("/processes/").status_code == 403
        assert client.get("/processes/versions/1/modeler").status_code == 403
        assert client.post("/processes/drafts", json={"xml": deployed_xml(1)}).status_code == 403
        assert client.post("/processes/versions/1/migration").status_code == 403
    assert db.session.query(ProcessVersion).count() == 1


def test_dry_run_reports_the_waiting_timers_and_migration_keeps_them_armed(staff, login, owner_client, owner):
    from datetime import UTC, datetime

    from freezegun import freeze_time

    cw, lead = login(staff["caseworker"]), login(staff["lead_worker"])
    case_id = case_with_plan_ending(cw, lead)
    due = datetime(2026, 12, 11, 0, 0, tzinfo=UTC)
    assert case_of(case_id).next_timer_at.replace(tzinfo=UTC) == due
    deploy(owner_client, with_new_step(deployed_xml(1)))

    with freeze_time(datetime(2026, 11, 27, 1, 0, tzinfo=UTC)):
        # Signed in under the frozen time: a session signed at the real time would look as if it came
        # from the future once the real clock is past the frozen one, and be refused.
        owner_client = login(owner)
        html = owner_client.get("/processes/versions/2/migration").get_data(as_text=True)
        row = html.split(f'id="case-{case_id}"')[1].split("</tr>")[0]
        assert 'class="result-migratable"' in row
        # a date timer is re-armed as it was
        assert "プラン期間終了: 2026年12月11日 09:00 → 2026年12月11日 09:00" in row
        owner_client.post("/processes/versions/2/migration")
    case = case_of(case_id)
    assert case.process_version.version == 2 and case.next_timer_at.replace(tzinfo=UTC) == due


def test_a_deployed_version_cannot_be_changed(app):
    import pytest

    version = db.session.query(ProcessVersion).filter_by(version=1).one()
    version.note = "rewritten history"
    with pytest.raises(ValueError, match="immutable"):
        db.session.flush()
    db.session.rollback()


def test_a_user_task_without_a_role_goes_to_its_lanes_role(staff, login, owner_client):
    """Lanes map to roles: the meeting without its own role is offered to its lane (lead_worker) only."""
    xml = deployed_xml(1).replace(
        '<spiffworkflow:property name="formKey" value="coordination_meeting" />\n'
        '          <spiffworkflow:property name="role" value="lead_worker section_chief" />',
        '<spiffworkflow:property name="formKey" value="coordination_meeting" />')
    assert 'value="lead_worker section_chief"' not in xml.split('id="meeting"')[1].split("</bpmn:userTask>")[0]
    deploy(owner_client, xml, note="会議は主任のレーンで")
    cw, lead, chief = login(staff["caseworker"]), login(staff["lead_worker"]), login(staff["section_chief"])
    case_id = walk_in(cw)
    for form_key in ("intake", "assessment", "plan"):
        complete(cw, case_id, form_key)
    meeting = open_task(case_id, "coordination_meeting")
    assert meeting.roles == {"lead_worker"}
    assert chief.get(f"/tasks/{meeting.id}").status_code == 403
    complete(lead, case_id, "coordination_meeting")


def test_a_lane_that_is_not_a_role_blocks_the_deploy(owner_client):
    """A lane names its role code in a property; one with neither that nor a role code as its name is refused."""
    xml = deployed_xml(1)
    lane = xml.index('<bpmn:lane id="lane_section_chief" name="係長">')
    xml = xml[:lane] + xml[lane:].replace('<spiffworkflow:property name="role" value="section_chief" />', "", 1)
    saved = owner_client.post("/processes/drafts", json={"xml": xml})
    response = owner_client.post(saved.json["deployUrl"], json={"note": "レーン名を日本語に"})
    assert response.status_code == 422
    errors = {p["element_id"]: p["message"] for p in response.json["problems"] if p["severity"] == "error"}
    assert "係長" in errors["lane_section_chief"] and "ロールコードではありません" in errors["lane_section_chief"]
    assert db.session.query(ProcessVersion).count() == 1


def test_nobody_but_a_process_owner_deploys_checks_or_migrates(staff, login, make_user, owner_client):
    """Not even admin: every door of the process pages refuses, and nothing changes."""
    case_id = walk_in(login(staff["caseworker"]))
    saved = owner_client.post("/processes/drafts", json={"xml": with_new_step(deployed_xml(1))}).json
    admin = make_user("sysadmin", "admin", ward=None)
    auditor = make_user("city_auditor", "auditor", ward=None)
    for user in (admin, staff["section_chief"], staff["lead_worker"], auditor):
        client = login(user)
        assert client.post(saved["deployUrl"], json={"note": "x"}).status_code == 403, user.username
        assert client.post(saved["checkUrl"]).status_code == 403
        assert client.get(f"/processes/drafts/{saved['draftId']}/modeler").status_code == 403
        assert client.get(f"/processes/drafts/{saved['draftId']}/bpmn").status_code == 403
        assert client.get("/processes/diff?old=1&new=1").status_code == 403
        assert client.get("/processes/versions/1/migration").status_code == 403
        assert client.post(f"/processes/cases/{case_id}/move", data={"version": "1"}).status_code == 403
    assert db.session.query(ProcessVersion).count() == 1
    assert not db.session.query(AuditEvent).filter(AuditEvent.event_type.in_(
        ["process_deployed", "case_migrated", "process_migration_run"]), AuditEvent.actor_id != None).count()  # noqa: E711


def test_every_migration_and_move_back_is_audited_per_case(staff, login, owner_client, owner):
    caseworker = login(staff["caseworker"])
    first, second = walk_in(caseworker), walk_in(caseworker)
    deploy(owner_client, with_new_step(deployed_xml(1)))
    owner_client.post("/processes/versions/2/migration")
    owner_client.post(f"/processes/cases/{first}/move", data={"version": "1"})
    db.session.expire_all()
    migrated = db.session.query(AuditEvent).filter_by(event_type="case_migrated").order_by(AuditEvent.id).all()
    assert [(e.case_id, e.data["from_version"], e.data["to_version"], e.actor_id) for e in migrated] == [
        (first, 1, 2, owner.id), (second, 1, 2, owner.id), (first, 2, 1, owner.id)]
    (run,) = db.session.query(AuditEvent).filter_by(event_type="process_migration_run").all()
    assert (run.data["migrated"], run.data["blocked"], run.data["target_version"]) == (2, 0, 2)
    # Moving to the version a case already runs on is refused, and changes nothing.
    again = owner_client.post(f"/processes/cases/{first}/move", data={"version": "1"}, follow_redirects=True)
    assert again.status_code == 404
    assert db.session.query(AuditEvent).filter_by(event_type="case_migrated").count() == 3
