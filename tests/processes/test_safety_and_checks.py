"""Malicious or broken diagrams are refused with a clear message; the checks point at elements."""

from __future__ import annotations

import io

import pytest

from app.extensions import db
from app.models import AuditEvent, ProcessDraft, ProcessVersion

from .conftest import deployed_xml, layout_bpmn, write_set

XXE = ('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
       '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">&x;</bpmn:definitions>')
EXTERNAL_DTD = ('<?xml version="1.0"?><!DOCTYPE d SYSTEM "http://127.0.0.1:9/evil.dtd">'
                '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"/>')
BILLION_LAUGHS = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                  + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">'
                            for i in range(1, 10))
                  + ']><bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">&lol9;'
                    '</bpmn:definitions>')


def _script(xml: str, script: str) -> str:
    """v1 whose plan counter script is replaced by ``script``."""
    return xml.replace("<bpmn:script>plan_round = plan_round + 1</bpmn:script>",
                       f"<bpmn:script>plan_round = plan_round + 1\n{script}</bpmn:script>")


@pytest.mark.parametrize("payload", [XXE, EXTERNAL_DTD, BILLION_LAUGHS], ids=["xxe", "external_dtd", "billion_laughs"])
@pytest.mark.parametrize("door", ["json", "upload"])
def test_entity_and_dtd_attacks_are_refused_before_storage(owner_client, payload, door):
    if door == "json":
        response = owner_client.post("/processes/drafts", json={"xml": payload})
        assert response.status_code == 422
        message = response.json["errors"]["bpmn"][0]
    else:
        response = owner_client.post("/processes/drafts", data={"bpmn": (io.BytesIO(payload.encode()), "evil.bpmn")},
                                     content_type="multipart/form-data", follow_redirects=True)
        message = response.get_data(as_text=True)
    assert "安全でない、または壊れた XML は受け付けません" in message
    assert "DOCTYPE" in message
    assert db.session.query(ProcessDraft).count() == 0


def test_oversized_upload_is_refused(owner_client):
    big = deployed_xml(1).replace("</bpmn:definitions>", "<!--" + "x" * (2 * 1024 * 1024) + "--></bpmn:definitions>")
    response = owner_client.post("/processes/drafts", json={"xml": big})
    assert response.status_code == 422
    assert "大きすぎます" in response.json["detail"] + str(response.json.get("errors"))
    assert db.session.query(ProcessDraft).count() == 0


@pytest.mark.parametrize("script, reason", [
    ("x = __import__('os').system('id')", "__import__ is not allowed"),
    ("import os", "import is not allowed"),
    ("data = open('/etc/passwd').read()", "file access (open) is not allowed"),
    ("k = ().__class__.__base__.__subclasses__()", "dunder/private attribute access is not allowed"),
])
def test_scripts_that_reach_outside_are_refused_at_check_time(owner_client, script, reason):
    saved = owner_client.post("/processes/drafts", json={"xml": _script(deployed_xml(1), script)})
    assert saved.status_code == 200  # well-formed XML is kept as a draft ...
    response = owner_client.post(saved.json["deployUrl"], json={"note": "attack"})
    assert response.status_code == 422  # ... but never deployed
    errors = [p for p in response.json["problems"] if p["severity"] == "error"]
    assert any(p["element_id"] == "count_plan_round" and reason in p["message"] for p in errors), errors
    assert db.session.query(ProcessVersion).count() == 1


def test_check_points_at_elements(owner_client):
    xml = deployed_xml(1)
    xml = xml.replace('<spiffworkflow:property name="formKey" value="plan" />',
                      '<spiffworkflow:property name="formKey" value="no_such_form" />')
    # The lane's role code is its property (its name is 主任相談支援員): an unknown code is named.
    xml = xml.replace('<spiffworkflow:property name="role" value="lead_worker" />',
                      '<spiffworkflow:property name="role" value="主任" />')
    saved = owner_client.post("/processes/drafts", json={"xml": layout_bpmn.relayout(xml)})
    problems = owner_client.post(saved.json["checkUrl"]).json["problems"]
    by_element = {p["element_id"]: p["message"] for p in problems if p["severity"] == "error"}
    assert "no_such_form" in by_element["plan"]
    assert "主任" in by_element["lane_lead_worker"]


