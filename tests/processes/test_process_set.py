"""Every process in processes/ is managed: listed, opened in the modeler, checked, deployed and
compared as one set with the main process (`/processes/` and `tsunagi processes`)."""

from __future__ import annotations

import io

from app.extensions import db
from app.models import ProcessDraft, ProcessVersion

from .conftest import deployed_files, deployed_xml, layout_bpmn, write_set

SET = ["case_lifecycle.bpmn", "high_risk_response.bpmn", "housing_benefit.bpmn", "no_response.bpmn",
       "support_phase.bpmn"]


def test_the_index_lists_every_file_and_the_modeler_opens_each(owner_client):
    page = owner_client.get("/processes/").get_data(as_text=True)
    for name in SET:
        assert f"/processes/versions/1/modeler?file={name}" in page
    assert "high_risk_response" in page and "risk_response_tasks" in page  # what the main process calls
    for name in SET:
        modeler = owner_client.get(f"/processes/versions/1/modeler?file={name}")
        assert modeler.status_code == 200
        assert f'"filename": "{name}"' in modeler.get_data(as_text=True)
        xml = owner_client.get(f"/processes/versions/1/bpmn?file={name}").get_data(as_text=True)
        assert xml == deployed_files(1)[name]
    assert owner_client.get("/processes/versions/1/bpmn").get_data(as_text=True) == deployed_xml(1)  # main file
    assert owner_client.get("/processes/versions/1/bpmn?file=nothing.bpmn").status_code == 404
    assert owner_client.get("/processes/versions/1/modeler?file=../x.bpmn").status_code == 404


def _renamed_monitoring() -> str:
    xml = deployed_files(1)["support_phase.bpmn"]
    assert 'name="モニタリング"' in xml
    return xml.replace('name="モニタリング"', 'name="モニタリング（定期）"')


def test_a_draft_of_a_called_process_is_checked_and_deployed_with_the_set(owner_client):
    saved = owner_client.post("/processes/drafts", json={"xml": _renamed_monitoring(), "baseVersionId": 1,
                                                         "filename": "support_phase.bpmn"})
    assert saved.status_code == 200, saved.json
    draft = db.session.get(ProcessDraft, saved.json["draftId"])
    assert draft.filename == "support_phase.bpmn"
    assert owner_client.post(saved.json["checkUrl"]).json["blocking"] == 0
    deployed = owner_client.post(saved.json["deployUrl"], json={"note": "モニタリングの名前"})
    assert deployed.status_code == 200, deployed.json
    v1, v2 = (db.session.query(ProcessVersion).filter_by(version=n).one() for n in (1, 2))
    assert sorted(v2.bpmn_files) == SET
    assert [n for n in SET if v1.bpmn_files[n] != v2.bpmn_files[n]] == ["support_phase.bpmn"]

    # The diff names the element and its file, and shows that file's diagrams.
    page = owner_client.get("/processes/diff?old=1&new=2&file=support_phase.bpmn").get_data(as_text=True)
    changed = page.split('class="diff-changed"')[1]
    assert "monitoring" in changed and "support_phase.bpmn" in changed
    assert "/processes/versions/2/bpmn?file=support_phase.bpmn" in page


def test_a_call_activity_whose_process_is_missing_is_a_problem_at_the_element(owner_client):
    xml = deployed_xml(1).replace('calledElement="no_response"', 'calledElement="no_such_process"')
    saved = owner_client.post("/processes/drafts", json={"xml": xml, "baseVersionId": 1})
    response = owner_client.post(saved.json["deployUrl"], json={"note": "壊れた呼び出し"})
    assert response.status_code == 422
    (problem,) = [p for p in response.json["problems"] if p["severity"] == "error"]
    assert problem["element_id"] == "no_response" and problem["file"] == "case_lifecycle.bpmn"
    assert "no_such_process" in problem["message"]
    assert db.session.query(ProcessVersion).count() == 1


def test_an_uploaded_called_process_replaces_its_own_file(owner_client):
    response = owner_client.post("/processes/drafts",
                                 data={"bpmn": (io.BytesIO(_renamed_monitoring().encode()), "support (2).bpmn")},
                                 content_type="multipart/form-data")
    assert response.status_code == 303
    assert db.session.query(ProcessDraft).one().filename == "support_phase.bpmn"
    assert "#1 support_phase.bpmn" in owner_client.get("/processes/").get_data(as_text=True)


def test_cli_lists_checks_and_deploys_every_file(app, tmp_path):
    write_set(tmp_path)
    app.config["PROCESSES_DIR"] = str(tmp_path)
    listed = app.test_cli_runner().invoke(args=["processes", "list"])
    assert listed.exit_code == 0, listed.output
    assert "case_lifecycle.bpmn: case_lifecycle (main)" in listed.output
    assert "calls support_phase [support_phase], no_response [no_response]" in listed.output
    assert "deployed: case_lifecycle v1 (5 file(s), same as processes/)" in listed.output

    # A broken called process fails the check of the set, named by file and element.
    (tmp_path / "no_response.bpmn").write_text(deployed_files(1)["no_response.bpmn"].replace(
        '<spiffworkflow:property name="formKey" value="suspension_decision" />',
        '<spiffworkflow:property name="formKey" value="no_such_form" />'), encoding="utf-8")
    checked = app.test_cli_runner().invoke(args=["processes", "check"])
    assert checked.exit_code == 1
    assert "no_response.bpmn [suspension_decision]" in checked.output and "no_such_form" in checked.output

    (tmp_path / "no_response.bpmn").write_text(layout_bpmn.relayout(
        deployed_files(1)["no_response.bpmn"].replace('name="家庭訪問"', 'name="家庭訪問（同行）"')), encoding="utf-8")
    done = app.test_cli_runner().invoke(args=["processes", "deploy", "--note", "家庭訪問の名前"])
    assert done.exit_code == 0, done.output
    assert "deployed: case_lifecycle v2 (case_lifecycle.bpmn, high_risk_response.bpmn" in done.output
    (tmp_path / "high_risk_response.bpmn").unlink()  # the set is incomplete: the call has nothing to call
    missing = app.test_cli_runner().invoke(args=["processes", "check"])
    assert missing.exit_code == 1
    assert "case_lifecycle.bpmn [risk_response_tasks]" in missing.output and "high_risk_response" in missing.output
