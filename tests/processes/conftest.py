"""Fixtures for process owners: an owner account, and diagrams derived from the deployed one."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest

from app.extensions import db
from app.models import ProcessVersion

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("layout_bpmn", ROOT / "tools" / "layout_bpmn.py")
layout_bpmn = importlib.util.module_from_spec(_spec)
sys.modules["layout_bpmn"] = layout_bpmn  # dataclasses look their module up
_spec.loader.exec_module(layout_bpmn)


@pytest.fixture
def owner(make_user):
    return make_user("owner", "process_owner", ward=None)


@pytest.fixture
def owner_client(owner, login):
    return login(owner)


def deployed_xml(number: int = 1) -> str:
    db.session.expire_all()
    version = db.session.query(ProcessVersion).filter_by(version=number).one()
    return version.bpmn_files["case_lifecycle.bpmn"]


def deployed_files(number: int = 1) -> dict[str, str]:
    """Every BPMN file of a deployed version (the main process and the processes it calls)."""
    db.session.expire_all()
    return dict(db.session.query(ProcessVersion).filter_by(version=number).one().bpmn_files)


def write_set(directory: Path, main_xml: str | None = None, number: int = 1) -> Path:
    """Write version ``number``'s files into ``directory`` (the main file replaced by ``main_xml``)."""
    for name, text in deployed_files(number).items():
        (directory / name).write_text(main_xml if main_xml is not None and name == "case_lifecycle.bpmn" else text,
                                      encoding="utf-8")
    return directory / "case_lifecycle.bpmn"


def with_new_step(xml: str, form_key: str = "progress_note") -> str:
    """v1 + a caseworker step (確認面談, form progress_note) between intake and the screening gateway."""
    xml = xml.replace('<bpmn:sequenceFlow id="f_intake_screening" sourceRef="intake" targetRef="gw_screening" />',
                      '<bpmn:sequenceFlow id="f_intake_screening" sourceRef="intake" targetRef="consent_check" />\n'
                      '    <bpmn:userTask id="consent_check" name="確認面談">\n'
                      '      <bpmn:extensionElements><spiffworkflow:properties>\n'
                      '        <spiffworkflow:property name="formKey" value="' + form_key + '" />\n'
                      '        <spiffworkflow:property name="role" value="caseworker" />\n'
                      '      </spiffworkflow:properties></bpmn:extensionElements>\n'
                      '      <bpmn:incoming>f_intake_screening</bpmn:incoming>\n'
                      '      <bpmn:outgoing>f_consent_screening</bpmn:outgoing>\n'
                      '    </bpmn:userTask>\n'
                      '    <bpmn:sequenceFlow id="f_consent_screening" sourceRef="consent_check" '
                      'targetRef="gw_screening" />')
    xml = xml.replace("<bpmn:incoming>f_intake_screening</bpmn:incoming>\n      <bpmn:outgoing>f_info_only",
                      "<bpmn:incoming>f_consent_screening</bpmn:incoming>\n      <bpmn:outgoing>f_info_only")
    xml = xml.replace("<bpmn:flowNodeRef>intake</bpmn:flowNodeRef>",
                      "<bpmn:flowNodeRef>intake</bpmn:flowNodeRef>\n"
                      "        <bpmn:flowNodeRef>consent_check</bpmn:flowNodeRef>")
    assert "consent_check" in xml and 'targetRef="gw_screening"' in xml
    return layout_bpmn.relayout(xml)


def assessment_moved_before_screening(xml: str) -> str:
    """v1 with the assessment task replaced by a step (form assessment) before the screening:
    a case waiting at assessment cannot move.  (Renaming a task is not enough: SpiffWorkflow aligns specs by
    structure too, and would carry the case over to the renamed task.)"""
    xml, n1 = re.subn(r'\s*<bpmn:userTask id="assessment".*?</bpmn:userTask>', "", xml, flags=re.DOTALL)
    xml, n2 = re.subn(r'\s*<bpmn:sequenceFlow id="f_assessment_done"[^>]*/>', "", xml)
    xml, n3 = re.subn(r"\s*<bpmn:flowNodeRef>assessment</bpmn:flowNodeRef>", "", xml)
    xml = xml.replace('sourceRef="gw_assessment_merge" targetRef="assessment"',
                      'sourceRef="gw_assessment_merge" targetRef="gw_assessment"')
    xml = xml.replace("<bpmn:incoming>f_assessment_done</bpmn:incoming>",
                      "<bpmn:incoming>f_to_assessment</bpmn:incoming>")
    assert (n1, n2, n3) == (1, 1, 1)
    return with_new_step(xml, form_key="assessment")


def deploy(client, xml: str, note: str = "test change", base: int | None = None) -> dict:
    saved = client.post("/processes/drafts", json={"xml": xml, "baseVersionId": base})
    assert saved.status_code == 200, saved.get_data(as_text=True)
    deployed = client.post(saved.json["deployUrl"], json={"note": note})
    assert deployed.status_code == 200, deployed.get_data(as_text=True)
    return deployed.json