def test_a_gateway_without_default_or_conditions_is_refused(owner_client, app):
    xml = deployed_xml(1).replace(
        '<bpmn:exclusiveGateway id="gw_assessment" name="要保護見込み？" default="f_to_plan">',
        '<bpmn:exclusiveGateway id="gw_assessment" name="要保護見込み？">')
    saved = owner_client.post("/processes/drafts", json={"xml": xml})
    problems = owner_client.post(saved.json["checkUrl"]).json["problems"]
    assert [p["element_id"] for p in problems] == ["f_to_plan"]  # SpiffWorkflow's parser names the flow
    inclusive = ('<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="a" sourceRef="s" targetRef="gw"/>'
                 '<bpmn:inclusiveGateway id="gw"/><bpmn:sequenceFlow id="b" sourceRef="gw" targetRef="e1">'
                 '<bpmn:conditionExpression>x</bpmn:conditionExpression></bpmn:sequenceFlow>'
                 '<bpmn:sequenceFlow id="c" sourceRef="gw" targetRef="e2"/>'
                 '<bpmn:endEvent id="e1"/><bpmn:endEvent id="e2"/>')
    assert [p.element_id for p in _problems(app, inclusive)] == ["c"]




def _tiny(body: str) -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?>'
            '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
            'id="d" targetNamespace="https://tsunagi.invalid/test"><bpmn:process id="tiny" isExecutable="true">'
            + body + "</bpmn:process></bpmn:definitions>")


def _problems(app, xml: str):
    from app.forms import load_form_definitions
    from app.services.processes.checks import check_files

    forms = load_form_definitions(app.config["FORMS_DIR"])
    return check_files({"tiny.bpmn": layout_bpmn.relayout(_tiny(xml))}, "tiny", forms)


LOOP = ('<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="a" sourceRef="s" targetRef="merge"/>'
        '<bpmn:exclusiveGateway id="merge"/><bpmn:sequenceFlow id="b" sourceRef="merge" targetRef="count"/>'
        '<bpmn:scriptTask id="count"><bpmn:script>n = n + 1</bpmn:script></bpmn:scriptTask>'
        '<bpmn:sequenceFlow id="c" sourceRef="count" targetRef="gw"/>'
        '<bpmn:exclusiveGateway id="gw" default="out"/>'
        '<bpmn:sequenceFlow id="back" sourceRef="gw" targetRef="merge"><bpmn:conditionExpression>CONDITION'
        '</bpmn:conditionExpression></bpmn:sequenceFlow>'
        '<bpmn:sequenceFlow id="out" sourceRef="gw" targetRef="e"/><bpmn:endEvent id="e"/>')


def test_a_loop_must_read_its_counter(app):
    uncapped = [p for p in _problems(app, LOOP.replace("CONDITION", "again")) if "ループ" in p.message]
    assert [(p.element_id, p.severity) for p in uncapped] == [("merge", "error")]
    assert not [p for p in _problems(app, LOOP.replace("CONDITION", "again and n &lt; 5")) if "ループ" in p.message]


def test_timer_literals_must_be_iso(app):
    body = ('<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="a" sourceRef="s" targetRef="wait"/>'
            '<bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition><bpmn:timeDuration>VALUE'
            '</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>'
            '<bpmn:sequenceFlow id="b" sourceRef="wait" targetRef="e"/><bpmn:endEvent id="e"/>')
    assert [p.element_id for p in _problems(app, body.replace("VALUE", '"two weeks"'))] == ["wait"]
    assert _problems(app, body.replace("VALUE", '"P14D"')) == []


def test_cli_check_names_the_element_and_fails(app, tmp_path):
    xml = deployed_xml(1)
    intake = xml.index('<bpmn:userTask id="intake"')  # (the lanes before it name roles too)
    write_set(tmp_path, xml[:intake] + xml[intake:].replace(
        '<spiffworkflow:property name="role" value="caseworker" />',
        '<spiffworkflow:property name="role" value="nobody" />', 1))
    app.config["PROCESSES_DIR"] = str(tmp_path)
    result = app.test_cli_runner().invoke(args=["processes", "check"])
    assert result.exit_code == 1
    assert "[intake]" in result.output and "nobody" in result.output

    (tmp_path / "case_lifecycle.bpmn").write_text(layout_bpmn.relayout(deployed_xml(1)), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["processes", "check"])
    assert result.exit_code == 0, result.output
    assert "OK" in result.output


def test_every_deploy_is_audited_with_its_author(owner_client, owner):
    from .conftest import deploy, with_new_step

    deploy(owner_client, with_new_step(deployed_xml(1)), note="audit me")
    events = db.session.query(AuditEvent).filter_by(event_type="process_deployed", actor_id=owner.id).all()
    assert [e.data["note"] for e in events] == ["audit me"]


def test_a_valid_upload_becomes_a_draft_to_open_in_the_modeler(owner_client):
    response = owner_client.post("/processes/drafts", data={"bpmn": (io.BytesIO(deployed_xml(1).encode()), "x.bpmn")},
                                 content_type="multipart/form-data")
    assert response.status_code == 303 and response.location.endswith("/processes/drafts/1/modeler")
    page = owner_client.get(response.location).get_data(as_text=True)
    assert "bpmn-modeler.production.min.js" in page and 'id="modeler-config"' in page
    assert "<script>" not in page  # CSP script-src 'self': no inline scripts
    assert owner_client.get("/processes/drafts/1/bpmn").get_data(as_text=True) == deployed_xml(1)
    assert "#1 case_lifecycle.bpmn" in owner_client.get("/processes/").get_data(as_text=True)


def test_a_choice_without_default_is_a_warning(app):
    body = ('<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="a" sourceRef="s" targetRef="gw"/>'
            '<bpmn:exclusiveGateway id="gw"/>'
            '<bpmn:sequenceFlow id="b" sourceRef="gw" targetRef="e1"><bpmn:conditionExpression>x == 1'
            '</bpmn:conditionExpression></bpmn:sequenceFlow>'
            '<bpmn:sequenceFlow id="c" sourceRef="gw" targetRef="e2"><bpmn:conditionExpression>x == 2'
            '</bpmn:conditionExpression></bpmn:sequenceFlow><bpmn:endEvent id="e1"/><bpmn:endEvent id="e2"/>')
    assert [(p.element_id, p.severity) for p in _problems(app, body)] == [("gw", "warning")]
    with_default = body.replace('<bpmn:exclusiveGateway id="gw"/>', '<bpmn:exclusiveGateway id="gw" default="c"/>')
    assert _problems(app, with_default.replace("<bpmn:conditionExpression>x == 2</bpmn:conditionExpression>", "")) == []


def test_oversized_file_upload_is_refused_with_a_message(owner_client):
    big = deployed_xml(1).replace("</bpmn:definitions>", "<!--" + "x" * (2 * 1024 * 1024) + "--></bpmn:definitions>")
    response = owner_client.post("/processes/drafts", data={"bpmn": (io.BytesIO(big.encode()), "big.bpmn")},
                                 content_type="multipart/form-data", follow_redirects=True)
    assert "ファイルが大きすぎます" in response.get_data(as_text=True)
    assert db.session.query(ProcessDraft).count() == 0


def test_an_xsd_invalid_diagram_is_refused_at_check_time(owner_client):
    xml = deployed_xml(1).replace('<bpmn:userTask id="plan" ', '<bpmn:userTask id="plan" priority="high" ', 1)
    assert 'priority="high"' in xml
    saved = owner_client.post("/processes/drafts", json={"xml": xml})
    response = owner_client.post(saved.json["deployUrl"], json={"note": "xsd"})
    assert response.status_code == 422, response.json
    (problem,) = [p for p in response.json["problems"] if p["severity"] == "error"]
    assert problem["element_id"] == "plan" and "priority" in problem["message"]  # the XSD names the attribute
    assert db.session.query(ProcessVersion).count() == 1


def test_a_diagram_that_drops_a_contract_form_is_refused(owner_client):
    """Other systems rely on the task forms; a version without a pa_handoff task is refused."""
    xml = deployed_xml(1).replace('<spiffworkflow:property name="formKey" value="pa_handoff" />',
                                  '<spiffworkflow:property name="formKey" value="progress_note" />')
    assert 'value="pa_handoff"' not in xml
    saved = owner_client.post("/processes/drafts", json={"xml": xml})
    response = owner_client.post(saved.json["deployUrl"], json={"note": "つなぎをやめる"})
    assert response.status_code == 422
    messages = [p["message"] for p in response.json["problems"] if p["severity"] == "error"]
    assert any("契約で定めたフォーム pa_handoff" in m for m in messages), messages
    assert db.session.query(ProcessVersion).count() == 1


def test_cli_deploy_runs_the_same_checks_and_is_audited(app, tmp_path):
    from .conftest import with_new_step

    target = write_set(tmp_path)  # the main process and the processes it calls
    app.config["PROCESSES_DIR"] = str(tmp_path)
    target.write_text(_script(deployed_xml(1), "import os"), encoding="utf-8")
    refused = app.test_cli_runner().invoke(args=["processes", "deploy", "--note", "bad"])
    assert refused.exit_code == 1 and "[count_plan_round]" in refused.output and "import" in refused.output
    assert db.session.query(ProcessVersion).count() == 1

    target.write_text(with_new_step(deployed_xml(1)), encoding="utf-8")
    done = app.test_cli_runner().invoke(args=["processes", "deploy", "--note", "確認面談を追加"])
    assert done.exit_code == 0, done.output
    assert "deployed: case_lifecycle v2" in done.output
    again = app.test_cli_runner().invoke(args=["processes", "deploy", "--note", "same"])
    assert "unchanged: case_lifecycle v2" in again.output
    db.session.expire_all()
    events = db.session.query(AuditEvent).filter_by(event_type="process_deployed").order_by(AuditEvent.id).all()
    assert [(e.data["version"], e.data["note"]) for e in events][-1] == (2, "確認面談を追加")
    assert len(events) == 2
